"""`python -m closeknit`: the same entry point as the `closeknit` command."""

from closeknit.cli.main import run

run()
