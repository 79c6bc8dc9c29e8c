"""Deploying a project for a test session, as `claimsctl deploy --yes` does (its own templates/ and
lambda_src/ when it has them), with the web demo's config kept out of the project folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claimsctl.inputs import StackInputs


def prepare(aws: Any) -> None:
    """What deploy needs that asks nothing of the emulator: the modules and the clients (made, not called)."""
    from claimsctl.deployment import deploy as deployment  # noqa: F401 - imported now, used by deploy()

    for service in ("cloudformation", "s3", "sts", "lambda", "dynamodb", "cognito-idp"):
        aws.client(service)


def deploy(aws: Any, inputs_path: Path, inputs: StackInputs, work_dir: Path) -> dict[str, str]:
    from claimsctl.deployment import deploy as deployment
    from claimsctl.deployment.project import ProjectFolder
    from claimsctl.stack import Waiter

    project = ProjectFolder.from_inputs(inputs_path, work_dir / "claimsctl-config.json")
    outcome = deployment.deploy(aws, project, inputs, None, lambda changes: True, lambda event: None,
                                Waiter(poll_seconds=0.15))
    return dict(outcome.result.outputs)


def roles(inputs_path: Path, claim_name: str) -> tuple[str, ...]:
    """The roles the project's claims.py knows (what `projects=` may name)."""
    from claimsctl import seam
    from claimsctl.deployment.project import ProjectFolder

    return seam.load(ProjectFolder.from_inputs(inputs_path).lambda_dir, claim_name).roles
