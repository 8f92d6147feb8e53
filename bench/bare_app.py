"""The ceiling bench/throughput.py compares Hocso with: a bare FastAPI app answering a small JSON object."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/json")
def small_json() -> dict[str, str]:
    """A small JSON object from a sync endpoint in the thread pool, as Hocso's endpoints are."""
    return {"status": "ok", "service": "bare"}


@app.get("/json-async")
async def small_json_async() -> dict[str, str]:
    """The same from the event loop, with no thread hop."""
    return {"status": "ok", "service": "bare"}
