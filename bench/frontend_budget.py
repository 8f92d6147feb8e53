"""Frontend budgets, measured in Debian's Chromium against a real `hocso serve` with the shipped content:

- JavaScript shipped for the first screen (every script the home page loads), gzipped: budget 60 KB;
- Lighthouse (npm package, headless /usr/bin/chromium, mobile preset with its simulated slow 4G and CPU
  slow-down) performance >= 90 and accessibility >= 95 on the home page, a lesson page and the
  module's quiz;
- a repeat visit with the network off still shows the app.

    .venv/bin/python bench/frontend_budget.py            # builds nothing: run `make run` or `make test` first
    .venv/bin/python bench/frontend_budget.py --runs 3   # median of 3 Lighthouse runs per page

Prints a table and writes bench/out/frontend_budget.json; exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
CHROMIUM = os.environ.get("HOCSO_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: no calls home that the machine would refuse (the browser tests use them too).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
BUDGET = {"first_screen_js_gzip_kb": 60, "performance": 90, "accessibility": 95}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "HOCSO_DATA_DIR": str(folder),
        "HOCSO_CONTENT_DIR": str(ROOT / "content"),
        "HOCSO_FRONTEND_DIR": str(DIST),
        "HOCSO_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "hocso"), "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/v1/health").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def first_screen_js(url: str) -> tuple[float, list[str]]:
    """Every script the home page loads until the network is idle, gzipped (level 9) and summed."""
    from playwright.sync_api import sync_playwright

    scripts: dict[str, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
        page.on("response", lambda r: r.request.resource_type == "script" and scripts.setdefault(r.url, r.body()))
        page.goto(url + "/", wait_until="networkidle")
        browser.close()
    total = sum(len(gzip.compress(body, 9)) for body in scripts.values())
    return total / 1024, sorted(u.removeprefix(url) for u in scripts)


def repeat_visit_offline(url: str, lesson_path: str) -> bool:
    """Visits home and a lesson online, then reloads both with the network off: the app must still show them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        page = context.new_page()
        page.goto(url + "/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.goto(url + lesson_path)
        page.wait_for_selector(".prose p")
        context.set_offline(True)
        ok = True
        for path, selector in (("/", "h1"), (lesson_path, ".prose p")):
            page.goto(url + path)
            try:
                page.wait_for_selector(selector, timeout=10_000)
            except Exception:
                ok = False
        browser.close()
        return ok


def ensure_lighthouse() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print("installing lighthouse (npm, once) ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=LIGHTHOUSE_DIR, check=True)
    return binary


def lighthouse(binary: Path, page_url: str, out: Path) -> dict[str, float]:
    subprocess.run(
        [
            str(binary),
            page_url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--form-factor=mobile",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={' '.join(['--headless=new', *CHROMIUM_ARGS])}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "failed_a11y": [
            k
            for k, a in audits.items()
            if a.get("score") == 0 and k in {r["id"] for r in report["categories"]["accessibility"]["auditRefs"]}
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is reported)")
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit("frontend/dist is missing: run `make run` or `cd frontend && npm run build` first")
    binary = ensure_lighthouse()
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_server(Path(folder))
        try:
            modules = httpx.get(f"{url}/api/v1/modules").json()
            first = httpx.get(f"{url}/api/v1/modules/{modules[0]['slug']}").json()
            lesson_path = f"/m/{first['slug']}/l/{first['lessons'][0]['id']}"
            js_kb, scripts = first_screen_js(url)
            offline_ok = repeat_visit_offline(url, lesson_path)
            pages = {"home": "/", "lesson": lesson_path, "quiz": f"/m/{first['slug']}/quiz"}
            scores: dict[str, dict] = {}
            for name, path in pages.items():
                runs = []
                for i in range(args.runs):
                    print(f"lighthouse {name} ({path}) run {i + 1}/{args.runs} ...", flush=True)
                    runs.append(lighthouse(binary, url + path, Path(folder) / f"{name}-{i}.json"))
                median = {
                    k: statistics.median(r[k] for r in runs) for k in ("performance", "accessibility", "lcp_ms", "tbt_ms", "cls")
                }
                scores[name] = {**median, "runs": runs}
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)  # a loaded machine can take long to stop the workers
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    print()
    print(f"{'measure':44} {'value':>10} {'budget':>10}  ok")
    rows = [
        (
            "first-screen JavaScript, gzip (KB)",
            round(js_kb, 1),
            f"<= {BUDGET['first_screen_js_gzip_kb']}",
            js_kb <= BUDGET["first_screen_js_gzip_kb"],
        )
    ]
    for name in pages:
        s = scores[name]
        rows.append(
            (
                f"Lighthouse mobile performance, {name}",
                s["performance"],
                f">= {BUDGET['performance']}",
                s["performance"] >= BUDGET["performance"],
            )
        )
        rows.append(
            (
                f"Lighthouse accessibility, {name}",
                s["accessibility"],
                f">= {BUDGET['accessibility']}",
                s["accessibility"] >= BUDGET["accessibility"],
            )
        )
        rows.append((f"  LCP / TBT (ms), CLS, {name}", f"{s['lcp_ms']:.0f}/{s['tbt_ms']:.0f}, {s['cls']}", "", True))
    rows.append(("repeat visit with the network off", "works" if offline_ok else "FAILS", "works", offline_ok))
    for label, value, budget, ok in rows:
        print(f"{label:44} {value!s:>10} {budget:>10}  {'yes' if ok else 'NO'}")
    print("scripts on the first screen:", ", ".join(scripts))
    for name in pages:
        failed = sorted({a for r in scores[name]["runs"] for a in r["failed_a11y"]})
        if failed:
            print(f"accessibility audits failed on {name}: {', '.join(failed)}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "frontend_budget.json").write_text(
        json.dumps(
            {
                "first_screen_js_gzip_kb": round(js_kb, 2),
                "scripts": scripts,
                "lighthouse": scores,
                "repeat_visit_offline": offline_ok,
                "budget": BUDGET,
            },
            indent=2,
        )
    )
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
