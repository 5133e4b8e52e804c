"""Editing the live plan: the planning package's plain functions, which flush and never commit.

They live by subject in ``tasks``, ``links``, ``records`` (resources, progress, blockers),
``lists`` (the project's lists) and ``checks`` (shared validation); this module gathers them
so callers write ``plan.create_task`` and need not know the split. Changes made for an acting
user, with their role checked and audited, go through :mod:`planning.actions`.
"""

from __future__ import annotations

from planbridge.planning.checks import (
    LIST_REFERENCES as LIST_REFERENCES,
)
from planbridge.planning.checks import (
    apply_changes as apply_changes,
)
from planbridge.planning.checks import (
    calendar_of as calendar_of,
)
from planbridge.planning.checks import (
    check_members as check_members,
)
from planbridge.planning.checks import (
    choice as choice,
)
from planbridge.planning.checks import (
    in_project as in_project,
)
from planbridge.planning.checks import (
    invalid as invalid,
)
from planbridge.planning.links import (
    add_link as add_link,
)
from planbridge.planning.links import (
    check_link as check_link,
)
from planbridge.planning.links import (
    get_link as get_link,
)
from planbridge.planning.links import (
    list_links as list_links,
)
from planbridge.planning.lists import (
    LIST_NOUNS as LIST_NOUNS,
)
from planbridge.planning.lists import (
    add_blocker_category as add_blocker_category,
)
from planbridge.planning.lists import (
    add_delay_reason as add_delay_reason,
)
from planbridge.planning.lists import (
    add_folder as add_folder,
)
from planbridge.planning.lists import (
    add_location as add_location,
)
from planbridge.planning.lists import (
    add_package as add_package,
)
from planbridge.planning.lists import (
    add_subcontractor as add_subcontractor,
)
from planbridge.planning.lists import (
    check_list_parent as check_list_parent,
)
from planbridge.planning.lists import (
    check_new_entry as check_new_entry,
)
from planbridge.planning.lists import (
    find_label as find_label,
)
from planbridge.planning.lists import (
    list_items as list_items,
)
from planbridge.planning.records import (
    add_blocker as add_blocker,
)
from planbridge.planning.records import (
    add_progress as add_progress,
)
from planbridge.planning.records import (
    add_resource as add_resource,
)
from planbridge.planning.records import (
    check_progress as check_progress,
)
from planbridge.planning.records import (
    child_of as child_of,
)
from planbridge.planning.records import (
    children as children,
)
from planbridge.planning.records import (
    resolve_blocker as resolve_blocker,
)
from planbridge.planning.records import (
    update_blocker as update_blocker,
)
from planbridge.planning.records import (
    update_progress as update_progress,
)
from planbridge.planning.tasks import (
    EQUALITY_FILTERS as EQUALITY_FILTERS,
)
from planbridge.planning.tasks import (
    TASK_CHOICES as TASK_CHOICES,
)
from planbridge.planning.tasks import (
    TASK_DATE_FIELDS as TASK_DATE_FIELDS,
)
from planbridge.planning.tasks import (
    TASK_REQUIRED_FIELDS as TASK_REQUIRED_FIELDS,
)
from planbridge.planning.tasks import (
    TaskFilter as TaskFilter,
)
from planbridge.planning.tasks import (
    add_task as add_task,
)
from planbridge.planning.tasks import (
    check_parent as check_parent,
)
from planbridge.planning.tasks import (
    check_task_identity as check_task_identity,
)
from planbridge.planning.tasks import (
    check_task_references as check_task_references,
)
from planbridge.planning.tasks import (
    create_task as create_task,
)
from planbridge.planning.tasks import (
    delete_task as delete_task,
)
from planbridge.planning.tasks import (
    get_task as get_task,
)
from planbridge.planning.tasks import (
    list_tasks as list_tasks,
)
from planbridge.planning.tasks import (
    plan_dates as plan_dates,
)
from planbridge.planning.tasks import (
    update_task as update_task,
)
