"""The agency tree and its admins, for tests of codes an admin hands out; an SMS stand-in for assisted sessions."""

from tests.agencies.conftest import as_user, tree  # noqa: F401 - fixtures
from tests.agencies.test_helpers import sms  # noqa: F401 - the stand-in SMS provider, for assisted sessions
