"""Terminal presentation for cli.py: event progress, change sets, outputs and claims (rich, to stderr/stdout)."""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

from claimsctl.stack import Change, StackEvent

STATUS_STYLE = {"COMPLETE": "green", "IN_PROGRESS": "yellow", "FAILED": "bold red", "SKIPPED": "dim"}


def _console(stderr: bool) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _style(status: str) -> str:
    if "ROLLBACK" in status and status.endswith("COMPLETE"):
        return "red"
    for suffix, style in STATUS_STYLE.items():
        if status.endswith(suffix):
            return style
    return ""


STACK_TYPE = "AWS::CloudFormation::Stack"
FINAL_WORDS = {"CREATE_COMPLETE": "created", "UPDATE_COMPLETE": "updated", "DELETE_COMPLETE": "deleted",
               "DELETE_SKIPPED": "retained", "IMPORT_COMPLETE": "imported", "ROLLBACK_COMPLETE": "rolled back",
               "UPDATE_ROLLBACK_COMPLETE": "rolled back", "IMPORT_ROLLBACK_COMPLETE": "rolled back"}


def final_word(status: str) -> str | None:
    """What a resource's final state says in a summary ("created", "failed"...); None while in progress."""
    if status.endswith("_FAILED"):
        return "failed"
    return FINAL_WORDS.get(status)


class EventPrinter:
    """Stack events as progress: a live table of the resources and their states on a terminal; without one, a
    line for each resource that reaches a final state; nothing with `quiet`. It keeps each resource's final state
    for the summary (`tally`)."""

    def __init__(self, quiet: bool = False) -> None:
        self.console = _console(stderr=True)
        self.quiet = quiet
        self.rows: dict[str, tuple[str, str, str]] = {}
        self.final: dict[str, str] = {}
        self.live: Any = None

    def __call__(self, event: StackEvent) -> None:
        word = final_word(event.status) if event.resource_type != STACK_TYPE else None
        if word is not None:
            self.final[event.logical_id] = word
        if self.quiet:
            return
        if not self.console.is_terminal:
            if word is not None:
                reason = f"  {event.reason}" if event.reason and word == "failed" else ""
                self.console.print(f"  [{_style(event.status)}]{word:<9}[/] {event.logical_id:<30} "
                                   f"{event.resource_type}{reason}")
            return
        self.rows[event.logical_id] = (event.resource_type, event.status, event.reason or "")
        if self.live is None:  # started on the first event, so it never covers a prompt shown before
            from rich.live import Live

            self.live = Live(self._table(), console=self.console, refresh_per_second=8, transient=False)
            self.live.start()
        self.live.update(self._table())

    def tally(self) -> dict[str, int]:
        """How many resources reached each final state: {"created": 40, "failed": 1...}, most first."""
        counts: dict[str, int] = {}
        for word in self.final.values():
            counts[word] = counts.get(word, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for column in ("Resource", "Type", "Status", "Reason"):
            table.add_column(column)
        for logical_id, (resource_type, status, reason) in self.rows.items():
            table.add_row(logical_id, resource_type, f"[{_style(status)}]{status}[/]", reason)
        return table

    def close(self) -> None:
        """Stop the live table (before a prompt, or at the end); a later event starts a new one."""
        if self.live is not None:
            self.live.stop()
            self.live = None

    def __enter__(self) -> EventPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def change_set(changes: list[Change]) -> None:
    console = _console(stderr=True)
    console.print("[bold]Changes to apply:[/]")
    colour = {"Add": "green", "Modify": "yellow", "Remove": "red"}
    for change in changes:
        replacement = "  [bold red](replacement)[/]" if change.replacement == "True" else ""
        console.print(f"  [{colour.get(change.action, '')}]{change.symbol} {change.logical_id}[/] "
                      f"({change.resource_type}){replacement}")
    _stage_move(console, changes)


def _stage_move(console: Any, changes: list[Change]) -> None:
    """Say when the update moves the API's stage to a new deployment (claimsctl/apideploy.py)."""
    from claimsctl import apideploy

    move = apideploy.stage_move(changes)
    if move:
        console.print(f"  [cyan]{move}[/]")


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr; yields the function that advances it by one."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def totp_enrolment(uri: str) -> None:
    """Show a new software token's key to scan: the otpauth URI and a QR code, on standard error (the key is a
    secret; it is shown once, at enrolment, and never logged)."""
    import sys

    import segno

    _console(True).print("[bold]Set up your authenticator app:[/] scan this QR code, or add this key URI:")
    segno.make(uri, error="m").terminal(out=sys.stderr, compact=True)
    _console(True).print(uri, soft_wrap=True, markup=False, highlight=False)


def info(message: str) -> None:
    _console(stderr=True).print(message)


def key_values(title: str, values: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=title, box=None, show_header=False, title_justify="left", title_style="bold")
    table.add_column(style="cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in values.items():
        table.add_row(key, str(value))
    _console(stderr=False).print(table)


def as_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))  # noqa: T201 - machine-readable stdout


def _claim_value(name: str, value: Any) -> str:
    if name in ("exp", "iat", "auth_time", "nbf") and isinstance(value, int):
        stamp = datetime.datetime.fromtimestamp(value, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{value}  ({stamp})"
    return json.dumps(value) if not isinstance(value, str) else value


def claims(title: str, values: dict[str, Any], custom_claim: str, absent_note: str = "absent from this token") -> None:
    """A token's claims, every claim the project's claims_for added marked (`custom_claim` noted when absent)."""
    from rich.table import Table

    from claimsctl_runtime.reserved import added_by_project

    table = Table(title=title, title_justify="left", title_style="bold", show_header=True, header_style="bold")
    table.add_column("Claim", style="cyan", no_wrap=True)
    table.add_column("Value", overflow="fold")
    for name in sorted(values):
        marked = added_by_project(name)
        label = f"[bold magenta]{name}  ◀ custom claim[/]" if marked else name
        value = f"[bold magenta]{_claim_value(name, values[name])}[/]" if marked else _claim_value(name, values[name])
        table.add_row(label, value)
    if custom_claim not in values:
        table.add_row(f"[yellow]{custom_claim}[/]", f"[yellow]({absent_note})[/]")
    _console(stderr=False).print(table)


def users(records: list[Any]) -> None:
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    for column in ("User", "Status", "Email", "Projects", "MFA"):
        table.add_column(column)
    for record in records:
        table.add_row(record.username, record.status, record.email or "", ", ".join(record.projects), record.mfa)
    _console(stderr=False).print(table)


def machine_clients(records: list[Any]) -> None:
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    for column in ("Client", "Client id", "Projects", "Scopes"):
        table.add_column(column)
    for record in records:
        table.add_row(record.name, record.client_id, ", ".join(record.projects), " ".join(record.scopes))
    _console(stderr=False).print(table)


def route_listing(listed: list[dict[str, Any]]) -> None:
    """`claimsctl routes`: each route, its handler, and a missing handler in red."""
    from rich.table import Table

    table = Table(title="Routes (the standard design serves each under /standard)")
    for column in ("Method", "Path", "Handler", "Machine scope"):
        table.add_column(column)
    for route in listed:
        handler = route["handler"] + (f"  [red]({route['problem']})[/]" if route["problem"] else "")
        table.add_row(route["method"], route["path"], handler, route["scope"])
    _console(stderr=False).print(table)
    if listed and not listed[0]["declared"]:
        info('stackInputs.json declares no "routes": these are the shipped ones (claimsctl init writes them).')


def explanation(username: str, found: Any) -> None:
    """What `claimsctl explain` found: the row, the claims and their size, the routes, the decision."""
    info(f"[bold]{username}[/]'s row: {json.dumps(found.row) if found.row is not None else '(none)'}")
    if found.lambda_src_differs:
        info("[yellow]The project's lambda_src/ differs from the deployed code: run `claimsctl deploy` to deploy it "
             "(the claims below are the deployed code's, the routes the project's claims.py's).[/]")
    key_values("Claims the deployed trigger adds", {k: json.dumps(v) for k, v in found.claims.items()})
    info(f"Claim bytes: {found.claim_bytes} of a {found.budget}-byte budget; the token about "
         f"{found.estimated_token_bytes} bytes.")
    if found.way == "lookup":
        info(f"[yellow]Authorized by: lookup.[/] The claims did not fit: both designs read the row (the optimized "
             f"authorizer once per token) and allow {len(found.routes)} routes; its policy lists "
             f"{', '.join(str(r) for r in found.policy_routes) or 'none'}.")
    else:
        info("Authorized by: token (the claims are in it).")
    shown = found.routes if found.way == "token" else found.routes[:20]
    key_values("Routes allowed", {str(i + 1): str(route) for i, route in enumerate(shown)} or {"-": "none"})
    if len(shown) < len(found.routes):
        info(f"... and {len(found.routes) - len(shown)} more (--output json lists them all).")
    for dropped in found.dropped_routes:
        info(f"[red]Dropped (not a route): {dropped}[/]")
    if found.request is not None:
        verdict = f"[green]allow[/] (by {found.allowed_by})" if found.allowed_by else "[red]deny[/] (no route allows it)"
        if found.missing_scope is not None:
            verdict = (f"[red]deny[/]: the client lacks the scope {found.missing_scope}, which {found.declared} needs "
                       "(its own \"scope\" in stackInputs.json, or items.read/items.write by method); grant it with "
                       "add-client --scopes")
        if found.decision == "no-route":
            near = ", ".join(str(route) for route in found.closest)
            verdict = f"[red]no-route[/]: the API has no such route (API Gateway answers 403); closest: {near}"
        info(f"{found.request}: {verdict}")
