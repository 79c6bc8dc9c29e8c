"""HTTP side of the emulator's hosted UI: routes, the login page, redirects, CORS, OpenID discovery.

On AWS the hosted UI lives at https://{domain}.auth.{region}.amazoncognito.com;
on the emulator at {endpoint}/hosted-ui/{domain}, with the same paths below it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from moto.core.exceptions import JsonRESTError
from werkzeug.wrappers import Request, Response

from claimsctl.local import urls
from claimsctl.local.cognito import pools, totp
from claimsctl.local.hosted_ui import mfa, oauth, sessions
from claimsctl.local.hosted_ui.errors import OAuthError
from claimsctl.local.urls import hosted_ui_base

PREFIX = "/hosted-ui/"
_DISCOVERY = re.compile(r"^/(?P<pool>[\w-]+_[0-9A-Za-z]+)/\.well-known/openid-configuration$")
_HOSTED = re.compile(r"^/hosted-ui/(?P<domain>[a-z0-9-]+)(?P<path>/.*)$")

def matches(path: str) -> bool:
    return path.startswith(PREFIX) or _DISCOVERY.match(path) is not None


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    request = Request(environ)
    response = _dispatch(request)
    if request.path.endswith(("/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo", "/openid-configuration")):
        _cors(response, request)
    if response.mimetype == "text/html":  # the sign-in pages are never framed (clickjacking)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response(environ, start_response)  # type: ignore[no-any-return]


def _cors(response: Response, request: Request) -> None:
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Vary"] = "Origin"


def _dispatch(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    discovery = _DISCOVERY.match(request.path)
    if discovery:
        return _discovery(discovery.group("pool"))
    hosted = _HOSTED.match(request.path)
    pool = pools.for_domain(hosted.group("domain")) if hosted else None
    if hosted is None or pool is None:
        return _page("Not found", "This hosted UI domain does not exist.", 404)
    domain, path = hosted.group("domain"), hosted.group("path")
    handlers: dict[tuple[str, str], Callable[[Any, str, Request], Response]] = {
        ("GET", "/oauth2/authorize"): _authorize,
        ("GET", "/login"): _login_form,
        ("POST", "/login"): _login,
        ("POST", "/mfa"): _mfa,
        ("POST", "/oauth2/token"): _token,
        ("POST", "/oauth2/revoke"): _revoke,
        ("GET", "/oauth2/userInfo"): _user_info,
        ("GET", "/logout"): _logout,
    }
    handler = handlers.get((request.method, path))
    if handler is None:
        return _page("Not found", f"No {request.method} {path} on the hosted UI.", 404)
    return handler(pool, domain, request)


def _discovery(pool_id: str) -> Response:
    pool = pools.by_id(pool_id)
    if pool is None:
        return _json({"message": f"User pool {pool_id} does not exist."}, 404)
    issuer = f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}"
    document: dict[str, Any] = {
        "issuer": issuer, "jwks_uri": f"{urls.endpoint()}/{pool.id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": sorted(oauth.OIDC_SCOPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }
    domain = pool.domain
    if domain is not None:
        base = hosted_ui_base(domain.domain)
        document.update(authorization_endpoint=f"{base}/oauth2/authorize", token_endpoint=f"{base}/oauth2/token",
                        userinfo_endpoint=f"{base}/oauth2/userInfo", end_session_endpoint=f"{base}/logout",
                        revocation_endpoint=f"{base}/oauth2/revoke")
    return _json(document)


def _redirect(location: str) -> Response:
    return Response(status=302, headers={"Location": location})


def _with_query(uri: str, params: Mapping[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _error_redirect(authorize: oauth.AuthorizeRequest, code: str, description: str) -> Response:
    """Errors the app can handle go back to its redirect URI, as Cognito sends them."""
    return _redirect(_with_query(authorize.redirect_uri, {"error": code, "error_description": description,
                                                          "state": authorize.state}))


def _authorize(pool: Any, domain: str, request: Request) -> Response:
    authorize = oauth.AuthorizeRequest.from_params(dict(request.args))
    try:
        client = oauth.check_authorize(pool, authorize)
    except oauth.PageError as exc:
        return _page("Error", str(exc), 400)
    except OAuthError as exc:
        return _error_redirect(authorize, exc.code, exc.description)
    signed_in = sessions.user_of(request.cookies.get(sessions.COOKIE), pool.id)
    if signed_in and request.args.get("prompt") != "login":
        return _complete(pool, client, authorize, signed_in, session_id=None)
    return _redirect(_with_query(f"{hosted_ui_base(domain)}/login", authorize.as_params()))


def _complete(pool: Any, client: Any, authorize: oauth.AuthorizeRequest, username: str,
              session_id: str | None) -> Response:
    """Issue tokens (through the trigger) and send them, or the trigger's error, to the redirect URI."""
    try:
        tokens = oauth.issue_tokens(pool, authorize.client_id, username, oauth.granted(client, authorize),
                                    authorize.nonce)
    except JsonRESTError as exc:
        return _error_redirect(authorize, "invalid_request", exc.message)
    if authorize.response_type == "code":
        code = oauth.store_code(pool, authorize, tokens)
        response = _redirect(_with_query(authorize.redirect_uri, {"code": code, "state": authorize.state}))
    else:
        fragment = {k: tokens.get(k) for k in ("id_token", "access_token")}
        fragment.update({"token_type": tokens["token_type"], "expires_in": str(tokens["expires_in"]),
                         "state": authorize.state})
        response = _redirect(f"{authorize.redirect_uri}#{urlencode({k: v for k, v in fragment.items() if v is not None})}")
    if session_id:
        response.set_cookie(sessions.COOKIE, session_id, max_age=sessions.LIFETIME_SECONDS, httponly=True,
                            samesite="Lax", path="/hosted-ui/")
    return response


def _login_form(pool: Any, domain: str, request: Request, error: str | None = None, username: str = "") -> Response:
    authorize = oauth.AuthorizeRequest.from_params(dict(request.values))
    try:
        client = oauth.check_authorize(pool, authorize)
    except (oauth.PageError, OAuthError) as exc:
        return _page("Error", str(exc), 400)
    from claimsctl.local.hosted_ui import page

    html = page.login(action=f"{hosted_ui_base(domain)}/login", params=authorize.as_params(),
                      client_name=client.extended_config.get("ClientName") or client.id, error=error, username=username)
    return Response(html, status=400 if error else 200, mimetype="text/html")


def _login(pool: Any, domain: str, request: Request) -> Response:
    authorize = oauth.AuthorizeRequest.from_params(dict(request.form))
    username = request.form.get("username", "")
    try:
        client = oauth.check_authorize(pool, authorize)
        name = oauth.authenticate(pool, username, request.form.get("password", ""))
    except (oauth.PageError, OAuthError) as exc:
        return _page("Error", str(exc), 400)
    except ValueError as exc:
        return _login_form(pool, domain, request, str(exc), username)
    if totp.requires_challenge(pool, name):  # never tokens without the second factor
        step_id, step = mfa.start(pool, name, authorize.as_params())
        return _mfa_form(domain, step_id, step, None)
    return _complete(pool, client, authorize, name, sessions.start(pool.id, name))


def _mfa_form(domain: str, step_id: str, step: mfa.MfaStep, error: str | None) -> Response:
    from claimsctl.local.hosted_ui import page

    html = page.mfa(action=f"{hosted_ui_base(domain)}/mfa", params={**step.params, "mfa_step": step_id},
                    key=step.secret, error=error)
    return Response(html, status=400 if error else 200, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _mfa(pool: Any, domain: str, request: Request) -> Response:
    step_id = request.form.get("mfa_step", "")
    try:
        step = mfa.answer(step_id, pool, request.form.get("code", ""))
    except LookupError as exc:
        return _page("Sign-in expired", str(exc), 400)
    except ValueError as exc:
        found = mfa.find(step_id, pool.id)
        return _mfa_form(domain, step_id, found, str(exc)) if found else _page("Sign-in expired", str(exc), 400)
    authorize = oauth.AuthorizeRequest.from_params(step.params)
    try:
        client = oauth.check_authorize(pool, authorize)
    except (oauth.PageError, OAuthError) as exc:
        return _page("Error", str(exc), 400)
    return _complete(pool, client, authorize, step.username, sessions.start(pool.id, step.username))


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


def _token(pool: Any, domain: str, request: Request) -> Response:
    try:
        return _json(oauth.token_endpoint(pool, dict(request.form), _basic_auth(request)))
    except OAuthError as exc:
        return _json({"error": exc.code, "error_description": exc.description}, exc.status)
    except JsonRESTError as exc:
        return _json({"error": "invalid_request", "error_description": exc.message}, 400)


def _revoke(pool: Any, domain: str, request: Request) -> Response:
    try:
        oauth.revoke_endpoint(pool, dict(request.form), _basic_auth(request))
    except OAuthError as exc:
        return _json({"error": exc.code, "error_description": exc.description}, exc.status)
    return Response(b"", status=200, headers={"Cache-Control": "no-store"})


def _user_info(pool: Any, domain: str, request: Request) -> Response:
    header = request.headers.get("Authorization", "")
    try:
        if not header.startswith("Bearer "):
            raise OAuthError("invalid_token", "Authorization: Bearer <access token> is required", 401)
        return _json(oauth.user_info(pool, header[7:]))
    except OAuthError as exc:
        response = _json({"error": exc.code, "error_description": exc.description}, exc.status)
        response.headers["WWW-Authenticate"] = f'Bearer error="{exc.code}"'
        return response


def _logout(pool: Any, domain: str, request: Request) -> Response:
    logout_uri = request.args.get("logout_uri", "")
    try:
        oauth.check_logout(pool, request.args.get("client_id", ""), logout_uri)
    except oauth.PageError as exc:
        return _page("Error", str(exc), 400)
    sessions.end(request.cookies.get(sessions.COOKIE))
    response = _redirect(logout_uri)
    response.delete_cookie(sessions.COOKIE, path="/hosted-ui/")
    return response


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


def _page(title: str, message: str, status: int) -> Response:
    from claimsctl.local.hosted_ui import page

    return Response(page.message(title, message), status=status, mimetype="text/html")
