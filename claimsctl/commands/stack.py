"""The stack's commands: deploy, teardown, status, render."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from claimsctl.commands.common import CONTEXT, OUTPUT, Run, common_options, waiter

WEB_CONFIG_HELP = "Where to write the web demo's config (default: in the project folder)."


@click.command(context_settings=CONTEXT)
@common_options
@click.option("--yes", "-y", is_flag=True, help="Apply an update without asking.")
@click.option("--artifact-bucket", help="Existing S3 bucket for the Lambda code (default: one claimsctl creates).")
@OUTPUT
@click.option("--allow-data-loss", is_flag=True,
              help="Allow an update that replaces or removes a table holding rows (refused otherwise, even with --yes).")
@click.option("--web-config", type=click.Path(dir_okay=False, path_type=Path), help=WEB_CONFIG_HELP)
@click.option("--quiet", "-q", is_flag=True,
              help="Print the summary only (no progress, no outputs table; warnings and prompts still show).")
def deploy(run: Run, yes: bool, artifact_bucket: str | None, output: str, allow_data_loss: bool,
           web_config: Path | None, quiet: bool) -> None:
    """Render templates/, package lambda_src/, create or update the stack, write the web constants.

    Progress: on a terminal, a live table of the resources and their states; otherwise one line per resource
    that reaches a final state; with --quiet, none. A summary line ends it.

    \b
    Examples:
      claimsctl deploy
      claimsctl deploy --yes --output json
      claimsctl deploy --yes --quiet
      claimsctl deploy --endpoint-url http://127.0.0.1:4566 --artifact-bucket my-bucket
    """
    from claimsctl import display, reports
    from claimsctl.deployment import deploy as deployment

    inputs = run.inputs()
    aws = run.aws(inputs.region)
    say = (lambda message: None) if quiet else display.info
    say(f"Deploying stack [bold]{inputs.stack_name}[/] to {inputs.region}"
        + (f" at {run.endpoint_url}" if run.endpoint_url else ""))
    for warning in deployment.production_warnings(inputs, run.endpoint_url):
        display.info(f"[yellow]Warning:[/] {warning}")
    project = run.project(web_config)
    say(project.describe_sources())
    stale = project.source_warning()
    if stale:
        display.info(f"[yellow]Warning:[/] {stale}")
    if inputs.hosted_web:
        say(f"Building the web app in {project.web_app.root} (skipped when its sources are unchanged)")
    printer = display.EventPrinter(quiet=quiet)
    with printer, contextlib.ExitStack() as bars:
        outcome = deployment.deploy(aws, project, inputs, artifact_bucket, _asking(printer, yes), printer,
                                    waiter(aws), allow_data_loss, _web_progress(printer, bars))
    reports.deployed(outcome, printer.tally())
    if output == "json":
        display.as_json({"status": outcome.result.status, "outputs": outcome.result.outputs})
    elif not quiet:
        display.key_values("Outputs", outcome.result.outputs)


def _asking(printer: Any, yes: bool) -> Callable[[list[Any]], bool]:
    """The change set shown (the event display closed first; not at all with --quiet --yes), then approved by
    --yes or by the user."""
    from claimsctl import display

    def confirm(changes: list[Any]) -> bool:
        printer.close()
        if not (printer.quiet and yes):
            display.change_set(changes)
        return yes or click.confirm("Apply these changes?", default=False, err=True)

    return confirm


def _web_progress(printer: Any, bars: contextlib.ExitStack) -> Callable[[int], Callable[[str], None]]:
    """A progress bar for the web app's upload, once the stack's events are over (one live display at a time;
    none with --quiet)."""
    from claimsctl import display

    def start(total: int) -> Callable[[str], None]:
        printer.close()
        if printer.quiet:
            return lambda key: None
        advance = bars.enter_context(display.progress(total, "Uploading the web app"))
        return lambda key: advance()

    return start


@click.command(context_settings=CONTEXT)
@common_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--keep-data", is_flag=True, help="Keep the DynamoDB tables (and their rows); delete everything else.")
@click.option("--artifact-bucket", help="The bucket given to deploy --artifact-bucket, if any.")
@click.option("--web-config", type=click.Path(dir_okay=False, path_type=Path),
              help="The web config deploy --web-config wrote, if any.")
@click.option("--quiet", "-q", is_flag=True, help="Print what was deleted only (no progress).")
def teardown(run: Run, yes: bool, keep_data: bool, artifact_bucket: str | None, web_config: Path | None,
             quiet: bool) -> None:
    """Delete the stack, its tables (unless --keep-data), the published web app, its artifacts and the web config.

    \b
    Examples:
      claimsctl teardown
      claimsctl teardown --keep-data --yes
      claimsctl teardown --yes --quiet
    """
    from claimsctl import display, reports
    from claimsctl.deployment import teardown as deletion

    inputs = run.inputs()
    aws = run.aws(inputs.region)
    planned = deletion.plan(aws, inputs, keep_data)  # stops here when deletion protection is on
    if not yes:
        click.confirm(reports.teardown_question(planned), abort=True, err=True)
    with display.EventPrinter(quiet=quiet) as printer:
        outcome = deletion.teardown(aws, run.project(web_config), inputs, artifact_bucket, printer, waiter(aws),
                                    planned)
    reports.torn_down(inputs.stack_name, outcome)


@click.command(context_settings=CONTEXT)
@common_options
@OUTPUT
def status(run: Run, output: str) -> None:
    """Show the stack's state and outputs.

    \b
    Example:
      claimsctl status --output json
    """
    from claimsctl import display
    from claimsctl.deployment import deployed

    inputs = run.inputs()
    found = deployed.status(run.aws(inputs.region), inputs)
    if output == "json":
        display.as_json(found.as_json())
        return
    display.key_values(f"Stack {found.stack}: {found.status}", found.outputs)


@click.command(context_settings=CONTEXT)
@common_options
def render(run: Run) -> None:
    """Print the rendered CloudFormation template (no AWS access needed).

    \b
    Example:
      claimsctl render > stack.yaml && cfn-lint stack.yaml
    """
    from claimsctl.deployment.project import render_for

    click.echo(render_for(run.project(), run.inputs()), nl=False)
