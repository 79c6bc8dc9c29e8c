"""What every command shares: the options naming the inputs and the AWS target, the error boundary that
turns claimsctl's errors into one message and an exit code, and the prompts for secrets."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from claimsctl.commands import CONTEXT as CONTEXT  # re-exported: every command takes it from here
from claimsctl.errors import ClaimsctlError

if TYPE_CHECKING:  # imported lazily at run time: `--help` must not load boto3
    from claimsctl.aws import Aws
    from claimsctl.deployment.project import ProjectFolder
    from claimsctl.inputs import StackInputs
    from claimsctl.outputs import StackOutputs
    from claimsctl.signin import SecondFactor
    from claimsctl.stack import Waiter

OUTPUT = click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input.")


class Run(NamedTuple):
    """What one invocation was told: where the inputs are and which AWS to talk to."""

    inputs_path: Path
    profile: str | None
    region: str | None
    endpoint_url: str | None
    debug: bool

    def inputs(self) -> StackInputs:
        from claimsctl import inputs

        loaded = inputs.load(self.inputs_path)
        return loaded.with_changes(region=self.region) if self.region else loaded

    def project(self, web_config: Path | None = None) -> ProjectFolder:
        from claimsctl.deployment.project import ProjectFolder

        return ProjectFolder.from_inputs(self.inputs_path, web_config)

    def aws(self, region: str) -> Aws:
        from claimsctl.aws import Aws

        return Aws(region=region, profile=self.profile, endpoint_url=self.endpoint_url)

    def deployed(self, inputs: StackInputs) -> tuple[Aws, StackOutputs]:
        """(aws, outputs) of the deployed stack; a clear error saying to deploy when it is not."""
        from claimsctl.deployment import deployed

        aws = self.aws(inputs.region)
        return aws, deployed.outputs(aws, inputs)


def _fail(message: str, exit_code: int) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(exit_code)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--inputs, --profile, --region, --endpoint-url, --debug on every command; errors become messages."""

    @click.option("--inputs", "inputs_path", type=click.Path(path_type=Path), default="stackInputs.json",
                  show_default=True, help="The deployment's parameters.")
    @click.option("--profile", help="AWS profile (default: boto3's chain, e.g. AWS_PROFILE).")
    @click.option("--region", help="AWS region (default: stackInputs.json's region).")
    @click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="AWS endpoint, e.g. the local emulator's URL.")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(command)
    def wrapper(inputs_path: Path, profile: str | None, region: str | None, endpoint_url: str | None,
                debug: bool, **kwargs: Any) -> Any:
        try:
            return command(Run(inputs_path, profile, region, endpoint_url, debug), **kwargs)
        except ClaimsctlError as exc:
            if debug:
                raise
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.secho("Interrupted. Anything already started in AWS (such as a stack operation) carries on "
                        "there; run the command again to wait for it and continue.", fg="yellow", err=True)
            sys.exit(130)
        except Exception as exc:
            from claimsctl.aws import as_claimsctl_error

            wrapped = as_claimsctl_error(exc)
            if debug or wrapped is None:
                raise
            _fail(str(wrapped), wrapped.exit_code)

    return wrapper


def waiter(aws: Aws) -> Waiter:
    """Poll the emulator often (it answers in milliseconds) and AWS gently."""
    from claimsctl.stack import Waiter

    return Waiter(poll_seconds=0.2 if aws.local else 3.0)


def second_factor(from_stdin: bool, issuer: str) -> SecondFactor:
    from claimsctl import display, signin

    def code() -> str:
        if from_stdin:
            line = sys.stdin.readline().strip()
            if not line:
                raise click.UsageError("--totp-code-stdin was given but standard input had no code line")
            return line
        return str(click.prompt("Authenticator code (6 digits)", err=True)).strip()

    return signin.SecondFactor(code=code, enrol=display.totp_enrolment, issuer=issuer)


def password(from_stdin: bool, prompt: str, confirm: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.UsageError("--password-stdin was given but standard input had no password line")
        return line
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
