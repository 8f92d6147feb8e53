"""The agency tree and its admins, for tests of codes an admin hands out."""

from tests.agencies.conftest import as_user, tree  # noqa: F401 - fixtures
