"""Plan API routes (``/api/v1/projects/{project_code}/...``), one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from planbridge.api import link_routes, list_routes, project_routes, record_routes, task_routes

router = APIRouter()
for module in (project_routes, task_routes, link_routes, record_routes, list_routes):
    router.include_router(module.router)
