"""Tables of the live plan. Published versions never point here: they hold frozen copies."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime, utcnow
from planbridge.planning.enums import (
    BlockerStatus,
    Category,
    Impact,
    LinkType,
    ProgressType,
    ResourceKind,
    Shift,
    TaskStatus,
    TaskType,
)


def _enum(cls: type[enum.Enum], name: str) -> SAEnum:
    return SAEnum(cls, name=name, native_enum=False, validate_strings=True, length=30)


def _project_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class Subcontractor(Base):
    __tablename__ = "subcontractors"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    name: Mapped[str] = mapped_column(String(200))
    trade: Mapped[str | None] = mapped_column(String(100))


class Location(Base):
    """A place on site: a level, a zone inside a level, or any other area."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="area")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))


class Folder(Base):
    """A WBS node."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id", ondelete="SET NULL"))


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    name: Mapped[str] = mapped_column(String(200))


class DelayReason(Base):
    __tablename__ = "delay_reasons"
    __table_args__ = (UniqueConstraint("project_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(_enum(Category, "category"))


class BlockerCategory(Base):
    __tablename__ = "blocker_categories"
    __table_args__ = (UniqueConstraint("project_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(_enum(Category, "category"))


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("project_id", "activity_id"),
        Index("ix_tasks_project_external", "project_id", "external_id"),
        # The Plan page's counts and default sorts read these instead of the rows.
        Index("ix_tasks_project_status", "project_id", "status"),
        Index("ix_tasks_project_start", "project_id", "start_date", "id"),
        Index("ix_tasks_project_end", "project_id", "end_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    activity_id: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[TaskType] = mapped_column(_enum(TaskType, "task_type"), default=TaskType.task)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    duration_days: Mapped[int] = mapped_column(Integer, default=1)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    shift: Mapped[Shift] = mapped_column(_enum(Shift, "shift"), default=Shift.day)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    subcontractor_id: Mapped[int | None] = mapped_column(
        ForeignKey("subcontractors.id", ondelete="SET NULL")
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    work_area: Mapped[str | None] = mapped_column(String(200))
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id", ondelete="SET NULL"))
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id", ondelete="SET NULL"))
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus, "task_status"), default=TaskStatus.planned
    )
    committed: Mapped[bool] = mapped_column(Boolean, default=False)
    milestone_target_date: Mapped[dt.date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TaskLink(Base):
    """A logic link: successor depends on predecessor (FS/SS/FF/SF) with a lag in working days."""

    __tablename__ = "task_links"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    type: Mapped[LinkType] = mapped_column(_enum(LinkType, "link_type"), default=LinkType.FS)
    lag_days: Mapped[int] = mapped_column(Integer, default=0)


class TaskResource(Base):
    __tablename__ = "task_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(_enum(ResourceKind, "resource_kind"))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    unit: Mapped[str] = mapped_column(String(40))


class ProgressUpdate(Base):
    """A status record against one working day of a task."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    type: Mapped[ProgressType] = mapped_column(_enum(ProgressType, "progress_type"))
    reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("delay_reasons.id", ondelete="SET NULL")
    )
    impact: Mapped[Impact | None] = mapped_column(_enum(Impact, "impact"))
    amount_days: Mapped[int] = mapped_column(Integer, default=0)
    comment: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Blocker(Base):
    """A constraint that must be cleared before a task can proceed."""

    __tablename__ = "blockers"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("blocker_categories.id", ondelete="SET NULL")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[BlockerStatus] = mapped_column(
        _enum(BlockerStatus, "blocker_status"), default=BlockerStatus.open
    )
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
