"""claimsctl's command line: the `claimsctl` group, made of the commands in claimsctl/commands/.

Each command parses its options, calls one core function and shows the result; core modules do the work.
Only the commands, claimsctl/display.py and claimsctl/reports.py talk to the terminal. The checkout's
top-level cli.py runs this.

The commands are loaded lazily, as click's documentation shows ("Lazily Loading Subcommands"): COMMANDS maps
each name to "module:attribute", and a command's module is imported only when that command runs or a
group's help lists it. A new command is one line in COMMANDS.
"""

from __future__ import annotations

import importlib

import click

from claimsctl import __version__
from claimsctl.commands.common import CONTEXT

COMMANDS = {
    "deploy": "claimsctl.commands.stack:deploy",
    "teardown": "claimsctl.commands.stack:teardown",
    "status": "claimsctl.commands.stack:status",
    "render": "claimsctl.commands.stack:render",
    "add-user": "claimsctl.commands.users:add_user",
    "remove-user": "claimsctl.commands.users:remove_user",
    "list-users": "claimsctl.commands.users:list_users",
    "add-client": "claimsctl.commands.clients:add_client",
    "list-clients": "claimsctl.commands.clients:list_clients",
    "remove-client": "claimsctl.commands.clients:remove_client",
    "token": "claimsctl.commands.clients:token",
    "login": "claimsctl.commands.signin:login",
    "request": "claimsctl.commands.signin:request",
    "verify": "claimsctl.commands.signin:verify",
    "explain": "claimsctl.commands.claims:explain",
    "init": "claimsctl.commands.project:init",
    "local": "claimsctl.commands.emulator:local",
    "logs": "claimsctl.commands.logs:logs",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named in a table and imported on first use."""

    def __init__(self, *args: object, lazy_subcommands: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_subcommands[cmd_name].split(":", 1)
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="claimsctl")
def main() -> None:
    """Fine-grained authorization with custom claims in Amazon Cognito tokens.

    \b
    Quick start on the local emulator:
      claimsctl local start &                # serves http://127.0.0.1:4566
      export AWS_ENDPOINT_URL=http://127.0.0.1:4566
      claimsctl deploy --yes
      claimsctl add-user --username alice --email alice@example.com --projects p1,p2
      claimsctl login alice
      claimsctl teardown --yes
    """


if __name__ == "__main__":
    main()
