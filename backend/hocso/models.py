"""Imports every table so that SQLModel.metadata (and so Alembic) knows them all."""

from hocso.accounts.models import ActivationCode, AssistedSession, CitizenConsent, PasswordReset, RefreshToken, Role, User
from hocso.agencies.models import (
    Agency,
    AgencyInvitation,
    AgencyModuleRollup,
    AgencyRollup,
    AgencyRollupDelta,
    AgencyYearRollup,
    AuditEvent,
    Requirement,
)
from hocso.agencies.push import PushSubscription
from hocso.agencies.reminders import Reminder
from hocso.certificates.models import Certificate
from hocso.content.models import Area, ContentState, Module, ModuleVersion
from hocso.core.jobs import Job
from hocso.core.ratelimit import AttemptCounter
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent
from hocso.xapi.models import XapiStatement

__all__ = [
    "AssistedSession",
    "CitizenConsent",
    "Role",
    "PushSubscription",
    "Reminder",
    "Agency",
    "AttemptCounter",
    "PasswordReset",
    "AuditEvent",
    "AgencyInvitation",
    "AgencyModuleRollup",
    "AgencyRollup",
    "AgencyRollupDelta",
    "AgencyYearRollup",
    "ActivationCode",
    "Requirement",
    "Area",
    "Attempt",
    "Certificate",
    "ContentState",
    "Job",
    "Module",
    "ModuleProgress",
    "ModuleVersion",
    "ProgressEvent",
    "RefreshToken",
    "User",
    "XapiStatement",
]
