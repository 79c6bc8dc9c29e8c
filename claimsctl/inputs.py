"""Loads stackInputs.json into a frozen StackInputs, reporting every problem at once by its JSON path."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from claimsctl import apiroutes, versions
from claimsctl.errors import InputsError
from claimsctl_runtime import reserved

TRIGGER_VERSIONS = tuple(versions.VERSIONS)
RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
ARCHITECTURES = ("x86_64", "arm64")
MFA_CONFIGURATION = {"off": "OFF", "optional": "OPTIONAL", "required": "ON"}
THREAT_PROTECTION = ("off", "audit", "enforced")  # the pool's AdvancedSecurityMode; not off needs the PLUS plan
ON_LOOKUP_FAILURE = ("emptyClaim", "blockSignIn")
API_DESIGNS = ("none", "optimized", "standard", "both")
WEB_HOSTING = ("none", "s3")  # s3: the web app in a private bucket behind CloudFront (claimsctl/webhost.py)
_STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,39}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d")
_POOL_NAME = re.compile(r"[\w\s+=,.@-]{1,128}")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}")
LOCAL_HOSTS = ("localhost", "127.0.0.1")
_CLAIM = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")


@dataclass(frozen=True)
class StackInputs:
    """The deployment's parameters, as a user edits them in stackInputs.json."""

    stack_name: str
    region: str
    user_pool_name: str
    user_pool_domain_name: str
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    users_table_name: str
    trigger_version: str = versions.DEFAULT
    claim_name: str = "projects"
    lambda_runtime: str = "python3.12"
    lambda_architecture: str = "arm64"
    on_lookup_failure: str = "emptyClaim"
    api: str = "both"
    authorizer_cache_ttl: int = 300
    id_token_validity_minutes: int = 60
    deletion_protection: bool = False
    threat_protection: str = "off"
    mfa: str = "off"
    web_hosting: str = "none"
    tags: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    implicit_flow: bool = True  # the post's flow; init writes false for a new project
    user_password_auth: bool = True  # ALLOW_USER_PASSWORD_AUTH; without it `claimsctl login` signs in with SRP
    routes: tuple[apiroutes.Declared, ...] | None = None  # "routes" as declared; None when absent

    @property
    def trigger_function_name(self) -> str:
        return f"{self.stack_name}-pre-token-generation"

    @property
    def optimized_api(self) -> bool:
        return self.api in ("optimized", "both")

    @property
    def standard_api(self) -> bool:
        return self.api in ("standard", "both")

    @property
    def hosted_web(self) -> bool:
        """The web app is built and served from S3 behind CloudFront ("web": {"hosting": "s3"})."""
        return self.web_hosting == "s3"

    @property
    def local_callbacks(self) -> tuple[str, ...]:
        """The callback and sign-out URLs on this machine (http://localhost...): never reachable from AWS."""
        urls = dict.fromkeys((*self.callback_urls, *self.logout_urls))
        return tuple(url for url in urls if urlparse(url).hostname in LOCAL_HOSTS)

    @property
    def trigger(self) -> versions.TriggerVersion:
        return versions.of(self.trigger_version)

    @property
    def feature_plan(self) -> str:
        """The cheapest UserPoolTier with every feature asked for: threat protection needs PLUS."""
        return "PLUS" if self.threat_protection != "off" else self.trigger.feature_plan

    @property
    def mfa_configuration(self) -> str:
        """The pool's MfaConfiguration for the `mfa` setting (TOTP software tokens only: no SMS, no SNS role)."""
        return MFA_CONFIGURATION[self.mfa]

    @property
    def api_identifier(self) -> str:
        """The API's resource server: its scopes are `{identifier}/items.read` and `{identifier}/items.write`."""
        return f"{self.stack_name}-api"

    @property
    def api_token_use(self) -> str:
        """The token the API expects: the one the trigger's claim is in (V2_0: the access token)."""
        return self.trigger.api_token

    @property
    def api_routes(self) -> tuple[apiroutes.Declared, ...]:
        """The API's routes: the declared ones, or without "routes" the shipped item routes (as before)."""
        return apiroutes.SHIPPED if self.routes is None else self.routes

    def with_changes(self, **changes: Any) -> StackInputs:
        values = {**self.__dict__, **changes}
        return StackInputs(**values)


# JSON key -> (dataclass field, default or REQUIRED, checker)
REQUIRED = object()
Checker = Callable[[Any], str | None]


def _string(pattern: re.Pattern[str], hint: str) -> Checker:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string ({hint})"
        return None if pattern.fullmatch(value) else f"{value!r} is not valid: {hint}"

    return check


def _choice(options: tuple[str, ...]) -> Checker:
    def check(value: Any) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)} (got {json.dumps(value)[:40]})"

    return check


def _trigger_version(value: Any) -> str | None:
    if isinstance(value, str) and value in versions.REFUSED:
        return versions.REFUSED[value]
    return _choice(TRIGGER_VERSIONS)(value)


def _domain(value: Any) -> str | None:
    problem = _string(_DOMAIN, "lowercase letters, digits and hyphens, 1-63 characters, "
                               "not starting or ending with a hyphen")(value)
    if problem:
        return problem
    reserved = [word for word in ("aws", "amazon", "cognito") if word in value]
    if reserved:
        return f"'{value}' contains the reserved word '{reserved[0]}', which Cognito refuses in a domain prefix"
    return None


def _url_list(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of URLs"
    for url in value:
        parsed = urlparse(url) if isinstance(url, str) else None
        if parsed is None or not parsed.scheme or not parsed.netloc:
            return f"{json.dumps(url)} is not an absolute URL"
        local = parsed.hostname in LOCAL_HOSTS
        if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
            return f"'{url}' must use https (http is allowed only for localhost)"
        if parsed.fragment:
            return f"'{url}' must not contain a fragment"
    return None


def _claim(value: Any) -> str | None:
    problem = _string(_CLAIM, "letters, digits, '_', '.', ':' and '-', starting with a letter or '_'")(value)
    if problem:
        return problem
    if reserved.refused_for_projects(value):
        return f"'{value}' is a claim Cognito reserves; choose another name (e.g. 'projects')"
    return None


def _ttl(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
        return f"must be a whole number of seconds from 0 to 3600 (got {json.dumps(value)[:40]})"
    return None


def _token_minutes(value: Any) -> str | None:
    # Cognito's range for ID and access tokens: 5 minutes to 1 day.
    if isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= 1440:
        return f"must be a whole number of minutes from 5 to 1440 (got {json.dumps(value)[:40]})"
    return None


def _tags(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object of string keys to string values"
    for key, tag_value in value.items():
        if not isinstance(tag_value, str) or len(key) > 128 or len(tag_value) > 256:
            return f"tag '{key}' must have a string value (key up to 128, value up to 256 characters)"
        if key.lower().startswith("aws:"):
            return f"tag '{key}' uses the reserved prefix 'aws:'"
    return None


def _web(value: Any) -> str | None:
    if not isinstance(value, dict):
        return 'must be an object such as {"hosting": "s3"}'
    unknown = sorted(set(value) - {"hosting"})
    if unknown:
        return f"unknown key '{unknown[0]}'; the only key is 'hosting'"
    problem = _choice(WEB_HOSTING)(value.get("hosting", "none"))
    return f"hosting {problem}" if problem else None


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


FIELDS: dict[str, tuple[str, Any, Checker]] = {
    "stackName": ("stack_name", REQUIRED, _string(_STACK_NAME, "a letter, then letters, digits and hyphens, up to 40")),
    "region": ("region", REQUIRED, _string(_REGION, "an AWS region such as us-east-1")),
    "userPoolName": ("user_pool_name", REQUIRED, _string(_POOL_NAME, "1-128 letters, digits, spaces or +=,.@-_")),
    "userPoolDomainName": ("user_pool_domain_name", REQUIRED, _domain),
    "callbackUrls": ("callback_urls", ["http://localhost:8081/"], _url_list),
    "logoutUrls": ("logout_urls", ["http://localhost:8081/"], _url_list),
    "usersTableName": ("users_table_name", REQUIRED, _string(_TABLE, "3-255 letters, digits, '_', '-' or '.'")),
    "triggerVersion": ("trigger_version", versions.DEFAULT, _trigger_version),
    "claimName": ("claim_name", "projects", _claim),
    "lambdaRuntime": ("lambda_runtime", "python3.12", _choice(RUNTIMES)),
    "lambdaArchitecture": ("lambda_architecture", "arm64", _choice(ARCHITECTURES)),
    "onProjectLookupFailure": ("on_lookup_failure", "emptyClaim", _choice(ON_LOOKUP_FAILURE)),
    "api": ("api", "both", _choice(API_DESIGNS)),
    "authorizerCacheTtl": ("authorizer_cache_ttl", 300, _ttl),
    "idTokenValidityMinutes": ("id_token_validity_minutes", 60, _token_minutes),
    "deletionProtection": ("deletion_protection", False, _boolean),
    "threatProtection": ("threat_protection", "off", _choice(THREAT_PROTECTION)),
    "mfa": ("mfa", "off", _choice(tuple(MFA_CONFIGURATION))),
    "web": ("web_hosting", {"hosting": "none"}, _web),
    "tags": ("tags", {}, _tags),
    "implicitFlow": ("implicit_flow", True, _boolean),
    "userPasswordAuth": ("user_password_auth", True, _boolean),
    "routes": ("routes", None, lambda value: None),  # checked entry by entry in parse (apiroutes.problems)
}


def _unknown_key_problem(key: str) -> str:
    close = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(FIELDS)}"
    return f"$.{key}: unknown key{hint}"


def _callback_problems(data: dict[str, Any]) -> list[str]:
    """An empty URL list is right only when the hosted app's CloudFront URL is added to it (web hosting s3)."""
    hosted = isinstance(data.get("web"), dict) and data["web"].get("hosting") == "s3"
    return [f"$.{key}: must name at least one URL (it may be empty only with \"web\": {{\"hosting\": \"s3\"}}, "
            "whose CloudFront URL is added)" for key in ("callbackUrls", "logoutUrls")
            if data.get(key) == [] and not hosted]


def parse(data: Any, source: str = "stackInputs.json") -> StackInputs:
    """Validate decoded JSON; raise InputsError listing every problem."""
    if not isinstance(data, dict):
        raise InputsError(source, ["$: must be a JSON object"])
    problems = [_unknown_key_problem(key) for key in data if key not in FIELDS]
    values: dict[str, Any] = {}
    for key, (attribute, default, check) in FIELDS.items():
        if key not in data:
            if default is REQUIRED:
                problems.append(f"$.{key}: required key is missing")
            else:
                values[attribute] = default
            continue
        problem = check(data[key])
        if problem:
            problems.append(f"$.{key}: {problem}")
        values[attribute] = data[key]
    problems += _callback_problems(data)
    if "routes" in data:
        problems += apiroutes.problems(data["routes"])
    if problems:
        raise InputsError(source, problems)
    values["callback_urls"] = tuple(values["callback_urls"])
    values["logout_urls"] = tuple(values["logout_urls"])
    values["tags"] = tuple(sorted(values["tags"].items()))
    values["web_hosting"] = values["web_hosting"].get("hosting", "none")
    values["routes"] = None if values["routes"] is None else apiroutes.parse(values["routes"])
    return StackInputs(**values)


def load(path: Path) -> StackInputs:
    """Read and validate a stackInputs.json file."""
    from claimsctl import safejson

    try:
        data = safejson.load(path)
    except FileNotFoundError as exc:
        problem = "file not found; pass --inputs PATH or start from the shipped stackInputs.json"
        raise InputsError(str(path), [problem]) from exc
    except OSError as exc:
        raise InputsError(str(path), [f"cannot be read: {exc.strerror}"]) from exc
    except safejson.JsonFileError as exc:
        raise InputsError(str(path), [str(exc)]) from None
    return parse(data, str(path))
