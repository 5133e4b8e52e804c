"""Ready-to-paste Power Query (M) for one project: the shipped template, called with the
project's server address and feed id. The token is never printed: the snippet holds a
placeholder that the user replaces (better, turns into a Power Query parameter)."""

from __future__ import annotations

from pathlib import Path

from planbridge.errors import NotFound

TEMPLATES = Path(__file__).resolve().parents[3] / "powerquery"
TOKEN_PLACEHOLDER = "paste-your-token-here"  # noqa: S105 (a placeholder, not a secret)


def _m_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def template(name: str) -> str:
    path = TEMPLATES / name
    if not path.is_file():
        raise NotFound(
            f"The Power Query template {name} is not installed here.",
            hint="Templates ship in the powerquery/ folder of a PlanBridge checkout.",
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
