"""ralph's own LRS app with its filesystem backend set to append.

ralph 5.1.0's FSLRSBackend writes in CREATE mode, so every POST after the first fails with 500 "Statements
bulk indexation failed"; appending is what an LRS on files needs.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402,F401
