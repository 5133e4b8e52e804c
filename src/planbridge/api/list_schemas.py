"""Wire shapes of the project's lists (subcontractors, locations, folders, packages, delay
reasons, blocker categories), its calendars and its members."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from planbridge.api.schemas import Body, Name, Out, examples
from planbridge.planning.enums import (
    Category,
)


# ---------------------------------------------------------------- the project's lists
class SubcontractorCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples({"name": "Électricité Müller", "trade": "Electrical"})
    )

    name: Name
    trade: str | None = Field(default=None, max_length=100)


class SubcontractorOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples({"id": 1, "name": "Électricité Müller", "trade": "Electrical"})
    )

    id: int
    name: str
    trade: str | None


class LocationCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples({"name": "Level 01 Zone A", "kind": "zone", "parent_id": 1})
    )

    name: Name
    kind: str = Field(default="area", min_length=1, max_length=40, description="e.g. level.")
    parent_id: int | None = None


class LocationOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"id": 2, "name": "Level 01 Zone A", "kind": "zone", "parent_id": 1}
        )
    )

    id: int
    name: str
    kind: str
    parent_id: int | None


class FolderCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples({"code": "1.2", "name": "Services", "parent_id": None})
    )

    code: str = Field(min_length=1, max_length=100, description="WBS code, unique.")
    name: Name
    parent_id: int | None = None


class FolderOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples({"id": 1, "code": "1.2", "name": "Services", "parent_id": None})
    )

    id: int
    code: str
    name: str
    parent_id: int | None


class PackageCreate(Body):
    model_config = ConfigDict(json_schema_extra=examples({"name": "WP01 Electrical"}))

    name: Name


class PackageOut(Out):
    model_config = ConfigDict(json_schema_extra=examples({"id": 1, "name": "WP01 Electrical"}))

    id: int
    name: str


class LabelCreate(Body):
    """A delay reason or blocker category: the project's own label and its canonical category."""

    model_config = ConfigDict(
        json_schema_extra=examples({"label": "Awaiting access", "category": "space_access"})
    )

    label: Name
    category: Category


class LabelOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"id": 2, "label": "Awaiting access", "category": "space_access"}
        )
    )

    id: int
    label: str
    category: Category


class CalendarOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {
                "id": 1,
                "name": "Standard",
                "working_weekdays": [0, 1, 2, 3, 4],
                "holidays": ["2026-12-25"],
                "hours_per_day": 8,
            }
        )
    )

    id: int
    name: str
    working_weekdays: list[int] = Field(description="Worked weekdays, Monday = 0.")
    holidays: list[str]
    hours_per_day: int


class MemberOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"user_id": 3, "email": "ana@example.com", "name": "Ana Souza", "role": "admin"}
        )
    )

    user_id: int
    email: str
    name: str
    role: str
