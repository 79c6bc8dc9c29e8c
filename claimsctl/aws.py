"""One boto3 Session per run (profile, region, endpoint), made lazily; clients come from it.

This is the one module that knows botocore's exceptions. Every client it hands out is a `Client`: the same
calls as boto3's, but AWS's refusals arrive as `AwsCallError` (with AWS's error code) and a failure to
reach the endpoint as `EndpointUnreachable`, so the rest of claimsctl catches its own errors only."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from claimsctl.errors import AwsError, ClaimsctlError, CredentialsError

NOT_FOUND_CODES = frozenset({"404", "NoSuchBucket", "NotFound", "NoSuchKey", "ResourceNotFoundException"})


class AwsCallError(AwsError):
    """AWS refused a call: its error code (e.g. "ResourceNotFoundException") and message."""

    def __init__(self, code: str, message: str, operation: str = "") -> None:
        self.code = code
        self.message = message
        self.operation = operation
        super().__init__(f"{message} ({code})" if code and code not in message else message)

    @property
    def not_found(self) -> bool:
        return self.code in NOT_FOUND_CODES


class EndpointUnreachable(AwsError):
    """Nothing answers at the endpoint: the emulator is not running, or the network is down."""


def _endpoint_problem(endpoint_url: str | None, exc: Exception) -> EndpointUnreachable:
    if endpoint_url:
        start = " Start the local emulator first: claimsctl local start" if is_local(endpoint_url) else ""
        return EndpointUnreachable(f"Nothing answers at {endpoint_url} (--endpoint-url or AWS_ENDPOINT_URL).{start}")
    return EndpointUnreachable(f"Cannot reach AWS: {exc}. Check the network and the region.")


def _not_aws(endpoint_url: str | None) -> EndpointUnreachable:
    """Something answered, but not as AWS does: another web server, or a path after the host."""
    if endpoint_url and is_local(endpoint_url):
        return EndpointUnreachable(f"{endpoint_url} did not answer as the AWS emulator does: use the URL "
                                   "`claimsctl local start` prints (scheme, host and port, no path), and check the "
                                   "region.")
    where = endpoint_url or "the AWS endpoint"
    return EndpointUnreachable(f"{where} did not answer as AWS does: check --endpoint-url (or AWS_ENDPOINT_URL) "
                               "and the region.")


def check_endpoint(endpoint_url: str) -> None:
    """An endpoint URL is a scheme, a host and a port: anything else is refused before a call, in one line."""
    parsed = urlparse(endpoint_url)
    if "://" not in endpoint_url or parsed.scheme not in ("http", "https") or not parsed.hostname:
        fixed = f" (e.g. http://{endpoint_url})" if "://" not in endpoint_url else ""
        raise ClaimsctlError(f"--endpoint-url (or AWS_ENDPOINT_URL) {endpoint_url} is not an http:// or https:// "
                             f"URL{fixed}: use the URL `claimsctl local start` prints, or leave it out for AWS.")
    if parsed.path.strip("/") or parsed.query or parsed.fragment:
        base = f"{parsed.scheme}://{parsed.netloc}"
        raise ClaimsctlError(f"--endpoint-url (or AWS_ENDPOINT_URL) {endpoint_url} has a path: an endpoint is a "
                             f"scheme, host and port only, e.g. {base} (the URL `claimsctl local start` prints).")


def translated(exc: Exception, endpoint_url: str | None = None) -> ClaimsctlError | None:
    """botocore's error as claimsctl's (None for anything that is not botocore's)."""
    from botocore import exceptions, parsers

    if isinstance(exc, parsers.ResponseParserError):
        return _not_aws(endpoint_url)

    if isinstance(exc, exceptions.ClientError):
        code, message = error_details(exc)
        return AwsCallError(code, message, getattr(exc, "operation_name", ""))
    if isinstance(exc, exceptions.EndpointConnectionError | exceptions.ConnectionClosedError):
        return _endpoint_problem(endpoint_url, exc)
    if isinstance(exc, exceptions.NoCredentialsError):
        return CredentialsError("No AWS credentials found. Configure them (aws configure, AWS_PROFILE or --profile), "
                                "or use the local emulator: --endpoint-url http://127.0.0.1:4566 (or AWS_ENDPOINT_URL).")
    if isinstance(exc, exceptions.BotoCoreError):
        return AwsError(str(exc))
    return None


class Client:
    """A boto3 client whose calls, paginators and waiters raise claimsctl's errors (see `translated`)."""

    def __init__(self, raw: Any, endpoint_url: str | None = None) -> None:
        self.raw = raw
        self.endpoint_url = endpoint_url

    @property
    def meta(self) -> Any:
        return self.raw.meta

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.raw, name)
        if name in ("get_paginator", "get_waiter"):
            return lambda *args, **kwargs: _Translating(attribute(*args, **kwargs), self.endpoint_url)
        return _calling(attribute, self.endpoint_url) if callable(attribute) else attribute


class _Translating:
    """A paginator or waiter whose pages and waits raise claimsctl's errors."""

    def __init__(self, raw: Any, endpoint_url: str | None) -> None:
        self.raw = raw
        self.endpoint_url = endpoint_url

    def paginate(self, *args: Any, **kwargs: Any) -> Any:
        pages = _calling(self.raw.paginate, self.endpoint_url)(*args, **kwargs)
        return _pages(iter(pages), self.endpoint_url)

    def wait(self, *args: Any, **kwargs: Any) -> Any:
        return _calling(self.raw.wait, self.endpoint_url)(*args, **kwargs)


def _pages(pages: Any, endpoint_url: str | None) -> Any:
    step = _calling(lambda: next(pages, _END), endpoint_url)
    while (page := step()) is not _END:
        yield page


_END = object()


def _calling(method: Any, endpoint_url: str | None) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            ours = translated(exc, endpoint_url)
            if ours is None:
                raise
            raise ours from exc

    return call


def client_of(raw_or_facade: Any, endpoint_url: str | None = None) -> Any:
    """A `Client` for a raw boto3 client (one that is already a Client is returned as it is)."""
    return raw_or_facade if isinstance(raw_or_facade, Client) else Client(raw_or_facade, endpoint_url)

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
EMULATOR_CREDENTIALS = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}


def error_details(exc: Exception) -> tuple[str, str]:
    """(code, message) of an AWS refusal (claimsctl's AwsCallError or botocore's ClientError); for anything
    else ("", str(exc))."""
    if isinstance(exc, AwsCallError):
        return exc.code, exc.message
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code", "")), str(error.get("Message", exc))


def as_claimsctl_error(exc: BaseException) -> ClaimsctlError | None:
    """The last boundary for errors that reached the CLI: a verifier refusal or a botocore error as a
    ClaimsctlError with a message that says what to do; None for anything else (a bug: it keeps its
    traceback)."""
    import sys

    tokens = sys.modules.get("claimsctl_runtime.tokens")  # only loaded once a command has verified something
    if tokens is not None and isinstance(exc, tokens.TokenError):
        return ClaimsctlError(str(exc))
    if "botocore.exceptions" not in sys.modules or not isinstance(exc, Exception):
        return None
    return translated(exc)


def is_local(endpoint_url: str | None) -> bool:
    return bool(endpoint_url) and urlparse(endpoint_url).hostname in LOCAL_HOSTS


DEFAULT_MAX_ATTEMPTS = 8


def max_attempts() -> int:
    """botocore's standard AWS_MAX_ATTEMPTS when set to a whole number from 1 to 20, else 8."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 20 else DEFAULT_MAX_ATTEMPTS


def no_retry_when_refused(raw: Any) -> None:
    """A refused connection is final on a loopback endpoint: nothing listens on that port, and retrying it (as
    botocore does, for AWS's sake) only makes the user wait seconds for the same answer. Other errors (the
    emulator's throttling, a 5xx) keep their retries."""
    from botocore.exceptions import EndpointConnectionError

    def refused(caught_exception: Exception | None = None, **_: Any) -> None:
        if isinstance(caught_exception, EndpointConnectionError):
            raise caught_exception  # final, on every botocore (older ones read a False answer as "retry at once")
        return None  # the other handlers decide

    service = raw.meta.service_model.service_id.hyphenize()
    raw.meta.events.register_first(f"needs-retry.{service}", refused)


@dataclass
class Aws:
    """The AWS target of one run: real AWS through boto3's chain, or the local emulator."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    _session: Any = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.endpoint_url is not None:
            check_endpoint(self.endpoint_url)

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
            raw = self.session().client(service, endpoint_url=self.endpoint_url, config=config)
            if self.local:
                no_retry_when_refused(raw)
            self._clients[service] = Client(raw, self.endpoint_url)
        return self._clients[service]

    def account_id(self) -> str:
        try:
            return str(self.client("sts").get_caller_identity()["Account"])
        except EndpointUnreachable:
            raise
        except AwsError as exc:
            hint = ("Configure them (aws configure, AWS_PROFILE)" if self.endpoint_url
                    else "Configure them (aws configure, AWS_PROFILE) or pass --endpoint-url for the local emulator")
            raise CredentialsError(f"No usable AWS credentials for region {self.region}: {exc}. {hint}.") from exc
