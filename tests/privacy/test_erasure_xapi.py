"""Erasure with an LRS configured: the erased person's unsent statements never leave; everybody else's still do."""

from __future__ import annotations

from sqlmodel import select

from hocso.core.db import open_session
from hocso.xapi.models import XapiStatement
from tests.agencies.conftest import user_id
from tests.conftest import login
from tests.learning.conftest import signed_up_since
from tests.learning.test_xapi_queue import settings  # noqa: F401 - an LRS nobody listens on, so statements stay queued
from tests.privacy.test_two_people import learn


def test_erasing_a_person_drops_their_unsent_statements_and_keeps_everybody_elses(client, engine):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    learn(client, lan)
    learn(client, binh)
    lan_id, binh_id = user_id(engine, "lan@example.vn"), user_id(engine, "binh@example.vn")

    def queued() -> dict:
        with open_session(engine) as session:
            rows = session.exec(select(XapiStatement.user_id)).all()
        return {who: rows.count(who) for who in (lan_id, binh_id)}

    # Two lessons, the attempt and the module's completion, each.
    assert queued() == {lan_id: 4, binh_id: 4}
    assert client.delete("/api/v1/me", headers=lan).status_code == 204
    assert queued() == {lan_id: 0, binh_id: 4}
    login(client, "binh@example.vn")
