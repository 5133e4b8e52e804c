"""Tables of the projects domain."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime, utcnow


class Tier(enum.StrEnum):
    free = "free"
    pro = "pro"
    enterprise = "enterprise"


class Role(enum.StrEnum):
    admin = "admin"
    member = "member"


def _enum(cls: type[enum.Enum], name: str) -> SAEnum:
    return SAEnum(cls, name=name, native_enum=False, validate_strings=True, length=20)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    api_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    tier: Mapped[Tier] = mapped_column(_enum(Tier, "tier"), default=Tier.pro)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    integration_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_suspended_reason: Mapped[str | None] = mapped_column(String(500))
    default_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendars.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ProjectMember(Base):
    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.member)


class Calendar(Base):
    """A working-day calendar: which weekdays are worked (Mon=0) and dated exceptions."""

    __tablename__ = "calendars"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    working_weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    hours_per_day: Mapped[int] = mapped_column(Integer, default=8)
