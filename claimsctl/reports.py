"""What the commands say about an outcome, in words: deploy, the published web app, teardown's question and
its report, bulk seeding. Built on display.py's primitives; core modules return values, this phrases them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimsctl import display

if TYPE_CHECKING:
    from pathlib import Path

    from claimsctl.bulk import Report
    from claimsctl.deployment.deploy import DeployOutcome
    from claimsctl.deployment.teardown import TeardownOutcome, TeardownPlan
    from claimsctl.webhost import Published

DEPLOY_STATUS = {"up-to-date": "Stack is up to date: no changes.", "created": "Stack created.",
                 "updated": "Stack updated."}


def deployed(outcome: DeployOutcome, tally: dict[str, int] | None = None) -> None:
    """The summary: what happened to the stack and how many resources reached each final state."""
    result = outcome.result
    if result.recreated:
        display.info("The stack was left in ROLLBACK_COMPLETE by an earlier failed create; "
                     "it was deleted and created again.")
    counts = [f"{count} {word}" for word, count in (tally or {}).items()]
    if counts:
        counts[0] = counts[0].replace(" ", " resource(s) ", 1)
    summary = DEPLOY_STATUS[result.status]
    display.info(f"[green]{summary[:-1]}: {', '.join(counts)}.[/]" if counts else f"[green]{summary}[/]")
    if outcome.web_config:
        display.info(f"Web demo configuration written to {outcome.web_config}")
    if outcome.web is not None:
        published(outcome.web)


def published(web: Published) -> None:
    built = "built" if web.built else "build reused (its sources are unchanged)"
    display.info(f"Web app {built}; {len(web.uploaded)} file(s) uploaded, {web.unchanged} unchanged, "
                 f"{len(web.deleted)} no longer built removed; invalidation {web.invalidation_id} started.")
    display.info(f"[bold green]Web app: {web.url}[/]")


def teardown_question(plan: TeardownPlan) -> str:
    listing = ", ".join(table.describe() for table in plan.tables) or "none"
    web = (f" The web app's bucket {plan.web_bucket} is emptied first (deploy publishes it again)."
           if plan.web_bucket else "")
    if plan.keep_data:
        return f"Delete stack {plan.stack_name} and its users, keeping its tables ({listing})?{web}"
    return f"Delete stack {plan.stack_name}, its users, and {plan.rows} row(s) in its tables ({listing})?{web}"


def torn_down(stack_name: str, outcome: TeardownOutcome) -> None:
    if not outcome.existed:
        display.info(f"Stack {stack_name} does not exist; nothing to delete.")
    else:
        display.info(f"[green]Stack {stack_name} deleted.[/]")
    for name in outcome.tables_deleted:
        display.info(f"Deleted table {name}.")
    for table in outcome.tables_kept:
        display.info(f"[yellow]Kept table {table.describe()} (--keep-data).[/]")
    if outcome.retained:
        display.info(f"[yellow]Retained by their DeletionPolicy: {', '.join(outcome.retained)}[/]")
    lines = [(outcome.web_objects_removed, f"Emptied the web bucket ({outcome.web_objects_removed} file(s) of "
                                           "the built app)."),
             (outcome.artifacts_removed, f"Removed {outcome.artifacts_removed} artifact(s)."),
             (outcome.bucket_removed, f"Removed artifact bucket {outcome.bucket_removed}."),
             (outcome.web_config_removed, f"Removed {outcome.web_config_removed}.")]
    for happened, line in lines:
        if happened:
            display.info(line)


def passwords_saved(written: int, path: Path) -> None:
    display.info(f"{written} generated password(s) written to {path} (readable by you only).")


def seeded(path: Path, report: Report) -> None:
    from claimsctl.bulk import Action

    display.info(f"Users from {path}: {', '.join(f'{report.count(a)} {a}' for a in Action)}.")
    for failure in report.failures:
        display.info(f"[red]  {failure.username}: {failure.reason}[/]")
