"""Unit tier for the artifact bucket and the web config, with botocore's Stubber for S3 (no emulator, no moto):
whose bucket the code goes into, when an object is trusted, and which files claimsctl may touch."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from claimsctl import webconfig
from claimsctl.deployment import artifacts
from claimsctl.errors import AwsError, ClaimsctlError
from claimsctl.outputs import StackOutputs
from tests.unit.conftest import Stubbed

OURS = artifacts.ArtifactBucket("claimsctl-artifacts-123456789012-us-east-1", "123456789012", ours=True)
OWNER = {"ExpectedBucketOwner": "123456789012"}


@pytest.fixture
def s3(stubbed: Callable[[str], Stubbed]) -> Stubbed:
    return stubbed("s3")


def test_a_bucket_of_another_account_is_refused(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_client_error("head_bucket", "403", "Forbidden", 403, expected_params={"Bucket": OURS.name, **OWNER})
    with pytest.raises(AwsError, match="not owned by account 123456789012"):
        artifacts.ensure_bucket(client, OURS, "us-east-1")


def test_an_untagged_bucket_of_ours_is_not_taken_over(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response("head_bucket", {}, {"Bucket": OURS.name, **OWNER})
    stubber.add_response("get_bucket_tagging", {"TagSet": [{"Key": "team", "Value": "x"}]}, {"Bucket": OURS.name, **OWNER})
    with pytest.raises(AwsError, match="claimsctl did not create it"):
        artifacts.ensure_bucket(client, OURS, "us-east-1")


def test_a_named_bucket_that_is_missing_is_not_created(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    named = artifacts.ArtifactBucket("my-bucket", "123456789012", ours=False)
    stubber.add_client_error("head_bucket", "404", "Not Found", 404, expected_params={"Bucket": "my-bucket", **OWNER})
    with pytest.raises(AwsError, match="does not exist"):
        artifacts.ensure_bucket(client, named, "us-east-1")


def test_an_object_is_reused_only_when_its_checksum_matches(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    data = b"zip bytes"
    checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
    head = {"Bucket": OURS.name, "Key": "k.zip", "ChecksumMode": "ENABLED", **OWNER}
    stubber.add_response("head_object", {"ChecksumSHA256": checksum}, head)
    assert artifacts.upload(client, OURS, "k.zip", data) is False
    stubber.add_response("head_object", {"ChecksumSHA256": "someone-elses"}, head)
    stubber.add_response("put_object", {}, {"Bucket": OURS.name, "Key": "k.zip", "Body": data,
                                            "ContentType": "application/zip", "ChecksumAlgorithm": "SHA256",
                                            "ChecksumSHA256": checksum, **OWNER})
    assert artifacts.upload(client, OURS, "k.zip", data) is True


OUTPUTS = StackOutputs(region="us-east-1", user_pool_id="us-east-1_abc", client_id="c1",
                       hosted_ui_url="https://d.auth.us-east-1.amazoncognito.com", users_table="t",
                       claim_name="projects", trigger_version="V1_0")


def test_the_web_config_names_the_emulator_only_when_deploying_there(tmp_path: Path) -> None:
    on_aws = webconfig.settings(OUTPUTS, "https://app/", "https://app/", None)
    assert on_aws["authority"] == on_aws["issuer"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
    local = webconfig.settings(OUTPUTS, "http://localhost:8081/", "http://localhost:8081/", "http://127.0.0.1:4566")
    assert local["authority"] == "http://127.0.0.1:4566/us-east-1_abc" and local["endpointUrl"] == "http://127.0.0.1:4566"


def test_only_a_generated_web_config_is_overwritten_or_removed(tmp_path: Path) -> None:
    target = tmp_path / "claimsctl-config.json"
    written = webconfig.write(target, webconfig.settings(OUTPUTS, "https://app/", "https://app/", None))
    assert json.loads(written.read_text())["userPoolId"] == "us-east-1_abc"
    assert webconfig.remove(target) == target and not target.exists()
    target.write_text('{"mine": true}')
    with pytest.raises(ClaimsctlError, match="was not written by claimsctl"):
        webconfig.write(target, {})
    assert webconfig.remove(target) is None and target.read_text() == '{"mine": true}'


def test_the_default_web_config_lives_in_the_project(tmp_path: Path) -> None:
    assert webconfig.default_path(tmp_path) == tmp_path / "claimsctl-config.json"
    (tmp_path / "pre-token-web-app").mkdir()
    assert webconfig.default_path(tmp_path) == tmp_path / "pre-token-web-app" / "public" / "claimsctl-config.json"


def test_outputs_of_a_stack_claimsctl_did_not_make_are_named() -> None:
    with pytest.raises(ClaimsctlError, match=r"lacks the output\(s\) ClaimName"):
        StackOutputs.parse({"Region": "us-east-1", "UserPoolId": "p", "UserPoolClientId": "c", "HostedUiUrl": "h",
                            "UsersTableName": "t", "TriggerVersion": "V1_0"}, "demo")


def test_the_built_app_uploads_index_last_with_a_cache_rule_per_kind_of_file(tmp_path: Path) -> None:
    from claimsctl import webhost

    app = webhost.WebApp(tmp_path)
    for name in ("index.html", "assets/index-CadHld_9.js", "assets/logo.svg", "favicon.ico", "claimsctl-config.json",
                 webhost.STAMP, "zeta.txt"):
        (app.dist / name).parent.mkdir(parents=True, exist_ok=True)
        (app.dist / name).write_text(name)
    keys = [file.key for file in webhost.built_files(app)]
    assert keys == ["assets/index-CadHld_9.js", "assets/logo.svg", "favicon.ico", "zeta.txt", "index.html"]
    assert webhost.cache_control("assets/index-CadHld_9.js") == webhost.IMMUTABLE
    assert webhost.cache_control("assets/logo.svg") == webhost.cache_control("index.html") == webhost.REVALIDATE
    assert webhost.content_type("assets/index-CadHld_9.js") == "text/javascript; charset=utf-8"
    assert webhost.content_type("unknown.bin") == "application/octet-stream"


def test_the_sources_hash_ignores_builds_dependencies_and_the_generated_config(tmp_path: Path) -> None:
    from claimsctl import webhost

    app = webhost.WebApp(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "App.jsx").write_text("one")
    first = app.source_hash()
    for name in ("node_modules/x/index.js", "dist/index.html", "public/claimsctl-config.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("noise")
    assert app.source_hash() == first
    (tmp_path / "src" / "App.jsx").write_text("two")
    assert app.source_hash() != first


def test_npm_ci_never_runs_through_a_linked_node_modules(tmp_path: Path) -> None:
    from claimsctl import webhost

    shared = tmp_path / "shared-node-modules"
    (shared / "react").mkdir(parents=True)
    app = webhost.WebApp(tmp_path / "app")
    app.root.mkdir()
    (app.root / "package.json").write_text("{}")
    (app.root / "package-lock.json").write_text("{}")
    (app.root / "node_modules").symlink_to(shared, target_is_directory=True)
    with pytest.raises(webhost.WebBuildError, match="will not run `npm ci` through it"):
        webhost.build(app)
    assert (shared / "react").is_dir()
