"""The public verification page: plain HTML that works without the app, in the reader's language."""

from __future__ import annotations

from html import escape
from typing import Any

from hocso.core.timeutil import VIETNAM

_WORDS = {
    "vi": {
        "title": "Kiểm tra chứng nhận",
        "valid": "Chứng nhận hợp lệ",
        "revoked": "Chứng nhận đã bị thu hồi",
        "revoked_note": "Chứng nhận này không còn giá trị. Tên người nhận không còn được hiển thị.",
        "holder": "Người nhận",
        "achievement": "Thành tích",
        "criteria": "Điều kiện",
        "date": "Ngày đạt",
        "number": "Số chứng nhận",
        "issuer": "Đơn vị cấp",
        "missing": "Không tìm thấy chứng nhận",
        "missing_note": "Không có chứng nhận nào mang mã này. Hãy kiểm tra lại đường dẫn hoặc mã QR.",
        "other": "English",
    },
    "en": {
        "title": "Verify a certificate",
        "valid": "Valid certificate",
        "revoked": "This certificate was revoked",
        "revoked_note": "This certificate is no longer valid. The holder's name is no longer shown.",
        "holder": "Holder",
        "achievement": "Achievement",
        "criteria": "Criteria",
        "date": "Achieved on",
        "number": "Certificate number",
        "issuer": "Issued by",
        "missing": "Certificate not found",
        "missing_note": "No certificate has this code. Check the link or the QR code.",
        "other": "Tiếng Việt",
    },
}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;line-height:1.5;color:#1a1a1a;background:#f5f7fb;font-size:1.0625rem}
main{max-width:40rem;margin:0 auto;background:#fff;border-radius:8px;padding:1rem 1.25rem;border:1px solid #d0d7e2}
h1{font-size:1.5rem;margin:.25rem 0 1rem}.ok{color:#0b6b2e}.bad{color:#a1120b}
dt{font-weight:700;margin-top:.75rem}dd{margin:0;overflow-wrap:anywhere}a{color:#0b3d91}
nav{margin-top:1.5rem}nav a{display:inline-block;min-height:44px;line-height:44px}
"""


def _page(lang: str, cert_id: str, title: str, body: str) -> str:
    other = "en" if lang == "vi" else "vi"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} – Hocso</title>"
        '<meta name="robots" content="noindex">'
        f'<link rel="stylesheet" href="/verify/style.css"></head><body><main>{body}'
        f'<nav><a href="/verify/{escape(cert_id)}?lang={other}" lang="{other}">{_WORDS[lang]["other"]}</a></nav>'
        "</main></body></html>"
    )


def stylesheet() -> str:
    return _STYLE


def render(view: dict[str, Any] | None, *, cert_id: str, lang: str) -> str:
    """A certificate's public facts, or a plain 'not found'."""
    w = _WORDS[lang]
    if view is None:
        return _page(lang, cert_id, w["missing"], f'<h1 class="bad">{w["missing"]}</h1><p>{w["missing_note"]}</p>')
    valid = view["status"] == "valid"
    heading = f'<h1 class="{"ok" if valid else "bad"}">{"✔ " if valid else "✖ "}{w["valid" if valid else "revoked"]}</h1>'
    when = view["achieved_at"].astimezone(VIETNAM).strftime("%d/%m/%Y")
    rows = []
    if valid and view["holder_name"]:
        rows.append((w["holder"], view["holder_name"]))
    rows += [
        (w["achievement"], view["achievement"]["name"]),
        (w["criteria"], view["achievement"]["criteria"]),
        (w["date"], when),
        (w["number"], view["number"]),
        (w["issuer"], view["issuer"]["name"]),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in rows)
    note = "" if valid else f"<p>{w['revoked_note']}</p>"
    return _page(lang, cert_id, w["title"], f"{heading}{note}<dl>{items}</dl>")
