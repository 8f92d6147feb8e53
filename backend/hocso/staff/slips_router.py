"""HTTP endpoints for getting imported staff signed in: activation slips to print, and a new code for a lost one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.agencies import audit, scope
from hocso.agencies.deps import ManagedAgency
from hocso.agencies.manager_schemas import ActivationCodeOut, SlipsIn
from hocso.core.db import SessionDep
from hocso.core.errors import Invalid, error_responses
from hocso.staff import slips

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.post(
    "/{code}/activation-slips",
    operation_id="print_agency_activation_slips",
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "A4, eight slips a page; X-Slips-Skipped counts the codes that no longer activate anyone",
        },
        **error_responses(400, 401, 403, 404, 413, 422),
    },
)
def print_slips(agency: ManagedAgency, data: SlipsIn, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Activation slips for the codes an import or a re-issue gave (name, unit, code, QR code, instructions)."""
    found = slips.verified_slips(session, settings, root=agency, codes=[(s.identifier, s.code) for s in data.slips])
    if not found:
        raise Invalid(
            "None of these codes can be printed: the people have activated their accounts, the codes were replaced "
            "or expired, or they are not members here. Issue new codes from the members list.",
            "Không in được mã nào: những người này đã kích hoạt tài khoản, mã đã được thay hoặc hết hạn, hoặc họ không "
            "thuộc đơn vị này. Hãy cấp mã mới từ danh sách cán bộ.",
        )
    body = slips.render(found, activate_url=f"{settings.base_url}/activate", font_dir=settings.pdf_font_dir)
    audit.record(
        session,
        actor=user,
        agency=agency,
        action="activation_slips_printed",
        detail={"slips": len(found), "skipped": len(data.slips) - len(found)},
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="hocso-phieu-kich-hoat-{agency.code}.pdf"',
            "X-Slips-Printed": str(len(found)),
            "X-Slips-Skipped": str(len(data.slips) - len(found)),
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/{code}/members/{user_id}/activation-code",
    response_model=ActivationCodeOut,
    operation_id="issue_member_activation_code",
    responses=error_responses(400, 401, 403, 404),
)
def issue_activation_code(
    agency: ManagedAgency, user_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ActivationCodeOut:
    """A new one-time code for a member who never activated their account and lost theirs; the old one stops working."""
    member, where = scope.member_in_subtree(session, agency=agency, user_id=user_id)
    new_code, expires_at = slips.issue_activation_code(session, settings, member=member)
    audit.record(session, actor=user, agency=where, action="activation_code_issued", detail={"member": str(member.id)})
    return ActivationCodeOut(identifier=member.email or member.phone or "", code=new_code, expires_at=expires_at)
