"""What an import did, or would do: counts and ids for the CLI, the API and the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planbridge.errors import InvalidInput
from planbridge.imports.schedule import Problem, SourceFormat


@dataclass
class TaskChanges:
    """Tasks by external id: ``missing`` left the schedule, ``pruned`` were (would be) deleted."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)


@dataclass
class LinkChanges:
    """Logic links among the imported tasks, as ``"A1000 FS A1010"`` (lag changes are updates)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class ListChanges:
    """Names of the project's list entries the import created (or would create)."""

    calendars: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    subcontractors: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(values) for name, values in vars(self).items()}


@dataclass
class ImportReport:
    """The outcome of one import. ``dry_run`` reports say what would change; nothing did."""

    project: str
    source_format: SourceFormat
    source: str | None = None
    dry_run: bool = False
    prune: bool = False
    tasks: TaskChanges = field(default_factory=TaskChanges)
    milestones: int = 0
    links: LinkChanges = field(default_factory=LinkChanges)
    external_links: int = 0
    resources: int = 0
    resources_replaced_on: list[str] = field(default_factory=list)
    created: ListChanges = field(default_factory=ListChanges)
    updated_calendars: list[str] = field(default_factory=list)
    updated_folders: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        """The figures the audit log keeps and the CLI prints first."""
        return {
            "tasks_added": len(self.tasks.added),
            "tasks_updated": len(self.tasks.updated),
            "tasks_unchanged": len(self.tasks.unchanged),
            "tasks_missing": len(self.tasks.missing),
            "tasks_pruned": len(self.tasks.pruned),
            "milestones": self.milestones,
            "links_added": len(self.links.added),
            "links_removed": len(self.links.removed),
            "links_updated": len(self.links.updated),
            "links_unchanged": self.links.unchanged,
            "resources": self.resources,
            "warnings": len(self.warnings),
            "problems": len(self.problems),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (snake_case) of the CLI's ``--json`` and the API's response."""
        return {
            "ok": self.ok,
            "project": self.project,
            "source": self.source,
            "source_format": self.source_format,
            "dry_run": self.dry_run,
            "prune": self.prune,
            "counts": self.counts(),
            "tasks": vars(self.tasks),
            "links": vars(self.links),
            "external_links": self.external_links,
            "resources_replaced_on": self.resources_replaced_on,
            "created": vars(self.created),
            "updated_calendars": self.updated_calendars,
            "updated_folders": self.updated_folders,
            "problems": [problem_dict(p) for p in self.problems],
            "warnings": [problem_dict(p) for p in self.warnings],
        }


def problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "location": problem.location,
        "field": problem.field,
        "row": problem.row,
        "message": problem.message,
        "text": str(problem),
    }


class ImportRejected(InvalidInput):
    """The schedule has problems, so nothing was imported; ``report.problems`` lists them all."""

    code = "import_rejected"
    default_hint = "Fix every listed problem in the source file and import it again."

    def __init__(self, report: ImportReport) -> None:
        count = len(report.problems)
        source = report.source or "the schedule"
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in {source}; nothing was imported.",
            details={"problems": [problem_dict(p) for p in report.problems]},
        )
        self.report = report
