"""What is deployed: the stack's status and outputs, read once into typed values."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimsctl import stack
from claimsctl.aws import Aws
from claimsctl.errors import StackNotFoundError
from claimsctl.inputs import StackInputs
from claimsctl.outputs import StackOutputs

NOT_DEPLOYED = "NOT_DEPLOYED"  # the status of a stack that does not exist
USABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")


@dataclass(frozen=True)
class Status:
    stack: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"stack": self.stack, "status": self.status, "outputs": self.outputs}


def status(aws: Aws, inputs: StackInputs) -> Status:
    found = stack.describe(aws.client("cloudformation"), inputs.stack_name)
    if found is None:
        return Status(inputs.stack_name, NOT_DEPLOYED)
    return Status(inputs.stack_name, found["StackStatus"], stack.outputs_of(found))


def outputs(aws: Aws, inputs: StackInputs) -> StackOutputs:
    """The deployed stack's outputs; StackNotFoundError if it is not deployed (or not usable)."""
    found = status(aws, inputs)
    if found.status == NOT_DEPLOYED:
        raise StackNotFoundError(f"Stack {inputs.stack_name} is not deployed in {aws.region}; run `claimsctl deploy` first.")
    if found.status not in USABLE:
        raise StackNotFoundError(f"Stack {inputs.stack_name} is {found.status}; run `claimsctl deploy` to fix it.")
    return StackOutputs.parse(found.outputs, inputs.stack_name)
