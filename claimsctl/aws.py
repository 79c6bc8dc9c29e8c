"""One boto3 Session per run (profile, region, endpoint), made lazily; clients come from it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from claimsctl.errors import AwsError, ClaimsctlError, CredentialsError

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
EMULATOR_CREDENTIALS = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}


def error_details(exc: Exception) -> tuple[str, str]:
    """(code, message) of a botocore ClientError; for anything else ("", str(exc))."""
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code", "")), str(error.get("Message", exc))


def as_claimsctl_error(exc: BaseException) -> ClaimsctlError | None:
    """The one boundary for AWS errors: a botocore error (or a verifier refusal) as a ClaimsctlError with a
    message that says what to do; None for anything else (a bug, which keeps its traceback)."""
    import sys

    tokens = sys.modules.get("claimsctl.tokens")  # only loaded once a command has verified something
    if tokens is not None and isinstance(exc, tokens.TokenError):
        return ClaimsctlError(str(exc))
    if "botocore.exceptions" not in sys.modules:
        return None
    from botocore import exceptions

    if isinstance(exc, exceptions.NoCredentialsError):
        return CredentialsError("No AWS credentials found. Configure them (aws configure, AWS_PROFILE or --profile), "
                                "or use the local emulator: --endpoint-url http://127.0.0.1:4566 (or AWS_ENDPOINT_URL).")
    if isinstance(exc, exceptions.EndpointConnectionError):
        return AwsError(f"{exc}. Is the endpoint running? For the local emulator: claimsctl local start")
    if isinstance(exc, exceptions.ClientError):
        code, message = error_details(exc)
        return AwsError(f"{message} ({code})" if code and code not in message else message)
    if isinstance(exc, exceptions.BotoCoreError):
        return AwsError(str(exc))
    return None


def is_local(endpoint_url: str | None) -> bool:
    return bool(endpoint_url) and urlparse(endpoint_url).hostname in LOCAL_HOSTS


DEFAULT_MAX_ATTEMPTS = 8


def max_attempts() -> int:
    """botocore's standard AWS_MAX_ATTEMPTS when set to a whole number from 1 to 20, else 8."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 20 else DEFAULT_MAX_ATTEMPTS


@dataclass
class Aws:
    """The AWS target of one run: real AWS through boto3's chain, or the local emulator."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    _session: Any = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def local(self) -> bool:
        return is_local(self.endpoint_url)

    def session(self) -> Any:
        if self._session is None:
            import boto3  # lazily: commands that need no AWS should not import it

            kwargs: dict[str, Any] = {"region_name": self.region}
            if self.profile:
                kwargs["profile_name"] = self.profile
            elif self.local and not os.environ.get("AWS_ACCESS_KEY_ID"):
                kwargs.update(EMULATOR_CREDENTIALS)  # the emulator accepts any credentials
            try:
                self._session = boto3.session.Session(**kwargs)
            except Exception as exc:  # botocore.exceptions.ProfileNotFound and kin
                raise CredentialsError(f"Cannot use AWS profile '{self.profile}': {exc}") from exc
        return self._session

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            config = Config(retries={"max_attempts": max_attempts(), "mode": "adaptive"}, connect_timeout=5,
                            read_timeout=60)
            self._clients[service] = self.session().client(service, endpoint_url=self.endpoint_url, config=config)
        return self._clients[service]

    def account_id(self) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return str(self.client("sts").get_caller_identity()["Account"])
        except (BotoCoreError, ClientError) as exc:
            raise CredentialsError(
                f"No usable AWS credentials for region {self.region}: {exc}. "
                "Configure them (aws configure, AWS_PROFILE) or pass --endpoint-url for the local emulator."
            ) from exc
