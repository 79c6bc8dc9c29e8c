"""Build hook: the wheel carries templates/ and lambda_src/ as claimsctl/resources/ (docs/decisions.md).

The repository keeps its layout (top-level templates/ and lambda_src/); only
the built package gains copies, so an installed claimsctl can render and
package without a checkout. Everything else is in setup.cfg.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "lambda_src")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "claimsctl" / "resources"
        for name in BUNDLED:
            shutil.copytree(ROOT / name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"))


setup(cmdclass={"build_py": BuildWithResources})
