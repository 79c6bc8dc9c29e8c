"""The API's deployment follows the API (issue 27 item 2): the rendered template names its deployment by a hash
of the API's definition, so a change to a method, resource or authorizer is a new deployment that the prod stage
moves to, and identical inputs render byte-identical templates (nothing redeployed needlessly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claimsctl import apideploy, inputs, render
from claimsctl.errors import RenderError
from claimsctl.stack import Change
from tests.conftest import ROOT


def text(templates: Path = ROOT / "templates", **changes: Any) -> str:
    return render.render(templates, inputs.load(ROOT / "stackInputs.json").with_changes(**changes))


def deployments(template: str) -> dict[str, Any]:
    resources = apideploy.resources_of(template)
    return {name: body for name, body in resources.items() if body["Type"] == apideploy.DEPLOYMENT_TYPE}


def test_identical_inputs_render_byte_identical_templates() -> None:
    assert text() == text()
    assert text(trigger_version="V3_0") == text(trigger_version="V3_0")


def test_the_one_deployment_is_named_by_the_apis_definition_and_still_creates_the_prod_stage() -> None:
    found = deployments(text())
    [(name, body)] = found.items()
    assert name.startswith("ApiDeployment") and len(name) == len("ApiDeployment") + apideploy.HASH_LENGTH
    assert body["Properties"]["StageName"] == "prod"  # the stage existing stacks already have: no Stage resource
    assert set(body["DependsOn"]) >= {"ItemsGetMethod", "ItemsPostMethod", "StandardItemDeleteMethod"}
    assert name == apideploy.deployment_id(text())


@pytest.mark.parametrize("change", [{"trigger_version": "V2_0"}, {"authorizer_cache_ttl": 60}, {"api": "optimized"},
                                    {"api": "standard"}])
def test_every_change_to_the_api_is_a_new_deployment(change: dict[str, Any]) -> None:
    assert set(deployments(text())) != set(deployments(text(**change)))


@pytest.mark.parametrize("change", [{"id_token_validity_minutes": 15}, {"on_lookup_failure": "blockSignIn"},
                                    {"mfa": "optional"}])
def test_a_change_outside_the_api_keeps_the_deployment(change: dict[str, Any]) -> None:
    assert set(deployments(text())) == set(deployments(text(**change)))


def test_v2_to_v3_leaves_the_api_as_it_was() -> None:
    """Both take access tokens with the same scopes: the stage has nothing new to serve."""
    assert set(deployments(text(trigger_version="V2_0"))) == set(deployments(text(trigger_version="V3_0")))


def test_no_api_no_deployment() -> None:
    assert deployments(text(api="none")) == {}


def test_a_template_that_is_not_yaml_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "stack.yaml.j2").write_text("Resources: [unclosed\n")
    with pytest.raises(RenderError, match="not valid YAML"):
        text(tmp_path)


def test_the_preview_says_when_the_stage_moves() -> None:
    moved = [Change("Add", "ApiDeploymentabc123", apideploy.DEPLOYMENT_TYPE),
             Change("Remove", "ApiDeployment", apideploy.DEPLOYMENT_TYPE),
             Change("Modify", "StandardItemsGetMethod", "AWS::ApiGateway::Method")]
    line = apideploy.stage_move(moved)
    assert line is not None and "prod stage moves to a new deployment (ApiDeploymentabc123)" in line
    assert apideploy.stage_move([Change("Modify", "AuthorizerFunction", "AWS::Lambda::Function")]) is None
