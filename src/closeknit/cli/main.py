"""Entry point: registers the commands and turns errors into one line and an exit status."""

from __future__ import annotations

import sys

import click

from closeknit.cli import admin, contacts, demo, interactions, me, strength  # noqa: F401  (commands register on import)
from closeknit.cli.app import ENV, app, err, message
from closeknit.errors import CloseknitError


def run() -> None:
    try:
        app(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except CloseknitError as exc:
        if ENV.debug:
            raise
        message(f"error: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if ENV.debug:
            raise
        # The message may hold contact data, so only the type is shown.
        err.print(f"error: internal error ({type(exc).__name__}); rerun with --debug for details")
        sys.exit(70)
