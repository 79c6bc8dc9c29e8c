"""`deploy` with "web": {"hosting": "s3"} on the emulator: seconds for the first deploy (stack, build, upload),
a redeploy with nothing changed (the build reused, every file unchanged), and a redeploy after a source
edit that the minifier drops (a rebuild, nothing new uploaded). The app is a copy of pre-token-web-app
in a scratch project sharing the checkout's node_modules (which must be installed: `make web`).

Run: python -m benchmarks.web_deploy
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, emulator, env_with, save

WEB = ROOT / "pre-token-web-app"


def _project(folder: Path) -> Path:
    app = folder / "pre-token-web-app"
    shutil.copytree(WEB, app, ignore=shutil.ignore_patterns("node_modules", "dist", "claimsctl-config.json"))
    (app / "node_modules").symlink_to(WEB / "node_modules", target_is_directory=True)
    inputs = json.loads((ROOT / "stackInputs.json").read_text())
    inputs.update(stackName="bench-web", userPoolDomainName="bench-web", usersTableName="bench-web-users",
                  web={"hosting": "s3"})
    path = folder / "stackInputs.json"
    path.write_text(json.dumps(inputs))
    return path


def _timed(url: str, inputs: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args, "--inputs", str(inputs)],
                            capture_output=True, text=True, env=env_with(url), check=True, timeout=900)
    said = " ".join(result.stderr.split())
    return round(time.perf_counter() - started, 2), said[said.find("Web app "):][:120]


def run() -> dict[str, Any]:
    with emulator() as running, tempfile.TemporaryDirectory() as folder:
        inputs = _project(Path(folder))
        first, first_said = _timed(running.url, inputs, "deploy", "--yes")
        again, again_said = _timed(running.url, inputs, "deploy", "--yes")
        main = inputs.parent / "pre-token-web-app" / "src" / "main.jsx"
        main.write_text(main.read_text() + "\n// an edit the minifier drops\n")
        edited, edited_said = _timed(running.url, inputs, "deploy", "--yes")
        _timed(running.url, inputs, "teardown", "--yes")
    return {"first_deploy_s": first, "first": first_said, "redeploy_unchanged_s": again, "unchanged": again_said,
            "redeploy_after_edit_s": edited, "after_edit": edited_said}


if __name__ == "__main__":
    figures = run()
    for key, value in figures.items():
        print(f"{key:<24} {value}")
    print(f"results: {save('web_deploy', figures)}")
