"""The spreadsheet template for imports, as CSV or XLSX (anonymous: it holds no data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from planbridge import errors
from planbridge.api.validation import PlanApiRoute
from planbridge.http_errors import documented
from planbridge.imports import COLUMNS, template_bytes
from planbridge.imports.spreadsheet import SheetKind

router = APIRouter(route_class=PlanApiRoute, tags=["imports"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "planbridge-schedule-template"
CACHE_CONTROL = "public, max-age=3600"

Examples = Annotated[bool, Query(description="Add three example rows to fill in or delete.")]


def _template(kind: SheetKind, media_type: str, examples: bool) -> Response:
    return Response(
        template_bytes(kind, examples=examples),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}.{kind}"',
            "Cache-Control": CACHE_CONTROL,
        },
    )


def _responses(media_type: str, example: Any, what: str) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
    if example is not None:
        content["example"] = example
    return {
        200: {
            "description": f"{what}, as an attachment (`Content-Disposition`).",
            "content": {media_type: content},
        },
        **documented(errors.InvalidParameter),
    }


@router.get(
    "/templates/schedule.csv",
    summary="The import template as CSV (anonymous)",
    response_class=Response,
    responses=_responses(
        CSV_MEDIA_TYPE,
        ",".join(c.name for c in COLUMNS) + "\r\n",
        "UTF-8 CSV with a byte-order mark: the header row (and example rows)",
    ),
)
def template_csv(examples: Examples = False) -> Response:
    """One row per task, a column for every task property (docs/imports.md). Import the
    filled file with `POST /api/v1/projects/{code}/imports?filename=plan.csv`."""
    return _template("csv", CSV_MEDIA_TYPE, examples)


@router.get(
    "/templates/schedule.xlsx",
    summary="The import template as an Excel workbook (anonymous)",
    response_class=Response,
    responses=_responses(
        XLSX_MEDIA_TYPE,
        None,
        "A workbook with a Tasks sheet to fill in and an Instructions sheet",
    ),
)
def template_xlsx(examples: Examples = False) -> Response:
    """The **Tasks** sheet is what the importer reads; **Instructions** describes each
    column. Import the filled file with `POST /api/v1/projects/{code}/imports`."""
    return _template("xlsx", XLSX_MEDIA_TYPE, examples)
