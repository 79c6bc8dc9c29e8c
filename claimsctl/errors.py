"""claimsctl's errors. Core modules raise these; AWS (botocore) errors and verifier refusals are turned into
them at one boundary (claimsctl.aws.as_claimsctl_error); only claimsctl/cli.py turns them into messages and
exit codes: 1 for every error about state or AWS, 2 for usage (click's), 130 for Ctrl-C."""

from __future__ import annotations


class ClaimsctlError(Exception):
    """Base of every error claimsctl reports to its user.

    The message says what failed, on which resource, and what to do about it.
    """

    exit_code = 1


class InputsError(ClaimsctlError):
    """stackInputs.json is missing, unreadable or invalid."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path} has {len(problems)} problem(s):\n{listing}")


class RenderError(ClaimsctlError):
    """A template could not be rendered."""


class PackageError(ClaimsctlError):
    """The Lambda sources could not be packaged."""


class AwsError(ClaimsctlError):
    """An AWS call failed in a way the user must act on."""


class CredentialsError(AwsError):
    """No usable AWS credentials or region."""


class StackError(AwsError):
    """A stack operation failed."""

    def __init__(self, message: str, failures: list[tuple[str, str]] | None = None) -> None:
        self.failures = failures or []
        detail = "".join(f"\n  - {rid}: {reason}" for rid, reason in self.failures)
        super().__init__(message + detail)


class StackNotFoundError(StackError):
    """The stack does not exist."""


class UserError(AwsError):
    """Adding, updating or removing a user failed."""


class SignInError(AwsError):
    """Signing in failed (wrong password, unknown user, trigger failure...)."""


class Aborted(ClaimsctlError):
    """The user declined a confirmation."""

    exit_code = 1


class DataLossRefused(ClaimsctlError):
    """A deploy would replace or remove a table that holds rows, and --allow-data-loss was not given."""
