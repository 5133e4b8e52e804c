"""Ready-to-paste Power Query (M) for one project: the template shipped in this package (its
``.pq`` files are package data), called with the project's server address and feed id. The token
is never printed: the snippet holds a placeholder that the user replaces (better, turns into a
Power Query parameter)."""

from __future__ import annotations

from importlib import resources

from planbridge.errors import NotFound

TEMPLATE_NAMES = ("PublishedPlans.pq", "PublishedPlansIncremental.pq")
TOKEN_PLACEHOLDER = "paste-your-token-here"  # noqa: S105 (a placeholder, not a secret)


def _m_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def template(name: str) -> str:
    """A shipped template (package data of ``planbridge.feeds.powerquery``)."""
    path = resources.files(__name__).joinpath(name)
    if name not in TEMPLATE_NAMES or not path.is_file():
        raise NotFound(
            f"The Power Query template {name} is not installed here.",
            hint=f"Templates: {', '.join(TEMPLATE_NAMES)}; reinstall PlanBridge if one is missing.",
        )
    return path.read_text(encoding="utf-8")


def snippet(*, base_url: str, api_id: str, project_name: str, incremental: bool, limit: int) -> str:
    """One query: parameters, the template function, and the call that returns the tables."""
    name = "PublishedPlansIncremental" if incremental else "PublishedPlans"
    body = "\n".join(
        ("        " + line) if line else "" for line in template(f"{name}.pq").splitlines()
    )
    if incremental:
        call = (
            f"{name}(PlanBridgeUrl, ProjectId, PlanBridgeToken, RangeStart, RangeEnd, "
            f"[limit = {limit}])"
        )
        note = (
            "// Needs the DateTime parameters RangeStart and RangeEnd of Power BI's incremental "
            "refresh.\n"
        )
    else:
        call = f"{name}(PlanBridgeUrl, ProjectId, PlanBridgeToken, [limit = {limit}])"
        note = ""
    return (
        f"// PlanBridge: {project_name.replace(chr(10), ' ')}\n"
        "// Paste into Home > New source > Blank query > Advanced editor. Replace the token\n"
        "// placeholder, or better: make PlanBridgeToken a parameter (Manage parameters).\n"
        "// Credential kind: Anonymous (the token travels in the Authorization header).\n"
        f"{note}"
        "let\n"
        f"    PlanBridgeUrl = {_m_string(base_url)},\n"
        f"    ProjectId = {_m_string(api_id)},\n"
        f"    PlanBridgeToken = {_m_string(TOKEN_PLACEHOLDER)},\n"
        f"    {name} =\n{body},\n"
        f"    Plans = {call}\n"
        "in\n"
        "    Plans\n"
    )
