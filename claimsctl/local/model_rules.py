"""Input rules from botocore's service model, checked for every request before moto sees it.

AWS checks each request against the constraints of its API model (the same model botocore ships): required
members, string lengths and patterns, enums, number ranges, list and map sizes, at every depth. moto checks a
few of them by hand, call by call. Here one layer does all of them, for every operation of the services in
`ERRORS`: moto parses the request with its botocore-model parser (for every protocol: JSON, REST-JSON, query),
the parameters are walked against the operation's input shape, and a request that breaks a rule is answered
with the service's own error and AWS's wording, naming each parameter path:

    1 validation error detected: Value 'bad!name' at 'name' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+

- A member the model marks `sensitive` (a password, a secret hash, a token) is named without its value
  ("Value at 'password' failed to satisfy constraint: ..."), as AWS answers.
- botocore's patterns are Java regular expressions, matched whole (Java's `matches`): `\\w`, `\\s` and `\\d`
  are ASCII, `\\p{L}` and the other Unicode classes are Unicode, nested sets are allowed, and a UTF-16
  surrogate pair range (DynamoDB's `\\uD800\\uDC00-\\uDBFF\\uDFFF`) means the code points above U+FFFF. The
  `regex` module (VERSION1: nested sets, `\\p{...}`) reads them once `\\w`, `\\s`, `\\d` are written out
  as ASCII sets and surrogate pairs as code points; a pattern it cannot compile is not checked (none in the
  services below, which tests/emulator/test_model_rules.py asserts).
- Compiled patterns and each operation's input shape are cached; benchmarks/model_rules.py measures the
  added time per call.

S3 is left out: its model has almost no constraints (bucket naming rules are not in it) and moto's S3
checks what it has.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import regex
from moto.core.responses import BaseResponse

from claimsctl.local import patches

USES = ("moto.core.parse.PROTOCOL_PARSERS", "moto.core.request.normalize_request",
        "moto.core.request.determine_request_protocol", "moto.core.utils.get_service_model")

# botocore service name -> the error its service answers a model violation with
ERRORS: dict[str, str] = {
    "cognito-idp": "InvalidParameterException",
    "apigateway": "BadRequestException",
    "dynamodb": "ValidationException",
    "lambda": "ValidationException",
    "cloudformation": "ValidationError",
}
_SURROGATE_PAIR = re.compile(r"\\u(D[89AB][0-9A-F]{2})\\u(D[C-F][0-9A-F]{2})", re.IGNORECASE)
_REFUSAL = "_claimsctl_model_refusal"


def _code_point(match: re.Match[str]) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"


# Java's \\w, \\d and \\s are ASCII classes (Python's are Unicode): written out, as a set of their own outside a
# bracket expression, as members (or a nested set, for the negated ones) inside one.
_JAVA_CLASSES = {"w": "0-9A-Za-z_", "d": "0-9", "s": " \\t\\n\\x0B\\f\\r"}


def java_to_regex(pattern: str) -> str:
    """A Java regular expression in the `regex` module's VERSION1 syntax (nested sets, as Java has)."""
    pattern = _SURROGATE_PAIR.sub(_code_point, pattern)
    out, depth, index = [], 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            letter = pattern[index + 1]
            members = _JAVA_CLASSES.get(letter.lower())
            if members is None:
                out.append(pattern[index:index + 2])
            elif letter.islower():
                out.append(members if depth else f"[{members}]")
            else:
                out.append(f"[^{members}]")
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        index += 1
    return "".join(out)


@functools.cache
def compiled(pattern: str) -> Any:
    """The Java pattern as a `regex` pattern, or None when it cannot be read."""
    try:
        return regex.compile(java_to_regex(pattern), regex.V1)
    except regex.error:
        return None


def _member_path(parent: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{parent}.{member}" if parent else member


def _shown(value: Any) -> str:
    """A value as AWS's messages print it (Java's toString)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_shown(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    return str(value)


def _sensitive(shape: Any) -> bool:
    return bool(shape.metadata.get("sensitive"))


def _scalar_problems(shape: Any, value: Any) -> Iterator[str]:
    """The constraints a string, number or blob breaks (AWS's wording)."""
    metadata = shape.metadata
    kind = shape.type_name
    if kind == "string" and isinstance(value, str):
        yield from _length_problems(metadata, len(value))
        pattern = metadata.get("pattern")
        matcher = compiled(pattern) if pattern else None
        if matcher is not None and matcher.fullmatch(value) is None:
            yield f"Member must satisfy regular expression pattern: {pattern}"
        if shape.enum and value not in shape.enum:
            yield f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        if "max" in metadata and value > metadata["max"]:
            yield f"Member must have value less than or equal to {metadata['max']}"
        if "min" in metadata and value < metadata["min"]:
            yield f"Member must have value greater than or equal to {metadata['min']}"
    elif kind == "blob" and isinstance(value, (bytes, bytearray)):
        yield from _length_problems(metadata, len(value))


def _length_problems(metadata: dict[str, Any], length: int) -> Iterator[str]:
    if "max" in metadata and length > metadata["max"]:
        yield f"Member must have length less than or equal to {metadata['max']}"
    if "min" in metadata and length < metadata["min"]:
        yield f"Member must have length greater than or equal to {metadata['min']}"


def _is_scalar(shape: Any) -> bool:
    return shape.type_name not in ("structure", "list", "map")


class _Walk:
    """Collects AWS's `Value ... at '...' failed to satisfy constraint: ...` lines for one request."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, path: str, value: Any, hidden: bool, constraint: str) -> None:
        shown = "Value" if hidden else ("Value null" if value is None else f"Value '{_shown(value)}'")
        self.errors.append(f"{shown} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape: Any, value: Any, path: str, hidden: bool) -> None:
        hidden = hidden or _sensitive(shape)
        kind = shape.type_name
        if kind == "structure":
            self._structure(shape, value, path, hidden)
        elif kind == "list":
            self._list(shape, value, path, hidden)
        elif kind == "map":
            self._map(shape, value, path, hidden)
        else:
            for problem in _scalar_problems(shape, value):
                self.add(path, value, hidden, problem)

    def _structure(self, shape: Any, value: Any, path: str, hidden: bool) -> None:
        if not hasattr(value, "get"):
            return
        required = set(shape.required_members)
        for name, member in shape.members.items():
            found = value.get(name)
            member_path = _member_path(path, name)
            if found is None:
                if name in required:
                    self.add(member_path, None, False, "Member must not be null")
                continue
            self.check(member, found, member_path, hidden)

    def _list(self, shape: Any, value: Any, path: str, hidden: bool) -> None:
        if not isinstance(value, list):
            return
        for problem in _length_problems(shape.metadata, len(value)):
            self.add(path, value, hidden or not all(map(_is_plain, value)), problem)
        member = shape.member
        if _is_scalar(member):  # AWS names the list, with every constraint its members break
            broken = sorted({problem for item in value for problem in _scalar_problems(member, item)})
            if broken:
                self.add(path, value, hidden or _sensitive(member),
                         f"Member must satisfy constraint: [{', '.join(broken)}]")
            return
        for index, item in enumerate(value, start=1):
            self.check(member, item, f"{path}.{index}.member", hidden)

    def _map(self, shape: Any, value: Any, path: str, hidden: bool) -> None:
        if not isinstance(value, dict):
            return
        for problem in _length_problems(shape.metadata, len(value)):
            self.add(path, value, True, problem)
        keys = sorted({problem for key in value for problem in _scalar_problems(shape.key, key)})
        if keys:
            self.add(path, value, True, f"Map keys must satisfy constraint: [{', '.join(keys)}]")
        if _is_scalar(shape.value):
            broken = sorted({problem for item in value.values() for problem in _scalar_problems(shape.value, item)})
            if broken:
                self.add(path, value, True, f"Map value must satisfy constraint: [{', '.join(broken)}]")
            return
        for key, item in value.items():
            self.check(shape.value, item, f"{path}.{key}", hidden)


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def violations(shape: Any, params: Any) -> list[str]:
    """AWS's lines for every model rule `params` breaks, in the order of the shape's members."""
    walk = _Walk()
    walk.check(shape, params, "", False)
    return walk.errors


def message(errors: list[str]) -> str:
    count = len(errors)
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors)


@functools.cache
def _input_shape(service: str, action: str) -> Any:
    from botocore.model import OperationNotFoundError
    from moto.core.utils import get_service_model

    try:
        return get_service_model(service).operation_model(action).input_shape
    except OperationNotFoundError:
        return None


def _parsed(response: BaseResponse, request: Any, action: str) -> Any:
    """The request's parameters as moto's botocore-model parser reads them (None when it cannot)."""
    if getattr(response, "params", None) is not None and response.automated_parameter_parsing:
        return response.params
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import determine_request_protocol, normalize_request
    from moto.core.utils import get_service_model

    try:
        normalized = normalize_request(request)
        model = get_service_model(response.boto3_service_name)
        protocol = determine_request_protocol(model, normalized.content_type)
        parser = PROTOCOL_PARSERS[protocol](model.operation_model(action), map_type=dict)
        return parser.parse({"method": normalized.method, "values": normalized.values,
                             "headers": normalized.headers, "body": normalized.data, "url_path": normalized.path,
                             "url_params": response.uri_match.groupdict() if response.uri_match else {}})
    except Exception:  # noqa: BLE001 - a body moto cannot parse is moto's to answer, as before
        return None


def refusal(response: BaseResponse, request: Any) -> str | None:
    """AWS's message for the model rules this request breaks; None when it keeps them (or is not checked)."""
    service = response.boto3_service_name
    if service not in ERRORS:
        return None
    action = response._get_action()
    shape = _input_shape(service, action) if action else None
    if shape is None:
        return None
    params = _parsed(response, request, action)
    if params is None:
        return None
    errors = violations(shape, params)
    return message(errors) if errors else None


def refusal_of(service: str, action: str, params: dict[str, Any]) -> str | None:
    """AWS's message for the model rules these parameters of `action` break (for callers that reach a backend
    without a request: CloudFormation's resource handlers); None when they keep them."""
    shape = _input_shape(service, action)
    errors = violations(shape, params) if shape is not None else []
    return message(errors) if errors else None


def _error(service: str, text: str) -> Exception:
    code = ERRORS[service]
    if service == "cloudformation":
        from moto.cloudformation.exceptions import ValidationError

        return ValidationError(message=text)
    if service == "dynamodb":
        from moto.dynamodb.exceptions import MockValidationException

        return MockValidationException(text)
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, text)


def _checking_setup(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def setup_class(self: BaseResponse, request: Any, full_url: str, headers: Any, *args: Any, **kwargs: Any) -> None:
        original(self, request, full_url, headers, *args, **kwargs)
        setattr(self, _REFUSAL, refusal(self, request))

    return setup_class


def _refusing(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call_action(self: BaseResponse) -> Any:
        text = getattr(self, _REFUSAL, None)
        if text is None:
            return original(self)
        return _answer(self, _error(self.boto3_service_name, text))

    return call_action


def _answer(response: BaseResponse, error: Exception) -> Any:
    """The error as moto's call_action answers an exception its action method raised."""
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult

    if isinstance(error, ServiceException):
        status, headers, body = response.serialized(ActionResult(error))
        return status, headers, body
    from werkzeug.exceptions import HTTPException

    assert isinstance(error, HTTPException)
    error_headers: dict[str, Any] = dict(error.get_headers() or [])
    error_headers["status"] = error.code
    status, headers, body = response._transform_response(response.response_headers, (error.description, error_headers))
    headers, body = response._enrich_response(headers, body)
    return status, headers, body


PATCHES = (
    patches.wrap(BaseResponse, "setup_class", _checking_setup),
    patches.wrap(BaseResponse, "call_action", _refusing),
)
