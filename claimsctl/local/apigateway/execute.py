"""Executes requests to deployed REST APIs, which moto's server does not: routing, authorizers, proxy integrations.

Served at {endpoint}/execute-api/{apiId}/{stage}/{path}. Follows API Gateway's
documented behaviour: a missing identity source is 401 without invoking the
authorizer; an authorizer raising "Unauthorized" is 401, a Deny (or no Allow)
for the method ARN is 403, any other authorizer failure is 500; results are
cached per identity for the authorizer's TTL and the cached policy is applied
to every method; AWS_PROXY integrations get the REST proxy event.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from moto.apigateway.models import RestAPI, apigateway_backends
from werkzeug.wrappers import Request, Response

from claimsctl.local import clock, state, urls
from claimsctl.local.apigateway import cognito_authorizer, limits, snapshots
from claimsctl.local.apigateway.snapshots import DeployedAuthorizer, DeployedMethod, DeployedResource
from claimsctl.local.lambda_runtime import permissions, service
from claimsctl.local.lambda_runtime.permissions import as_list

PREFIX = "/execute-api/"
CACHE_LIMIT = 10_000
STATS: state.Slot[Counter[str]] = state.Slot(Counter)  # what the API did, for benchmarks: invocations, cache hits


def stats() -> dict[str, int]:
    return dict(STATS.get())


@dataclass(frozen=True)
class RouteMatch:
    api: RestAPI
    account_id: str
    region: str
    stage: str
    resource: DeployedResource
    method: DeployedMethod
    path: str
    path_parameters: dict[str, str]
    authorizers: dict[str, DeployedAuthorizer]

    @property
    def method_arn(self) -> str:
        return (f"arn:aws:execute-api:{self.region}:{self.account_id}:{self.api.id}/{self.stage}/"
                f"{self.method.http_method}{self.path}")


class Refusal(Exception):
    """A response API Gateway gives instead of calling the integration."""

    def __init__(self, status: int, error_type: str, body: dict[str, Any]) -> None:
        super().__init__(error_type)
        self.status = status
        self.error_type = error_type
        self.body = body


UNAUTHORIZED = (401, "UnauthorizedException", {"message": "Unauthorized"})
NOT_FOUND = (403, "MissingAuthenticationTokenException", {"message": "Missing Authentication Token"})
DENIED = (403, "AccessDeniedException", {"Message": "User is not authorized to access this resource with an explicit deny"})
NOT_ALLOWED = (403, "AccessDeniedException", {"Message": "User is not authorized to access this resource"})
AUTHORIZER_FAILED = (500, "AuthorizerConfigurationException", {"message": None})
INTEGRATION_FAILED = (502, "InternalServerErrorException", {"message": "Internal server error"})

_CACHE: state.Slot[dict[tuple[str, str, str], tuple[float, dict[str, Any]]]] = state.Slot(dict)
_cache_lock = threading.Lock()


def matches(path: str) -> bool:
    return path.startswith(PREFIX)


def find_api(api_id: str) -> tuple[RestAPI, str, str] | None:
    for account_id, account_backends in dict.items(apigateway_backends):
        for region, backend in dict.items(account_backends):
            if api_id in backend.apis:
                return backend.apis[api_id], account_id, region
    return None


def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    request = Request(environ)
    try:
        _check_limits(limits.refused_request(request))
        target = route(request)
        _check_limits(limits.refused_method_arn(target.method_arn))
        authorizer_context = authorize(target, request)
        response = integrate(target, request, authorizer_context)
    except Refusal as refusal:
        response = Response(json.dumps(refusal.body), status=refusal.status, mimetype="application/json",
                            headers={"x-amzn-ErrorType": refusal.error_type})
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response(environ, start_response)  # type: ignore[no-any-return]


def _check_limits(refused: limits.Refused | None) -> None:
    if refused is not None:
        raise Refusal(*refused)


# -- routing -------------------------------------------------------------------------------


def _match(template: str, path: str) -> dict[str, str] | None:
    want, have = template.strip("/").split("/"), path.strip("/").split("/")
    params: dict[str, str] = {}
    for index, part in enumerate(want):
        if part.endswith("+}"):
            params[part[1:-2]] = "/".join(have[index:])
            return params if index < len(have) else None
        if index >= len(have):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = have[index]
        elif part != have[index]:
            return None
    return params if len(want) == len(have) else None


def route(request: Request) -> RouteMatch:
    """The deployed method a request names. API Gateway serves a stage from its deployment's snapshot, so a
    resource or method added after that deployment is not found: 403 Missing Authentication Token, as for a
    path or stage the API does not have. An unknown API is 403 Forbidden."""
    _, _, rest = request.path.partition(PREFIX)
    api_id, _, rest = rest.partition("/")
    stage, _, path = rest.partition("/")
    found = find_api(api_id)
    if found is None:
        raise Refusal(403, "ForbiddenException", {"message": "Forbidden"})
    api, account_id, region = found
    snapshot = snapshots.served(api, stage)
    if snapshot is None:
        raise Refusal(*NOT_FOUND)
    path = "/" + path
    candidates = sorted(snapshot.resources, key=lambda r: r.get_path().count("{"))
    for resource in candidates:
        params = _match(resource.get_path(), path)
        if params is None:
            continue
        method = resource.resource_methods.get(request.method) or resource.resource_methods.get("ANY")
        if method is None:
            raise Refusal(*NOT_FOUND)
        return RouteMatch(api, account_id, region, stage, resource, method, path, params, snapshot.authorizers)
    raise Refusal(*NOT_FOUND)


# -- authorization ---------------------------------------------------------------------------


def _identity(authorizer: Any, request: Request) -> str | None:
    """The identity source values joined, or None when one is missing (API Gateway then answers 401)."""
    values = []
    for source in (authorizer.identity_source or "method.request.header.Authorization").split(","):
        source = source.strip()
        if source.startswith("method.request.header."):
            value = request.headers.get(source.removeprefix("method.request.header."))
        elif source.startswith("method.request.querystring."):
            value = request.args.get(source.removeprefix("method.request.querystring."))
        else:
            value = None
        if not value:
            return None
        values.append(value)
    return "\x1f".join(values)


def authorize(target: RouteMatch, request: Request) -> dict[str, Any]:
    """The requestContext.authorizer for the integration, or a Refusal."""
    kind = (target.method.authorization_type or "NONE").upper()
    if kind == "NONE":
        return {}
    authorizer = target.authorizers.get(target.method.authorizer_id or "")
    if authorizer is None:
        raise Refusal(*AUTHORIZER_FAILED)
    identity = _identity(authorizer, request)
    if identity is None or not _passes_validation(authorizer, identity):
        raise Refusal(*UNAUTHORIZED)
    if kind == "COGNITO_USER_POOLS":
        claims = cognito_authorizer.verify(authorizer, target.method, identity)
        if claims is None:
            raise Refusal(*UNAUTHORIZED)
        return {"claims": {name: _claim_text(name, value) for name, value in claims.items()}}
    result = _lambda_authorizer_result(target, request, authorizer, identity)
    _check_policy(result, target.method_arn)
    context = result.get("context") or {}
    if not isinstance(context, dict) or not all(_is_scalar(v) for v in context.values()):
        raise Refusal(*AUTHORIZER_FAILED)  # API Gateway: context values must be strings, numbers or booleans
    return {**{k: _stringify(v) for k, v in context.items()}, "principalId": str(result.get("principalId", ""))}


def _claim_text(name: str, value: Any) -> str:
    """A claim as a REST API's Cognito authorizer passes it on: every value a string; lists comma-joined
    (cognito:groups "admins,users"); exp and iat as dates ("Fri Jul 29 18:52:53 UTC 2016")."""
    if name in ("exp", "iat") and isinstance(value, int):
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
    if isinstance(value, list):
        return ",".join(_stringify(v) for v in value)
    return value if isinstance(value, str) else _stringify(value) if not isinstance(value, dict) else json.dumps(value)


def _passes_validation(authorizer: Any, identity: str) -> bool:
    """A TOKEN authorizer's identityValidationExpression must match the whole token, or API Gateway answers 401
    without invoking the authorizer."""
    expression = getattr(authorizer, "identity_validation_expression", None)
    if not expression or (authorizer.type or "TOKEN").upper() != "TOKEN":
        return True
    try:
        return re.fullmatch(expression, identity.split("\x1f")[0]) is not None
    except re.error:
        return False


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def forget_cached_decisions() -> None:
    """Empty the authorizer result cache (a test kit's restore)."""
    with _cache_lock:
        _CACHE.get().clear()


def _lambda_authorizer_result(target: RouteMatch, request: Request, authorizer: Any, identity: str) -> dict[str, Any]:
    ttl = int(authorizer.authorizer_result_ttl if authorizer.authorizer_result_ttl is not None else 300)
    key = (target.api.id, authorizer.id, identity)
    _cache = _CACHE.get()
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] > clock.monotonic():
        STATS.get()["authorizer_cache_hits"] += 1
        return cached[1]
    result = _invoke_authorizer(target, request, authorizer, identity)
    if ttl > 0:
        with _cache_lock:
            if len(_cache) >= CACHE_LIMIT:
                _cache.clear()
            _cache[key] = (clock.monotonic() + ttl, result)
    return result


def _authorizer_event(target: RouteMatch, request: Request, authorizer: Any, identity: str) -> dict[str, Any]:
    if (authorizer.type or "TOKEN").upper() == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": identity.split("\x1f")[0], "methodArn": target.method_arn}
    event = proxy_event(target, request, {})
    return {"type": "REQUEST", "methodArn": target.method_arn, **{k: v for k, v in event.items() if k != "body"}}


def _invoke_authorizer(target: RouteMatch, request: Request, authorizer: Any, identity: str) -> dict[str, Any]:
    source_arn = f"arn:aws:execute-api:{target.region}:{target.account_id}:{target.api.id}/authorizers/{authorizer.id}"
    function = _function(authorizer.authorizer_uri, target, source_arn)
    if function is None:
        raise Refusal(*AUTHORIZER_FAILED)
    STATS.get()["authorizer_invocations"] += 1
    event = _authorizer_event(target, request, authorizer, identity)
    invocation = service.invoke_function(function, json.dumps(event).encode())
    error = invocation.error()
    if error is not None:
        raise Refusal(*(UNAUTHORIZED if error.get("errorMessage") == "Unauthorized" else AUTHORIZER_FAILED))
    try:
        result = json.loads(invocation.payload)
    except ValueError:
        raise Refusal(*AUTHORIZER_FAILED) from None
    if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
        raise Refusal(*AUTHORIZER_FAILED)
    return result


def evaluate(policy: dict[str, Any], method_arn: str) -> str:
    """'deny' if a Deny statement matches, else 'allow' if an Allow does, else 'none'."""
    verdict = "none"
    for statement in as_list(policy.get("Statement") or []):
        actions = as_list(statement.get("Action", []))
        if not any(iam_match(str(a), "execute-api:Invoke", case_sensitive=False) for a in actions):
            continue
        if not any(iam_match(str(r), method_arn) for r in as_list(statement.get("Resource", []))):
            continue
        if statement.get("Effect") == "Deny":
            return "deny"
        if statement.get("Effect") == "Allow":
            verdict = "allow"
    return verdict


def iam_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` one character, nothing else special (no [..] classes).
    Actions match case-insensitively, resources case-sensitively."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def _check_policy(result: dict[str, Any], method_arn: str) -> None:
    policy = result.get("policyDocument")
    if not isinstance(policy, dict):
        raise Refusal(*AUTHORIZER_FAILED)
    verdict = evaluate(policy, method_arn)
    if verdict == "deny":
        raise Refusal(*DENIED)
    if verdict != "allow":
        raise Refusal(*NOT_ALLOWED)


# -- integration ---------------------------------------------------------------------------


def _function(uri: str | None, target: RouteMatch, source_arn: str) -> Any:
    """The Lambda function an apigateway ...:lambda:path/.../functions/{arn}/invocations URI names, if invokable."""
    arn = (uri or "").partition("/functions/")[2].removesuffix("/invocations")
    if not arn:
        return None
    function = service.find_function(target.account_id, arn, target.region)
    if function is None or not permissions.permits(function, "apigateway.amazonaws.com", source_arn, target.account_id):
        return None
    return function


def proxy_event(target: RouteMatch, request: Request, authorizer_context: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in request.headers.items()}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        multi_headers.setdefault(name, []).append(value)
    query = {k: request.args.getlist(k)[-1] for k in request.args}
    body = request.get_data(as_text=True)
    now = clock.now()
    return {
        "resource": target.resource.get_path(), "path": target.path, "httpMethod": request.method,
        "headers": headers or None, "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: request.args.getlist(k) for k in request.args} or None,
        "pathParameters": target.path_parameters or None, "stageVariables": None,
        "requestContext": {
            "resourceId": target.resource.id, "resourcePath": target.resource.get_path(),
            "httpMethod": request.method, "path": f"/{target.stage}{target.path}", "accountId": target.account_id,
            "protocol": "HTTP/1.1", "stage": target.stage, "domainPrefix": target.api.id,
            "requestTimeEpoch": int(now * 1000), "requestId": str(uuid.uuid4()), "apiId": target.api.id,
            "domainName": f"{target.api.id}.execute-api.{target.region}.amazonaws.com",
            "identity": _identity_context(request),
            "authorizer": authorizer_context or None,
        },
        "body": body or None, "isBase64Encoded": False,
    }


IDENTITY_KEYS = ("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId",
                 "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent",
                 "user", "apiKey", "apiKeyId", "clientCert")


def _identity_context(request: Request) -> dict[str, Any]:
    """requestContext.identity as API Gateway sends it: every key, null where it does not apply."""
    identity: dict[str, Any] = dict.fromkeys(IDENTITY_KEYS)
    identity.update(sourceIp=request.remote_addr, userAgent=request.headers.get("User-Agent"))
    return identity


def integrate(target: RouteMatch, request: Request, authorizer_context: dict[str, Any]) -> Response:
    integration = target.method.method_integration
    if integration is None or (integration.integration_type or "").upper() != "AWS_PROXY":
        raise Refusal(500, "InternalServerErrorException",
                      {"message": "The local emulator executes AWS_PROXY Lambda integrations only"})
    function = _function(integration.uri, target, target.method_arn)
    if function is None:
        raise Refusal(500, "InternalServerErrorException", {"message": "Internal server error"})
    STATS.get()["integration_invocations"] += 1
    invocation = service.invoke_function(function, json.dumps(proxy_event(target, request, authorizer_context)).encode(),
                                         timeout=29.0)
    if invocation.function_error:
        raise Refusal(*INTEGRATION_FAILED)
    return _proxy_response(invocation.payload)


def _proxy_response(payload: bytes) -> Response:
    try:
        result = json.loads(payload)
        status = int(result["statusCode"])
    except (ValueError, KeyError, TypeError):
        raise Refusal(*INTEGRATION_FAILED) from None
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise Refusal(*INTEGRATION_FAILED)
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=status)
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    return response


urls.register("execute-api", find_api)
