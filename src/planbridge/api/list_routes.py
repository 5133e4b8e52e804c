"""The project's lists: subcontractors, locations, folders (WBS), packages, delay reasons and
blocker categories (each label with its canonical category). Members read them; admins add.
Calendars and members are read-only here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from planbridge import errors
from planbridge.api.auth import Caller, CallerDep, Context
from planbridge.api.list_schemas import (
    CalendarOut,
    FolderCreate,
    FolderOut,
    LabelCreate,
    LabelOut,
    LocationCreate,
    LocationOut,
    MemberOut,
    PackageCreate,
    PackageOut,
    SubcontractorCreate,
    SubcontractorOut,
)
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import Items
from planbridge.api.validation import PlanApiRoute
from planbridge.context import AppContext
from planbridge.planning import actions
from planbridge.planning import service as plan
from planbridge.planning.models import (
    BlockerCategory,
    DelayReason,
    Folder,
    Location,
    Package,
    Subcontractor,
)
from planbridge.projects.models import Calendar, Project, ProjectMember, User

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: project lists"])
CREATE_ERRORS = errors_of(errors.NotProjectAdmin, errors.InvalidInput, errors.Conflict)

Add = Callable[[Any, Project], Any]


def _add(
    caller: Caller,
    ctx: AppContext,
    model: type[Any],
    key: tuple[str, str],
    add: Add,
    out: type[BaseModel],
) -> Any:
    """Add an entry (admins): the service checks the role and ``key`` (field, value)."""
    with ctx.db.transaction() as session:
        project = caller.project(session)
        item = actions.add_list_item(
            session, project, caller.actor, model, key, lambda: add(session, project)
        )
        return out.model_validate(item)


def _list(caller: Caller, ctx: AppContext, model: type[Any], out: type[BaseModel]) -> list[Any]:
    with ctx.db.transaction() as session:
        rows = plan.list_items(session, caller.project(session), model)
        return [out.model_validate(row) for row in rows]


@router.post(
    f"{PREFIX}/subcontractors",
    status_code=201,
    response_model=SubcontractorOut,
    summary="Add a subcontractor (admins)",
    responses=CREATE_ERRORS,
)
def create_subcontractor(body: SubcontractorCreate, caller: CallerDep, ctx: Context) -> Any:
    return _add(
        caller,
        ctx,
        Subcontractor,
        ("name", body.name),
        lambda s, p: plan.add_subcontractor(s, p, body.name, body.trade),
        SubcontractorOut,
    )


@router.get(
    f"{PREFIX}/subcontractors",
    response_model=Items[SubcontractorOut],
    summary="List subcontractors",
    responses=errors_of(),
)
def list_subcontractors(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, Subcontractor, SubcontractorOut)}


@router.post(
    f"{PREFIX}/locations",
    status_code=201,
    response_model=LocationOut,
    summary="Add a location (admins)",
    responses=CREATE_ERRORS,
)
def create_location(body: LocationCreate, caller: CallerDep, ctx: Context) -> Any:
    def add(session: Any, project: Project) -> Location:
        plan.check_list_parent(session, project, Location, body.parent_id)
        return plan.add_location(session, project, body.name, body.kind, body.parent_id)

    return _add(caller, ctx, Location, ("name", body.name), add, LocationOut)


@router.get(
    f"{PREFIX}/locations",
    response_model=Items[LocationOut],
    summary="List locations",
    responses=errors_of(),
)
def list_locations(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, Location, LocationOut)}


@router.post(
    f"{PREFIX}/folders",
    status_code=201,
    response_model=FolderOut,
    summary="Add a folder (WBS node) (admins)",
    responses=CREATE_ERRORS,
)
def create_folder(body: FolderCreate, caller: CallerDep, ctx: Context) -> Any:
    def add(session: Any, project: Project) -> Folder:
        plan.check_list_parent(session, project, Folder, body.parent_id)
        return plan.add_folder(session, project, body.code, body.name, body.parent_id)

    return _add(caller, ctx, Folder, ("code", body.code), add, FolderOut)


@router.get(
    f"{PREFIX}/folders",
    response_model=Items[FolderOut],
    summary="List folders (WBS)",
    responses=errors_of(),
)
def list_folders(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, Folder, FolderOut)}


@router.post(
    f"{PREFIX}/packages",
    status_code=201,
    response_model=PackageOut,
    summary="Add a work package (admins)",
    responses=CREATE_ERRORS,
)
def create_package(body: PackageCreate, caller: CallerDep, ctx: Context) -> Any:
    return _add(
        caller,
        ctx,
        Package,
        ("name", body.name),
        lambda s, p: plan.add_package(s, p, body.name),
        PackageOut,
    )


@router.get(
    f"{PREFIX}/packages",
    response_model=Items[PackageOut],
    summary="List work packages",
    responses=errors_of(),
)
def list_packages(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, Package, PackageOut)}


@router.post(
    f"{PREFIX}/delay-reasons",
    status_code=201,
    response_model=LabelOut,
    summary="Add a delay reason with its canonical category (admins)",
    responses=CREATE_ERRORS,
)
def create_delay_reason(body: LabelCreate, caller: CallerDep, ctx: Context) -> Any:
    return _add(
        caller,
        ctx,
        DelayReason,
        ("label", body.label),
        lambda s, p: plan.add_delay_reason(s, p, body.label, body.category),
        LabelOut,
    )


@router.get(
    f"{PREFIX}/delay-reasons",
    response_model=Items[LabelOut],
    summary="List delay reasons",
    responses=errors_of(),
)
def list_delay_reasons(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, DelayReason, LabelOut)}


@router.post(
    f"{PREFIX}/blocker-categories",
    status_code=201,
    response_model=LabelOut,
    summary="Add a blocker category with its canonical category (admins)",
    responses=CREATE_ERRORS,
)
def create_blocker_category(body: LabelCreate, caller: CallerDep, ctx: Context) -> Any:
    return _add(
        caller,
        ctx,
        BlockerCategory,
        ("label", body.label),
        lambda s, p: plan.add_blocker_category(s, p, body.label, body.category),
        LabelOut,
    )


@router.get(
    f"{PREFIX}/blocker-categories",
    response_model=Items[LabelOut],
    summary="List blocker categories",
    responses=errors_of(),
)
def list_blocker_categories(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, BlockerCategory, LabelOut)}


@router.get(
    f"{PREFIX}/calendars",
    response_model=Items[CalendarOut],
    summary="List working-day calendars",
    responses=errors_of(),
)
def list_calendars(caller: CallerDep, ctx: Context) -> Any:
    return {"items": _list(caller, ctx, Calendar, CalendarOut)}


@router.get(
    f"{PREFIX}/members",
    response_model=Items[MemberOut],
    summary="List project members (user ids for owner_id and assignee_ids)",
    responses=errors_of(),
)
def list_members(caller: CallerDep, ctx: Context) -> Any:
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(User.id, User.email, User.name, ProjectMember.role)
            .join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == caller.project_id)
            .order_by(User.id)
        )
        items = [
            MemberOut(user_id=uid, email=email, name=name, role=role.value)
            for uid, email, name, role in rows
        ]
    return {"items": items}
