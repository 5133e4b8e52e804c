"""CSV and XLSX downloads of feed tables (``/power-bi/v1/{project_api_id}/tables/...``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["files"])
