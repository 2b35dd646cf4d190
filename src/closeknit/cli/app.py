"""The Typer application, global options, output helpers and one-line error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from closeknit.config import resolve_db_path
from closeknit.store import Store

app = typer.Typer(
    name="closeknit",
    help="Closeknit: an honest, explainable picture of your real network. Local-first; one SQLite file.",
    no_args_is_help=True,
    add_completion=False,
    # Locals in tracebacks would print contact data; errors are one line unless --debug.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


@dataclass
class Env:
    db_path: Path | None = None
    debug: bool = False


ENV = Env()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


@app.callback()
def main(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Database file (default: $CLOSEKNIT_DB, then the platform data dir).",
                     show_default=False),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    ENV.db_path = resolve_db_path(db)
    ENV.debug = debug


@contextmanager
def store() -> Iterator[Store]:
    db = Store(ENV.db_path or resolve_db_path(None))
    try:
        yield db
    finally:
        db.close()


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def message(text: str) -> None:
    """A status line for the user, on stderr so stdout stays data."""
    err.print(text)


def table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        # Imported text is untrusted: escape Rich markup so "[bold]" in a name stays text.
        t.add_row(*(escape(str(x)) if x is not None else "" for x in r))
    out.print(t)
