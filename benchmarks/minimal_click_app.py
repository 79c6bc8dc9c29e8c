"""The least a click CLI's `--help` costs: one group with one command (benchmarks/cli_startup.py's baseline)."""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """A minimal click app."""


@main.command()
def hello() -> None:
    """Say hello."""


if __name__ == "__main__":
    main()
