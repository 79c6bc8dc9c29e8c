"""Fuzzing the inputs a user edits: any stackInputs.json gives a valid result or a clear error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimsctl import inputs
from claimsctl.errors import InputsError
from cli import main
from tests.conftest import ROOT

SHIPPED = json.loads((ROOT / "stackInputs.json").read_text())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
inputs_documents = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from([*inputs.FIELDS, "stackname", "extra"]), json_values, max_size=len(inputs.FIELDS)),
    st.builds(lambda changes: {**SHIPPED, **changes},
              st.dictionaries(st.sampled_from(list(inputs.FIELDS)), json_values, max_size=3)),
)


@settings(max_examples=300, deadline=None)
@given(inputs_documents)
def test_parse_accepts_or_explains(document: Any) -> None:
    try:
        loaded = inputs.parse(document)
    except InputsError as error:
        assert error.problems and all(p.startswith("$") for p in error.problems)
        return
    assert loaded.stack_name and loaded.trigger_version in inputs.TRIGGER_VERSIONS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(inputs_documents.map(json.dumps), st.text(max_size=200)))
def test_the_cli_never_shows_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "stackInputs.json"
    path.write_text(text)
    result = CliRunner().invoke(main, ["render", "--inputs", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: ")


csv_cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.tuples(csv_cells, csv_cells, csv_cells, csv_cells), max_size=6).map(
        lambda rows: "username,email,projects,password\n" + "\n".join(",".join(row) for row in rows)),
))
def test_user_files_are_read_or_explained(tmp_path: Path, text: str) -> None:
    from claimsctl import bulk
    from claimsctl.errors import UserError

    path = tmp_path / "users.csv"
    path.write_text(text)
    try:
        specs = bulk.read(path)
    except UserError as error:
        assert str(error)
        return
    for spec in specs:
        assert spec.username and spec.email and spec.projects is not None
