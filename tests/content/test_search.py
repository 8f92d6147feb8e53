"""Search across modules: title, summary and lesson text, accents, case and đ/d ignored, in both languages."""

from __future__ import annotations


def search(client, q: str, lang: str = "vi", **headers) -> list[dict]:
    r = client.get("/api/v1/search", params={"q": q, "lang": lang}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_unaccented_query_finds_the_lesson_that_holds_its_words_with_a_snippet(client):
    [hit] = search(client, "NGUOI nhan")
    assert hit["slug"] == "qr-basics" and hit["title"] == "Thanh toán QR cơ bản"
    lessons = {lesson["id"]: lesson for lesson in hit["lessons"]}
    assert lessons["check"]["title"] == "Kiểm tra người nhận"
    assert lessons["check"]["snippet"] == "Luôn đọc tên người nhận trước khi xác nhận."
    assert "kiểm tra người nhận" in lessons["scan"]["snippet"]  # a link's text counts, its address does not


def test_a_title_is_found_in_either_language_and_a_word_must_start_where_the_query_starts(client):
    assert [h["slug"] for h in search(client, "thanh toán qr")] == ["qr-basics"]
    assert [h["title"] for h in search(client, "payment basics", "en")] == ["QR payment basics"]
    assert search(client, "oan") == []  # inside "toán", not at the start of a word
    assert search(client, "thanh toán bitcoin") == []  # every word must be there


def test_a_query_too_short_or_too_long_is_refused_in_the_readers_language(client):
    r = client.get("/api/v1/search", params={"q": "a"}, headers={"Accept-Language": "vi"})
    assert r.status_code == 422
    assert "q" in r.json()["detail"] and "ký tự" in r.json()["detail"]
    assert client.get("/api/v1/search", params={"q": "x" * 101}).status_code == 422
    assert client.get("/api/v1/search").status_code == 422
