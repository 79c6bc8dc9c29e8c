"""Routes declared in stackInputs.json (issue 29): every problem at once naming its entry, the shipped routes
when "routes" is absent (same logical ids as before), both designs rendered for every route, handlers checked
in lambda_src/ before anything is deployed, and the handler contract (claimsctl_runtime.handlers)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from claimsctl import apideploy, apiroutes, inputs, package, render, scaffold
from claimsctl.errors import InputsError, PackageError
from claimsctl_runtime import handlers
from tests.conftest import ROOT

BASE = {k: v for k, v in json.loads((ROOT / "stackInputs.json").read_text()).items() if k != "routes"}
REPORTS = {"method": "GET", "path": "/departments/{dept}/reports", "handler": "reports.get"}


def problems_of(routes: Any) -> list[str]:
    with pytest.raises(InputsError) as raised:
        inputs.parse({**BASE, "routes": routes})
    return raised.value.problems


def resources(**changes: Any) -> dict[str, Any]:
    loaded = inputs.parse({**BASE, **changes})
    return apideploy.resources_of(render.render(ROOT / "templates", loaded))


def test_a_table_too_big_for_a_lambda_environment_is_refused() -> None:
    many = [{"method": "GET", "path": f"/reports/r{n:03d}/with-a-rather-long-name", "handler": "reports.get"}
            for n in range(60)]
    assert problems_of(many)[0].startswith("$.routes: 60 routes make a route table of")


def test_every_problem_comes_at_once_naming_its_entry() -> None:
    found = problems_of([
        {"method": "get", "path": "/a", "handler": "m.f"},
        {"method": "GET", "path": "a/b", "handler": "m.f"},
        {"method": "GET", "path": "/a/{x}/{x}", "handler": "m.f"},
        {"method": "GET", "path": "/standard/a", "handler": "m.f"},
        {"method": "GET", "path": "/a/b*", "handler": "m.f"},
        {"method": "GET", "path": "/a", "handler": "nodot"},
        {"method": "GET", "path": "/a", "handler": "m.f", "scopes": "x"},
        "GET /a",
    ])
    assert [p.split(":", 1)[0] for p in found] == [f"$.routes[{i}]" for i in range(8)]
    assert "method" in found[0] and "must start with /" in found[1] and "{x} twice" in found[2]
    assert "/standard" in found[3] and "'b*'" in found[4] and "module.function" in found[5]
    assert "unknown key 'scopes'" in found[6] and "must be an object" in found[7]


def test_duplicates_and_parameter_names_that_differ_on_one_resource() -> None:
    found = problems_of([REPORTS, {**REPORTS, "path": "/departments/{department}/reports"},
                         {"method": "POST", "path": "/departments/{dept}/reports", "handler": "reports.add"}])
    assert found == [
        "$.routes[1]: GET /departments/{department}/reports duplicates $.routes[0]",
        "$.routes[1]: GET /departments/{department}/reports names the parameter {department} where $.routes[0] "
        "names it {dept}; one resource has one name"]
    assert problems_of([]) == [problems_of("x")[0]] and "non-empty list" in problems_of([])[0]


def test_absent_routes_are_the_shipped_ones_with_the_logical_ids_of_before() -> None:
    assert inputs.parse(BASE).api_routes == apiroutes.SHIPPED
    found = resources()
    for name in ("ProjectsResource", "ProjectIdResource", "ItemsResource", "ItemResource", "ItemsGetMethod",
                 "ItemsPostMethod", "ItemDeleteMethod", "StandardResource", "StandardItemResource",
                 "StandardItemsGetMethod", "StandardItemsPostMethod", "StandardItemDeleteMethod"):
        assert name in found, name
    declared = resources(routes=apiroutes.as_json(apiroutes.SHIPPED))
    assert apideploy.deployment_id(render.render(ROOT / "templates", inputs.parse(BASE))) == next(
        name for name, body in declared.items() if body["Type"] == apideploy.DEPLOYMENT_TYPE)


def test_init_writes_the_shipped_routes(tmp_path: Path) -> None:
    written = scaffold.stack_inputs(tmp_path / "app", "us-east-1")
    assert written["routes"] == apiroutes.as_json(apiroutes.SHIPPED)


def test_both_designs_render_every_route_with_its_scope() -> None:
    routes = [*apiroutes.as_json(apiroutes.SHIPPED), REPORTS,
              {"method": "PUT", "path": "/departments/{dept}/reports", "handler": "reports.put"}]
    found = resources(routes=routes, triggerVersion="V2_0")
    assert found["RouteDepartmentsResource"]["Properties"]["PathPart"] == "departments"
    assert found["RouteDepartmentsByDeptResource"]["Properties"]["PathPart"] == "{dept}"
    get = found["RouteDepartmentsByDeptReportsGetMethod"]["Properties"]
    assert get["AuthorizationType"] == "CUSTOM" and get["ResourceId"] == {"!Ref": "RouteDepartmentsByDeptReportsResource"}
    standard_put = found["StandardRouteDepartmentsByDeptReportsPutMethod"]["Properties"]
    assert standard_put["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert standard_put["AuthorizationScopes"][-1].endswith("-api/items.write")
    assert found["StandardRouteDepartmentsByDeptReportsGetMethod"]["Properties"]["AuthorizationScopes"][-1].endswith(
        "-api/items.read")
    [deployment] = [body for body in found.values() if body["Type"] == apideploy.DEPLOYMENT_TYPE]
    assert {"RouteDepartmentsByDeptReportsGetMethod", "StandardRouteDepartmentsByDeptReportsPutMethod"} <= set(
        deployment["DependsOn"])
    table = json.loads(found["ProjectItemsFunction"]["Properties"]["Environment"]["Variables"]["ROUTES"])
    assert table["GET /departments/{dept}/reports"] == "reports.get"
    assert found["StandardItemsFunction"]["Properties"]["Handler"] == "router.standard"


def test_a_missing_handler_module_or_function_is_refused_before_deploying(tmp_path: Path) -> None:
    source = tmp_path / "lambda_src"
    source.mkdir()
    (source / "claims.py").write_text("def claims_for(p, r):\n    return {}\n")
    (source / "reports.py").write_text("def get(request):\n    return {}\n")
    declared = apiroutes.parse([REPORTS, {**REPORTS, "method": "POST", "handler": "reports.add"},
                                {**REPORTS, "method": "PUT", "handler": "budgets.put"}])
    with pytest.raises(PackageError) as raised:
        package.build(source, routes=declared)
    text = str(raised.value)
    assert "2 route(s)" in text and "reports.add" in text and "defines no function add" in text
    assert "budgets.py does not exist" in text
    package.build(source, routes=declared[:1])  # the one whose handler exists


def request(**changes: Any) -> handlers.Request:
    return handlers.Request(**{"principal": "ann", "claims": {}, "params": {}, "query": {}, "body": None,
                               "method": "GET", "path": "/x", **changes})


def test_the_handler_contract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                              caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "contract_handlers.py").write_text(
        "def plain(request):\n    return {'hello': request.principal}\n"
        "def created(request):\n    return 201, {'made': request.body}\n"
        "def empty(request):\n    return 204, None\n"
        "def broken(request):\n    raise ValueError('secret detail')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert handlers.run("contract_handlers.plain", request()) == handlers.respond(200, {"hello": "ann"})
    assert handlers.run("contract_handlers.created", request(body=[1]))["statusCode"] == 201
    assert handlers.run("contract_handlers.empty", request())["body"] == ""
    with caplog.at_level(logging.ERROR):
        failed = handlers.run("contract_handlers.broken", request())
    assert failed["statusCode"] == 500 and "secret" not in failed["body"]
    assert "secret detail" in caplog.text  # logged, never returned


def test_path_parameters_must_be_safe_ids() -> None:
    assert handlers.safe_params({"pathParameters": {"id": "p1"}}) == {"id": "p1"}
    assert handlers.safe_params({"pathParameters": {"id": "../x"}}) is None
    assert handlers.safe_params({"pathParameters": {"id": "*"}}) is None


def test_claimsctl_routes_lists_them_and_refuses_bad_ones_naming_each(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main

    path = tmp_path / "stackInputs.json"
    path.write_text(json.dumps({**BASE, "routes": [*apiroutes.as_json(apiroutes.SHIPPED), REPORTS]}))
    listed = CliRunner().invoke(main, ["routes", "--inputs", str(path), "--output", "json"])
    assert listed.exit_code == 0, listed.output
    found = {(r["method"], r["path"]): r["problem"] for r in json.loads(listed.stdout)}
    assert found[("GET", "/projects/{projectId}/items")] is None
    assert "reports.py does not exist" in found[("GET", "/departments/{dept}/reports")]
    path.write_text(json.dumps({**BASE, "routes": [REPORTS, {**REPORTS, "method": "FETCH"}, REPORTS]}))
    refused = CliRunner().invoke(main, ["routes", "--inputs", str(path)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "$.routes[1]: method \"FETCH\"" in refused.output
    assert "$.routes[2]: GET /departments/{dept}/reports duplicates $.routes[0]" in refused.output


@pytest.mark.skipif(shutil.which("cfn-lint") is None, reason="cfn-lint is installed by the dev extra")
def test_a_template_with_declared_routes_passes_cfn_lint(tmp_path: Path) -> None:
    routes = [*apiroutes.as_json(apiroutes.SHIPPED), REPORTS,
              {"method": "PATCH", "path": "/departments/{dept}", "handler": "departments.patch"},
              {"method": "GET", "path": "/health", "handler": "health.get"}]
    for version in ("V1_0", "V3_0"):
        path = tmp_path / f"{version}.yaml"
        path.write_text(render.render(ROOT / "templates", inputs.parse({**BASE, "routes": routes,
                                                                         "triggerVersion": version})))
        linted = subprocess.run(["cfn-lint", "--", str(path)], capture_output=True, text=True, timeout=300)
        assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_scope_is_checked_with_cognitos_scope_name_rule_all_problems_at_once() -> None:
    found = problems_of([
        {**REPORTS, "scope": "reports read"},
        {**REPORTS, "path": "/a", "scope": "reports/read"},
        {**REPORTS, "path": "/b", "scope": ""},
        {**REPORTS, "path": "/c", "scope": "r" * 257},
        {**REPORTS, "path": "/d", "scope": ["reports.read"]},
        {**REPORTS, "path": "/e", "scope": "reports.read"},
        {"method": "get", "path": "/f", "handler": "m.f", "scope": 'a"b'},
    ])
    named = [p.split(":", 1)[0] for p in found]
    assert named == [*(f"$.routes[{i}].scope" for i in (0, 1, 2, 3, 4)), "$.routes[6]", "$.routes[6].scope"]
    assert all("must be a scope name of the API's resource server: 1-256" in p for p in found if ".scope:" in p)


def test_a_routes_own_scope_reaches_the_resource_server_the_method_and_the_functions() -> None:
    routes = [*apiroutes.as_json(apiroutes.SHIPPED), {**REPORTS, "scope": "reports.read"},
              {"method": "POST", "path": "/departments/{dept}/reports", "handler": "reports.get", "scope": "items.read"}]
    found = resources(routes=routes, triggerVersion="V3_0")  # V2/V3 take access tokens: methods list scopes
    scopes = [s["ScopeName"] for s in found["ApiResourceServer"]["Properties"]["Scopes"]]
    assert scopes == ["items.read", "items.write", "reports.read"]
    assert "GET /departments/{dept}/reports" in found["ApiResourceServer"]["Properties"]["Scopes"][2]["ScopeDescription"]
    methods = {k: v["Properties"] for k, v in found.items() if v["Type"] == "AWS::ApiGateway::Method"
               and v["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"}
    by_route = {(p["HttpMethod"], p["ResourceId"]["!Ref"]): p["AuthorizationScopes"] for p in methods.values()}
    assert by_route[("GET", "StandardRouteDepartmentsByDeptReportsResource")][2].endswith("-api/reports.read")
    assert by_route[("POST", "StandardRouteDepartmentsByDeptReportsResource")][2].endswith("-api/items.read")
    assert by_route[("GET", "StandardItemsResource")][:2] == ["aws.cognito.signin.user.admin", "openid"]
    assert by_route[("GET", "StandardItemsResource")][2].endswith("-api/items.read")
    assert by_route[("DELETE", "StandardItemResource")][2].endswith("-api/items.write")
    table = {"GET /departments/{dept}/reports": "reports.read", "POST /departments/{dept}/reports": "items.read"}
    for function in ("AuthorizerFunction", "ProjectItemsFunction", "CheckUserAccessFunction"):
        assert json.loads(found[function]["Properties"]["Environment"]["Variables"]["ROUTE_SCOPES"]) == table


def test_a_scope_changes_the_api_deployment_and_nothing_else_when_none_is_named() -> None:
    plain = [*apiroutes.as_json(apiroutes.SHIPPED), REPORTS]
    first = apideploy.definition_hash(resources(routes=plain, triggerVersion="V3_0"))
    assert apideploy.definition_hash(resources(routes=plain, triggerVersion="V3_0")) == first
    scoped = [*plain[:-1], {**REPORTS, "scope": "reports.read"}]  # the standard method's AuthorizationScopes
    assert apideploy.definition_hash(resources(routes=scoped, triggerVersion="V3_0")) != first
    assert apideploy.definition_hash(resources()) == apideploy.definition_hash(
        resources(routes=apiroutes.as_json(apiroutes.SHIPPED)))


def test_a_machine_tokens_routes_are_cut_to_the_declared_routes_whose_scope_it_holds() -> None:
    from claimsctl_runtime import machines
    from claimsctl_runtime.routes import Route

    rules = machines.ScopeRules("s-api", (("GET", "/d/{dept}/reports"), ("GET", "/d/{dept}/items"), ("GET", "/d/x/reports")),
                                {"GET /d/{dept}/reports": "reports.read"})
    wide = [Route("GET", "/d/*/reports"), Route("GET", "/d/*/items")]
    assert machines.within_scopes(wide, "s-api/items.read", rules) == [Route("GET", "/d/*/items"),
                                                                        Route("GET", "/d/x/reports")]
    assert machines.within_scopes(wide, "s-api/reports.read", rules) == [Route("GET", "/d/*/reports")]
    assert machines.within_scopes(wide, "other/reports.read", rules) == []
    assert machines.all_scopes("s-api", rules.own) == ("s-api/items.read", "s-api/items.write", "s-api/reports.read")
