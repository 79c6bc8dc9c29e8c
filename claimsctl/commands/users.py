"""The users' commands: add-user (one, or many from a file), remove-user, list-users."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimsctl.commands.common import CONTEXT, OUTPUT, PASSWORD_STDIN, Run, common_options, password

if TYPE_CHECKING:
    from claimsctl.users import UserSpec


@click.command("add-user", context_settings=CONTEXT)
@common_options
@click.option("--username", help="User name (prompted when absent).")
@click.option("--email", help="Email address (verified; prompted for a new user).")
@click.option("--projects", help="Comma-separated projects, each with an optional role: p1:editor,p2 (p2 as viewer; "
                                 "replaces the user's list).")
@PASSWORD_STDIN
@click.option("--seed-items", type=click.IntRange(0, 100), default=0, show_default=True,
              help="Also write this many sample items into each of the user's projects (needs the API).")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE",
              help="Set an attribute of the user's row (repeatable): VALUE is JSON when it parses (level=4, "
                   'tags=["a"], vip=true), else text. Other attributes are kept.')
@click.option("--unset", "removals", multiple=True, metavar="NAME", help="Remove an attribute of the user's row "
                                                                        "(repeatable).")
@click.option("--yes", "-y", is_flag=True, help='Do not ask before --projects "" removes every project of a user.')
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Add or update many users from a CSV or JSON file (username, email, projects[, password], "
                   "attr.NAME columns or an attributes object).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="With --from-file: users written at once.")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path),
              help="With --from-file: CSV (mode 600) receiving the passwords generated for records without one.")
def add_user(run: Run, username: str | None, email: str | None, projects: str | None, password_stdin: bool,
             seed_items: int, assignments: tuple[str, ...], removals: tuple[str, ...], yes: bool,
             from_file: Path | None, concurrency: int, passwords_out: Path | None) -> None:
    """Add a user and the DynamoDB row of its projects, or update an existing one.

    With no options it asks for everything; the password is hidden and confirmed.
    For an existing user only what you pass changes (the password only with --password-stdin);
    every attribute of its row that you do not name is kept.

    \b
    Examples:
      claimsctl add-user
      echo "$PASSWORD" | claimsctl add-user --username alice --email alice@example.com --projects p1,p2 --password-stdin
      claimsctl add-user --username alice --projects p1:editor,p3
      claimsctl add-user --username alice --set department=sales --set level=4 --unset tenant
      claimsctl add-user --from-file users.csv --passwords-out passwords.csv
    """
    from claimsctl import display, users

    if from_file is not None:
        one_user = bool(username or email or projects is not None or password_stdin or assignments or removals)
        return _add_users_from_file(run, from_file, concurrency, passwords_out, one_user)
    attributes = _row_changes(assignments, removals)
    interactive = username is None
    inputs = run.inputs()
    roles = _roles(run, inputs.claim_name)
    if interactive:
        username, email, projects = _prompted(email, projects, roles)
    project_ids = users.parse_projects(projects, roles) if projects is not None else None
    secret = password(password_stdin, "Password", confirm=True) if (interactive or password_stdin) else None
    aws, outputs = run.deployed(inputs)
    users.check_seed_items(outputs, seed_items, project_ids)  # refused before the user is touched
    spec = users.UserSpec(str(username), email, project_ids, secret, attributes)
    idp, ddb, target = aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs)
    if project_ids == ():
        _confirm_no_projects(users.projects_dropped(idp, ddb, target, spec.username), spec.username, yes)
    display.info(_done(spec, users.add_or_update(idp, ddb, target, spec)))
    if seed_items and project_ids and outputs.items_table is not None:
        count = users.seed_items(aws.client("dynamodb"), outputs.items_table, project_ids, seed_items)
        display.info(f"Wrote {count} sample item(s).")


def _done(spec: UserSpec, result: str) -> str:
    """What add-user changed: the projects, and the attributes it set and removed."""
    shown = ", ".join(spec.projects) if spec.projects is not None else "unchanged"
    set_names = [name for name, value in spec.attributes.items() if value is not None]
    removed = [name for name, value in spec.attributes.items() if value is None]
    changed = (f"; attributes set: {', '.join(set_names)}" if set_names else "") + \
        (f"; attributes removed: {', '.join(removed)}" if removed else "")
    return f"[green]User {spec.username} {result}[/] (projects: {shown or 'none'}{changed})."


def _prompted(email: str | None, projects: str | None, roles: tuple[str, ...]) -> tuple[str, str, str]:
    """The user name, and the email and projects not given as options, asked for on the terminal."""
    username = click.prompt("User name")
    email = email or click.prompt("Email")
    projects = projects if projects is not None else click.prompt(
        f"Projects (comma-separated, with a role: p1:{roles[-1]})", default="")
    return str(username), str(email), str(projects)


def _row_changes(assignments: tuple[str, ...], removals: tuple[str, ...]) -> dict[str, Any]:
    """--set and --unset as one checked change of the row (usage error naming the bad one)."""
    from claimsctl import row_attributes

    try:
        return row_attributes.changes(assignments, removals)
    except ValueError as exc:
        raise click.UsageError(f"--set/--unset: {exc}") from None


def _confirm_no_projects(held: tuple[str, ...], username: str, yes: bool) -> None:
    """Removing every project of a user who has some: asked on a terminal, --yes otherwise."""
    from claimsctl.errors import Aborted

    if not held or yes:
        return
    question = f'--projects "" removes every project of {username} ({", ".join(held)})'
    if not sys.stdin.isatty():
        raise click.UsageError(f"{question}; pass --yes to confirm (standard input is not a terminal to ask on)")
    if not click.confirm(f"{question}. Remove them all?", default=False, err=True):
        raise Aborted(f"Nothing was changed: {username} keeps {', '.join(held)}.")


def _roles(run: Run, claim_name: str) -> tuple[str, ...]:
    """The roles the project's lambda_src/claims.py knows (what --projects and the seeding files may name)."""
    from claimsctl import seam

    return seam.load(run.project().lambda_dir, claim_name).roles


def _add_users_from_file(run: Run, path: Path, concurrency: int, passwords_out: Path | None, one_user: bool) -> None:
    from claimsctl import bulk, display, reports, users

    if one_user:
        raise click.UsageError("--from-file cannot be combined with --username, --email, --projects, "
                               "--password-stdin, --set or --unset")

    inputs = run.inputs()
    specs = bulk.read(path, _roles(run, inputs.claim_name))
    if passwords_out is None and bulk.missing_passwords(specs):
        raise click.UsageError("Some records have no password: pass --passwords-out FILE to receive generated ones")
    aws, outputs = run.deployed(inputs)
    with display.progress(len(specs), "Adding users") as advance:
        report = bulk.seed_file(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs), specs,
                                path, passwords_out, concurrency, lambda outcome: advance(), reports.passwords_saved)
    reports.seeded(path, report)
    if report.failures:
        sys.exit(1)


@click.command("remove-user", context_settings=CONTEXT)
@common_options
@click.argument("username")
def remove_user(run: Run, username: str) -> None:
    """Sign a user out everywhere (refresh tokens revoked), then remove it and its row of projects.

    \b
    Example:
      claimsctl remove-user alice
    """
    from claimsctl import display, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    stored = users.remove(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs), username)
    display.info(f"[green]User {stored} signed out everywhere and removed, with its row of projects.[/]")
    display.info(f"Tokens issued before now stay valid until they expire (at most {inputs.id_token_validity_minutes} "
                 "minutes: idTokenValidityMinutes); no new token can be issued.")


@click.command("list-users", context_settings=CONTEXT)
@common_options
@OUTPUT
def list_users(run: Run, output: str) -> None:
    """List users with their status and projects.

    \b
    Example:
      claimsctl list-users --output json
    """
    from claimsctl import display, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    records = users.list_all(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs))
    if output == "json":
        display.as_json([r.__dict__ for r in records])
    else:
        display.users(records)
