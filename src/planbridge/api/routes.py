"""Plan API routes (``/api/v1/projects/{project_code}/...``), one module per resource, and the
anonymous import template (``/templates/schedule.csv`` and ``.xlsx``)."""

from __future__ import annotations

from fastapi import APIRouter

from planbridge.api import (
    bulk_routes,
    import_routes,
    link_routes,
    list_routes,
    project_routes,
    record_routes,
    task_routes,
    template_routes,
)

router = APIRouter()
for module in (
    project_routes,
    task_routes,
    bulk_routes,
    link_routes,
    record_routes,
    list_routes,
    import_routes,
    template_routes,
):
    router.include_router(module.router)
