"""The application factory. Nothing is built at import: call :func:`create_app`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from planbridge import __version__, http_errors, logs
from planbridge.api.routes import router as api_router
from planbridge.body_limits import BodyLimitMiddleware
from planbridge.context import AppContext, Clock, system_clock
from planbridge.db.session import Database
from planbridge.exports.routes import router as exports_router
from planbridge.feeds.files_routes import router as files_router
from planbridge.feeds.odata.routes import router as odata_router
from planbridge.feeds.routes import router as feed_router
from planbridge.head_requests import HeadAsGetMiddleware
from planbridge.meta_routes import router as meta_router
from planbridge.oauth.routes import router as oauth_router
from planbridge.settings import Settings, load_settings
from planbridge.web import STATIC
from planbridge.web.auth_routes import router as web_auth_router
from planbridge.web.consent_routes import router as web_consent_router
from planbridge.web.docs_routes import router as docs_router
from planbridge.web.docs_routes import swagger_assets
from planbridge.web.export_routes import router as web_exports_router
from planbridge.web.integration_routes import router as web_integrations_router
from planbridge.web.project_routes import router as web_projects_router
from planbridge.web.security import SecurityHeadersMiddleware
from planbridge.web.sso_routes import router as web_sso_router


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    settings = settings or load_settings()
    db = db or Database.from_url(settings.database_url.get_secret_value())
    app = FastAPI(
        title="PlanBridge",
        version=__version__,
        description="Published Last Planner plans as a token-secured feed for Power BI, "
        "Excel and data warehouses.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = AppContext(settings=settings, db=db, clock=clock)
    http_errors.install(app)
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
    app.mount("/static/swagger", StaticFiles(directory=swagger_assets()), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(logs.AccessLogMiddleware)
    return app
