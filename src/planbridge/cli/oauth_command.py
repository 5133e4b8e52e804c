"""``planbridge oauth-clients create|list|revoke`` and ``planbridge sso require``: the
applications that may sign users in through PlanBridge's OAuth server, and accounts that must
use single sign-on."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.actors import CLI, Actor
from planbridge.cli import runtime
from planbridge.cli.output import emit, table
from planbridge.cli.runtime import handles_errors
from planbridge.oauth import service

oauth_clients_app = typer.Typer(
    help="OAuth clients (the Power Query connector, scripts) registered by the operator.",
    no_args_is_help=True,
)
sso_app = typer.Typer(help="Accounts that must sign in through single sign-on.")

OPERATOR = Actor(label="operator", via=CLI)
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@oauth_clients_app.command("create")
@handles_errors
def clients_create(
    name: Annotated[str, typer.Option(help="Shown on the consent screen.")],
    redirect_uri: Annotated[
        list[str],
        typer.Option(
            "--redirect-uri",
            help="Exact redirect URI (repeatable). Power BI: "
            "https://oauth.powerbi.com/views/oauthredirect.html",
        ),
    ],
    confidential: Annotated[
        bool,
        typer.Option(
            "--confidential", help="Issue a client secret (printed once); default: public."
        ),
    ] = False,
    as_json: Json = False,
) -> None:
    """Register a client. Public clients (the default) must use PKCE (S256)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        created = service.create_client(
            session,
            OPERATOR,
            name=name,
            redirect_uris=redirect_uri,
            confidential=confidential,
            now=runtime.now(),
        )
    body: dict[str, object] = {
        "client_id": created.client.client_id,
        "name": created.client.name,
        "redirect_uris": created.client.redirect_uris,
        "authorization_endpoint": f"{config.public_url}/oauth/authorize",
        "token_endpoint": f"{config.public_url}/oauth/token",
    }
    text = f"client_id: {created.client.client_id}"
    if created.secret:
        body["client_secret"] = created.secret
        text += f"\nclient_secret: {created.secret}\n(shown once; it cannot be shown again)"
    emit(body, as_json=as_json, text=text)


@oauth_clients_app.command("list")
@handles_errors
def clients_list(as_json: Json = False) -> None:
    """List the registered clients."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        rows = [
            {
                "client_id": c.client_id,
                "name": c.name,
                "redirect_uris": " ".join(c.redirect_uris),
                "confidential": c.secret_sha256 is not None,
                "revoked_at": c.revoked_at,
            }
            for c in service.list_clients(session, OPERATOR)
        ]
    table(
        rows,
        ["client_id", "name", "redirect_uris", "confidential", "revoked_at"],
        as_json=as_json,
    )


@oauth_clients_app.command("revoke")
@handles_errors
def clients_revoke(
    client_id: Annotated[str, typer.Argument(help="The client's id (pbc-...).")],
    as_json: Json = False,
) -> None:
    """Revoke a client: nobody can sign in through it and its tokens stop working."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        service.revoke_client(session, OPERATOR, client_id, now=runtime.now())
    emit({"client_id": client_id, "revoked": True}, as_json=as_json, text=f"revoked {client_id}")


@sso_app.command("require")
@handles_errors
def sso_require(
    email: Annotated[str, typer.Option(help="The account's email.")],
    as_json: Json = False,
) -> None:
    """The account may no longer sign in with its password (sign-in page or Basic exchange);
    its Basic sign-ins end."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        user = service.require_sso(session, OPERATOR, email=email, now=runtime.now())
    emit(
        {"email": user.email, "sso_required": True},
        as_json=as_json,
        text=f"{user.email} must use SSO",
    )
