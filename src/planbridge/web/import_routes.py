"""The Import page: upload a schedule, read the dry run, then **Apply import**.

The dry run's file is kept server-side by :mod:`planbridge.imports.staging` under a random key
bound to the project and the uploading admin; **Apply import** sends the key back, never the
file. The services check the role (staging needs a project admin) and write the audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from planbridge.accounts.sessions import Current
from planbridge.context import get_context
from planbridge.errors import InvalidInput, PlanBridgeError
from planbridge.imports import dates, parse_bytes, staging
from planbridge.imports import service as imports
from planbridge.imports.errors import SUPPORTED_FORMATS_HINT, ImportFileError
from planbridge.imports.report import ImportRejected, ImportReport
from planbridge.imports.schedule import ParsedCalendar, ParsedSchedule
from planbridge.imports.staging import Staged
from planbridge.web.auth import Form, Posted, SignedIn, actor, signed_in
from planbridge.web.overview import open_project
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute
from planbridge.web.security import check_origin, check_token

router = APIRouter(route_class=PageRoute, include_in_schema=False)
P6_PROJECT_MAX = 40
DATE_FORMAT_LABELS = {
    dates.DateFormat.auto.value: "Automatic (ISO dates; a day above 12 proves the order)",
    dates.DateFormat.dmy.value: "Day/month/year",
    dates.DateFormat.mdy.value: "Month/day/year",
    dates.DateFormat.ymd.value: "Year-month-day",
}
"""The Import page's choices of ``date_format``, one per :class:`dates.DateFormat`."""


@dataclass(frozen=True, slots=True)
class UploadForm:
    csrf_token: str
    upload: Staged | None
    """``None`` when no file was chosen."""
    date_format: dates.DateFormat = dates.DateFormat.auto


async def read_upload_form(request: Request) -> UploadForm:
    """A ``multipart/form-data`` post with one file (``schedule``) and a few fields. Its size
    is bounded by ``import_max_mb`` in :mod:`planbridge.body_limits` while it arrives."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise InvalidInput("Choose a schedule file and press Dry run.")
    form = await request.form(max_files=1, max_fields=10)
    try:
        file = form.get("schedule")
        p6_project = str(form.get("p6_project") or "").strip() or None
        if p6_project is not None and len(p6_project) > P6_PROJECT_MAX:
            raise InvalidInput(f"A P6 project id has at most {P6_PROJECT_MAX} characters.")
        # Any other value than auto, dmy, mdy or ymd is refused, naming them; none: auto.
        date_format = dates.checked(str(form.get("date_format") or "").strip() or None)
        upload = None
        if isinstance(file, UploadFile) and file.filename:
            name = PurePosixPath(PureWindowsPath(file.filename).name).name.strip()[:255]
            upload = Staged(await file.read(), name or "upload", p6_project, date_format)
    finally:
        await form.close()  # also when refused: the spooled file is closed, not left to GC
    return UploadForm(str(form.get("csrf_token") or ""), upload, date_format)


def checked_upload(
    request: Request, form: Annotated[UploadForm, Depends(read_upload_form)]
) -> Current:
    check_origin(request, get_context(request).settings.public_url)
    current = signed_in(request)
    check_token(form.csrf_token, current.csrf_token)
    return current


def _page(
    request: Request,
    code: str,
    current: SignedIn,
    *,
    report: ImportReport | None = None,
    key: str | None = None,
    error: PlanBridgeError | None = None,
    applied: bool = False,
    date_format: dates.DateFormat = dates.DateFormat.auto,
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
    problems = error.report.problems if isinstance(error, ImportRejected) else []
    return render(
        request,
        "import.html",
        current=current,
        view=view,
        section="import",
        report=report,
        key=key,
        error=error,
        problems=problems,
        applied=applied,
        max_mb=ctx.settings.import_max_mb,
        formats_hint=SUPPORTED_FORMATS_HINT,
        date_format=date_format.value,
        date_formats=DATE_FORMAT_LABELS,
        status=error.status if error else 200,
    )


def _parser(upload: Staged) -> Callable[[list[ParsedCalendar]], ParsedSchedule]:
    """Parses the upload as the page's form said, for the dry run and again for the apply."""

    def parse(calendars: list[ParsedCalendar]) -> ParsedSchedule:
        try:
            return parse_bytes(
                upload.data,
                upload.filename,
                project=upload.p6_project,
                calendars=calendars,
                date_format=upload.date_format,
            )
        except dates.AmbiguousDates as exc:
            exc.hint = (
                f"Choose {DATE_FORMAT_LABELS['dmy']} (25/03/2025) or "
                f'{DATE_FORMAT_LABELS["mdy"]} (03/25/2025) under "Dates in the file" and '
                "press Dry run again, or write the dates as YYYY-MM-DD."
            )
            raise

    return parse


@router.get("/projects/{code}/import")
def import_page(request: Request, code: str, current: SignedIn) -> Response:
    return _page(request, code, current)


@router.post("/projects/{code}/import")
def dry_run(
    request: Request,
    code: str,
    current: Annotated[Current, Depends(checked_upload)],
    form: Annotated[UploadForm, Depends(read_upload_form)],
) -> Response:
    """Check the file and report what would change; keep it for **Apply import**."""
    ctx = get_context(request)
    try:
        if form.upload is None:
            raise ImportFileError("Choose a schedule file to upload.")
        upload = form.upload
        with ctx.db.transaction() as session:
            view = open_project(session, code, current)
            who = actor(current)
            key = staging.stage(session, view.project, who, upload, now=ctx.clock())
            report = imports.import_schedule(
                session, view.project, who, _parser(upload), dry_run=True, source=upload.filename
            )
    except InvalidInput as exc:
        return _page(request, code, current, error=exc, date_format=form.date_format)
    return _page(request, code, current, report=report, key=key, date_format=form.date_format)


@router.post("/projects/{code}/import/apply")
def apply_import(request: Request, code: str, current: Posted, form: Form) -> Response:
    ctx = get_context(request)
    try:
        with ctx.db.transaction() as session:
            view = open_project(session, code, current)
            who = actor(current)
            upload = staging.take(session, view.project, who, form.get("key", ""), now=ctx.clock())
            report = imports.import_schedule(
                session, view.project, who, _parser(upload), source=upload.filename
            )
    except (InvalidInput, staging.StagedImportGone) as exc:
        return _page(request, code, current, error=exc)
    return _page(request, code, current, report=report, applied=True)
