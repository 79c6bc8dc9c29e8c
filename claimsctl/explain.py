"""`claimsctl explain`: what a user's (or machine client's) token will say, and why a request is allowed,
without signing in.

It reads the user's row, invokes the **deployed** trigger with the event Cognito would send for the stack's
trigger version (so the claims are the ones the deployed code gives), measures the claims against the
size budget, and asks the project's claims.routes_for which routes they allow (and, for a request, which
route allows it). It needs lambda:InvokeFunction on the trigger, dynamodb:GetItem on the users table and
cognito-idp:AdminGetUser, on AWS as on the emulator.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from claimsctl import apiroutes, seam, users
from claimsctl.apiroutes import Declared
from claimsctl.aws import Aws
from claimsctl.deployment.artifacts import build_artifact
from claimsctl.deployment.project import ProjectFolder
from claimsctl.errors import UserError
from claimsctl.inputs import StackInputs
from claimsctl.outputs import StackOutputs
from claimsctl_runtime import claiming, lookup, machines, rows
from claimsctl_runtime.routes import METHODS, STANDARD_DESIGN, Route, allowing


@dataclass
class Explanation:
    row: dict[str, Any] | None
    claims: dict[str, Any]
    claim_bytes: int
    budget: int
    routes: list[Route]
    dropped_routes: list[str] = field(default_factory=list)
    request: str | None = None
    allowed_by: Route | None = None
    lambda_src_differs: bool = False
    declared: Declared | None = None  # the API's route the request is for (None: the API has no such route)
    closest: list[Declared] = field(default_factory=list)  # for a request that no route of the API serves
    way: str = "token"  # or "lookup": the claims did not fit, both designs read the row (claimsctl_runtime.lookup)
    policy_routes: list[Route] = field(default_factory=list)  # a lookup's policy, collapsed
    missing_scope: str | None = None  # the scope the request's route needs and the machine client lacks

    @property
    def decision(self) -> str | None:
        if self.request is None:
            return None
        if self.declared is None:
            return "no-route"  # API Gateway answers 403 "Missing Authentication Token", whatever routes_for says
        return "allow" if self.allowed_by is not None else "deny"

    @property
    def estimated_token_bytes(self) -> int:
        """About how long the token will be: a typical Cognito token's own claims, these, base64url, signed."""
        return lookup.estimated_token_bytes(self.claim_bytes)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"row": self.row, "claims": self.claims, "claim_bytes": self.claim_bytes,
                                 "budget": self.budget, "routes": [[r.method, r.path] for r in self.routes],
                                 "lambda_src_differs": self.lambda_src_differs, "way": self.way,
                                 "estimated_token_bytes": self.estimated_token_bytes}
        if self.way == "lookup":
            found["policy_routes"] = [[r.method, r.path] for r in self.policy_routes]
        if self.request is not None:
            found.update(request=self.request, decision=self.decision,
                         allowed_by=[self.allowed_by.method, self.allowed_by.path] if self.allowed_by else None,
                         route=_route_json(self.declared) if self.declared else None)
            if self.declared is None:
                found["closest_routes"] = [_route_json(route) for route in self.closest]
            if self.missing_scope is not None:
                found["missing_scope"] = self.missing_scope
        return found


def _route_json(route: Declared) -> dict[str, str]:
    """The route as stackInputs.json declares it (with "scope" only when it names its own)."""
    return apiroutes.as_json((route,))[0]


def scope_rules(inputs: StackInputs, outputs: StackOutputs) -> machines.ScopeRules:
    """Which scope each route needs, as the deployed functions read it (the project's declared routes)."""
    routes = inputs.api_routes
    return machines.ScopeRules(outputs.api_identifier, tuple((r.method, r.path) for r in routes),
                               apiroutes.scope_table(routes))


def parse_request(text: str) -> tuple[str, str]:
    """'POST /projects/p1/items' -> ('POST', '/projects/p1/items'); UserError saying the form."""
    method, _, path = text.strip().partition(" ")
    path = path.strip()
    if method.upper() not in METHODS or not path.startswith("/"):
        raise UserError(f'--request {text!r} is not "METHOD /path", e.g. --request "POST /projects/p1/items".')
    return method.upper(), path


def trigger_event(inputs: StackInputs, outputs: StackOutputs, username: str, attributes: dict[str, str]) -> dict[str, Any]:
    """The event Cognito sends the pre token generation trigger at a password sign-in, for this version."""
    version = inputs.trigger.event_version
    request: dict[str, Any] = {"userAttributes": attributes, "groupConfiguration": {
        "groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}}
    if version != "1":
        request["scopes"] = ["aws.cognito.signin.user.admin"]
    return {"version": version, "triggerSource": "TokenGeneration_Authentication", "region": outputs.region,
            "userPoolId": outputs.user_pool_id, "userName": username,
            "callerContext": {"awsSdkVersion": "claimsctl-explain", "clientId": outputs.client_id},
            "request": request, "response": {"claimsOverrideDetails": None}}


def machine_event(outputs: StackOutputs, client_id: str, scopes: list[str]) -> dict[str, Any]:
    """The V3_0 event of a client-credentials grant (the emulator's, and the fields AWS's page names)."""
    return {"version": "3", "triggerSource": machines.MACHINE_SOURCE, "region": outputs.region,
            "userPoolId": outputs.user_pool_id, "userName": None,
            "callerContext": {"awsSdkVersion": "claimsctl-explain", "clientId": client_id},
            "request": {"scopes": scopes}, "response": {}}


def _added_claims(response: dict[str, Any], api_takes: str) -> dict[str, Any]:
    """The claims the trigger added to the token the API takes."""
    if "claimsOverrideDetails" in response:
        return dict((response["claimsOverrideDetails"] or {}).get("claimsToAddOrOverride") or {})
    details = response.get("claimsAndScopeOverrideDetails") or {}
    part = details.get("accessTokenGeneration" if api_takes == "access" else "idTokenGeneration") or {}
    return dict(part.get("claimsToAddOrOverride") or {})


def _invoke_trigger(aws: Aws, function: str, event: dict[str, Any]) -> dict[str, Any]:
    answer = aws.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event).encode())
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        raise UserError(f"The deployed trigger {function} failed ({_failure(payload)}); "
                        "its logs: claimsctl logs trigger --since 10m")
    return dict(json.loads(payload).get("response") or {})


def _failure(payload: bytes) -> str:
    """A Lambda error payload as one short line: "ValueError: the message" (the stack trace left out)."""
    try:
        error = json.loads(payload)
    except ValueError:
        error = None
    if not isinstance(error, dict):
        text = payload.decode(errors="replace")
    else:
        kind, message = str(error.get("errorType") or ""), str(error.get("errorMessage") or "")
        text = f"{kind}: {message}" if kind and message else kind or message or "no error message"
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."


def _deployed_differs(aws: Aws, project: ProjectFolder, inputs: StackInputs) -> tuple[bool, int]:
    """(the project's lambda_src differs from the deployed trigger's code, the trigger's claim budget)."""
    config = aws.client("lambda").get_function_configuration(FunctionName=inputs.trigger_function_name)
    budget = int((config.get("Environment") or {}).get("Variables", {}).get(
        "MAX_CLAIM_BYTES", claiming.DEFAULT_MAX_CLAIM_BYTES))
    local = base64.b64encode(bytes.fromhex(build_artifact(aws, project, inputs).sha256)).decode()
    return local != config.get("CodeSha256"), budget


def _user_event(aws: Aws, inputs: StackInputs, outputs: StackOutputs, username: str) -> tuple[str, dict[str, Any]]:
    """(the row's key, the trigger event) of a user's sign-in."""
    found = users.get_user(aws.client("cognito-idp"), users.Target.of(outputs), username)
    if found is None:
        raise UserError(f"User {username} does not exist in pool {outputs.user_pool_id}.")
    name = str(found.get("Username") or username)
    attributes = {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}
    return name, trigger_event(inputs, outputs, name, attributes)


def _client_event(aws: Aws, outputs: StackOutputs, name: str) -> tuple[str, dict[str, Any], str]:
    """(the row's key, the trigger event, the scopes) of a machine client's client-credentials grant."""
    from claimsctl import machines as machine_clients

    machine_clients.check_stack(outputs)
    found = machine_clients.find(aws.client("cognito-idp"), aws.client("dynamodb"), users.Target.of(outputs), name)
    if found is None:
        raise UserError(f"No machine client named {name} in pool {outputs.user_pool_id}.")
    scopes = list(found.get("AllowedOAuthScopes") or [])
    return str(found["ClientId"]), machine_event(outputs, str(found["ClientId"]), scopes), " ".join(scopes)


def _decided_claims(project_seam: seam.Seam, inputs: StackInputs, key: str, item: dict[str, Any] | None,
                    claims: dict[str, Any], client: bool) -> dict[str, Any]:
    """The claims the designs decide by: the token's, or for a token marked for a lookup, those the project's
    claims_for makes of the row (as the authorizer and CheckUserAccess do)."""
    if not lookup.marked(claims):
        return claims
    row = machines.row_for(machines.CLIENT if client else "user", rows.plain(item))
    return {**claims, **lookup.row_claims(key, inputs.trigger.event_version, project_seam.claims_for(key, row))}


def explain(aws: Aws, project: ProjectFolder, inputs: StackInputs, outputs: StackOutputs, principal: str,
            request: str | None = None, client: bool = False) -> Explanation:
    """What the token of `principal` (a user name, or with `client` a machine client's name) says and allows."""
    wanted = parse_request(request) if request is not None else None  # bad input refused before any call
    scope = None
    if client:
        key, event, scope = _client_event(aws, outputs, principal)
    else:
        key, event = _user_event(aws, inputs, outputs, principal)
    item = aws.client("dynamodb").get_item(TableName=outputs.users_table, Key={"userName": {"S": key}}).get("Item")
    claims = _added_claims(_invoke_trigger(aws, inputs.trigger_function_name, event), outputs.api_expects)
    differs, budget = _deployed_differs(aws, project, inputs)
    project_seam = seam.load(project.lambda_dir, inputs.claim_name)
    allowed, dropped = project_seam.routes_for(_decided_claims(project_seam, inputs, key, item, claims, client))
    rules = scope_rules(inputs, outputs)
    if scope is not None:  # a machine token may use only the routes whose API scope it holds
        allowed = machines.within_scopes(allowed, scope, rules)
    explained = Explanation(rows.plain(item), claims, sum(claiming.size(k, v) for k, v in claims.items()), budget,
                            allowed, dropped, lambda_src_differs=differs, way=lookup.way(claims))
    if explained.way == "lookup":
        explained.policy_routes = lookup.policy_routes(allowed)
    if wanted is not None:
        method, path = wanted
        explained.request = f"{method} {path}"
        if path.startswith(STANDARD_DESIGN + "/"):  # the standard design's copy decides alike
            path = path.removeprefix(STANDARD_DESIGN)
        explained.allowed_by = allowing(allowed, method, path)
        explained.declared = apiroutes.served_by(inputs.api_routes, method, path)
        if explained.declared is None:
            explained.closest = apiroutes.closest(inputs.api_routes, method, path)
        elif scope is not None and rules.needed(method, explained.declared.path) not in scope.split():
            explained.missing_scope = rules.needed(method, explained.declared.path)
            explained.allowed_by = None  # the designs refuse it whatever routes_for says
    return explained
