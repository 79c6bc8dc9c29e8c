"""claimsctl's test kit: real tokens, through the project's real trigger, in your own pytest suite.

The pytest plugin (registered through the `pytest11` entry point, claimsctl.testing.plugin) offers the
`claims_stack` fixture; see docs/testing.md.
"""

from claimsctl.testing.stack import ApiResponse, ClaimsStack, MachineCaller, SignedInUser

__all__ = ["ApiResponse", "ClaimsStack", "MachineCaller", "SignedInUser"]
