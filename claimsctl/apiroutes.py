"""The API's routes as stackInputs.json declares them (`"routes"`), checked all at once, and laid out as the
API Gateway resources and methods of both designs (docs/api.md).

A route is `{"method": "GET", "path": "/departments/{dept}/reports", "handler": "reports.get"}`: path
parameters in braces, the handler a function of a module in lambda_src/. It may name the scope of the API a
machine client needs for it (`"scope": "reports.read"`); without, GET needs `items.read` and other methods
`items.write` (claimsctl_runtime.machines). Without `"routes"`, the API is the
shipped item routes (SHIPPED), whose resources and methods keep the logical ids every earlier claimsctl gave
them, so an existing stack updates in place.
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimsctl_runtime import machines
from claimsctl_runtime.routes import METHODS, SEGMENT, STANDARD_DESIGN

STANDARD_PREFIX = STANDARD_DESIGN.strip("/")  # the standard design's copy of every route lives under it
_PARAMETER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]{0,63})\}")
_HANDLER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.([A-Za-z_][A-Za-z0-9_]*)")
KEYS = ("method", "path", "handler")
OPTIONAL_KEYS = ("scope",)
SERVER_SCOPES = 100  # a resource server's scopes (Cognito: ResourceServerScopeListType), items.read/.write among them
MAX_TABLE_BYTES = 3000  # the route table is a function's environment variable (Lambda: 4 KB for all of them)


@dataclass(frozen=True, order=True)
class Declared:
    """One route of the API: `method path` served by `handler` (module.function in lambda_src/)."""

    path: str
    method: str
    handler: str
    scope: str = ""  # the route's own scope name; "" for its method's (items.read or items.write)

    @property
    def api_scope(self) -> str:
        """The scope name a machine client needs for this route."""
        return self.scope or machines.scope_name_for(self.method)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    @property
    def shape(self) -> tuple[str, ...]:
        """The path with every parameter as `{}`: two routes of one shape are on one resource."""
        return tuple("{}" if _PARAMETER.fullmatch(s) else s for s in self.segments)

    @property
    def module(self) -> str:
        return self.handler.rpartition(".")[0]

    @property
    def function(self) -> str:
        return self.handler.rpartition(".")[2]

    def matches(self, method: str, path: str) -> bool:
        """This route serves the concrete request `method path` (a parameter is any one segment)."""
        wanted = tuple(path.strip("/").split("/"))
        return (method.upper() == self.method and len(wanted) == len(self.segments)
                and all(_PARAMETER.fullmatch(mine) or mine == theirs
                        for mine, theirs in zip(self.segments, wanted, strict=True)))

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


SHIPPED = (
    Declared("/projects/{projectId}/items", "GET", "item_routes.list_items"),
    Declared("/projects/{projectId}/items", "POST", "item_routes.create_item"),
    Declared("/projects/{projectId}/items/{itemId}", "DELETE", "item_routes.delete_item"),
)


def as_json(routes: tuple[Declared, ...]) -> list[dict[str, str]]:
    """The routes as stackInputs.json lists them (what `claimsctl init` writes)."""
    return [{"method": r.method, "path": r.path, "handler": r.handler, **({"scope": r.scope} if r.scope else {})}
            for r in routes]


@functools.lru_cache(maxsize=1)
def _scope_name_rule() -> tuple[re.Pattern[str], int, int]:
    """Cognito's ScopeName (ResourceServerScopeNameType): pattern and length, from botocore's model."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("cognito-idp").shape_for("ResourceServerScopeNameType")
    return re.compile(shape.metadata["pattern"]), int(shape.metadata["min"]), int(shape.metadata["max"])


def _scope_problem(scope: Any) -> str | None:
    pattern, least, most = _scope_name_rule()
    if isinstance(scope, str) and least <= len(scope) <= most and pattern.fullmatch(scope):
        return None
    return (f"{json.dumps(scope)[:60]} must be a scope name of the API's resource server: {least}-{most} "
            "printable characters without spaces, '\"', '/' or '\\', e.g. reports.read")


def _path_problem(path: Any) -> str | None:
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        return f"path {json.dumps(path)[:60]} must start with / and name at least one segment, e.g. /reports/{{id}}"
    names = []
    for segment in path[1:].split("/"):
        parameter = _PARAMETER.fullmatch(segment)
        if parameter:
            names.append(parameter.group(1))
        elif not SEGMENT.fullmatch(segment):
            return (f"path {path!r}: segment {segment!r} is neither a name (letters, digits, '_' and '-', up to 64) "
                    "nor a whole {parameter}")
    if path.strip("/").split("/")[0] == STANDARD_PREFIX:
        return f"path {path!r}: /{STANDARD_PREFIX} is where the standard design serves every route; choose another"
    repeated = sorted({name for name in names if names.count(name) > 1})
    return f"path {path!r} names the parameter {{{repeated[0]}}} twice" if repeated else None


def _entry_problems(entry: Any) -> list[str]:
    if not isinstance(entry, dict):
        return ['must be an object {"method": "GET", "path": "/reports/{id}", "handler": "reports.get"}']
    problems = [f"unknown key {key!r}; the keys are {', '.join(KEYS + OPTIONAL_KEYS)}"
                for key in entry if key not in KEYS + OPTIONAL_KEYS]
    problems += [f"{key!r} is missing" for key in KEYS if key not in entry]
    method = entry.get("method")
    if "method" in entry and (not isinstance(method, str) or method not in METHODS):
        problems.append(f"method {json.dumps(method)[:40]} must be one of {', '.join(sorted(METHODS))} (upper case)")
    if "path" in entry:
        problems += filter(None, [_path_problem(entry["path"])])
    handler = entry.get("handler")
    if "handler" in entry and not (isinstance(handler, str) and _HANDLER.fullmatch(handler)):
        problems.append(f"handler {json.dumps(handler)[:60]} must be module.function, a function of a module in "
                        "lambda_src/ (e.g. reports.get for def get(request) in lambda_src/reports.py)")
    return problems


def _clashes(declared: list[tuple[int, Declared]]) -> list[str]:
    """Duplicates, and parameters named differently at one resource (API Gateway has one name per resource)."""
    problems = []
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    names: dict[tuple[str, ...], tuple[int, str]] = {}
    for index, route in declared:
        key = (route.method, route.shape)
        if key in seen:
            problems.append(f"$.routes[{index}]: {route} duplicates $.routes[{seen[key]}]")
        seen.setdefault(key, index)
        for depth, segment in enumerate(route.segments):
            parameter = _PARAMETER.fullmatch(segment)
            if not parameter:
                continue
            prefix = route.shape[: depth + 1]
            first = names.setdefault(prefix, (index, parameter.group(1)))
            if first[1] != parameter.group(1):
                problems.append(f"$.routes[{index}]: {route} names the parameter {{{parameter.group(1)}}} where "
                                f"$.routes[{first[0]}] names it {{{first[1]}}}; one resource has one name")
    return problems


def problems(value: Any) -> list[str]:
    """Every problem of a `"routes"` value, each naming its entry as a JSON path."""
    if not isinstance(value, list) or not value:
        return ["$.routes: must be a non-empty list of routes, e.g. "
                '[{"method": "GET", "path": "/reports/{id}", "handler": "reports.get"}]']
    found, well_formed = [], []
    for index, entry in enumerate(value):
        own = _entry_problems(entry)
        found += [f"$.routes[{index}]: {problem}" for problem in own]
        scope = _scope_problem(entry["scope"]) if isinstance(entry, dict) and "scope" in entry else None
        found += [f"$.routes[{index}].scope: {scope}"] if scope else []
        if not own and not scope:
            well_formed.append((index, parse([entry])[0]))
    found += _clashes(well_formed)  # among the well-formed entries, so every problem comes at once
    good = tuple(route for _, route in well_formed)
    size = len(json.dumps(route_table(good), separators=(",", ":"))) + len(scope_table_json(good))
    if size > MAX_TABLE_BYTES:
        found.append(f"$.routes: {len(value)} routes make a route table of {size} bytes; the limit is "
                     f"{MAX_TABLE_BYTES} (a Lambda environment holds 4 KB); use fewer or shorter routes")
    if len(server_scopes(good)) > SERVER_SCOPES:
        found.append(f"$.routes: the routes name {len(own_scope_names(good))} scopes of their own; a resource server "
                     f"holds at most {SERVER_SCOPES}, items.read and items.write among them")
    return sorted(found, key=_entry_order)


def _entry_order(problem: str) -> int:
    index = problem.removeprefix("$.routes[").split("]", 1)[0]
    return int(index) if index.isdigit() else -1


def parse(value: list[dict[str, str]]) -> tuple[Declared, ...]:
    """Routes already checked by problems()."""
    return tuple(Declared(entry["path"], entry["method"], entry["handler"], entry.get("scope", ""))
                 for entry in value)


def own_scope_names(routes: tuple[Declared, ...]) -> list[str]:
    """The scope names routes name of their own, each once, sorted."""
    return sorted({r.scope for r in routes if r.scope})


def server_scopes(routes: tuple[Declared, ...]) -> list[tuple[str, str]]:
    """(name, description) of every scope of the API's resource server: items.read and items.write (always: clients
    granted them keep them), then each scope a route names, described by the routes that need it."""
    found = [(machines.READ_SCOPE, "Read the items of the caller's projects (GET)"),
             (machines.WRITE_SCOPE, "Create and delete the items of the caller's projects (POST, DELETE)")]
    for name in own_scope_names(routes):
        if name in (machines.READ_SCOPE, machines.WRITE_SCOPE):
            continue
        needing = ", ".join(str(r) for r in sorted(routes) if r.scope == name)
        text = f"Needed by {needing}"
        found.append((name, text if len(text) <= 256 else text[:253] + "..."))
    return found


def scope_table(routes: tuple[Declared, ...]) -> dict[str, str]:
    """`"METHOD /path"` -> scope name, for the routes naming their own (ROUTE_SCOPES of the functions)."""
    return {f"{r.method} {r.path}": r.scope for r in sorted(routes) if r.scope}


def scope_table_json(routes: tuple[Declared, ...]) -> str:
    return json.dumps(scope_table(routes), separators=(",", ":"))


def route_table(routes: tuple[Declared, ...]) -> dict[str, str]:
    """`"METHOD /path"` -> handler, the routers' environment (ROUTES)."""
    return {f"{r.method} {r.path}": r.handler for r in sorted(routes)}


def _defines(module: Path, function: str) -> bool:
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function
               for node in tree.body)


def module_problem(lambda_dir: Path, module_name: str, function: str, signature: str = "event, context") -> str | None:
    """What lambda_src/ lacks for `module_name.function` (read, never imported), or None."""
    module = lambda_dir.joinpath(*module_name.split(".")).with_suffix(".py")
    if not module.is_file():
        return f"{module} does not exist"
    if not _defines(module, function):
        return f"{module} defines no function {function} (def {function}({signature}): ...)"
    return None


def handler_problem(lambda_dir: Path, route: Declared) -> str | None:
    """What lambda_src/ lacks for this route's handler (read, never imported), or None."""
    return module_problem(lambda_dir, route.module, route.function, "request")


def handler_problems(lambda_dir: Path, routes: tuple[Declared, ...]) -> list[str]:
    """Each route whose handler module or function lambda_src/ lacks."""
    found = ((route, handler_problem(lambda_dir, route)) for route in routes)
    return [f"{route}: handler {route.handler}: {problem}" for route, problem in found if problem]


def listing(lambda_dir: Path, routes: tuple[Declared, ...], declared: bool) -> list[dict[str, Any]]:
    """What `claimsctl routes` shows: each route, its handler, and what is wrong with it (None when nothing)."""
    return [{"method": r.method, "path": r.path, "handler": r.handler, "standard_path": f"/{STANDARD_PREFIX}{r.path}",
             "scope": r.api_scope, "declared": declared, "problem": handler_problem(lambda_dir, r)}
            for r in sorted(routes, key=lambda r: (r.path, r.method))]


def served_by(routes: tuple[Declared, ...], method: str, path: str) -> Declared | None:
    """The declared route API Gateway serves `method path` with: a literal segment wins over a {parameter}."""
    matching = [r for r in routes if r.matches(method, path)]
    return min(matching, key=lambda r: tuple(bool(_PARAMETER.fullmatch(s)) for s in r.segments), default=None)


def closest(routes: tuple[Declared, ...], method: str, path: str, count: int = 3) -> list[Declared]:
    """The declared routes nearest to a request that matches none (for explain's "no-route")."""
    by_text = {str(r): r for r in routes}
    wanted = f"{method} {path}"
    shaped = {str(r).replace("{", "").replace("}", ""): r for r in routes}
    near = difflib.get_close_matches(wanted, list(shaped), n=count, cutoff=0.0)
    return [shaped[text] for text in near] or list(by_text.values())[:count]


# The logical ids every earlier claimsctl gave the shipped item routes' resources and methods.
_LEGACY_RESOURCES = {("projects",): "Projects", ("projects", "{}"): "ProjectId", ("projects", "{}", "items"): "Items",
                     ("projects", "{}", "items", "{}"): "Item"}
_LEGACY_METHODS = {("GET", ("projects", "{}", "items")): "ItemsGet", ("POST", ("projects", "{}", "items")): "ItemsPost",
                   ("DELETE", ("projects", "{}", "items", "{}")): "ItemDelete"}


@dataclass(frozen=True)
class ApiResource:
    logical_id: str
    parent: str | None  # the parent resource's logical id; None: the API's root
    path_part: str


@dataclass(frozen=True)
class ApiMethod:
    logical_id: str
    resource: str
    http_method: str
    scope: str  # the scope name a machine client needs (the route's own, or its method's)


@dataclass(frozen=True)
class Layout:
    """One design's resources and methods for the template."""

    resources: tuple[ApiResource, ...]
    methods: tuple[ApiMethod, ...]


def _camel(segments: tuple[str, ...]) -> str:
    words = []
    for segment in segments:
        parameter = _PARAMETER.fullmatch(segment)
        text = parameter.group(1) if parameter else segment
        words.append(("By" if parameter else "") + "".join(
            part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text)))
    return "".join(words)


def layout(routes: tuple[Declared, ...], standard: bool) -> Layout:
    """The resources (parents first) and methods of one design; the standard design's under /standard."""
    prefix = "Standard" if standard else ""
    names: dict[tuple[str, ...], str] = {}
    resources = [ApiResource("StandardResource", None, STANDARD_PREFIX)] if standard else []
    taken = {r.logical_id for r in resources}
    for route in sorted(routes, key=lambda r: (len(r.segments), r.path)):
        for depth in range(1, len(route.segments) + 1):
            shape, segments = route.shape[:depth], route.segments[:depth]
            if shape in names:
                continue
            base = _LEGACY_RESOURCES.get(shape) or "Route" + _camel(segments)
            name = _unique(prefix + base, "Resource", taken)
            parent = names.get(shape[:-1]) if depth > 1 else ("StandardResource" if standard else None)
            names[shape] = name
            resources.append(ApiResource(name, parent, segments[-1]))
    methods = []
    for route in sorted(routes):
        resource = names[route.shape]
        legacy = _LEGACY_METHODS.get((route.method, route.shape))
        base = prefix + legacy if legacy else resource.removesuffix("Resource") + route.method.capitalize()
        methods.append(ApiMethod(_unique(base, "Method", taken), resource, route.method, route.api_scope))
    return Layout(tuple(resources), tuple(methods))


def _unique(base: str, suffix: str, taken: set[str]) -> str:
    name, number = base + suffix, 2
    while name in taken:
        name, number = f"{base}{number}{suffix}", number + 1
    taken.add(name)
    return name
