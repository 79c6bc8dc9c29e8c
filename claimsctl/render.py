"""Renders the Jinja2 CloudFormation templates in templates/ into one template string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimsctl.errors import RenderError
from claimsctl.inputs import StackInputs

MAIN_TEMPLATE = "stack.yaml.j2"


@dataclass(frozen=True)
class CodeLocation:
    """Where the packaged Lambda code lives (an S3 object): the template's two artifact Parameters."""

    bucket: str
    key: str

    def as_parameters(self) -> dict[str, str]:
        return {"ArtifactBucket": self.bucket, "ArtifactKey": self.key}


def render(templates_dir: Path, inputs: StackInputs) -> str:
    """Render templates_dir/stack.yaml.j2; any error names the template file and line.

    The code's location is not in the text: it is the template's ArtifactBucket and ArtifactKey
    Parameters, which deploy passes, so `claimsctl render` prints exactly the template deploy creates.
    """
    import jinja2  # lazily: `claimsctl --help` should not pay for it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - renders YAML, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["yaml_string"] = _yaml_string
    try:
        template = environment.get_template(MAIN_TEMPLATE)
        api = _api_view(inputs)
        return _with_api_deployment(lambda deployment: template.render(
            inputs=inputs, tags=dict(inputs.tags), api=api, api_deployment=deployment))
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"Template {exc.name} not found in {templates_dir}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{templates_dir / MAIN_TEMPLATE}: {exc.message}") from exc


def _api_view(inputs: StackInputs) -> dict[str, object]:
    """The declared routes as the template lays them out: each design's resources and methods, and the
    route table (JSON) the routers read; the resource server's scopes and the routes' own scopes (JSON)."""
    import json

    from claimsctl import apiroutes

    scopes = apiroutes.server_scopes(inputs.api_routes)
    return {"table": json.dumps(apiroutes.route_table(inputs.api_routes), separators=(",", ":")),
            "optimized": apiroutes.layout(inputs.api_routes, standard=False),
            "standard": apiroutes.layout(inputs.api_routes, standard=True),
            "scopes": scopes, "scope_output": " ".join(f"{inputs.api_identifier}/{name}" for name, _ in scopes),
            "scope_table": apiroutes.scope_table_json(inputs.api_routes)}


def _with_api_deployment(render_with: Callable[[str], str]) -> str:
    """Render twice: first to hash the API's definition, then with the deployment named by that hash
    (claimsctl/apideploy.py), so the stage moves to a new deployment exactly when the API changes."""
    from claimsctl import apideploy

    draft = render_with(apideploy.DEPLOYMENT_PREFIX)
    try:
        deployment = apideploy.deployment_id(draft)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    return draft if deployment == apideploy.DEPLOYMENT_PREFIX else render_with(deployment)


def _yaml_string(value: object) -> str:
    """Quote a value as a YAML double-quoted string (JSON strings are valid YAML)."""
    import json

    return json.dumps(str(value))
