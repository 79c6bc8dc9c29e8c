"""Machine clients' commands: add-client, list-clients, remove-client, and token (a client-credentials token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from claimsctl.commands.common import CONTEXT, OUTPUT, Run, common_options

SECRET_FILE = click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                           required=True, help="The credentials file add-client wrote (--secret-out).")


def _roles(run: Run, claim_name: str) -> tuple[str, ...]:
    from claimsctl import seam

    return seam.load(run.project().lambda_dir, claim_name).roles


@click.command("add-client", context_settings=CONTEXT)
@common_options
@click.argument("name")
@click.option("--projects", help="Comma-separated projects, each with an optional role: p1:editor,p2 (replaces the "
                                 "client's list).")
@click.option("--scopes", help="The API's scopes to grant, comma-separated: items.read, items.write and the "
                               "scopes routes name (default: all of them for a new client; an existing one keeps its own).")
@click.option("--secret-out", type=click.Path(dir_okay=False, path_type=Path),
              help="File (mode 600, JSON) receiving client_id, client_secret, token_url and scope; needed for a new client.")
@click.option("--force", is_flag=True, help="Replace the --secret-out file if it exists (a regular file only).")
def add_client(run: Run, name: str, projects: str | None, scopes: str | None, secret_out: Path | None,
               force: bool) -> None:
    """Add a machine client (client-credentials grant) and the row of its projects, or update one's projects
    and scopes.

    With --scopes, an existing client's scopes become those (a token it already has keeps its scopes until it
    expires). Its tokens get the claim from the same claims_for as users' (triggerVersion V3_0). The secret is written
    to --secret-out before the client exists, and never printed.

    \b
    Examples:
      claimsctl add-client reporting-bot --projects p1,p2:editor --secret-out bot.json
      claimsctl add-client reporting-bot --projects p3
      claimsctl add-client ci-reader --projects p1 --scopes items.read --secret-out ci.json
      claimsctl add-client ci-reader --scopes items.read,reports.read --secret-out ci.json --force
    """
    from claimsctl import display, machines, users

    inputs = run.inputs()
    machines.validate_name(name)
    grants = users.parse_projects(projects, _roles(run, inputs.claim_name)) if projects is not None else None
    secret_file = machines.SecretFile(secret_out, force) if secret_out is not None else None
    if secret_file is not None:
        project = run.project()
        secret_file.check((run.inputs_path, project.lambda_dir / "claims.py"), machines.published_folders(
            run.inputs_path.resolve().parent, project.lambda_dir, project.templates_dir, project.web_app.root))
    aws, outputs = run.deployed(inputs)
    machines.check_stack(outputs)
    spec = machines.ClientSpec(name, grants, machines.parse_scopes(scopes, outputs), inputs.id_token_validity_minutes,
                               scopes_given=scopes is not None)
    outcome, client_id = machines.add_or_update(aws.client("cognito-idp"), aws.client("dynamodb"),
                                                users.Target.of(outputs), outputs, spec, secret_file)
    shown = ", ".join(grants) if grants is not None else "unchanged"
    granted = f"; scopes: {' '.join(spec.scopes)}" if scopes is not None else ""
    display.info(f"[green]Client {name} {outcome}[/] (id {client_id}; projects: {shown or 'none'}{granted}).")
    if secret_file is not None:
        display.info(f"Its credentials are in {secret_out} (mode 600); the secret is not shown.")


@click.command("remove-client", context_settings=CONTEXT)
@common_options
@click.argument("name")
def remove_client(run: Run, name: str) -> None:
    """Delete a machine client and its row of projects.

    \b
    Example:
      claimsctl remove-client reporting-bot
    """
    from claimsctl import display, machines, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    client_id = machines.remove(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs), name)
    display.info(f"[green]Client {name} ({client_id}) removed, with its row of projects.[/]")
    display.info(f"Tokens issued before now stay valid until they expire (at most {inputs.id_token_validity_minutes} "
                 "minutes); no new token can be issued.")


@click.command("list-clients", context_settings=CONTEXT)
@common_options
@OUTPUT
def list_clients(run: Run, output: str) -> None:
    """List machine clients with their ids, projects and scopes (never their secrets).

    \b
    Example:
      claimsctl list-clients --output json
    """
    from claimsctl import display, machines, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    records = machines.list_all(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs))
    if output == "json":
        display.as_json([r.__dict__ for r in records])
    else:
        display.machine_clients(records)


def client_credentials(aws: Any, outputs: Any, name: str, secret_file: Path) -> tuple[str, str]:
    """(client id, secret) from the file, checked to belong to the machine client NAME of this stack."""
    from claimsctl import machines, users
    from claimsctl.errors import UserError

    found = machines.read_credentials(secret_file)
    client = machines.find(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs), name)
    if client is None:
        raise UserError(f"No machine client named {name} in this stack; add it with claimsctl add-client.")
    if client["ClientId"] != found["client_id"]:
        raise UserError(f"{secret_file} holds the credentials of client {found['client_id']}, not of {name} "
                        f"({client['ClientId']}).")
    return found["client_id"], found["client_secret"]


@click.command(context_settings=CONTEXT)
@common_options
@click.option("--client", "name", required=True, help="The machine client (claimsctl add-client NAME).")
@SECRET_FILE
@OUTPUT
@click.option("--show-tokens", is_flag=True, help="Also print the raw access token (it is a secret).")
def token(run: Run, name: str, secret_file: Path, output: str, show_tokens: bool) -> None:
    """Get a client-credentials token for a machine client, verify it, and show its claims.

    \b
    Example:
      claimsctl token --client reporting-bot --secret-file bot.json
    """
    from claimsctl import display
    from claimsctl import login as signing_in

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    issued = signing_in.machine_token(aws, outputs, *client_credentials(aws, outputs, name, secret_file))
    if output == "json":
        display.as_json({"access_token": issued.claims, **({"token": issued.access_token} if show_tokens else {})})
        return
    display.info(f"[green]Client {name} got an access token, verified against the user pool's JWKS.[/]")
    display.claims("Access token", issued.claims, outputs.claim_name)
    if show_tokens:
        click.echo(f"Access token: {issued.access_token}")
