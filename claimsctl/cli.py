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
from claimsctl.commands import CONTEXT

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
    "routes": "claimsctl.commands.claims:routes",
    "init": "claimsctl.commands.project:init",
    "upgrade-source": "claimsctl.commands.project:upgrade_source",
    "local": "claimsctl.commands.emulator:local",
    "logs": "claimsctl.commands.logs:logs",
}


# What `claimsctl --help` lists for each command (the first paragraph of its help), so the group's help imports
# no command module. tests/unit/test_cli_help.py checks each against the command's own help; a command missing
# here is listed all the same (its module is imported for it).
SUMMARIES = {
    "deploy": "Render templates/, package lambda_src/, create or update the stack, write the web constants.",
    "teardown": ("Delete the stack, its tables (unless --keep-data), the published web app, its artifacts and the web "
                 "config."),
    "status": "Show the stack's state and outputs.",
    "render": "Print the rendered CloudFormation template (no AWS access needed).",
    "add-user": "Add a user and the DynamoDB row of its projects, or update an existing one.",
    "remove-user": "Sign a user out everywhere (refresh tokens revoked), then remove it and its row of projects.",
    "list-users": "List users with their status and projects.",
    "add-client": ("Add a machine client (client-credentials grant) and the row of its projects, or update one's "
                   "projects and scopes."),
    "list-clients": "List machine clients with their ids, projects and scopes (never their secrets).",
    "remove-client": "Delete a machine client and its row of projects.",
    "token": "Get a client-credentials token for a machine client, verify it, and show its claims.",
    "login": "Sign in, verify the tokens against the pool's JWKS, and show their claims.",
    "request": ("Sign in (or get a machine client's token, or reuse a token) and call the deployed API; print the "
                "status line, then the body."),
    "verify": "Verify a token against the deployed pool and print its claims (exit 1 with the reason if invalid).",
    "explain": ("Show, without signing in, what USERNAME's (or a --client's) token will say and which routes it "
                "allows."),
    "routes": "List the API's routes and the handler behind each, in lambda_src/.",
    "init": "Start a project folder: a stackInputs.json (and, with --with-source, the templates and Lambda code).",
    "upgrade-source": "Bring the project's copied templates/ and lambda_src/ forward to this claimsctl.",
    "local": "The local AWS emulator (moto, extended by claimsctl).",
    "logs": "Print the stack's Lambda logs from CloudWatch Logs: every function's, or FUNCTION's.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named in a table and imported on first use; its help lists them from
    their summaries."""

    def __init__(self, *args: object, lazy_subcommands: dict[str, str] | None = None,
                 summaries: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_subcommands = dict(lazy_subcommands or {})
        self.summaries = dict(summaries or {})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with a summary standing in for each command not loaded yet."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.summaries and name not in self.commands:
                stand_in = click.Command(name, help=self.summaries[name])  # click's own shortening
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS, summaries=SUMMARIES, context_settings=CONTEXT)
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
