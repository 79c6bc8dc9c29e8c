"""The local emulator's commands: `claimsctl local start`."""

from __future__ import annotations

import sys

import click

from claimsctl.commands.common import CONTEXT


@click.group(context_settings=CONTEXT)
def local() -> None:
    """The local AWS emulator (moto, extended by claimsctl)."""


@local.command("start", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=4566, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
def local_start(host: str, port: int) -> None:
    """Run the emulator in the foreground until Ctrl-C (or SIGTERM); prints its endpoint URL.

    \b
    Example:
      claimsctl local start --port 4566 &
      export AWS_ENDPOINT_URL=http://127.0.0.1:4566
    """
    import signal
    import threading

    try:
        from claimsctl.local.guard import LOOPBACK_NAMES
        from claimsctl.local.server import Emulator
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"The local emulator needs the 'local' extra ({exc.name} is missing): "
                                   "pip install 'claimsctl[local]'") from None

    if host.strip("[]").lower() not in LOOPBACK_NAMES:
        click.secho(f"WARNING: listening on {host}, not loopback. Anyone who can reach this address can create "
                    "stacks whose Lambda code runs on this machine as you, and read every table. Use it only on a "
                    "network you trust.", fg="red", bold=True, err=True)
    emulator = Emulator(host, port)
    try:
        url = emulator.start()
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror}; pass --port 0 for a free port") from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(url)
    sys.stdout.flush()
    emulator.serve_until(stop)
    click.echo("Emulator stopped.", err=True)
