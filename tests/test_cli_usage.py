"""Usage mistakes, a missing database, Ctrl-C and the README's list of commands, through the real entry point."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import typer

from closeknit.cli import main as entry
from test_cli import cli

ROOT = Path(__file__).resolve().parents[1]


def vcards(n: int, start: int = 0) -> str:
    return "".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:Person{i} Sample\nEMAIL:p{i}@people.example\nEND:VCARD\n"
                   for i in range(start, start + n))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    book = tmp_path / "book.vcf"
    book.write_text(vcards(3), encoding="utf-8")
    cli(path, "import", str(book))
    return path


@pytest.mark.parametrize(("args", "says"), [
    (["peple"], "No such command 'peple'. Did you mean 'people'?"),
    (["people", "--srot", "name"], "No such option: --srot. Did you mean '--sort'?"),
    (["people", "--json=yes"], "'--json' does not take a value"),
    (["people", "--limit", "0"], "--limit"),
    (["timeline", "1", "--limit", "-3"], "--limit"),
    (["circle", "--limit", "0"], "--limit"),
    (["people", "--tier", "inneer"], "unknown tier 'inneer' (did you mean 'inner'?): use one of inner, close, favor"),
    (["people", "--source", "linkdin"], "unknown source 'linkdin' (did you mean 'linkedin'?)"),
    (["people", "--sort", "nmae"], "unknown sort 'nmae' (did you mean 'name'?)"),
    (["import", "vcrd", "book.vcf"], "unknown import kind 'vcrd' (did you mean 'vcard'?)"),
])
def test_a_usage_mistake_says_what_was_wrong_and_exits_2(db: Path, args: list[str], says: str) -> None:
    proc = cli(db, *args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and says in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") <= 2  # the error, and for Typer's own mistakes where to find help


def test_version(tmp_path: Path) -> None:
    proc = cli(tmp_path / "none.db", "--version")
    assert re.fullmatch(r"closeknit \d+\.\d+\.\d+\n", proc.stdout)
    assert not (tmp_path / "none.db").exists()


def test_read_commands_refuse_a_missing_database_and_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "closeknit.db"
    for args in (["people"], ["show", "1"], ["report"], ["circle"], ["doctor"], ["score"], ["review"],
                 ["timeline", "1"], ["export"], ["ignore"]):
        proc = cli(missing, *args, check=False)
        assert proc.returncode == 3, (args, proc.stderr)
        assert proc.stderr == f"error: no database at {missing} (import something first, or check --db)\n", args
    assert not missing.parent.exists()
    book = tmp_path / "book.vcf"
    book.write_text(vcards(2), encoding="utf-8")
    cli(missing, "import", str(book))  # bringing data in starts the database
    assert missing.exists()


def test_ctrl_c_during_an_import_exits_130_and_says_what_was_kept(tmp_path: Path) -> None:
    """A real SIGINT to a real import: the file is a pipe the test holds open, so the import is
    certainly running (waiting for more records) when the signal arrives."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes")
    db, pipe = tmp_path / "c.db", tmp_path / "book.vcf"
    os.mkfifo(pipe)
    env = {**os.environ, "CLOSEKNIT_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-c", "from closeknit.cli.main import run; run()", "import", "vcard",
                             str(pipe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    opened = threading.Event()
    watchdog = threading.Timer(120, lambda: opened.is_set() or proc.kill())  # never hang the suite
    watchdog.daemon = True
    watchdog.start()
    with pipe.open("w", encoding="utf-8") as f:  # returns once the import has opened the file
        opened.set()
        f.write(vcards(5))
        f.flush()
        proc.send_signal(signal.SIGINT)
        # A signal that lands just before the import's read of the pipe begins is only acted on once the read
        # returns, which this open pipe never does (at a terminal, Ctrl-C also ends whatever writes the pipe):
        # then Ctrl-C again, as a user would.
        for _ in range(12):
            try:
                out, err = proc.communicate(timeout=10)
                break
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGINT)
        else:
            proc.kill()
            pytest.fail("the import did not end on Ctrl-C")
    watchdog.cancel()
    assert proc.returncode == 130
    assert err == "interrupted: the records stored so far are kept; run the same import again to finish\n"
    assert out == ""
    pipe.unlink()
    pipe.write_text(vcards(5), encoding="utf-8")
    assert '"added": 5' in cli(db, "import", "vcard", str(pipe), "--json").stdout  # run again: it finishes


def test_ctrl_c_while_listing_exits_130(tmp_path: Path) -> None:
    """`people` writing into a pipe nobody reads blocks once the pipe is full; Ctrl-C then ends it."""
    db, book = tmp_path / "c.db", tmp_path / "book.vcf"
    book.write_text(vcards(4000), encoding="utf-8")
    cli(db, "import", str(book))
    env = {**os.environ, "CLOSEKNIT_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-c", "from closeknit.cli.main import run; run()", "people"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("id\tname")  # listing has begun; 4,000 rows exceed the pipe
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "interrupted: nothing was changed\n"


def test_every_command_turns_ctrl_c_into_130(db: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """In process, for the commands that are quick: a KeyboardInterrupt anywhere inside ends with 130."""
    from closeknit.store import base

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(base.Base, "__init__", interrupted)  # as the command opens its database
    for args in (["people"], ["show", "1"], ["score"], ["tag", "1", "x"], ["review"], ["doctor"], ["export"],
                 ["edit", "1", "--name", "X"], ["ignore", "x.example"], ["report"], ["timeline", "1"]):
        monkeypatch.setattr(sys, "argv", ["closeknit", "--db", str(db), *args])
        with pytest.raises(SystemExit) as stop:
            entry.run()
        assert stop.value.code == 130, args
        assert capsys.readouterr().err == "interrupted: nothing was changed\n", args


def commands() -> list[str]:
    """Every command the entry point registers, as typed ("eval strength" for a group's command)."""
    app = entry.application()

    def named(c: typer.models.CommandInfo) -> str:
        return c.name or (c.callback.__name__ if c.callback else "").replace("_", "-")

    names = [named(c) for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {named(c)}" for c in (group.typer_instance.registered_commands
                                                       if group.typer_instance else [])]
    return sorted(names)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = commands()
    assert {"people", "import", "ignore", "edit", "eval strength"} <= set(found)
    missing = [c for c in found if not re.search(rf"closeknit {re.escape(c)}\b", readme)]
    assert not missing, f"commands not shown in README.md: {missing}"


def test_ctrl_c_to_the_whole_process_group_during_a_mail_import(tmp_path: Path) -> None:
    """As a terminal sends it: to the importer and to its parsing process; one line, no traceback."""
    db, box = tmp_path / "c.db", tmp_path / "big.mbox"
    with box.open("w", encoding="utf-8") as f:
        for i in range(80_000):
            f.write(f"From p{i % 3000}@x.example Wed Jan 01 00:00:00 2020\nFrom: p{i % 3000}@x.example\n"
                    f"To: me@home.example\nDate: Wed, 01 Jan 2020 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:"
                    f"{i % 60:02d} +0000\nMessage-ID: <big{i}@test.example>\nSubject: s {i}\n\nbody\n\n")
    env = {**os.environ, "CLOSEKNIT_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-c", "from closeknit.cli.main import run; run()", "import", "mail",
                             str(box), "--me", "me@home.example"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    stored = 0
    while not stored and proc.poll() is None:  # wait for the first stored batch: the import is under way
        time.sleep(0.05)
        if db.exists():
            con = sqlite3.connect(db, timeout=30)
            try:
                stored = con.execute("SELECT count(*) FROM interactions").fetchone()[0]
            except sqlite3.OperationalError:  # the schema is still being created
                stored = 0
            finally:
                con.close()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err == "interrupted: the records stored so far are kept; run the same import again to finish\n"
