"""claimsctl's command line, run from a checkout: `python cli.py COMMAND`.

Installed, the same commands are `claimsctl` and `python -m claimsctl`. They
live in claimsctl/cli.py, so that the wheel installs no top-level module of
its own (a name like `cli` belongs to no one package).
"""

from claimsctl.cli import main

if __name__ == "__main__":
    main()
