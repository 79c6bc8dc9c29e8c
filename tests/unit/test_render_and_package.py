"""The rendered template (parsed, not compared as text), cfn-lint on every variant, and deterministic packaging."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimsctl import inputs, package, render
from claimsctl.errors import PackageError, RenderError
from tests.conftest import ROOT


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short forms (!Ref, !GetAtt, !Sub) as plain mappings."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)
    if name == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def rendered(**changes: Any) -> dict[str, Any]:
    loaded = inputs.load(ROOT / "stackInputs.json").with_changes(**changes)
    return yaml.load(render.render(ROOT / "templates", loaded), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


def test_v1_template_wires_the_trigger_with_least_privilege() -> None:
    template = rendered()
    resources = template["Resources"]
    config = resources["UserPool"]["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]
    assert config == {"LambdaArn": {"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]}, "LambdaVersion": "V1_0"}
    policies = resources["PreTokenGenerationRole"]["Properties"]["Policies"]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert statements == [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": {"Fn::GetAtt": ["PreTokenGenerationLogGroup", "Arn"]}},
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": {"Fn::GetAtt": ["UsersTable", "Arn"]}},
    ]
    permission = resources["TriggerInvokePermission"]["Properties"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    table = resources["UsersTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    code = resources["PreTokenGenerationFunction"]["Properties"]["Code"]
    assert code == {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": "ArtifactKey"}}
    assert set(template["Parameters"]) == {"ArtifactBucket", "ArtifactKey"}
    assert set(template["Outputs"]) >= {"UserPoolId", "UserPoolClientId", "HostedUiUrl", "UsersTableName", "Region"}


def test_api_designs_are_selectable() -> None:
    both = rendered()["Resources"]
    assert {"ClaimsAuthorizer", "UserPoolAuthorizer", "CheckUserAccessFunction", "ItemsTable"} <= set(both)
    assert both["ItemsGetMethod"]["Properties"]["AuthorizationType"] == "CUSTOM"
    assert both["StandardItemsGetMethod"]["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    optimized = rendered(api="optimized")["Resources"]
    assert "ClaimsAuthorizer" in optimized and "CheckUserAccessFunction" not in optimized
    assert not {"ProjectsApi", "ItemsTable"} & set(rendered(api="none")["Resources"])
    authorizer_env = both["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    assert authorizer_env["TOKEN_USE"] == "id"
    assert rendered(trigger_version="V2_0")["Resources"]["AuthorizerFunction"]["Properties"]["Environment"][
        "Variables"]["TOKEN_USE"] == "access"


def test_v2_template_selects_the_feature_plan_v2_needs() -> None:
    pool = rendered(trigger_version="V2_0")["Resources"]["UserPool"]["Properties"]
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaVersion"] == "V2_0"


def test_v3_template_has_the_apis_resource_server_and_scopes_per_method() -> None:
    resources = rendered(trigger_version="V3_0")["Resources"]
    assert resources["UserPool"]["Properties"]["UserPoolTier"] == "ESSENTIALS"
    server = resources["ApiResourceServer"]["Properties"]
    assert [s["ScopeName"] for s in server["Scopes"]] == ["items.read", "items.write"]
    identifier = server["Identifier"]
    assert resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]["API_IDENTIFIER"] == identifier
    scopes = {name: resources[name]["Properties"]["AuthorizationScopes"][-1]
              for name in ("StandardItemsGetMethod", "StandardItemsPostMethod", "StandardItemDeleteMethod")}
    assert scopes == {"StandardItemsGetMethod": f"{identifier}/items.read",
                      "StandardItemsPostMethod": f"{identifier}/items.write",
                      "StandardItemDeleteMethod": f"{identifier}/items.write"}
    assert "AuthorizationScopes" not in rendered()["Resources"]["StandardItemsGetMethod"]["Properties"]  # V1: ID tokens


def test_production_settings_reach_the_user_pool() -> None:
    pool = rendered(threat_protection="enforced")["Resources"]["UserPool"]["Properties"]
    assert (pool["UserPoolTier"], pool["UserPoolAddOns"]["AdvancedSecurityMode"]) == ("PLUS", "ENFORCED")
    assert rendered()["Resources"]["UserPool"]["Properties"]["UserPoolAddOns"]["AdvancedSecurityMode"] == "OFF"
    protected = rendered(deletion_protection=True)["Resources"]["UserPool"]["Properties"]
    assert protected["DeletionProtection"] == "ACTIVE"
    required = rendered(mfa="required")["Resources"]["UserPool"]["Properties"]
    assert (required["MfaConfiguration"], required["EnabledMfas"]) == ("ON", ["SOFTWARE_TOKEN_MFA"])
    assert rendered()["Resources"]["UserPool"]["Properties"]["MfaConfiguration"] == "OFF"


def test_user_text_is_quoted_safely() -> None:
    template = rendered(tags=(("team", 'a: "b" # c'),), user_pool_name="pool: with colon")
    assert template["Resources"]["UserPool"]["Properties"]["UserPoolName"] == "pool: with colon"
    assert template["Resources"]["UserPool"]["Properties"]["UserPoolTags"] == {"team": 'a: "b" # c'}


# Every trigger version with every API design; architectures and tags alternate (they change no structure).
VARIANTS = [
    (version, api, ("arm64", "x86_64")[index % 2], ((), (("team", "x"),))[index // 2 % 2],
     ("off", "audit", "enforced")[index % 3], index % 3 == 1, ("off", "optional", "required")[(index + 1) % 3],
     ("none", "s3")[(index + index // 4) % 2])
    for index, (version, api) in enumerate(itertools.product(["V1_0", "V2_0", "V3_0"],
                                                             ["none", "optimized", "standard", "both"]))
]


@pytest.mark.skipif(shutil.which("cfn-lint") is None, reason="cfn-lint is installed by the dev extra")
@pytest.mark.parametrize(("version", "api", "architecture", "tags", "threats", "protected", "mfa", "web"), VARIANTS)
def test_every_variant_passes_cfn_lint(tmp_path: Path, version: str, api: str, architecture: str,
                                       tags: tuple[Any, ...], threats: str, protected: bool, mfa: str, web: str) -> None:
    loaded = inputs.load(ROOT / "stackInputs.json").with_changes(
        trigger_version=version, api=api, lambda_architecture=architecture, tags=tags, threat_protection=threats,
        deletion_protection=protected, mfa=mfa, web_hosting=web)
    path = tmp_path / "stack.yaml"
    path.write_text(render.render(ROOT / "templates", loaded))
    result = subprocess.run(["cfn-lint", "--", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


CHECKOV = os.environ.get("CHECKOV") or shutil.which("checkov") or ""
if not CHECKOV and os.environ.get("CLAIMSCTL_REQUIRE_CHECKOV"):
    raise RuntimeError("CLAIMSCTL_REQUIRE_CHECKOV is set but checkov is not installed (make test installs it)")


@pytest.mark.skipif(not CHECKOV, reason="checkov is installed by `make test` in .venv-checkov")
def test_every_variant_passes_checkov_with_written_suppressions(tmp_path: Path) -> None:
    for version, api, architecture, tags, threats, protected, mfa, web in VARIANTS:
        loaded = inputs.load(ROOT / "stackInputs.json").with_changes(
            trigger_version=version, api=api, lambda_architecture=architecture, tags=tags, threat_protection=threats,
            deletion_protection=protected, mfa=mfa, web_hosting=web)
        (tmp_path / f"{version}-{api}.yaml").write_text(render.render(ROOT / "templates", loaded))
    result = subprocess.run([CHECKOV, "-d", str(tmp_path), "--framework", "cloudformation", "--compact",
                             "--skip-download", "-o", "json"], capture_output=True, text=True, timeout=600)
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [check["check_id"] + " " + check["resource"] for report in reports
              for check in report["results"]["failed_checks"]]
    assert failed == []
    assert sum(report["summary"]["skipped"] for report in reports) > 0
    for path in tmp_path.glob("*.yaml"):
        template = yaml.load(path.read_text(), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
        for resource in template["Resources"].values():
            for skip in (resource.get("Metadata") or {}).get("checkov", {}).get("skip", []):
                assert len(skip.get("comment", "")) > 40, f"suppression {skip['id']} needs a written reason"


def test_a_broken_template_names_the_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "stack.yaml.j2").write_text("Resources:\n  X: {{ inputs.no_such_input }}\n")
    with pytest.raises(RenderError, match="has no attribute 'no_such_input'"):
        render.render(tmp_path / "templates", inputs.load(ROOT / "stackInputs.json"))
    (tmp_path / "templates" / "stack.yaml.j2").write_text("Resources:\n  {% if %}\n")
    with pytest.raises(RenderError, match=r"stack.yaml.j2:2"):
        render.render(tmp_path / "templates", inputs.load(ROOT / "stackInputs.json"))


def test_packaging_is_deterministic_and_content_addressed(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "lambda_src", source)
    first = package.build(source)
    (source / "__pycache__").mkdir(exist_ok=True)
    (source / "__pycache__" / "junk.pyc").write_bytes(b"x")
    assert package.build(source) == first
    names = zipfile.ZipFile(BytesIO(first.data)).namelist()
    assert "pre_token_generation.py" in names and not [n for n in names if "__pycache__" in n]
    (source / "pre_token_generation.py").write_text((source / "pre_token_generation.py").read_text() + "\n# changed\n")
    changed = package.build(source)
    assert changed.sha256 != first.sha256 and changed.key("demo") != first.key("demo")


def test_packaging_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="holds no Python handler"):
        package.build(tmp_path)
    with pytest.raises(PackageError, match="not found"):
        package.build(tmp_path / "missing")


def test_the_zip_ships_the_verifier_and_for_aws_the_dependencies_for_the_target(tmp_path: Path) -> None:
    names = zipfile.ZipFile(BytesIO(package.build(ROOT / "lambda_src").data)).namelist()
    assert {"claimsctl_runtime/tokens.py", "claimsctl_runtime/claiming.py", "claims.py", "authorizer.py"} <= set(names)
    assert "requirements.txt" not in names and "claimsctl_tokens.py" not in names
    dependencies = package.vendor(ROOT / "lambda_src" / "requirements.txt", "python3.12", "arm64")
    with_deps = zipfile.ZipFile(BytesIO(package.build(ROOT / "lambda_src", dependencies).data)).namelist()
    assert "jwt/__init__.py" in with_deps
    native = [n for n in with_deps if n.startswith("cryptography/") and n.endswith(".so")]
    assert native and all("x86_64" not in n for n in native)
    assert package.build(ROOT / "lambda_src", dependencies) == package.build(ROOT / "lambda_src", dependencies)


@pytest.mark.skipif(shutil.which("cfn-lint") is None, reason="cfn-lint is installed by the dev extra")
def test_claimsctl_render_prints_a_template_that_lints_clean(tmp_path: Path) -> None:
    """What `claimsctl render` prints is what deploy creates: the code's location is two Parameters."""
    from click.testing import CliRunner

    from cli import main

    printed = CliRunner().invoke(main, ["render", "--inputs", str(ROOT / "stackInputs.json")], catch_exceptions=False)
    assert printed.exit_code == 0 and "ARTIFACT_BUCKET" not in printed.output
    path = tmp_path / "printed.yaml"
    path.write_text(printed.output)
    result = subprocess.run(["cfn-lint", "--", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_packaging_refuses_a_link_out_of_the_folder_and_follows_one_inside(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "lambda_src", source)
    (source / "same.py").symlink_to(source / "pre_token_generation.py")  # inside: packaged as a file
    names = zipfile.ZipFile(BytesIO(package.build(source).data)).namelist()
    assert "same.py" in names
    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key = not-for-a-zip\n")
    (source / "config.py").symlink_to(secret)
    with pytest.raises(PackageError, match=r"config.py is a link to .*credentials, outside .*src"):
        package.build(source)
    (source / "config.py").unlink()
    (source / "pkg").mkdir()
    (source / "vendor").symlink_to(source / "pkg", target_is_directory=True)
    with pytest.raises(PackageError, match=r"vendor is a link to the folder"):
        package.build(source)


def test_the_app_clients_flows_follow_the_inputs() -> None:
    client = rendered()["Resources"]["UserPoolClient"]["Properties"]
    assert "implicit" in client["AllowedOAuthFlows"] and "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    hardened = rendered(implicit_flow=False, user_password_auth=False)["Resources"]["UserPoolClient"]["Properties"]
    assert hardened["AllowedOAuthFlows"] == ["code"]
    assert hardened["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert "RefreshTokenRotation" not in hardened
    rotating = rendered(user_password_auth=False, refresh_token_rotation=True, rotation_grace_seconds=10)["Resources"]
    client = rotating["UserPoolClient"]["Properties"]
    assert client["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH"]  # REFRESH_TOKEN_AUTH cannot rotate: left out
    assert rotating["UserPool"]["Properties"]["UserPoolTier"] == "ESSENTIALS"
    hosted_only = rendered(web_hosting="s3", callback_urls=(), logout_urls=())["Resources"]["UserPoolClient"]
    assert len(hosted_only["Properties"]["CallbackURLs"]) == 1  # the distribution's URL only


@pytest.mark.parametrize("name", ["claimsctl_runtime.py", "claimsctl_runtime/__init__.py", "claimsctl_tokens.py"])
def test_a_project_module_that_would_shadow_the_shared_code_is_refused(tmp_path: Path, name: str) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "lambda_src", source)
    (source / name).parent.mkdir(parents=True, exist_ok=True)
    (source / name).write_text("VERIFY = lambda token: {}\n")
    with pytest.raises(PackageError, match=r"would replace claimsctl's shared code \(claimsctl_runtime\)"):
        package.build(source)


def test_deploy_warns_when_the_shipped_handlers_changed_since_init_copied_them(tmp_path: Path) -> None:
    from claimsctl import resources, scaffold
    from claimsctl.deployment.project import ProjectFolder

    scaffold.init(tmp_path / "app", "us-east-1", with_source=True)
    project = ProjectFolder.from_inputs(tmp_path / "app" / "stackInputs.json")
    assert project.source_warning() is None  # just copied: nothing moved on
    record = json.loads((tmp_path / "app" / "lambda_src" / resources.SOURCE_RECORD).read_text())
    record["copied"]["lambda_src/authorizer.py"] = "0" * 64  # as if the shipped authorizer changed after the copy
    record["copied"]["lambda_src/claims.py"] = "0" * 64  # the project's own to change: never reported
    (tmp_path / "app" / "lambda_src" / resources.SOURCE_RECORD).write_text(json.dumps(record))
    warning = project.source_warning()
    assert warning is not None and "the shipped authorizer.py changed since" in warning and "claims.py" not in warning
    names = zipfile.ZipFile(BytesIO(package.build(tmp_path / "app" / "lambda_src").data)).namelist()
    assert resources.SOURCE_RECORD not in names


def test_a_lambda_src_copied_before_the_seam_is_refused_with_how_to_move_on(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "lambda_src", source)
    (source / "claims.py").unlink()
    with pytest.raises(PackageError, match=r"imports claims, but .* has no claims.py. Run `claimsctl upgrade-source`"):
        package.build(source)
    shutil.copy2(ROOT / "lambda_src" / "claims.py", source / "claims.py")
    (source / "authorizer.py").write_text("from claimsctl_tokens import CognitoVerifier\n")
    with pytest.raises(PackageError, match=r"imports claimsctl_tokens, which claimsctl no longer ships"):
        package.build(source)
