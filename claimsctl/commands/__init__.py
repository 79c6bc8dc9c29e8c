"""claimsctl's commands, one module per topic: each parses its options, calls one core function and
shows the result; `common.py` holds what they share (the run's options, prompts, error handling).
claimsctl/cli.py puts them together into the `claimsctl` group."""

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}  # every command's and the group's
