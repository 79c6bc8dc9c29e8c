"""`"web": {"hosting": "s3"}` through the CLI on the emulator: deploy builds the app (only when its sources
changed), publishes it to the stack's private bucket with the right headers, and the CloudFront URL serves
it; teardown empties the bucket. A small app whose build is a Node script stands in for the React demo
(the browser test publishes the real one)."""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Cli, Project

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm (Node.js), as `deploy` does here")

BUILD_SCRIPT = """
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist/assets", { recursive: true });
const code = readFileSync("src/app.js");
const name = `app-${createHash("sha256").update(code).digest("hex").slice(0, 8)}.js`;
writeFileSync(`dist/assets/${name}`, code);
writeFileSync("dist/index.html", `<!doctype html><script type="module" src="/assets/${name}"></script>`);
writeFileSync("dist/favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
if (existsSync("src/extra.txt")) writeFileSync("dist/extra.txt", readFileSync("src/extra.txt"));
"""


def small_app(root: Path) -> Path:
    app = root / "pre-token-web-app"
    (app / "src").mkdir(parents=True, exist_ok=True)
    (app / "package.json").write_text(json.dumps({"name": "small-app", "version": "1.0.0", "private": True,
                                                  "scripts": {"build": "node build.mjs"}}))
    (app / "package-lock.json").write_text(json.dumps({
        "name": "small-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "small-app", "version": "1.0.0"}}}))
    (app / "build.mjs").write_text(BUILD_SCRIPT)
    (app / "src" / "app.js").write_text("console.log('first');\n")
    (app / "src" / "extra.txt").write_text("only in the first build\n")
    return app


def fetch(url: str, path: str = "/", method: str = "GET", headers: dict[str, str] | None = None) -> Any:
    """A request to the distribution's own host name (sent to loopback, as a browser resolves *.localhost)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    connection.request(method, path, headers={"Host": parts.netloc, **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def deploy(cli: Cli) -> tuple[dict[str, str], str]:
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["outputs"], " ".join(result.stderr.split())


def bucket_objects(s3: Any, bucket: str) -> dict[str, dict[str, Any]]:
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.head_object(Bucket=bucket, Key=key) for key in keys}


def test_deploy_publishes_the_app_and_its_cloudfront_url_serves_it(cli: Cli, project: Project, clients: Any) -> None:
    small_app(project.root)
    project.write(web={"hosting": "s3"})
    outputs, said = deploy(cli)
    url, bucket = outputs["WebUrl"], outputs["WebBucketName"]
    assert f"Web app: {url}" in said and "Web app built; 4 file(s) uploaded" in said

    s3 = clients("s3")
    stored = bucket_objects(s3, bucket)
    asset = next(key for key in stored if key.startswith("assets/"))
    assert sorted(stored) == sorted([asset, "claimsctl-config.json", "extra.txt", "favicon.svg", "index.html"])
    assert stored["index.html"]["ContentType"].startswith("text/html")
    assert stored["index.html"]["CacheControl"] == "no-cache"
    assert stored[asset]["ContentType"].startswith("text/javascript")
    assert stored[asset]["CacheControl"] == "public, max-age=31536000, immutable"
    assert stored["favicon.svg"]["ContentType"] == "image/svg+xml"
    hosted_config = json.loads(s3.get_object(Bucket=bucket, Key="claimsctl-config.json")["Body"].read())
    assert hosted_config["redirectUrl"] == hosted_config["logoutUrl"] == url
    local_config = json.loads(project.constants_file.read_text())
    assert local_config["redirectUrl"] == "http://localhost:8081/"  # `npm start` keeps working

    pool = clients("cognito-idp").describe_user_pool_client(
        UserPoolId=outputs["UserPoolId"], ClientId=outputs["UserPoolClientId"])["UserPoolClient"]
    cloudfront_url = f"https://{urlsplit(url).hostname.split('.')[0]}.cloudfront.net/"
    assert cloudfront_url in pool["CallbackURLs"] and cloudfront_url in pool["LogoutURLs"]

    root = fetch(url)
    assert root.status == 200 and asset.encode() in root.body
    assert "frame-ancestors 'none'" in root.getheader("Content-Security-Policy")
    assert fetch(url, "/" + asset).getheader("Cache-Control") == "public, max-age=31536000, immutable"
    deep_link = fetch(url, "/projects/p1/items")
    assert deep_link.status == 200 and deep_link.body == root.body
    assert fetch(url, "/", headers={"If-None-Match": root.getheader("ETag")}).status == 304
    assert fetch(url, "/", method="POST").status == 403  # the behaviour allows GET and HEAD only

    invalidations = clients("cloudfront").list_invalidations(DistributionId=outputs["WebDistributionId"])
    assert invalidations["InvalidationList"]["Quantity"] == 1

    asked = cli("teardown", input="n\n")  # the question says what happens to the bucket; "no" changes nothing
    assert asked.exit_code != 0 and f"The web app's bucket {bucket} is emptied first" in " ".join(asked.output.split())
    assert len(bucket_objects(s3, bucket)) == 5
    torn = cli("teardown", "--yes")
    assert torn.exit_code == 0, torn.output
    assert "Emptied the web bucket (5 file(s) of the built app)" in " ".join(torn.output.split())
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert fetch(url).status == 403  # the distribution is gone


def test_a_redeploy_builds_only_changed_sources_and_removes_files_no_longer_built(cli: Cli, project: Project,
                                                                                 clients: Any) -> None:
    app = small_app(project.root)
    project.write(web={"hosting": "s3"})
    outputs, _ = deploy(cli)
    _, said = deploy(cli)
    assert "Web app build reused (its sources are unchanged); 0 file(s) uploaded, 4 unchanged" in said

    (app / "src" / "app.js").write_text("console.log('second');\n")
    (app / "src" / "extra.txt").unlink()
    _, said = deploy(cli)
    assert "Web app built; 2 file(s) uploaded, 1 unchanged, 2 no longer built removed" in said
    stored = bucket_objects(clients("s3"), outputs["WebBucketName"])
    assert "extra.txt" not in stored and len([key for key in stored if key.startswith("assets/")]) == 1
    assert b"second" in fetch(outputs["WebUrl"], "/" + next(k for k in stored if k.startswith("assets/"))).body

    project.write(web={"hosting": "none"})  # the update removes the bucket: deploy empties it first, no orphan
    after, _ = deploy(cli)
    assert "WebUrl" not in after
    assert outputs["WebBucketName"] not in [b["Name"] for b in clients("s3").list_buckets()["Buckets"]]
    assert fetch(outputs["WebUrl"]).status == 403
    assert cli("teardown", "--yes").exit_code == 0


def test_a_web_app_that_cannot_be_built_stops_deploy_before_anything_is_created(cli: Cli, project: Project,
                                                                               clients: Any) -> None:
    project.write(web={"hosting": "s3"})  # the project's pre-token-web-app/ is empty
    result = cli("deploy", "--yes")
    assert result.exit_code != 0
    assert "has no package.json" in result.output and '"hosting": "none"' in result.output

    app = small_app(project.root)
    (app / "src" / "app.js").unlink()  # the build script fails
    result = cli("deploy", "--yes")
    assert result.exit_code != 0 and "`npm run build --silent` failed" in result.output
    assert "nothing was deployed" in result.output
    stacks = clients("cloudformation").list_stacks()["StackSummaries"]
    assert not [s for s in stacks if s["StackName"] == project.inputs["stackName"] and s["StackStatus"] != "DELETE_COMPLETE"]


def test_a_template_whose_output_names_another_bucket_never_touches_that_bucket(cli: Cli, project: Project,
                                                                               clients: Any) -> None:
    s3 = clients("s3")
    victim = f"{project.inputs['stackName']}-someone-elses"
    s3.create_bucket(Bucket=victim)
    s3.put_object(Bucket=victim, Key="keep.txt", Body=b"not claimsctl's")
    small_app(project.root)
    templates = project.copy_templates()
    main = templates / "stack.yaml.j2"
    main.write_text(main.read_text().replace("    Value: !Ref WebBucket", f"    Value: {victim}"))
    project.write(web={"hosting": "s3"})

    result = cli("deploy", "--yes")
    assert result.exit_code != 0 and "WebBucketName (naming that bucket)" in " ".join(result.output.split())
    assert cli("teardown", "--yes").exit_code == 0
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=victim)["Contents"]] == ["keep.txt"]
    s3.delete_object(Bucket=victim, Key="keep.txt")
    s3.delete_bucket(Bucket=victim)


def test_a_link_out_of_dist_stops_deploy_before_anything_is_created(cli: Cli, project: Project, clients: Any,
                                                                    tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "credentials"
    secret.parent.mkdir()
    secret.write_text("[default]\naws_secret_access_key = not-for-the-web\n")
    app = small_app(project.root)
    (app / "build.mjs").write_text(BUILD_SCRIPT + f'import {{ symlinkSync }} from "node:fs";\n'
                                   f'symlinkSync({json.dumps(str(secret))}, "dist/credentials");\n')
    project.write(web={"hosting": "s3"})
    result = cli("deploy", "--yes")
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "Cannot publish the web app:" in message and "dist/credentials is a link to" in message
    assert "outside" in message and "Copy the file in place of the link, or remove the link" in message
    stacks = clients("cloudformation").list_stacks()["StackSummaries"]
    assert not [s for s in stacks if s["StackName"] == project.inputs["stackName"] and s["StackStatus"] != "DELETE_COMPLETE"]


def test_the_library_teardown_of_a_protected_pool_changes_nothing(cli: Cli, project: Project, clients: Any) -> None:
    """deployment.teardown checks deletion protection itself, before the web bucket is emptied: a library
    caller (the test kit, a script) cannot skip the guard the CLI shows."""
    import os

    from claimsctl import inputs as stack_inputs
    from claimsctl.aws import Aws
    from claimsctl.deployment import teardown
    from claimsctl.deployment.project import ProjectFolder
    from claimsctl.errors import StackError

    small_app(project.root)
    project.write(web={"hosting": "s3"}, deletionProtection=True)
    outputs, _ = deploy(cli)
    s3, name = clients("s3"), project.inputs["stackName"]
    published = set(bucket_objects(s3, outputs["WebBucketName"]))
    aws = Aws(region="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    loaded = stack_inputs.load(project.inputs_path)
    with pytest.raises(StackError, match="deletion protection on, so teardown stops before deleting anything"):
        teardown.teardown(aws, ProjectFolder.from_inputs(project.inputs_path), loaded, None, lambda event: None)
    assert set(bucket_objects(s3, outputs["WebBucketName"])) == published and published
    status = clients("cloudformation").describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    assert status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    assert clients("dynamodb").describe_table(TableName=outputs["UsersTableName"])["Table"]["TableStatus"] == "ACTIVE"

    project.write(deletionProtection=False)  # released by the owner, then the same call deletes it all
    deploy(cli)
    outcome = teardown.teardown(aws, ProjectFolder.from_inputs(project.inputs_path), loaded, None, lambda event: None)
    assert outcome.existed and outcome.web_objects_removed == len(published)
