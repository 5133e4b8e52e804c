"""Closed vocabularies of the Last Planner domain (see docs/domain.md)."""

from __future__ import annotations

import enum


class TaskType(enum.StrEnum):
    task = "task"
    milestone = "milestone"


class Shift(enum.StrEnum):
    day = "day"
    afternoon = "afternoon"
    night = "night"
    all = "all"


class TaskStatus(enum.StrEnum):
    backlog = "backlog"
    planned = "planned"
    in_progress = "in_progress"
    complete = "complete"
    promised = "promised"


class LinkType(enum.StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class ResourceKind(enum.StrEnum):
    labour = "labour"
    plant = "plant"
    material = "material"


class ProgressType(enum.StrEnum):
    delayed = "delayed"
    on_schedule = "on_schedule"
    improved = "improved"
    complete = "complete"


class Impact(enum.StrEnum):
    extend = "extend"
    move = "move"


class BlockerStatus(enum.StrEnum):
    open = "open"
    resolved = "resolved"


class Category(enum.StrEnum):
    """The canonical delay/blocker categories every project's own labels map onto."""

    information_design = "information_design"
    materials = "materials"
    labour = "labour"
    equipment = "equipment"
    space_access = "space_access"
    prerequisite_work = "prerequisite_work"
    weather = "weather"
    safety = "safety"
    permits_external = "permits_external"
    planning_overcommitment = "planning_overcommitment"
    change = "change"
