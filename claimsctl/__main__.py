"""`python -m claimsctl`: the same command line as `claimsctl`."""

from claimsctl.cli import main

main(prog_name="claimsctl")
