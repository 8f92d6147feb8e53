"""Tables for areas, modules and every loaded version of a module."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from hocso.core.timeutil import utcnow


class Area(SQLModel, table=True):
    __tablename__ = "area"

    slug: str = Field(primary_key=True, max_length=64)
    position: int = 0
    title_vi: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_vi: str = Field(default="", sa_type=Text)
    description_en: str = Field(default="", sa_type=Text)


class Module(SQLModel, table=True):
    """A module as learners know it: its slug, its area and the version now taught."""

    __tablename__ = "module"

    slug: str = Field(primary_key=True, max_length=64)
    area_slug: str = Field(sa_column=Column(String(64), ForeignKey("area.slug"), nullable=False, index=True))
    current_version_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version_id_module_version"),
            nullable=True,
        ),
    )
    # False once the module's folder is gone: it stops being listed, completions keep pointing at it.
    active: bool = True
    position: int = 0


class ModuleVersion(SQLModel, table=True):
    """The full text of a module as loaded once, answer key included; never changed after insert."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_slug", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    module_slug: str = Field(sa_column=Column(String(64), ForeignKey("module.slug"), nullable=False, index=True))
    version: int
    content_hash: str = Field(max_length=64)
    minutes: int
    level: str = Field(max_length=20)
    audience: str = Field(max_length=100)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    loaded_at: datetime = Field(default_factory=utcnow)


class ContentState(SQLModel, table=True):
    """Key/value facts about the loaded content, e.g. the hash of the content folder last loaded."""

    __tablename__ = "content_state"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
