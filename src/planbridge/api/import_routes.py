"""Imports over the Plan API: a schedule file as the raw request body, parsed and applied to
the live plan in one transaction, as ``planbridge import`` does."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.bulk_routes import refuse_query
from planbridge.api.bulk_schemas import ImportReportOut
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.validation import PlanApiRoute
from planbridge.imports import parse_bytes
from planbridge.imports import service as imports
from planbridge.imports.dates import DateFormat
from planbridge.imports.errors import ImportFileError
from planbridge.imports.report import ImportRejected
from planbridge.imports.schedule import ParsedCalendar, ParsedSchedule

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: imports"])

IMPORT_PARAMS = frozenset({"dry_run", "prune", "filename", "p6_project", "encoding", "date_format"})
SUFFIX_BY_MEDIA_TYPE = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/xml": ".xml",
    "text/xml": ".xml",
}
"""Content types that tell the format when no file name is given."""


class FileTooLarge(errors.PlanBridgeError):
    """Documents the 413 that :mod:`planbridge.body_limits` answers for a file over
    ``import_max_mb`` (refused while it arrives, before the caller is authenticated)."""

    code = "file_too_large"
    status = 413
    default_hint = (
        "Split the schedule, or leave out what PlanBridge does not import (baselines, "
        "timephased data, other projects)."
    )


class UnsupportedUpload(errors.PlanBridgeError):
    code = "unsupported_media_type"
    status = 415
    default_hint = (
        "Send the file's bytes as the request body, e.g. `curl --data-binary @plan.xer "
        "-H 'Content-Type: application/octet-stream' '.../imports?filename=plan.xer'`."
    )


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    filename: str | None
    """From ``?filename=``, ``Content-Disposition`` or the content type; ``None`` if none."""


def _content_disposition_name(header: str | None) -> str | None:
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return name if isinstance(name, str) else None


def _base_name(name: str) -> str | None:
    """The last part of a path sent by a Windows or POSIX client, without surrounding spaces."""
    base = PurePosixPath(PureWindowsPath(name.strip()).name).name.strip()
    return base[:255] or None


async def read_upload(
    request: Request,
    filename: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=255,
            description="The file's name, e.g. `programme.xer`; its extension tells CSV "
            "apart. Or send `Content-Disposition: attachment; filename=...`.",
        ),
    ] = None,
) -> Upload:
    """The request body, read after the caller is authenticated and the query checked, so a
    refused request is not read. Its size is bounded by ``import_max_mb`` in
    :mod:`planbridge.body_limits`, which refuses a larger body while it arrives."""
    refuse_query(request, IMPORT_PARAMS)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type.startswith("multipart/"):
        raise UnsupportedUpload(
            "Multipart form uploads are not accepted; send the file itself as the body."
        )
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
    if not data:
        raise ImportFileError("The request body is empty: send the file's bytes as the body.")
    name = filename or _content_disposition_name(request.headers.get("content-disposition"))
    base = _base_name(name) if name else None
    if base is None and media_type in SUFFIX_BY_MEDIA_TYPE:
        base = f"upload{SUFFIX_BY_MEDIA_TYPE[media_type]}"
    return Upload(bytes(data), base)


IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "description": "The file itself (not a multipart form), at most `import_max_mb` (20 MiB): "
    "a P6 XER export, "
    "an MS Project XML (MSPDI) file, or a CSV/XLSX spreadsheet made from the template "
    "(`GET /templates/schedule.xlsx`).",
    "content": {
        "application/octet-stream": {
            "schema": {"type": "string", "format": "binary"},
            "example": "ERMHDR\t19.12\t2026-11-20\tProject\t...",
        },
        "text/csv": {
            "schema": {"type": "string"},
            "example": "external_id,name,start,duration_days\nEL-1040,First fix wiring,"
            "2026-11-23,3\n",
        },
        "application/xml": {
            "schema": {"type": "string"},
            "example": '<Project xmlns="http://schemas.microsoft.com/project">...</Project>',
        },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    },
}


@router.post(
    f"{PREFIX}/imports",
    response_model=ImportReportOut,
    summary="Import a P6 XER, MS Project XML, CSV or XLSX file (prune: admins)",
    response_description="What the import changed or, with `dry_run`, would change.",
    responses=errors_of(
        errors.NotProjectAdmin,
        ImportFileError,
        ImportRejected,
        errors.Conflict,
        FileTooLarge,
        UnsupportedUpload,
    ),
    openapi_extra={"requestBody": IMPORT_BODY},
)
def import_schedule(
    caller: CallerDep,
    upload: Annotated[Upload, Depends(read_upload)],
    ctx: Context,
    dry_run: Annotated[
        bool, Query(description="Check and report what would change; change nothing.")
    ] = False,
    prune: Annotated[
        bool,
        Query(description="Delete tasks that left the schedule (only tasks with an external_id)."),
    ] = False,
    p6_project: Annotated[
        str | None,
        Query(max_length=40, description="The P6 project to take from a multi-project XER."),
    ] = None,
    encoding: Annotated[
        str | None,
        Query(max_length=40, description="Text encoding of an XER or CSV file (default: guessed)."),
    ] = None,
    date_format: Annotated[
        DateFormat,
        Query(
            description="How CSV/XLSX dates written as text are read: `auto` (ISO, or the "
            "order the file proves; an ambiguous file is refused), `dmy` (25/03/2025), `mdy` "
            "(03/25/2025) or `ymd`."
        ),
    ] = DateFormat.auto,
) -> ImportReportOut:
    """Tasks are matched by `external_id` (the activity id), so importing the same file again
    updates them instead of adding them twice. The import is one transaction: a file with
    problems changes nothing and the `422 import_rejected` error lists every problem, with its
    row or activity, in `details.problems`. Tasks that left the schedule are reported in
    `tasks.missing` and deleted only with `prune=true`."""

    def parse(calendars: list[ParsedCalendar]) -> ParsedSchedule:
        try:
            return parse_bytes(
                upload.data,
                upload.filename or "upload",
                project=p6_project,
                calendars=calendars,
                encoding=encoding,
                date_format=date_format,
            )
        except ImportFileError as exc:
            if upload.filename is None:
                exc.hint = (
                    f"{exc.hint} Name the file with ?filename=plan.csv or a "
                    "Content-Disposition header."
                ).strip()
            raise

    with ctx.db.transaction() as session:
        report = imports.import_schedule(
            session,
            caller.project(session),
            caller.actor,
            parse,
            prune=prune,
            dry_run=dry_run,
            source=upload.filename,
        )
        return ImportReportOut.model_validate(report.to_dict())
