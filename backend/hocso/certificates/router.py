"""HTTP endpoints for certificates: the holder's list, PDF and credential; public verification, issuer and keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.certificates import credentials, page, pdf, service
from hocso.certificates.schemas import CertificateOut, CertificatePublic
from hocso.core import security
from hocso.core.db import SessionDep
from hocso.core.errors import NotFound, RateLimited, error_responses, preferred_language
from hocso.core.timeutil import utcnow

router = APIRouter(tags=["certificates"])
# Outside /api/v1: the addresses printed on certificates and the keys verifiers fetch by convention.
public_router = APIRouter(tags=["certificates"])

VC_JWT = "application/vc+jwt"
LangParam = Annotated[str | None, Query(pattern="^(vi|en)$", description="vi or en; default from Accept-Language")]


def _lang(request: Request, lang: str | None) -> str:
    return lang or preferred_language(request)


def _limited(request: Request) -> None:
    """Slows down anyone walking the public verification addresses."""
    limiter = request.app.state.verify_limiter
    key = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(key)
    if wait:
        raise RateLimited(
            f"Too many verification requests. Try again in {wait} seconds.",
            f"Quá nhiều yêu cầu kiểm tra. Vui lòng thử lại sau {wait} giây.",
            wait,
        )
    limiter.hit(key)


@router.get(
    "/me/certificates", response_model=list[CertificateOut], operation_id="list_my_certificates", responses=error_responses(401)
)
def my_certificates(
    user: CurrentUser, session: SessionDep, settings: SettingsDep, request: Request, lang: LangParam = None
) -> list[CertificateOut]:
    """One certificate per completed module and one per year whose goal was met."""
    lang = _lang(request, lang)
    return [
        CertificateOut(
            id=c.id,
            number=c.number,
            kind=c.kind,  # type: ignore[arg-type]
            module=c.module_slug,
            year=c.year,
            name=c.name_vi if lang == "vi" else c.name_en,
            achieved_at=service._aware(c.achieved_at),
            issued_at=service._aware(c.issued_at),
            **service.urls(settings, c),
        )
        for c in service.certificates_of(session, user_id=user.id)
    ]


@router.get(
    "/certificates/{cert_id}.pdf",
    operation_id="certificate_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(401, 404)},
)
def certificate_pdf(
    cert_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep, request: Request, lang: LangParam = None
) -> Response:
    """The printable certificate (A4 landscape) with a QR code to its verification page."""
    cert = service.held_certificate(session, cert_id, user_id=user.id)
    body = pdf.render(
        cert, verify_url=service.urls(settings, cert)["verify_url"], font_dir=settings.pdf_font_dir, lang=_lang(request, lang)
    )
    filename = f"hocso-{cert.number}.pdf"
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(
    "/certificates/{cert_id}/credential",
    operation_id="certificate_credential",
    response_class=Response,
    responses={200: {"content": {VC_JWT: {}}}, **error_responses(401, 404)},
)
def certificate_credential(cert_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Response:
    """The certificate as an Open Badges 3.0 credential, signed as a VC-JWT (verify with /.well-known/jwks.json)."""
    cert = service.held_certificate(session, cert_id, user_id=user.id)
    token = security.sign_credential(settings, credentials.open_badge(settings, cert))
    return Response(token, media_type=VC_JWT)


@router.get(
    "/certificates/{cert_id}",
    response_model=CertificatePublic,
    operation_id="verify_certificate",
    responses=error_responses(404, 429),
)
def verify_certificate(
    cert_id: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    lang: LangParam = None,
) -> dict:
    """Public: whether a certificate is valid, and what it certifies. An erased holder's certificate shows no name."""
    _limited(request)
    return service.public_view(settings, service.get_certificate(session, cert_id), _lang(request, lang))


@router.get("/issuer", operation_id="issuer_profile")
def issuer(settings: SettingsDep) -> dict:
    """The Open Badges issuer profile that Hocso's credentials name."""
    return credentials.issuer_profile(settings)


@router.get(
    "/status-lists/{list_number}",
    operation_id="status_list",
    response_class=Response,
    responses={200: {"content": {VC_JWT: {}}}, **error_responses(404)},
)
def status_list(list_number: Annotated[int, Path(ge=0, le=100_000)], session: SessionDep, settings: SettingsDep) -> Response:
    """A signed BitstringStatusListCredential: the revocation bit of every certificate in the list."""
    if not service.status_list_exists(session, list_number):
        raise NotFound("There is no such status list.", "Không có danh sách trạng thái này.")
    vc = credentials.status_list_credential(
        settings,
        list_number,
        service.encoded_status_list(session, list_number),
        valid_from=utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )
    # Verifiers may cache it briefly; a revocation shows within a minute.
    return Response(security.sign_credential(settings, vc), media_type=VC_JWT, headers={"Cache-Control": "public, max-age=60"})


@public_router.get("/.well-known/jwks.json", include_in_schema=False)
def jwks(settings: SettingsDep) -> dict:
    return security.issuer_jwks(settings)


@public_router.get("/verify/style.css", include_in_schema=False)
def verify_style() -> Response:
    return Response(page.stylesheet(), media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


@public_router.get("/verify/{cert_id}", include_in_schema=False, response_class=HTMLResponse)
def verify_page(
    cert_id: str, session: SessionDep, settings: SettingsDep, request: Request, lang: LangParam = None
) -> HTMLResponse:
    """The page a certificate's QR code opens: works in any browser, without the app."""
    _limited(request)
    lang = _lang(request, lang)
    try:
        view = service.public_view(settings, service.get_certificate(session, cert_id), lang)
    except NotFound:
        return HTMLResponse(page.render(None, cert_id=cert_id, lang=lang), status_code=404)
    return HTMLResponse(page.render(view, cert_id=cert_id, lang=lang), headers={"Cache-Control": "no-cache"})
