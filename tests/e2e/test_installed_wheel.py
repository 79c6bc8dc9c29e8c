"""claimsctl as a user installs it: the wheel (not editable) in a scratch venv, used from an empty folder.

init writes a project; what render prints passes cfn-lint; deploy and teardown work against the emulator;
the emulator itself, without the [local] extra, gives one line with the install command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of this checkout."""
    scratch = tmp_path_factory.mktemp("wheel")
    source = scratch / "source"  # a copy: building in the checkout would leave (and reuse) a stale build/
    source.mkdir()
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("claimsctl", "claimsctl_runtime", "templates", "lambda_src"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(scratch / "dist"),
                    str(source)], check=True, timeout=600, capture_output=True)
    return next((scratch / "dist").glob("claimsctl-*.whl"))


def _venv_with(folder: Path, *requirements: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    bin_dir = folder / "bin"
    subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "--disable-pip-version-check", *requirements],
                   check=True, timeout=1800, capture_output=True)
    return bin_dir


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Iterator[Path]:
    """The bin/ folder of a fresh venv holding the wheel (and its base dependencies)."""
    yield _venv_with(wheel.parent.parent / "venv", str(wheel))


@pytest.fixture(scope="module")
def installed_local(wheel: Path) -> Path:
    """A venv with the wheel and its [local] extra (the test kit's emulator), pytest and pytest-xdist."""
    return _venv_with(wheel.parent.parent / "venv-local", f"{wheel}[local]", "pytest>=8", "pytest-xdist>=3.5,<4")


def run(bin_dir: Path, folder: Path, *args: str, endpoint: str | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AWS_PROFILE")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return subprocess.run([str(bin_dir / "claimsctl"), *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600, check=False, input=stdin)


def test_the_wheel_ships_its_templates_and_no_top_level_module(installed: Path) -> None:
    site = next((installed.parent / "lib").glob("python3*/site-packages"))
    assert (site / "claimsctl" / "resources" / "templates" / "stack.yaml.j2").exists()
    assert (site / "claimsctl" / "resources" / "lambda_src" / "pre_token_generation.py").exists()
    assert not (site / "cli.py").exists()


def test_init_render_deploy_teardown_from_an_empty_folder(installed: Path, tmp_path: Path, endpoint: str) -> None:
    assert run(installed, tmp_path, "init", "app").returncode == 0
    project = tmp_path / "app"
    inputs = json.loads((project / "stackInputs.json").read_text())
    assert inputs["userPoolDomainName"].startswith("claimsctl-") and len(inputs["userPoolDomainName"]) > 15
    assert inputs["implicitFlow"] is False and inputs["userPasswordAuth"] is False  # production-leaning
    rendered = run(installed, project, "render")
    assert rendered.returncode == 0, rendered.stderr
    (project / "stack.yaml").write_text(rendered.stdout)
    cfn_lint = shutil.which("cfn-lint") or str(Path(sys.executable).with_name("cfn-lint"))
    lint = subprocess.run([cfn_lint, "--", str(project / "stack.yaml")], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout
    deployed = run(installed, project, "deploy", "--yes", endpoint=endpoint)
    assert deployed.returncode == 0, deployed.stderr
    assert "(shipped)" in deployed.stderr and "claimsctl/resources/templates" in deployed.stderr
    assert (project / "claimsctl-config.json").exists()
    added = run(installed, project, "add-user", "--username", "ana", "--email", "ana@example.com", "--projects",
                "p1:editor,p2", "--password-stdin", endpoint=endpoint, stdin="Wheel-Passw0rd!\n")
    assert added.returncode == 0, added.stderr
    login = run(installed, project, "login", "ana", "--password-stdin", "--output", "json", endpoint=endpoint,
                stdin="Wheel-Passw0rd!\n")  # by SRP: the project's app client has no USER_PASSWORD_AUTH
    assert login.returncode == 0, login.stderr
    assert json.loads(login.stdout)["id_token"]["projects"] == "p1:editor,p2"
    explained = run(installed, project, "explain", "ana", "--request", "POST /projects/p1/items", "--output", "json",
                    endpoint=endpoint)  # the shipped claims.py, loaded from the installed claimsctl
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["decision"] == "allow"
    torn_down = run(installed, project, "teardown", "--yes", endpoint=endpoint)
    assert torn_down.returncode == 0, torn_down.stderr
    assert not (project / "claimsctl-config.json").exists()


def test_machine_clients_from_the_installed_wheel(installed: Path, tmp_path: Path, endpoint: str) -> None:
    """A project made by init, switched to V3_0: add-client, a verified token with the claim, the API by it."""
    assert run(installed, tmp_path, "init", "m2m").returncode == 0
    project = tmp_path / "m2m"
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0"}))
    deployed = run(installed, project, "deploy", "--yes", endpoint=endpoint)
    assert deployed.returncode == 0, deployed.stderr
    try:
        added = run(installed, project, "add-client", "nightly-report", "--projects", "p1", "--secret-out",
                    "report.json", endpoint=endpoint)
        assert added.returncode == 0, added.stderr
        secret = json.loads((project / "report.json").read_text())["client_secret"]
        assert secret not in added.stdout + added.stderr
        token = run(installed, project, "token", "--client", "nightly-report", "--secret-file", "report.json",
                    "--output", "json", endpoint=endpoint)
        assert token.returncode == 0, token.stderr
        assert json.loads(token.stdout)["access_token"]["projects"] == ["p1"]
        allowed = run(installed, project, "request", "GET", "/projects/p1/items", "--client", "nightly-report",
                      "--secret-file", "report.json", endpoint=endpoint)
        refused = run(installed, project, "request", "GET", "/projects/p2/items", "--client", "nightly-report",
                      "--secret-file", "report.json", endpoint=endpoint)
        assert (allowed.returncode, refused.returncode) == (0, 1) and "HTTP 403" in refused.stderr
    finally:
        assert run(installed, project, "teardown", "--yes", endpoint=endpoint).returncode == 0


def test_the_test_kit_from_the_installed_wheel(installed_local: Path, tmp_path: Path) -> None:
    """A project made by init, with the example test, a staleness test and a machine client's test, run by
    pytest from a venv with the wheel[local] (not editable): twice in a row, then with -n 2."""
    from tests.testkit.user_tests import MACHINES, STALENESS

    assert run(installed_local, tmp_path, "init", "kit").returncode == 0
    project = tmp_path / "kit"
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0"}))
    (project / "tests" / "test_staleness.py").write_text(STALENESS)
    (project / "tests" / "test_machines.py").write_text(MACHINES)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_")) and k != "PYTHONPATH"}
    for extra in ((), (), ("-n", "2")):
        result = subprocess.run([str(installed_local / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                 *extra], cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0 and "9 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_test_kit_without_the_extra_is_one_line(installed: Path, tmp_path: Path) -> None:
    subprocess.run([str(installed / "pip"), "install", "--quiet", "--disable-pip-version-check", "pytest>=8"],
                   check=True, timeout=900, capture_output=True)
    assert run(installed, tmp_path, "init", "nokit").returncode == 0
    result = subprocess.run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=tmp_path / "nokit", capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode != 0 and "pip install 'claimsctl[local]'" in result.stdout
    assert "Traceback" not in result.stdout


def test_a_project_folders_own_templates_win(installed: Path, tmp_path: Path) -> None:
    assert run(installed, tmp_path, "init", "own", "--with-source").returncode == 0
    template = tmp_path / "own" / "templates" / "stack.yaml.j2"
    template.write_text(template.read_text().replace("Resources:\n", "# customised by the project\nResources:\n", 1))
    rendered = run(installed, tmp_path / "own", "render")
    assert rendered.returncode == 0 and "# customised by the project" in rendered.stdout
    # upgrade-source from the wheel: an older copy of the authorizer (and its record) is brought forward to the
    # wheel's; the customised template is kept and named
    authorizer, record_path = (tmp_path / "own" / "lambda_src" / name for name in ("authorizer.py", ".claimsctl-source.json"))
    shipped, record = authorizer.read_bytes(), json.loads(record_path.read_text())
    authorizer.write_bytes(b"# older\n")
    record["copied"]["lambda_src/authorizer.py"] = hashlib.sha256(b"# older\n").hexdigest()
    record_path.write_text(json.dumps(record))
    upgraded = run(installed, tmp_path / "own", "upgrade-source")
    assert upgraded.returncode == 0 and authorizer.read_bytes() == shipped, upgraded.stderr
    assert "keep     templates/stack.yaml.j2  (changed since the copy" in upgraded.stdout


def test_the_emulator_without_the_extra_gives_one_line(installed: Path, tmp_path: Path) -> None:
    result = run(installed, tmp_path, "local", "start", "--port", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install 'claimsctl[local]'" in result.stderr
    assert run(installed, tmp_path, "--version").stdout.startswith("claimsctl, version")
    module = subprocess.run([str(installed / "python"), "-m", "claimsctl", "--version"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path, check=False)
    assert module.stdout.startswith("claimsctl, version")


def test_the_unit_tier_passes_without_moto(installed: Path) -> None:
    """tests/unit needs no emulator and no moto: run it in the wheel's venv (base dependencies only), with
    just the test runner added."""
    pip = [str(installed / "pip"), "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "pytest>=8", "pytest-timeout>=2.3", "hypothesis>=6.100"], check=True, timeout=900,
                   capture_output=True)
    probe = subprocess.run([str(installed / "python"), "-c", "import moto"], capture_output=True, timeout=60)
    assert probe.returncode != 0  # moto is really absent
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AWS_ENDPOINT_URL")}
    result = subprocess.run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]


def test_the_readme_installed_section_past_deploy(installed_local: Path, tmp_path: Path, endpoint: str) -> None:
    """README's "Installed, in a folder of your own", command by command, in a project made by init from the
    wheel: add-user, login, explain, request (signing in, then a reused token), logs, the test kit."""
    password = "Readme-Passw0rd!"
    assert run(installed_local, tmp_path, "init", "my-app").returncode == 0
    project = tmp_path / "my-app"
    deployed = run(installed_local, project, "deploy", "--yes", endpoint=endpoint)
    assert deployed.returncode == 0, deployed.stderr
    try:
        added = run(installed_local, project, "add-user", "--username", "alice", "--email", "alice@example.com",
                    "--projects", "p1:editor,p2", "--password-stdin", endpoint=endpoint, stdin=password + "\n")
        assert added.returncode == 0, added.stderr
        login = run(installed_local, project, "login", "alice", "--password-stdin", endpoint=endpoint,
                    stdin=password + "\n")
        assert login.returncode == 0 and "◀ custom claim" in login.stdout, login.stderr
        explained = run(installed_local, project, "explain", "alice", "--request", "POST /projects/p1/items",
                        endpoint=endpoint)
        assert explained.returncode == 0 and "POST /projects/p1/items: allow (by " in explained.stderr
        requested = run(installed_local, project, "request", "GET", "/projects/p1/items", "--user", "alice",
                        "--password-stdin", endpoint=endpoint, stdin=password + "\n")
        assert requested.returncode == 0 and requested.stderr.strip() == "HTTP 200  GET /projects/p1/items"
        tokens = run(installed_local, project, "login", "alice", "--password-stdin", "--output", "json",
                     "--show-tokens", endpoint=endpoint, stdin=password + "\n")
        token = json.loads(tokens.stdout)["tokens"]["id_token"]
        reused = run(installed_local, project, "request", "GET", "/projects/p2/items", "--token", "-",
                     endpoint=endpoint, stdin=token)
        assert reused.returncode == 0 and reused.stderr.strip() == "HTTP 200  GET /projects/p2/items"
        logged = run(installed_local, project, "logs", "trigger", "--since", "10m", endpoint=endpoint)
        assert logged.returncode == 0 and "START RequestId" in logged.stdout, logged.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k != "PYTHONPATH"}
        kit = subprocess.run([str(installed_local / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                             cwd=project, env={**env, "AWS_ENDPOINT_URL": endpoint}, capture_output=True, text=True,
                             timeout=900, check=False)  # with AWS_ENDPOINT_URL exported, as the README has it
        assert kit.returncode == 0 and " passed" in kit.stdout, kit.stdout[-3000:]
    finally:
        assert run(installed_local, project, "teardown", "--yes", endpoint=endpoint).returncode == 0
