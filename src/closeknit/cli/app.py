"""The Typer application, global options, output helpers and one-line error handling."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import get_close_matches
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from closeknit import __version__
from closeknit.cli.main import NOTHING_CHANGED
from closeknit.config import resolve_db_path
from closeknit.errors import InputError, NotFoundError
from closeknit.export import json_array
from closeknit.pipeline.progress import describe
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
err = Console(stderr=True, highlight=False, soft_wrap=True)  # a message is one line, whatever the width


@dataclass
class Env:
    db_path: Path | None = None
    debug: bool = False
    on_interrupt: str = NOTHING_CHANGED  # what a Ctrl-C leaves behind, said after "interrupted: "


ENV = Env()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")]


def check_choice(option: str, value: str | None, known: Iterable[str]) -> None:
    """Refuse a value that is not one of `known`, naming the likely spelling."""
    choices = list(known)
    if value is None or value in choices:
        return
    guess = get_close_matches(value, choices, n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    raise InputError(f"unknown {option} {value!r}{hint}: use one of {', '.join(choices)}")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"closeknit {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Database file (default: $CLOSEKNIT_DB, then the platform data dir).",
                     show_default=False),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_version, help="Print the version and exit.")
    ] = False,
) -> None:
    ENV.db_path = resolve_db_path(db)
    ENV.debug = debug
    ENV.on_interrupt = NOTHING_CHANGED


@contextmanager
def store(create: bool = False) -> Iterator[Store]:
    """The database; only commands that bring data in (`create`) may start a new one: a mistyped --db
    must not leave an empty database (or folders) behind."""
    path = ENV.db_path or resolve_db_path(None)
    if not create and not path.exists():
        raise NotFoundError(f"no database at {path} (import something first, or check --db)")
    db = Store(path)
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


@contextmanager
def progress(description: str, console: Console | None = None, in_bytes: bool = False) -> Iterator[Callable[..., None]]:
    """A transient progress line on a terminal's stderr, updated by calling `update(done, total=None)`:
    with a total, a bar, "done of total", the share done and the time left (`describe`); without one,
    the count so far. With `in_bytes`, the figures are sizes."""
    console = console or err
    started = time.monotonic()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
        console=console, transient=True, disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None, status="")

        def update(done: int, total: int | None = None) -> None:
            status = describe(done, total, time.monotonic() - started, in_bytes)
            bar.update(task, completed=done, total=total, status=status)

        yield update
