"""claimsctl's command line: the `claimsctl` group, made of the commands in claimsctl/commands/.

Each command parses its options, calls one core function and shows the result; core modules do the work.
Only the commands, claimsctl/display.py and claimsctl/reports.py talk to the terminal. The checkout's
top-level cli.py runs this.
"""

from __future__ import annotations

import click

from claimsctl import __version__
from claimsctl.commands import claims, clients, emulator, logs, project, signin, stack, users
from claimsctl.commands.common import CONTEXT


@click.group(context_settings=CONTEXT)
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


for _module in (stack, users, clients, signin, claims, project, emulator, logs):
    for _command in _module.COMMANDS:
        main.add_command(_command)


if __name__ == "__main__":
    main()
