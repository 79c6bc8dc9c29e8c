"""The unit tier: no emulator and no moto. AWS's answers come from botocore's Stubber, through claimsctl's
client facade (claimsctl.aws.Client), as a command's calls do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from claimsctl.aws import Client

Stubbed = tuple[Any, Stubber]


@pytest.fixture
def stubbed() -> Iterator[Callable[[str], Stubbed]]:
    """stubbed("s3") -> (a claimsctl client of that service, its Stubber); every queued answer must be used."""
    made: list[Stubber] = []

    def make(service: str) -> Stubbed:
        raw = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        stubber = Stubber(raw)
        stubber.activate()
        made.append(stubber)
        return Client(raw), stubber

    yield make
    for stubber in made:
        stubber.assert_no_pending_responses()
        stubber.deactivate()
