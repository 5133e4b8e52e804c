"""OData v4 routes (``/odata/v4/{project_api_id}/``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["odata"])
