"""The agency tree and its admins, for erasure and export tests with people in agencies."""

from tests.agencies.conftest import as_user, tree  # noqa: F401 - fixtures
from tests.agencies.test_helpers import sms  # noqa: F401 - the stand-in SMS provider, for helpers' citizens
