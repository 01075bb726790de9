"""The ASGI application: `uvicorn <package>.main:create_app --factory`."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .auth.routes import install_auth
from .billing import routes as billing_routes
from .billing import simulator as billing_simulator
from .billing import webhooks as billing_webhooks
from .db import Database
from .deps import DatabaseDep
from .jobs import open_job_app, run_worker
from .settings import Settings, get_settings
from .web.routes import router as web_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings.database_url, max_size=settings.database_pool_max_size)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.open()
        async with open_job_app(db):
            worker = None
            if settings.run_worker_in_process:
                # Development convenience: one process serves pages and sends email.
                worker = asyncio.create_task(
                    run_worker(settings, db, install_signal_handlers=False)
                )
            try:
                yield
            finally:
                if worker is not None:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
        await db.close()

    app = FastAPI(title=settings.app_name, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.db = db
    install_auth(app)
    app.include_router(web_router)
    app.include_router(billing_routes.router)
    app.include_router(billing_webhooks.router)
    if settings.billing_simulator:
        app.include_router(billing_simulator.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(database: DatabaseDep) -> JSONResponse:
        try:
            ready = await database.ping()
        except Exception:  # any failure to reach the database means "not ready"
            ready = False
        return JSONResponse(
            {"database": "ok" if ready else "unavailable"}, status_code=200 if ready else 503
        )

    return app
