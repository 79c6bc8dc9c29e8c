"""ClaimsStack: a project's stack deployed on a local emulator of its own, with real users, machine clients,
API calls and a clock, for tests. The plugin (plugin.py) makes one per test session (per xdist worker)."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsctl_runtime import projects as grants

Projects = str | list[str] | tuple[str, ...]


def _typed(attributes: dict[str, Any]) -> dict[str, Any]:
    """Python values in DynamoDB JSON (None: remove), names and values checked as `add-user --set` checks them;
    ValueError naming what DynamoDB or claimsctl would refuse."""
    from claimsctl import row_attributes

    changes = {}
    for name, value in attributes.items():
        row_attributes.check_name(name)
        changes[name] = row_attributes.typed(name, value)
    row_attributes.check_size(changes)
    return changes


class SetupFailed(Exception):
    """The stack could not be made; the message is one line saying what to fix."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: dict[str, str]
    json: Any  # the body parsed as JSON, or None
    text: str


@dataclass
class SignedInUser:
    """A user signed in through the real trigger. `token` is the one the API takes (`ApiTokenUse`)."""

    stack: ClaimsStack = field(repr=False)
    name: str
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    id_claims: dict[str, Any] = field(default_factory=dict)
    access_claims: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return self.access_token if self.stack.outputs.get("ApiTokenUse") == "access" else self.id_token

    @property
    def claims(self) -> dict[str, Any]:
        """The verified claims of the token the API takes."""
        return self.access_claims if self.stack.outputs.get("ApiTokenUse") == "access" else self.id_claims

    @property
    def way(self) -> str:
        """How the API authorizes this user: "token" (the claims are in it) or "lookup" (they did not fit)."""
        from claimsctl_runtime.lookup import way

        return way(self.claims)

    def header_report(self) -> dict[str, Any]:
        """The way, the token's bytes and its Authorization header's against the limits it meets."""
        from claimsctl.header_limits import summary

        return summary(self.token, self.claims)

    def refresh(self) -> SignedInUser:
        """New ID and access tokens from the refresh token (the trigger runs again, on the row as it is now).
        GetTokensFromRefreshToken works with and without refresh-token rotation; with it, the answer carries a
        new refresh token, which replaces this one (the old one stops after the grace period). For an app client
        with a secret, the call carries the client's secret."""
        request = {"ClientId": self.stack.outputs["UserPoolClientId"], "RefreshToken": self.refresh_token}
        secret = self.stack.client_secret()
        if secret:
            request["ClientSecret"] = secret
        result = self.stack.aws.client("cognito-idp").get_tokens_from_refresh_token(**request)["AuthenticationResult"]
        self.id_token, self.access_token = result["IdToken"], result["AccessToken"]
        self.refresh_token = result.get("RefreshToken") or self.refresh_token
        self.id_claims, self.access_claims = self.stack.verify(self.id_token), self.stack.verify(self.access_token)
        return self


@dataclass
class MachineCaller:
    """A machine client (client-credentials grant) and a fresh access token of it."""

    stack: ClaimsStack = field(repr=False)
    name: str
    client_id: str
    secret_file: Path = field(repr=False)
    access_token: str = field(default="", repr=False)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return self.access_token

    @property
    def way(self) -> str:
        """How the API authorizes this client: "token" or "lookup" (its claims did not fit)."""
        from claimsctl_runtime.lookup import way

        return way(self.claims)

    def refresh(self) -> MachineCaller:
        """A new client-credentials token (the trigger runs again, on the row as it is now)."""
        secret = json.loads(self.secret_file.read_text())["client_secret"]
        self.access_token = self.stack.machine_token(self.client_id, secret)
        self.claims = self.stack.verify(self.access_token)
        return self


class ClaimsStack:
    """The deployed project. Made by the `claims_stack` fixture; `close()` tears it all down."""

    def __init__(self, project_dir: Path, port: int = 0) -> None:
        from claimsctl.errors import ClaimsctlError
        from claimsctl.inputs import load

        self.project_dir = project_dir
        self.port = port
        inputs_path = project_dir / "stackInputs.json"
        if not inputs_path.is_file():
            raise SetupFailed(f"{project_dir} has no stackInputs.json: pass --claims-project DIR, set claims_project "
                              "in the pytest ini file, or run `claimsctl init` there.")
        try:
            self.inputs = load(inputs_path).with_changes(web_hosting="none")  # tests call the API, not the web app
        except ClaimsctlError as exc:
            named = str(inputs_path) in str(exc)  # InputsError's message starts with the path already
            raise SetupFailed(str(exc) if named else f"{inputs_path}: {exc}") from None
        self.inputs_path = inputs_path
        self.outputs: dict[str, str] = {}
        self.endpoint = ""
        self._work = tempfile.TemporaryDirectory(prefix="claimsctl-testkit-")
        self._emulator: Any = None
        self._aws: Any = None
        self._verifier: Any = None
        self._client_secret: str | None = None
        self._session: Any = None
        self._offset = 0.0
        self._count = 0

    # -- life -------------------------------------------------------------------------------------

    def open(self) -> ClaimsStack:
        from claimsctl.testing import deploying
        from claimsctl.testing.emulator import EmulatorFailed, EmulatorProcess

        self._emulator = EmulatorProcess(self.port)
        self.endpoint = self._emulator.launch()
        deploying.prepare(self.aws)  # while the emulator starts: boto3 and its clients, on another core
        try:
            self.endpoint = self._emulator.wait_ready()
        except EmulatorFailed as exc:
            raise SetupFailed(f"the emulator did not start: {exc}") from None
        from claimsctl.errors import ClaimsctlError

        try:
            self.outputs = deploying.deploy(self.aws, self.inputs_path, self.inputs, Path(self._work.name))
        except ClaimsctlError as exc:
            self.close()
            raise SetupFailed(f"deploying {self.inputs_path} failed: {exc}") from None
        except BaseException:
            self.close()
            raise
        self._control("POST", "snapshot", {})
        self.roles = deploying.roles(self.inputs_path, self.inputs.claim_name)
        return self

    def close(self) -> None:
        if self._emulator is not None:
            self._emulator.stop()  # the emulator's state goes with its process: the stack, its pool, its tables
            self._emulator = None
        self._work.cleanup()

    @property
    def aws(self) -> Any:
        if self._aws is None:
            from claimsctl.aws import Aws

            self._aws = Aws(region=self.inputs.region, endpoint_url=self.endpoint)
        return self._aws

    def _control(self, method: str, name: str, body: Any = None) -> Any:
        """A call to the emulator's control surface, on one kept-alive connection."""
        if self._session is None:
            import requests

            self._session = requests.Session()
        answer = self._session.request(method, f"{self.endpoint}/_claimsctl/{name}", json=body, timeout=60)
        if answer.status_code != 200:
            raise AssertionError(f"emulator /_claimsctl/{name}: {answer.text[:300]}")
        return answer.json()

    # -- what a test does -----------------------------------------------------------------------------

    def _grants(self, projects: Projects) -> tuple[str, ...]:
        raw = projects if isinstance(projects, str) else ",".join(projects)
        return grants.parse_grants(raw, self.roles)

    def _name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def user(self, projects: Projects = (), name: str | None = None,
             attributes: dict[str, str] | None = None, row: dict[str, Any] | None = None) -> SignedInUser:
        """A new user with these projects (e.g. ["p1:editor", "p2"]) and these other attributes of its row
        (e.g. {"department": "sales"}), signed in through the real trigger. `attributes` are Cognito's."""
        username = name or self._name("user")
        own = {name: value for name, value in _typed(row or {}).items() if value is not None}
        item = {"userName": {"S": username}, "projects": grants.to_item(self._grants(projects)), **own}
        made = self._control("POST", "users", {
            "pool_id": self.outputs["UserPoolId"], "client_id": self.outputs["UserPoolClientId"], "username": username,
            "attributes": attributes or {}, "table": self.outputs["UsersTableName"], "row": item})
        user = SignedInUser(self, made["username"], made["id_token"], made["access_token"], made["refresh_token"])
        user.id_claims, user.access_claims = self.verify(user.id_token), self.verify(user.access_token)
        return user

    def client(self, projects: Projects = (), name: str | None = None, scopes: str | None = None) -> MachineCaller:
        """A new machine client with these projects, and a client-credentials token of it (triggerVersion V3_0)."""
        from claimsctl import machines
        from claimsctl.outputs import StackOutputs
        from claimsctl.users import Target

        outputs = StackOutputs.parse(self.outputs, self.inputs.stack_name)
        machines.check_stack(outputs)
        client_name = name or self._name("client")
        secret_file = Path(self._work.name) / f"{client_name}.json"
        secret_file.unlink(missing_ok=True)
        spec = machines.ClientSpec(client_name, self._grants(projects), machines.parse_scopes(scopes, outputs),
                                   self.inputs.id_token_validity_minutes)
        _, client_id = machines.add_or_update(self.aws.client("cognito-idp"), self.aws.client("dynamodb"),
                                              Target.of(outputs), outputs, spec, machines.SecretFile(secret_file))
        return MachineCaller(self, client_name, client_id, secret_file).refresh()

    def set_projects(self, principal: SignedInUser | MachineCaller, projects: Projects) -> None:
        """Change a user's or client's projects, as `claimsctl add-user --projects` (or add-client) does: the
        row changes now, and every other attribute of it is kept; tokens already issued keep what they carry
        until they expire or are refreshed."""
        self._update_row(principal, grants.to_item(self._grants(projects)), {})

    def set_row(self, principal: SignedInUser | MachineCaller, **attributes: Any) -> None:
        """Set attributes of a user's or client's row (`department="sales"`, `level=4`); None removes one. The
        projects and every attribute not named are kept, as `claimsctl add-user --set/--unset` does."""
        self._update_row(principal, None, _typed(attributes))

    def _update_row(self, principal: SignedInUser | MachineCaller, projects: dict[str, Any] | None,
                    changes: dict[str, Any]) -> None:
        """One UpdateItem, guarded as claimsctl's own: a user's never touches a client's row, nor the reverse."""
        from claimsctl import row_attributes
        from claimsctl.users import USER_ROW_GUARD, Target, update_guarded_row

        target = Target(self.outputs["UserPoolId"], self.outputs["UsersTableName"])
        if isinstance(principal, SignedInUser):
            key, guard = principal.name, USER_ROW_GUARD
        else:
            key, guard = principal.client_id, "#p = :client"
        update_guarded_row(self.aws.client("dynamodb"), target, key, row_attributes.update(projects, changes), guard,
                           f"The row keyed {key} is not {principal.name}'s (a user's and a client's rows never mix).",
                           principal.name)

    def machine_token(self, client_id: str, secret: str) -> str:
        from claimsctl.login import fetch_machine_token
        from claimsctl.outputs import StackOutputs

        return fetch_machine_token(StackOutputs.parse(self.outputs, self.inputs.stack_name), client_id, secret)

    def call(self, method: str, path: str, token: str | SignedInUser | MachineCaller | None,
             json: Any = None) -> ApiResponse:
        """The API's answer to `method path` with this token (or a user's or client's token) in Authorization."""
        import requests

        bearer = token.token if isinstance(token, SignedInUser | MachineCaller) else token
        headers = {"Authorization": bearer} if bearer else {}
        answer = requests.request(method, self.outputs["ApiUrl"].rstrip("/") + "/" + path.lstrip("/"),
                                  headers=headers, json=json, timeout=30)
        try:
            body = answer.json() if answer.content else None
        except ValueError:
            body = None
        return ApiResponse(answer.status_code, dict(answer.headers), body, answer.text)

    def client_secret(self) -> str:
        """The app client's secret ("" when it has none), read once from the pool."""
        if self._client_secret is None:
            described = self.aws.client("cognito-idp").describe_user_pool_client(
                UserPoolId=self.outputs["UserPoolId"], ClientId=self.outputs["UserPoolClientId"])["UserPoolClient"]
            self._client_secret = str(described.get("ClientSecret") or "")
        return self._client_secret

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, verified against the pool's JWKS at the emulator's time."""
        if self._verifier is None:
            from claimsctl_runtime.tokens import CognitoVerifier

            self._verifier = CognitoVerifier(
                user_pool_id=self.outputs["UserPoolId"], region=self.inputs.region,
                client_ids=(self.outputs["UserPoolClientId"],), endpoint_url=self.endpoint,
                machine_scopes=tuple(self.outputs.get("ApiScopes", "").split()),
                clock=lambda: time.time() + self._offset)
            self._verifier.verified.size = 0
        claims: dict[str, Any] = self._verifier.verify(token)
        return claims

    def advance(self, seconds: float) -> float:
        """Move the emulator's clock forward (tokens, refresh checks, the authorizer cache, the Lambda workers)."""
        self._offset = float(self._control("POST", "clock", {"advance": seconds})["offset_seconds"])
        return self._offset

    def reset(self) -> None:
        """Back to what deploy left: users, clients and rows made since are gone, caches empty, the clock at 0."""
        self._control("POST", "restore", {})
        self._offset = 0.0
