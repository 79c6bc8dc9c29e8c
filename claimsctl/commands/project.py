"""Starting a project folder of one's own: init."""

from __future__ import annotations

from pathlib import Path

import click

from claimsctl.commands.common import CONTEXT
from claimsctl.errors import ClaimsctlError


@click.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region for the new stackInputs.json.")
@click.option("--with-source", is_flag=True, help="Also copy templates/ and lambda_src/ into FOLDER, to customise.")
def init(folder: Path, region: str, with_source: bool) -> None:
    """Start a project folder: a stackInputs.json (and, with --with-source, the templates and Lambda code).

    A project folder's own templates/ and lambda_src/ take precedence over the ones claimsctl ships.

    \b
    Examples:
      claimsctl init my-app && cd my-app && claimsctl deploy
      claimsctl init my-app --with-source
    """
    from claimsctl import display, scaffold

    try:
        written = scaffold.init(folder, region, with_source)
    except ClaimsctlError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        display.info(f"Wrote {path}")
    display.info(f"Next: cd {folder} && claimsctl deploy (add --endpoint-url for the local emulator)")


COMMANDS = (init,)
