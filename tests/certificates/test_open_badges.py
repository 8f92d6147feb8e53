"""Open Badges 3.0: every certificate as a signed credential that a verifier checks with no code of Hocso's.

The verifier here uses joserfc, not python-jose that signs, and fetches only what any verifier would: the
credential, the issuer's JWKS and the status list the credential points to.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from hocso.core import security
from tests.certificates.test_certificates import RIGHT, attempt, certificates, person
from tests.test_cli import hocso  # noqa: F401  (fixture)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def fetch(client, url: str):
    """GETs one of the app's absolute URLs through the test client."""
    parts = urlsplit(url)
    r = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert r.status_code == 200, (url, r.text)
    return r


def verify(client, token: str, expected_typ: str = "vc+jwt") -> dict:
    """Checks the compact JWS against the published keys and returns its payload; raises if it does not verify."""
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["typ"] == expected_typ and header["kid"]
    key = keys.get_by_kid(header["kid"])
    obj = jws.deserialize_compact(token, key, algorithms=["ES256"])
    return json.loads(obj.payload)


def revoked_bit(client, credential: dict) -> int:
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    listing = verify(client, fetch(client, status["statusListCredential"]).text)
    assert "BitstringStatusListCredential" in listing["type"]
    encoded = listing["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def credential_of(client, headers) -> tuple[dict, str]:
    cert = next(c for c in certificates(client, headers) if c["kind"] == "module")
    r = fetch_with(client, cert["credential_url"], headers)
    assert r.headers["content-type"].startswith("application/vc+jwt")
    return cert, r.text


def fetch_with(client, url, headers):
    r = client.get(urlsplit(url).path, headers=headers)
    assert r.status_code == 200, r.text
    return r


def test_a_certificate_is_an_open_badge_credential_that_verifies_against_the_published_keys(client):
    lan = person(client)
    attempt(client, lan, RIGHT)
    cert, token = credential_of(client, lan)
    vc = verify(client, token)
    assert vc["@context"][:2] == [VC_V2, OB_V3]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    issuer = client.get("/api/v1/issuer").json()
    assert vc["issuer"]["id"] == issuer["id"] and "Profile" in issuer["type"] and issuer["name"]
    datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
    subject = vc["credentialSubject"]
    assert "AchievementSubject" in subject["type"] and subject["name"] == "Nguyễn Thị Ánh Tuyết"
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"] and achievement["name"] == cert["name"]
    assert achievement["criteria"]["narrative"]
    assert not re.search(r"[\w.+-]+@[\w-]+\.", json.dumps(vc))  # no email anywhere in what the holder shares
    assert revoked_bit(client, vc) == 0


def test_a_tampered_credential_fails_verification(client):
    lan = person(client)
    attempt(client, lan, RIGHT)
    _, token = credential_of(client, lan)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "Kẻ Giả Mạo"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verify(client, f"{header}.{forged}.{signature}")


def test_erasing_the_account_sets_the_credentials_revocation_bit_and_no_one_elses(client):
    lan, binh = person(client), person(client, "Trần Văn Bình")
    attempt(client, lan, RIGHT)
    attempt(client, binh, RIGHT)
    lan_vc = verify(client, credential_of(client, lan)[1])
    binh_vc = verify(client, credential_of(client, binh)[1])
    assert client.delete("/api/v1/me", headers=lan).status_code == 204
    assert revoked_bit(client, lan_vc) == 1
    assert revoked_bit(client, binh_vc) == 0


def test_credentials_signed_before_a_key_rotation_still_verify(client, settings):
    lan = person(client)
    attempt(client, lan, RIGHT)
    _, before = credential_of(client, lan)
    security.add_issuer_key(settings.issuer_keys_path)
    _, after = credential_of(client, lan)
    kid = lambda t: json.loads(base64.urlsafe_b64decode(t.split(".")[0] + "=="))["kid"]  # noqa: E731
    assert kid(before) != kid(after)
    assert verify(client, before)["id"] == verify(client, after)["id"]


def test_an_operator_rotates_the_signing_key_from_the_command_line(hocso, client, capsys):  # noqa: F811
    before = client.get("/.well-known/jwks.json").json()["keys"]
    assert hocso(["keys", "rotate"]) == 0
    after = client.get("/.well-known/jwks.json").json()["keys"]
    assert [k["kid"] for k in after[:-1]] == [k["kid"] for k in before] and after[-1]["kid"] in capsys.readouterr().out
