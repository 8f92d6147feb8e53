"""Passwords are stored as argon2id at OWASP's minimum cost; only a test run may ask for argon2's floor."""

from __future__ import annotations

import re

import pytest

from hocso.core import security
from tests.conftest import PASSWORD

# OWASP's recommended minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
OWASP_MEMORY_KIB, OWASP_PASSES = 19456, 2


def _cost(password_hash: str) -> tuple[str, int, int, int]:
    match = re.fullmatch(r"\$(argon2id)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", password_hash)
    assert match, password_hash
    return match[1], int(match[2]), int(match[3]), int(match[4])


@pytest.mark.parametrize("environ", [{}, {security.CHEAP_HASHING_VARIABLE: "0"}, {"HOCSO_ENVIRONMENT": "production"}])
def test_a_server_without_the_test_variable_hashes_at_owasps_argon2id_minimum(environ):
    context = security.password_context(environ)
    stored = context.hash(PASSWORD)
    kind, memory, passes, lanes = _cost(stored)
    assert kind == "argon2id"
    assert memory >= OWASP_MEMORY_KIB and passes >= OWASP_PASSES, stored
    assert (memory, passes, lanes) == (19456, 2, 1), stored
    assert context.verify(PASSWORD, stored) and not context.verify("wrong horse battery", stored)


def test_the_process_reads_the_cost_from_its_environment_at_the_first_hash(monkeypatch):
    # This run hashes at the floor (tests/conftest.py); the same code in a process without the variable does not.
    assert _cost(security.hash_password(PASSWORD))[1:3] == (8, 1)
    monkeypatch.delenv(security.CHEAP_HASHING_VARIABLE)
    security._hasher.cache_clear()
    try:
        stored = security.hash_password(PASSWORD)
        assert _cost(stored)[1:] == (19456, 2, 1)
        assert security.verify_password(PASSWORD, stored)
        assert not security.needs_rehash(stored)
    finally:
        monkeypatch.undo()
        security._hasher.cache_clear()
    assert _cost(security.hash_password(PASSWORD))[1:3] == (8, 1)


def test_the_test_cost_is_refused_in_production():
    with pytest.raises(RuntimeError, match=security.CHEAP_HASHING_VARIABLE):
        security.password_context({security.CHEAP_HASHING_VARIABLE: "1", "HOCSO_ENVIRONMENT": "production"})
