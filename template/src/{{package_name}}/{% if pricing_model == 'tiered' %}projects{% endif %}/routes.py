"""The projects page: list, create (within the tier's limit), delete and export."""

import csv
import io
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..accounts.queries import current_account
from ..auth.csrf import verify_csrf
from ..auth.dependencies import CurrentUser
from ..auth.models import User
from ..billing.access import EntitlementsDep, require_feature
from ..billing.plans import Entitlements
from ..db import Database
from ..deps import DatabaseDep
from ..web.templating import render
from .queries import (
    MAX_NAME_LENGTH,
    ProjectLimitReached,
    create_project,
    delete_project,
    list_projects,
)

router = APIRouter(include_in_schema=False)


@router.get("/projects")
async def projects_page(
    request: Request, user: CurrentUser, db: DatabaseDep, may: EntitlementsDep
) -> HTMLResponse:
    return await _page(request, user, db, may)


@router.post("/projects", dependencies=[Depends(verify_csrf)])
async def create(
    request: Request,
    user: CurrentUser,
    db: DatabaseDep,
    may: EntitlementsDep,
    name: Annotated[str, Form()],
) -> Response:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        error = f"Give the project a name of 1 to {MAX_NAME_LENGTH} characters."
        return await _page(request, user, db, may, error=error, status_code=400)
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
    try:
        await create_project(db, account.id, name)
    except ProjectLimitReached as limit:
        return await _page(request, user, db, may, error=str(limit), status_code=403)
    return RedirectResponse("/projects", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/projects/{project_id}/delete", dependencies=[Depends(verify_csrf)])
async def delete(project_id: UUID, user: CurrentUser, db: DatabaseDep) -> Response:
    async with db.user_tx(user.claims) as conn:
        deleted = await delete_project(conn, project_id)
    if not deleted:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return RedirectResponse("/projects", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/projects/export.csv", dependencies=[Depends(require_feature("export_projects"))])
async def export(user: CurrentUser, db: DatabaseDep) -> Response:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        projects = await list_projects(conn, account.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "created_at"])
    for project in projects:
        writer.writerow([project.id, project.name, project.created_at.isoformat()])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


async def _page(
    request: Request,
    user: User,
    db: Database,
    may: Entitlements,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        projects = await list_projects(conn, account.id)
    context = {
        "user": user,
        "projects": projects,
        "may": may,
        "limit": may.limit("projects"),
        "remaining": may.remaining("projects", len(projects)),
        "error": error,
    }
    return render(request, "projects.html", context, status_code=status_code)
