"""moto's per-request work whose answer never changes while the emulator runs, done once.

Found by profiling the sign-in path under load (py-spy --gil, 16 clients): the emulator is one process
and its GIL is the bottleneck, so CPU that moto spends re-deriving constants is throughput lost.

- The backend for a Host: moto's dispatcher lists its package folders (a listdir and a stat per service)
  and tries every URL pattern on each request, under one lock.
- The action methods of a response class: moto calls inspect.getmembers on the class for every request.
- Flask's debug mode, which moto turns on: every request body read builds a new class (a debugging aid
  for form uploads) and exceptions skip Flask's 500 handler. The emulator answers a 500 either way.
- The JSON of the sign-in path's two calls (InitiateAuth, and the trigger's GetItem): moto's serializer
  walks every member of the output shape, trying several spellings of each key (an AttributeValue has ten
  members, tried for every attribute of every item). A result made only of strings, whole numbers,
  booleans, lists and maps whose keys are all members of the shape serializes to the same JSON through
  json.dumps; anything else (a blob, a timestamp, a number with a fraction, a key not in the shape, None)
  goes to moto's serializer as before. tests/local/test_dispatch.py compares the two.
- Flask, for the JSON-protocol calls of Cognito and DynamoDB (POST / with an X-Amz-Target): moto's Flask
  app only routes them to the response class's dispatch and wraps its answer. They go to that dispatch
  directly; a compressed body (which moto's Flask hook decompresses) still takes the Flask route.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from moto.core import responses
from moto.core import utils as moto_utils
from moto.moto_server import werkzeug_app

from claimsctl.local import model_rules, patches

USES = (*model_rules.USES, "moto.core.responses.BaseResponse.dispatch", "moto.core.utils.get_service_model",
        "moto.core.serialize.XFormedAttributePicker", "moto.core.serialize.get_serializer_class",
        "moto.dynamodb.responses.DynamoHandler.dispatch", "moto.cognitoidp.responses.CognitoIdpResponse.dispatch")

# (botocore service name, action) whose successful results are tried as plain JSON first
PLAIN_JSON_ACTIONS = frozenset({("cognito-idp", "InitiateAuth"), ("dynamodb", "GetItem")})
_SCALARS: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,)}


def _remembering_backends(original: Callable[..., Any]) -> Callable[..., Any]:
    found: dict[str, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host is None:
            return None
        if host not in found:
            backend = original(self, host)
            if backend is None:
                return None
            found[host] = backend
        return found[host]

    return get_backend_for_host


def _without_debug(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_backend_app(service: Any) -> Any:
        app = original(service)
        app.debug = False
        return app

    return create_backend_app


def is_plain(value: Any, shape: Any) -> bool:
    """The value is what moto's serializer would write unchanged for this botocore shape."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return isinstance(value, dict) and all(
            name in members and is_plain(member, members[name]) for name, member in value.items())
    if kind == "map":
        return isinstance(value, dict) and all(
            isinstance(key, str) and is_plain(member, shape.value) for key, member in value.items())
    if kind == "list":
        return isinstance(value, list) and all(is_plain(member, shape.member) for member in value)
    allowed = _SCALARS.get(kind)
    if allowed is None:  # blob, timestamp, float, double: moto's serializer formats them
        return False
    return isinstance(value, allowed) and (kind == "boolean" or not isinstance(value, bool))


def _plain_json_first(original: Callable[..., Any]) -> Callable[..., Any]:
    found: dict[tuple[str, str], tuple[Any, str]] = {}

    def output_of(service: str, action: str) -> tuple[Any, str]:
        if (service, action) not in found:
            from moto.core.utils import get_service_model

            model = get_service_model(service)
            found[(service, action)] = (model.operation_model(action).output_shape,
                                        f"application/x-amz-json-{model.metadata['jsonVersion']}")
        return found[(service, action)]

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        key = (self.boto3_service_name, self._get_action())
        if key in PLAIN_JSON_ACTIONS and isinstance(result, dict):
            shape, content_type = output_of(*key)
            if is_plain(result, shape):
                headers = {"Content-Type": content_type}
                headers.update(self.response_headers)
                return 200, headers, json.dumps(result)
        return original(self, action_result)

    return serialized


# X-Amz-Target prefix: (moto package, response class, the service a signed request names in its credential scope,
# whether moto routes it unsigned: Cognito's sign-in calls are unsigned APIs; an unsigned DynamoDB call is not
# DynamoDB's to moto's router)
_DIRECT_TARGET_PREFIXES = {
    "AWSCognitoIdentityProviderService": ("cognitoidp", "CognitoIdpResponse", "cognito-idp", True),
    "DynamoDB_20120810": ("dynamodb", "DynamoHandler", "dynamodb", False)}


@functools.cache
def _dispatcher(package: str, class_name: str) -> Callable[..., Any]:
    import importlib

    return getattr(importlib.import_module(f"moto.{package}.responses"), class_name).dispatch  # type: ignore[no-any-return]


def direct(environ: dict[str, Any]) -> Callable[..., Any] | None:
    """moto's dispatch for this request when it is a JSON-protocol call that needs nothing from Flask."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/" or environ.get("QUERY_STRING") \
            or environ.get("HTTP_CONTENT_ENCODING"):
        return None
    found = _DIRECT_TARGET_PREFIXES.get(target.partition(".")[0])
    if found is None:
        return None
    package, class_name, service, unsigned_routed = found
    authorization = environ.get("HTTP_AUTHORIZATION")
    if (_signed_service(authorization) != service) if authorization else not unsigned_routed:
        return None  # moto routes by the credential scope, and an unsigned call by its own table: leave it to moto
    return _dispatcher(package, class_name)


def _signed_service(authorization: str) -> str:
    """The service of a SigV4 Authorization header's credential scope (Credential=key/date/region/service/...)."""
    scope = authorization.partition("Credential=")[2].partition(",")[0].split("/")
    return scope[3] if len(scope) > 3 else ""


def answer_directly(dispatch: Callable[..., Any], environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """What moto's Flask view would answer: the response class's (status, headers, body) as a response."""
    from botocore.exceptions import ClientError
    from werkzeug.wrappers import Request, Response

    request = Request(environ)
    try:
        status, headers, body = dispatch(request, request.url, dict(request.headers))
    except ClientError as exc:
        status, headers, body = 400, {}, exc.response["Error"]["Message"]
    return Response(response=body, status=status, headers=headers)(environ, start_response)


# Last in extensions.ORDER: the cached method names are those the extensions left on moto's response classes.
PATCHES = (
    patches.wrap(werkzeug_app.DomainDispatcherApplication, "get_backend_for_host", _remembering_backends),
    patches.wrap(werkzeug_app, "create_backend_app", _without_debug),
    patches.replace(responses, "method_names_from_class", functools.cache(moto_utils.method_names_from_class)),
    patches.wrap(responses.BaseResponse, "serialized", _plain_json_first),
    *model_rules.PATCHES,  # every request's parameters checked against botocore's model before moto acts
)
