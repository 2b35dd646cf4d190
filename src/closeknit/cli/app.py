"""The Typer application, global options, output helpers and one-line error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from closeknit.config import resolve_db_path
from closeknit.export import json_array
from closeknit.sources.csvutil import spreadsheet_safe
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


# Imported text is untrusted: a control character (an escape sequence, a carriage return) would act on
# the terminal, so it is shown as "\x1b" instead. Tables keep line breaks; tab-separated lines cannot.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_IN_TABLE = str.maketrans({**_CONTROLS, ord("\n"): "\n"})
_IN_LINE = str.maketrans({**_CONTROLS, ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})
_ON_TERMINAL = str.maketrans({**_CONTROLS, ord("\n"): "\n", ord("\t"): "\t", ord("\r"): ""})


def emit(chunks: Iterable[str]) -> None:
    """Data on stdout: exact when redirected; on a terminal, with control characters made inert."""
    terminal = sys.stdout.isatty()
    for chunk in chunks:
        sys.stdout.write(chunk.translate(_ON_TERMINAL) if terminal else chunk)


def emit_json(data: Any) -> None:
    emit([json.dumps(data, ensure_ascii=False, indent=2, default=str), "\n"])


def emit_json_array(items: Iterable[Any]) -> None:
    """A JSON array written an item at a time (the same text `emit_json` gives a list)."""
    emit(chain(json_array(items), ["\n"]))


def plain(text: str) -> str:
    """Text with its control characters made visible and inert (print it with markup=False)."""
    return text.translate(_IN_TABLE)


def shown(value: Any) -> str:
    """A value as table text: markup and control characters made inert."""
    return "" if value is None else escape(plain(str(value)))


def say(text: str) -> None:
    """A line of text on stdout, imported text in it made inert."""
    out.print(plain(text), markup=False)


def message(text: str) -> None:
    """A status line for the user, on stderr so stdout stays data."""
    err.print(plain(text), markup=False)


def table(columns: list[str], rows: Iterable[list[Any]], title: str | None = None) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*map(shown, r))
    out.print(t)


TERMINAL_ROWS = 2000  # more rows than this are not laid out as a table on a terminal: slow and unreadable


def _cell(value: Any) -> str:
    """One tab-separated cell: on one line, and imported text never read as a formula by a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_safe(value.translate(_IN_LINE))
    return str(value)


def listing(columns: list[str], rows: Iterable[list[Any]], noun: str, cap: int | None = TERMINAL_ROWS) -> None:
    """A list that may be long: a table on a terminal (of the first `cap` rows, None for all), else
    tab-separated lines (header first), streamed; a text cell that starts like a formula gets a quote in front."""
    rows = iter(rows)
    if out.is_terminal:
        first = list(islice(rows, cap))
        table(columns, first)
        more = sum(1 for _ in rows)
        if more:
            message(f"… and {more:,} more {noun}: narrow the list (--limit, filters) or pipe it for every row")
        count = len(first) + more
    else:
        write = sys.stdout.write
        write("\t".join(columns) + "\n")
        count = 0
        for r in rows:
            write("\t".join(_cell(x) for x in r) + "\n")
            count += 1
    message(f"{count:,} {noun}")
