"""The deploy journey: build the web app and the Lambda code, upload, render, create or update the stack
through a change set (never losing a table's rows unasked), publish the app, write the web config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimsctl import package, stack, tables, webconfig, webhost
from claimsctl.aws import Aws
from claimsctl.deployment import web
from claimsctl.deployment.artifacts import prepare_artifact
from claimsctl.deployment.project import ProjectFolder, render_for
from claimsctl.inputs import StackInputs
from claimsctl.outputs import StackOutputs
from claimsctl.render import CodeLocation


@dataclass
class DeployOutcome:
    result: stack.DeployResult
    web_config: Path | None
    web: webhost.Published | None = None


def production_warnings(inputs: StackInputs, endpoint_url: str | None) -> list[str]:
    """What a deploy to AWS (no endpoint URL) keeps that production should not: callbacks to this machine,
    the implicit grant (tokens in the URL) and USER_PASSWORD_AUTH (the password sent to Cognito)."""
    if endpoint_url:
        return []
    found = []
    if inputs.local_callbacks:
        found.append(f"the app client will accept sign-ins redirected to {', '.join(inputs.local_callbacks)} "
                     "(any program listening on that port of a user's machine gets the code or tokens); "
                     "remove them from callbackUrls and logoutUrls for production.")
    if inputs.implicit_flow:
        found.append('the implicit grant is on (tokens in the URL); set "implicitFlow": false for production.')
    if inputs.user_password_auth:
        found.append('USER_PASSWORD_AUTH is on (passwords sent to Cognito); set "userPasswordAuth": false for '
                     "production (claimsctl login then uses SRP).")
    return found


def _guarded(aws: Aws, inputs: StackInputs, confirm: stack.Confirm, allow_data_loss: bool) -> stack.Confirm:
    """`confirm`, preceded by the data-loss check: a table holding rows is never replaced or removed silently."""

    def check(changes: list[stack.Change]) -> bool:
        if not allow_data_loss and any(c.resource_type == tables.TABLE_TYPE for c in changes):
            found = tables.in_stack(aws.client("cloudformation"), aws.client("dynamodb"), inputs.stack_name)
            tables.refuse_data_loss(changes, found)
        approved = confirm(changes)
        if approved and any(c.logical_id == web.WEB_BUCKET and (c.action == "Remove" or c.replacement == "True")
                            for c in changes):
            web.empty_web_bucket(aws, inputs.stack_name)  # CloudFormation deletes only an empty bucket
        return approved

    return check


def _built_web_files(project: ProjectFolder, inputs: StackInputs) -> tuple[bool, list[webhost.WebFile]]:
    """(built now, its files); first of all: a failed build, or a link out of dist/, leaves nothing deployed."""
    if not inputs.hosted_web:
        return False, []
    project.web_app.check_buildable()
    built = webhost.build(project.web_app)
    return built, webhost.built_files(project.web_app)


def _write_web_config(aws: Aws, project: ProjectFolder, inputs: StackInputs, parsed: StackOutputs) -> Path | None:
    redirect = next(iter(inputs.callback_urls), parsed.web_url or "")  # none given: the hosted copy's own URL
    logout = next(iter(inputs.logout_urls), parsed.web_url or "")
    return webconfig.write(project.web_config, webconfig.settings(parsed, redirect, logout, aws.endpoint_url))


def deploy(aws: Aws, project: ProjectFolder, inputs: StackInputs, bucket: str | None, confirm: stack.Confirm,
           on_event: stack.EventSink, waiter: stack.Waiter | None = None, allow_data_loss: bool = False,
           on_web_files: Callable[[int], Callable[[str], None]] = lambda total: lambda key: None) -> DeployOutcome:
    """Build the web app (when hosted) and the Lambda code, deploy the stack, publish the app, write the config.
    `on_web_files(total)` returns what is told of each web file as it is uploaded (a progress bar)."""
    webconfig.check_writable(project.web_config)
    template = render_for(project, inputs)
    package.refuse_missing_template_handlers(project.lambda_dir, template, inputs.routes or ())
    built, files = _built_web_files(project, inputs)
    bucket_name, key = prepare_artifact(aws, project, inputs, bucket)
    tags = {"claimsctl:stack": inputs.stack_name, **dict(inputs.tags)}
    result = stack.deploy(aws.client("cloudformation"), inputs.stack_name, template, tags,
                          _guarded(aws, inputs, confirm, allow_data_loss), on_event, waiter,
                          CodeLocation(bucket_name, key).as_parameters())
    parsed = StackOutputs.parse(result.outputs, inputs.stack_name)
    published = None
    if inputs.hosted_web:
        published = web.publish(aws, inputs.stack_name, parsed, files, on_web_files(len(files)))
        published.built = built
    return DeployOutcome(result, _write_web_config(aws, project, inputs, parsed), published)
