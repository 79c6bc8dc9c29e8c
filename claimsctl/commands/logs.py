"""The stack's function logs: `claimsctl logs [FUNCTION] [--since 10m] [--follow]`."""

from __future__ import annotations

import time

import click

from claimsctl.commands.common import CONTEXT, Run, common_options

FOLLOW_POLL_SECONDS = {True: 1.0, False: 5.0}  # the emulator (local) answers at once; AWS's API is rate-limited


@click.command(context_settings=CONTEXT)
@common_options
@click.argument("function", required=False)
@click.option("--since", default="10m", show_default=True,
              help="How far back to start: 30s, 10m, 2h, 1d (the newest 10,000 lines at most).")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until Ctrl-C.")
def logs(run: Run, function: str | None, since: str, follow: bool) -> None:
    """Print the stack's Lambda logs from CloudWatch Logs: every function's, or FUNCTION's.

    FUNCTION is trigger (the pre token generation trigger), authorizer, items, check-user-access or
    standard-items (the API's functions, when deployed), or a function's own name.

    \b
    Examples:
      claimsctl logs trigger
      claimsctl logs authorizer --since 1h
      claimsctl logs --follow
    """
    from claimsctl import logs as reading

    start_ms = int((time.time() - reading.since_seconds(since)) * 1000)
    inputs = run.inputs()
    aws, _ = run.deployed(inputs)
    chosen = reading.chosen(reading.functions(aws, inputs.stack_name), function, inputs.stack_name)
    width = max(len(name) for name in chosen) if chosen else 0
    lines = (reading.follow(aws, chosen, start_ms, FOLLOW_POLL_SECONDS[aws.local]) if follow
             else iter(reading.read(aws, chosen, start_ms)))
    try:
        for line in lines:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(line.timestamp_ms / 1000))
            click.echo(f"{stamp}  {line.function:<{width}}  {line.message}")
    except KeyboardInterrupt:  # the end of --follow
        return
