"""Entry point: registers the commands and turns errors into one line and an exit status."""

from __future__ import annotations

import sys
from difflib import get_close_matches
from typing import Any

from typer.exceptions import Abort, Exit, TyperException

from closeknit.errors import CloseknitError

INTERRUPTED = 130  # the shell's status for a process ended by Ctrl-C (128 + SIGINT)
NOTHING_CHANGED = "nothing was changed"


def usage_line(exc: TyperException) -> str:
    """A usage error as one line: what was wrong and, for a mistyped option, the likely spelling."""
    option, choices = getattr(exc, "option_name", None), getattr(exc, "possibilities", None)
    if option and choices:
        guess = get_close_matches(option, list(choices), n=1, cutoff=0.0)
        return f"{exc.message.rstrip('.')}. Did you mean {guess[0]!r}?"
    return exc.format_message()


def application() -> Any:
    """The Typer application with every command registered (on import of their modules)."""
    from closeknit.cli import (  # noqa: F401
        admin,
        care,
        contacts,
        demo,
        ignore,
        interactions,
        intros,
        ledger,
        me,
        paths,
        search,
        serve,
        strength,
    )
    from closeknit.cli.app import app

    return app


def __getattr__(name: str) -> Any:
    # `from closeknit.cli.main import app` still works, while the commands load only when asked for:
    # inside `run`, so that a Ctrl-C during start-up is handled like any other.
    if name == "app":
        return application()
    raise AttributeError(name)


def run() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        status = application()(standalone_mode=False)
    except KeyboardInterrupt:
        status = INTERRUPTED
    except Abort:
        sys.stderr.write("aborted\n")
        sys.exit(INTERRUPTED)
    except Exit as exc:
        sys.exit(exc.exit_code)
    except TyperException as exc:  # Typer's own usage errors (no such command or option, bad value)
        if exc.__class__.__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
        else:
            sys.stderr.write(f"error: {usage_line(exc)}\n")
            sys.stderr.write("see closeknit --help, or closeknit COMMAND --help\n")
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        if isinstance(exc, CloseknitError):
            from closeknit.cli.app import message

            message(f"error: {exc}")
            sys.exit(exc.exit_code)
        # The message may hold contact data, so only the type is shown.
        sys.stderr.write(f"error: internal error ({type(exc).__name__}); rerun with --debug for details\n")
        sys.exit(70)
    if status == INTERRUPTED:
        app_module = sys.modules.get("closeknit.cli.app")  # absent when stopped while starting
        kept = app_module.ENV.on_interrupt if app_module else NOTHING_CHANGED
        sys.stderr.write(f"interrupted: {kept}\n")
    if isinstance(status, int) and status:
        sys.exit(status)
