"""The application factory. Nothing is built at import: call :func:`create_app`."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles

from planbridge import __version__, http_errors, logs, openapi
from planbridge.api.routes import router as api_router
from planbridge.body_limits import BodyLimitMiddleware
from planbridge.connector_api.routes import router as exports_router
from planbridge.context import AppContext, Clock, system_clock
from planbridge.db.session import Database
from planbridge.feeds.files_routes import router as files_router
from planbridge.feeds.odata.routes import router as odata_router
from planbridge.feeds.routes import router as feed_router
from planbridge.feeds.token_notice import TokenExpiryHeaderMiddleware
from planbridge.head_requests import HeadAsGetMiddleware
from planbridge.imports import limits as import_limits
from planbridge.meta_routes import router as meta_router
from planbridge.oauth.routes import router as oauth_router
from planbridge.request_guard import RequestGuardMiddleware
from planbridge.response_guard import ResponseGuardMiddleware
from planbridge.settings import Settings, load_settings
from planbridge.web import STATIC
from planbridge.web.auth_routes import router as web_auth_router
from planbridge.web.consent_routes import router as web_consent_router
from planbridge.web.docs_routes import router as docs_router
from planbridge.web.docs_routes import swagger_assets
from planbridge.web.export_routes import router as web_exports_router
from planbridge.web.import_routes import router as web_import_router
from planbridge.web.insight_routes import router as web_insight_router
from planbridge.web.integration_routes import router as web_integrations_router
from planbridge.web.plan_routes import router as web_plan_router
from planbridge.web.project_routes import router as web_projects_router
from planbridge.web.publish_routes import router as web_publish_router
from planbridge.web.security import SecurityHeadersMiddleware
from planbridge.web.sso_routes import router as web_sso_router


async def bind_request_limits(request: Request) -> None:
    """Per-request limits read deep inside the domain (the import row limit). ``async`` so it
    runs in the request's own context, which sync handlers' threads inherit."""
    context: AppContext = request.app.state.context
    import_limits.bind(context.settings.import_max_rows)


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    settings = settings or load_settings()
    db = db or Database.from_settings(settings)
    app = FastAPI(
        dependencies=[Depends(bind_request_limits)],
        title="PlanBridge",
        version=__version__,
        description="Published Last Planner plans as a token-secured feed for Power BI, "
        "Excel and data warehouses.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = AppContext(settings=settings, db=db, clock=clock)
    http_errors.install(app)
    openapi.install(app)
    app.include_router(meta_router)
    app.include_router(files_router)
    app.include_router(feed_router)
    app.include_router(odata_router)
    app.include_router(api_router)
    app.include_router(exports_router)
    app.include_router(oauth_router)
    app.include_router(docs_router)
    app.include_router(web_auth_router)
    app.include_router(web_consent_router)
    app.include_router(web_sso_router)
    app.include_router(web_projects_router)
    app.include_router(web_integrations_router)
    app.include_router(web_exports_router)
    app.include_router(web_insight_router)
    app.include_router(web_publish_router)
    app.include_router(web_import_router)
    app.include_router(web_plan_router)
    app.mount("/static/swagger", StaticFiles(directory=swagger_assets()), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(ResponseGuardMiddleware)
    app.add_middleware(TokenExpiryHeaderMiddleware)
    app.add_middleware(logs.AccessLogMiddleware)
    return app
