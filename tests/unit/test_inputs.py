"""stackInputs.json validation: defaults, every problem at once, JSON paths, suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimsctl import inputs
from claimsctl.errors import InputsError
from tests.conftest import ROOT

SHIPPED = json.loads((ROOT / "stackInputs.json").read_text())


def problems(data: object) -> list[str]:
    with pytest.raises(InputsError) as raised:
        inputs.parse(data)
    return raised.value.problems


def test_the_shipped_file_is_valid_and_complete() -> None:
    loaded = inputs.load(ROOT / "stackInputs.json")
    assert loaded.trigger_version == "V1_0" and loaded.claim_name == "projects"
    assert loaded.callback_urls == ("http://localhost:8081/",)
    assert set(SHIPPED) == set(inputs.FIELDS)


def test_optional_keys_take_defaults() -> None:
    minimal = {k: SHIPPED[k] for k in ("stackName", "region", "userPoolName", "userPoolDomainName", "usersTableName")}
    loaded = inputs.parse(minimal)
    assert (loaded.trigger_version, loaded.lambda_runtime, loaded.logout_urls) == ("V1_0", "python3.12", ("http://localhost:8081/",))


def test_every_problem_is_reported_with_its_path() -> None:
    found = problems({**SHIPPED, "region": "Mars", "callbackUrls": ["http://example.com/"], "claimName": "sub",
                      "tags": {"aws:owner": "me"}, "lambdaArchitecture": "sparc", "userPoolDomainNme": "x"})
    assert found == [
        "$.userPoolDomainNme: unknown key; did you mean 'userPoolDomainName'?",
        "$.region: 'Mars' is not valid: an AWS region such as us-east-1",
        "$.callbackUrls: 'http://example.com/' must use https (http is allowed only for localhost)",
        "$.claimName: 'sub' is a claim Cognito reserves; choose another name (e.g. 'projects')",
        "$.lambdaArchitecture: must be one of x86_64, arm64 (got \"sparc\")",
        "$.tags: tag 'aws:owner' uses the reserved prefix 'aws:'",
    ]


def test_deletion_protection_is_a_json_boolean() -> None:
    assert problems({**SHIPPED, "deletionProtection": "yes"}) == ["$.deletionProtection: must be true or false"]
    assert inputs.parse({**SHIPPED, "deletionProtection": True}).deletion_protection is True


def test_missing_required_keys_and_wrong_types() -> None:
    assert problems({"stackName": 7}) == [
        "$.stackName: must be a string (a letter, then letters, digits and hyphens, up to 40)",
        "$.region: required key is missing",
        "$.userPoolName: required key is missing",
        "$.userPoolDomainName: required key is missing",
        "$.usersTableName: required key is missing",
    ]
    assert problems([]) == ["$: must be a JSON object"]


def test_unreadable_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "stackInputs.json"
    path.write_text('{"stackName": "x",\n  oops}')
    with pytest.raises(InputsError, match="not valid JSON: Expecting property name enclosed in double quotes at line 2"):
        inputs.load(path)


def test_the_sign_in_flows_can_be_turned_off_and_default_to_on() -> None:
    assert problems({**SHIPPED, "implicitFlow": "no"}) == ["$.implicitFlow: must be true or false"]
    hardened = inputs.parse({**SHIPPED, "implicitFlow": False, "userPasswordAuth": False})
    assert (hardened.implicit_flow, hardened.user_password_auth) == (False, False)
    minimal = {k: SHIPPED[k] for k in ("stackName", "region", "userPoolName", "userPoolDomainName", "usersTableName")}
    assert (inputs.parse(minimal).implicit_flow, inputs.parse(minimal).user_password_auth) == (True, True)


def test_refresh_token_rotation_is_off_unless_asked_for_and_its_grace_period_is_checked() -> None:
    minimal = {k: SHIPPED[k] for k in ("stackName", "region", "userPoolName", "userPoolDomainName", "usersTableName")}
    assert (inputs.parse(minimal).refresh_token_rotation, inputs.parse(minimal).feature_plan) == (False, "LITE")
    rotating = inputs.parse({**minimal, "refreshTokenRotation": {"enabled": True, "retryGracePeriodSeconds": 10}})
    assert (rotating.refresh_token_rotation, rotating.rotation_grace_seconds) == (True, 10)
    assert rotating.feature_plan == "ESSENTIALS"  # rotation is not in the Lite plan
    assert inputs.parse({**minimal, "refreshTokenRotation": {"enabled": True}}).rotation_grace_seconds == 0
    assert problems({**minimal, "refreshTokenRotation": {"enabled": True, "retryGracePeriodSeconds": 61}}) == [
        "$.refreshTokenRotation: retryGracePeriodSeconds must be a whole number of seconds from 0 to 60 (got 61)"]
    assert problems({**minimal, "refreshTokenRotation": True}) == [
        '$.refreshTokenRotation: must be an object such as {"enabled": true, "retryGracePeriodSeconds": 10}']
    assert problems({**minimal, "refreshTokenRotation": {"enable": True}}) == [
        "$.refreshTokenRotation: unknown key 'enable'; the keys are 'enabled' and 'retryGracePeriodSeconds'"]


def test_callback_lists_may_be_empty_only_when_the_hosted_app_supplies_its_url() -> None:
    empty = {**SHIPPED, "callbackUrls": [], "logoutUrls": [], "web": {"hosting": "none"}}
    assert problems(empty) == [
        '$.callbackUrls: must name at least one URL (it may be empty only with "web": {"hosting": "s3"}, whose '
        "CloudFront URL is added)",
        '$.logoutUrls: must name at least one URL (it may be empty only with "web": {"hosting": "s3"}, whose '
        "CloudFront URL is added)"]
    hosted = inputs.parse({**empty, "web": {"hosting": "s3"}})
    assert hosted.callback_urls == () and hosted.local_callbacks == ()


def test_a_deploy_to_aws_warns_of_what_production_should_not_keep() -> None:
    from claimsctl.deployment.deploy import production_warnings

    demo = inputs.load(ROOT / "stackInputs.json")
    warnings = production_warnings(demo, endpoint_url=None)
    assert len(warnings) == 3 and "http://localhost:8081/" in warnings[0]
    assert '"implicitFlow": false' in warnings[1] and '"userPasswordAuth": false' in warnings[2]
    assert production_warnings(demo, endpoint_url="http://127.0.0.1:4566") == []  # the emulator
    hardened = demo.with_changes(implicit_flow=False, user_password_auth=False,
                                 callback_urls=("https://app.example.com/",), logout_urls=("https://app.example.com/",))
    assert production_warnings(hardened, endpoint_url=None) == []
