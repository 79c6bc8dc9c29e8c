"""The stack's Lambda logs, from CloudWatch Logs, by the names a user knows (trigger, authorizer, items,
check-user-access, standard-items): read once since a moment, or followed by polling until interrupted.

A line that holds something shaped like a JWT shows it as [token redacted]: the shipped handlers log no token,
and a handler of the user's own that does should not put one on a terminal or in a pasted bug report."""

from __future__ import annotations

import collections
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimsctl.errors import ClaimsctlError

if TYPE_CHECKING:
    from claimsctl.aws import Aws

# The template's function resources (templates/partials/function.yaml.j2: {name}Function), by the name a user knows.
KNOWN_NAMES = {"PreTokenGenerationFunction": "trigger", "AuthorizerFunction": "authorizer",
               "ProjectItemsFunction": "items", "CheckUserAccessFunction": "check-user-access",
               "StandardItemsFunction": "standard-items"}
FUNCTION_TYPE = "AWS::Lambda::Function"
MAX_LINES = 10_000  # the newest lines `logs` prints (and holds) without --follow
SINCE = re.compile(r"(\d{1,6})([smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class LogLine:
    function: str  # the name a user knows
    timestamp_ms: int
    message: str
    event_id: str = ""


def since_seconds(text: str) -> int:
    """--since: a number and a unit (30s, 10m, 2h, 1d)."""
    found = SINCE.fullmatch(text.strip())
    if not found:
        raise ClaimsctlError(f"--since {text!r} is not a duration: write a number and a unit, e.g. 30s, 10m, 2h, 1d.")
    return int(found.group(1)) * UNIT_SECONDS[found.group(2)]


def _friendly(logical_id: str) -> str:
    if logical_id in KNOWN_NAMES:
        return KNOWN_NAMES[logical_id]
    stem = logical_id.removesuffix("Function")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", stem).lower()


def functions(aws: Aws, stack_name: str) -> dict[str, str]:
    """{the name a user knows: the deployed function's name} of every function of the stack."""
    pages = aws.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack_name)
    found = {_friendly(resource["LogicalResourceId"]): str(resource["PhysicalResourceId"])
             for page in pages for resource in page["StackResourceSummaries"]
             if resource["ResourceType"] == FUNCTION_TYPE and resource.get("PhysicalResourceId")}
    return dict(sorted(found.items()))


def chosen(found: dict[str, str], name: str | None, stack_name: str) -> dict[str, str]:
    """The functions to read: all of them, or the one named (by the name a user knows, or the function's own)."""
    if name is None:
        return found
    for known, function in found.items():
        if name in (known, function):
            return {known: function}
    choices = ", ".join(found) or "none: is the stack deployed?"
    raise ClaimsctlError(f"Stack {stack_name} has no function named {name!r}; choose one of: {choices}.")


def redacted(message: str) -> str:
    return JWT.sub("[token redacted]", message)


def _read(aws: Aws, name: str, function: str, start_ms: int) -> list[LogLine]:
    from claimsctl.aws import AwsCallError

    pages = aws.client("logs").get_paginator("filter_log_events").paginate(
        logGroupName=f"/aws/lambda/{function}", startTime=start_ms)
    try:
        newest = collections.deque((LogLine(name, int(event["timestamp"]), redacted(str(event.get("message", "")).rstrip("\n")),
                                            str(event.get("eventId", "")))
                                    for page in pages for event in page.get("events", [])), maxlen=MAX_LINES)
        return list(newest)
    except AwsCallError as exc:
        if exc.not_found:  # the function has not run yet: no log group
            return []
        raise


def read(aws: Aws, chosen_functions: dict[str, str], start_ms: int) -> list[LogLine]:
    """The lines the chosen functions logged since `start_ms`, oldest first: the newest MAX_LINES of them, so
    memory stays bounded however far back --since reaches."""
    lines = [line for name, function in chosen_functions.items() for line in _read(aws, name, function, start_ms)]
    return sorted(lines, key=lambda line: line.timestamp_ms)[-MAX_LINES:]


def follow(aws: Aws, chosen_functions: dict[str, str], start_ms: int, poll_seconds: float,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[LogLine]:
    """The lines since `start_ms`, then each new one as it comes, polling every `poll_seconds` (until the
    caller stops: Ctrl-C). Each line once: a poll starts at the newest timestamp seen, whose lines it skips."""
    seen: set[tuple[str, str, int, str]] = set()
    while True:
        newest = start_ms
        for line in read(aws, chosen_functions, start_ms):
            key = (line.function, line.event_id, line.timestamp_ms, line.message)
            newest = max(newest, line.timestamp_ms)
            if key not in seen:
                seen.add(key)
                yield line
        seen = {key for key in seen if key[2] >= newest}  # only the newest millisecond can come back
        start_ms = newest
        sleep(poll_seconds)
