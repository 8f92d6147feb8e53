"""Open Badges 3.0: each certificate as an OpenBadgeCredential, the issuer profile, and the revocation lists."""

from __future__ import annotations

from typing import Any

from hocso.certificates.models import Certificate
from hocso.certificates.service import ISSUER_NAME, _aware, criteria, status_list_position
from hocso.core.config import Settings

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _iso(moment) -> str:
    return _aware(moment).isoformat().replace("+00:00", "Z")


def issuer_profile(settings: Settings) -> dict[str, Any]:
    """The issuer as Open Badges describes it; credentials name it by this id."""
    base = settings.base_url
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base}/api/v1/issuer",
        "type": ["Profile"],
        "name": ISSUER_NAME["vi"],
        "url": base,
        "description": "Hocso: học một kỹ năng số mới mỗi năm. / Learn one new digital skill each year.",
    }


def status_list_url(settings: Settings, list_number: int) -> str:
    return f"{settings.base_url}/api/v1/status-lists/{list_number}"


def open_badge(settings: Settings, cert: Certificate) -> dict[str, Any]:
    """The certificate as an OpenBadgeCredential (VC Data Model 2.0), ready to sign as a VC-JWT."""
    base = settings.base_url
    list_number, index = status_list_position(cert)
    achievement_id = (
        f"{base}/achievements/module/{cert.module_slug}" if cert.kind == "module" else f"{base}/achievements/year/{cert.year}"
    )
    issuer = issuer_profile(settings)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base}/verify/{cert.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer["id"], "type": issuer["type"], "name": issuer["name"], "url": issuer["url"]},
        "validFrom": _iso(cert.issued_at),
        "name": cert.name_vi,
        "credentialSubject": {
            # No email or phone: the holder is named, as on the paper certificate, and nothing else identifies them.
            "type": ["AchievementSubject"],
            "name": cert.holder_name,
            "activityEndDate": _iso(cert.achieved_at),
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Competency" if cert.kind == "module" else "Achievement",
                "name": cert.name_vi,
                "description": cert.name_en,
                "criteria": {"narrative": criteria(cert, "vi")},
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url(settings, list_number)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(settings, list_number),
        },
    }


def status_list_credential(settings: Settings, list_number: int, encoded: str, *, valid_from: str) -> dict[str, Any]:
    """A BitstringStatusListCredential: bit i set means the certificate at index i is revoked."""
    url = status_list_url(settings, list_number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(settings)["id"],
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
