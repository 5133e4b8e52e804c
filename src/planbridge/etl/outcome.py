"""What a pull did, per project: the summary table and the exit status are read from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["waiting", "pulling", "pulled", "loaded", "failed"]


@dataclass
class ProjectOutcome:
    name: str
    api_id: str
    status: Status = "waiting"
    versions: int = 0
    rows: int = 0
    seconds: float = 0.0
    waits: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.name,
            "project_id": self.api_id,
            "status": self.status,
            "versions": self.versions,
            "rows": self.rows,
            "seconds": round(self.seconds, 2),
            "retries": self.waits,
            "error": self.error,
        }


Listener = Callable[[ProjectOutcome], None]


@dataclass
class PullReport:
    projects: dict[str, ProjectOutcome]
    destination: str
    dataset: str
    load_seconds: float = 0.0
    load_error: str = ""
    listeners: list[Listener] = field(default_factory=list)

    def changed(self, outcome: ProjectOutcome) -> None:
        for listener in self.listeners:
            listener(outcome)

    @property
    def failed(self) -> list[ProjectOutcome]:
        return [p for p in self.projects.values() if p.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.load_error
