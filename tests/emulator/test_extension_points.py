"""moto is pinned because the emulator patches its internals: fail loudly if one of them moves."""

from __future__ import annotations

import configparser

import moto

from claimsctl.local import extensions
from claimsctl.local.cfn import engine
from tests.conftest import ROOT


def test_installed_moto_is_the_pinned_one() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert f"=={extensions.MOTO_VERSION}" in config["options.extras_require"]["local"]
    assert moto.__version__ == extensions.MOTO_VERSION


def test_every_extension_point_exists() -> None:
    assert extensions.check_extension_points() == []


def test_resource_map_keeps_the_attributes_the_engine_uses(emulator: object) -> None:
    rmap = engine.StrictResourceMap("id", "name", {}, {}, "us-east-1", "123456789012", {"Resources": {}}, None)
    assert isinstance(rmap._parsed_resources, dict)
    assert isinstance(rmap._resource_json_map, dict)
