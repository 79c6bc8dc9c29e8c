"""A project folder of one's own: init starts one (or fills in what it lacks), upgrade-source brings its
copied templates and Lambda code forward."""

from __future__ import annotations

from pathlib import Path

import click

from claimsctl.commands.common import CONTEXT, Run, common_options
from claimsctl.errors import ClaimsctlError


@click.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region for the new stackInputs.json.")
@click.option("--with-source", is_flag=True, help="Also copy templates/ and lambda_src/ into FOLDER, to customise.")
def init(folder: Path, region: str, with_source: bool) -> None:
    """Start a project folder: a stackInputs.json (and, with --with-source, the templates and Lambda code).

    A project folder's own templates/ and lambda_src/ take precedence over the ones claimsctl ships.
    In an existing folder, init adds only what it lacks: it never overwrites a file.

    \b
    Examples:
      claimsctl init my-app && cd my-app && claimsctl deploy
      claimsctl init my-app --with-source
    """
    from rich.markup import escape

    from claimsctl import display, scaffold

    try:
        outcome = scaffold.init(folder, region, with_source)
    except ClaimsctlError as exc:
        raise click.ClickException(str(exc)) from None
    for path in outcome.written:
        display.info(f"Wrote {escape(_shown(path))}")
    for path in outcome.kept:
        display.info(f"Kept {escape(_shown(path))} (there already; init never overwrites, nor writes through a link)")
    if with_source and outcome.kept:
        display.info("To bring kept copies forward to this claimsctl: claimsctl upgrade-source --dry-run")
    display.info(f"Next: {escape(_cd(folder))}claimsctl deploy (add --endpoint-url for the local emulator)")


def _shown(path: Path) -> str:
    return f"{path}/" if path.is_dir() and not path.is_symlink() else str(path)


def _cd(folder: Path) -> str:
    """`cd FOLDER && ` quoted for a POSIX shell ("My App" -> 'My App'), or nothing when FOLDER is here."""
    import shlex

    if folder.resolve() == Path.cwd().resolve():
        return ""
    return f"cd {shlex.quote(str(folder))} && "


@click.command("upgrade-source", context_settings=CONTEXT)
@common_options
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
def upgrade_source(run: Run, dry_run: bool) -> None:
    """Bring the project's copied templates/ and lambda_src/ forward to this claimsctl.

    Replaces only the files you have not changed since they were copied, and adds newly shipped ones.
    Keeps claims.py, every file you changed, and a file you removed, naming each; never deletes a file.

    \b
    Examples:
      claimsctl upgrade-source --dry-run
      claimsctl upgrade-source
    """
    from rich.markup import escape

    from claimsctl import __version__, display, upgrade

    root = run.inputs_path.resolve().parent
    if not run.inputs_path.is_file():
        raise ClaimsctlError(f"No project at {root}: {run.inputs_path} is not there. Run this in a project folder "
                             "(or pass --inputs PATH/stackInputs.json).")
    plan = upgrade.plan(root)
    if not plan.owned:
        display.info(f"{escape(str(root))} has no templates/ or lambda_src/ of its own: it uses the ones claimsctl ships, which "
                     "are always current. Nothing to upgrade.")
        return
    copied = f"copied from claimsctl {plan.from_version}" if plan.from_version else "no record of the copy"
    display.info(f"{', '.join(f'{name}/' for name in plan.owned)} of {escape(str(root))} ({copied}; this is claimsctl "
                 f"{__version__}):")
    for step in plan.steps:
        click.echo(f"  {step.action.value:<8} {step.path}  ({step.why})")
    changes = plan.changes()
    display.info(f"{len(changes)} to change, {len(plan.steps) - len(changes)} kept, {plan.current} already current.")
    if dry_run:
        display.info("Dry run: nothing was changed. Run `claimsctl upgrade-source` to apply.")
        return
    if not upgrade.apply(plan, __version__):
        display.info("The record of the copy was not written: lambda_src/ is absent or a link.")
    display.info(f"[green]Done[/]: {len(changes)} file(s) added, replaced or retired; the copy is recorded as of claimsctl "
                 f"{__version__}." if changes else "[green]Done[/]: nothing needed changing.")
