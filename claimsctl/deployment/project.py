"""A project folder: its stackInputs.json and the templates, Lambda code and web app beside it (the
project's own copies when it has them, else the ones claimsctl ships)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claimsctl import render, webconfig, webhost
from claimsctl.inputs import StackInputs


@dataclass(frozen=True)
class ProjectFolder:
    """Where a project's files are: its stackInputs.json and the folders beside it."""

    inputs_path: Path
    templates_dir: Path
    lambda_dir: Path
    web_config: Path
    own_sources: tuple[str, ...] = ()  # which of templates/lambda_src are the project folder's own copies

    @property
    def web_app(self) -> webhost.WebApp:
        """The web app "web": {"hosting": "s3"} builds and publishes: pre-token-web-app/ beside the inputs."""
        return webhost.WebApp(self.inputs_path.resolve().parent / webconfig.WEB_APP)

    @classmethod
    def from_inputs(cls, inputs_path: Path, web_config: Path | None = None) -> ProjectFolder:
        """The project folder's own templates/ and lambda_src/ when it has them, else the ones claimsctl ships."""
        from claimsctl import resources

        root = inputs_path.resolve().parent
        templates, own_templates = resources.for_project(root, "templates")
        lambda_dir, own_lambda = resources.for_project(root, "lambda_src")
        own = tuple(name for name, mine in (("templates", own_templates), ("lambda_src", own_lambda)) if mine)
        return cls(inputs_path, templates, lambda_dir, web_config or webconfig.default_path(root), own)

    def source_warning(self) -> str | None:
        """When the project's own lambda_src/ was copied from a claimsctl whose shipped handlers have changed
        since: which files, and how to compare (claims.py is the project's own to change)."""
        if "lambda_src" not in self.own_sources:
            return None
        from claimsctl import sourcerecord

        version, changed = sourcerecord.changed_since_copy(self.lambda_dir)
        changed = [name for name in changed if name != "claims.py"]
        if not changed:
            return None
        return (f"{self.lambda_dir} was copied from claimsctl {version}; the shipped {', '.join(changed)} changed "
                "since. `claimsctl upgrade-source --dry-run` shows what it would bring forward.")

    def describe_sources(self) -> str:
        """One line saying where the templates and Lambda code come from."""
        def origin(name: str, path: Path) -> str:
            return f"{name} from {path}" + (" (the project's own)" if name in self.own_sources else " (shipped)")

        return f"Using {origin('templates', self.templates_dir)} and {origin('lambda_src', self.lambda_dir)}."


def render_for(project: ProjectFolder, inputs: StackInputs) -> str:
    return render.render(project.templates_dir, inputs)
