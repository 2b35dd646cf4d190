"""Uploads for the import page: saved under the app's folder with safe names, checked, imported in a thread."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from closeknit.errors import CloseknitError, InputError
from closeknit.pipeline import scoring
from closeknit.pipeline.detect import sniff_file
from closeknit.pipeline.importer import ImportResult, run_import
from closeknit.pipeline.progress import describe
from closeknit.sources.linkedin import members
from closeknit.store import Store, import_page
from closeknit.store import scores as score_store

MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # per request, all files together
MAX_FILES = 200
MAX_NAME = 120  # characters of a stored file name
CHUNK = 1 << 20
KEEP_JOBS = 50  # finished jobs remembered for their pages
RUNNING = ("queued", "waiting", "importing", "scoring")
FORMATS = ("a LinkedIn export (.zip, or its CSV files together)", "a vCard address book (.vcf)",
           "a contacts CSV (Google, Outlook, Apple)", "mail (.mbox, .mbox.xz, .eml)", "a calendar (.ics)")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
log = logging.getLogger(__name__)


class TooLarge(Exception):
    """The files of one upload hold more than MAX_UPLOAD_BYTES."""


def too_large() -> TooLarge:
    return TooLarge(f"the upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: import it in parts, or with"
                    " `closeknit import` on this machine")


def safe_name(given: str | None) -> str:
    """The file name to store an upload under: the last part of the name it was sent with (no folders), without
    control or reserved characters or leading dots; a name that is '..', holds NUL or is left empty is refused."""
    if not given or "\x00" in given:
        raise InputError(f"{given!r}: not a usable file name")
    base = re.split(r"[\\/]", given)[-1].strip()
    if base in (".", ".."):
        raise InputError(f"{given!r}: not a usable file name")
    base = _UNSAFE.sub("_", base).lstrip(". ")
    try:
        base.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{given!r}: the file name is not valid UTF-8") from None
    if not base:
        raise InputError(f"{given!r}: not a usable file name")
    if len(base) > MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 12 else base[:MAX_NAME]
    return base


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    taken.add(candidate.lower())
    return candidate


def save(home: Path, files: Iterable[tuple[str | None, IO[bytes]]]) -> Path:
    """Write uploaded (name, content) pairs into a new folder home/uploads/<random id>/, checked: at most
    MAX_UPLOAD_BYTES in all (else TooLarge), each file of a format Closeknit reads (else an InputError naming
    the files that are not). A LinkedIn export's CSV files sent together go to a `linkedin` folder, read as the
    export. Nothing is left behind when the upload is refused."""
    folder = home / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True, mode=0o700)
    try:
        saved = _write(folder, files)
        _arrange(folder, saved)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _write(folder: Path, files: Iterable[tuple[str | None, IO[bytes]]]) -> list[Path]:
    saved: list[Path] = []
    taken: set[str] = set()
    total = 0
    for given, content in files:
        if len(saved) >= MAX_FILES:
            raise InputError(f"more than {MAX_FILES} files in one upload: send a zip or import in parts")
        path = folder / _unique(safe_name(given), taken)
        with path.open("xb") as out:
            while chunk := content.read(CHUNK):
                total += len(chunk)
                if total > MAX_UPLOAD_BYTES:
                    raise too_large()
                out.write(chunk)
        saved.append(path)
    if not saved:
        raise InputError("no file was sent: choose one or more files to import")
    return saved


def _arrange(folder: Path, saved: list[Path]) -> None:
    loose_export = any(p.name.lower() == members.CONNECTIONS and sniff_file(p) == "linkedin" for p in saved)
    unknown = []
    for path in saved:
        if loose_export and path.name.lower() in members.READ:
            (folder / "linkedin").mkdir(exist_ok=True)
            path.rename(folder / "linkedin" / path.name)
        elif sniff_file(path) is None:
            unknown.append(path.name)
    if unknown:
        raise InputError(f"not a format Closeknit reads: {', '.join(unknown)} (it reads {'; '.join(FORMATS)})")


def shown_files(folder: Path) -> list[str]:
    """The files of an upload as the user knows them (relative to its folder)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


_KEPT = ("state", "done", "total", "result", "summary", "errors", "quarantine", "problem", "scored_as_of")


@dataclass
class Job:
    """One upload's import: where it stands, then what it did."""

    id: str
    folder: Path
    files: list[str]
    me: list[str]
    state: str = "queued"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    result: dict[str, Any] | None = None
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""
    scored_as_of: str = ""

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0

    @property
    def progress(self) -> str:
        return describe(self.done, self.total, time.monotonic() - self.started, in_bytes=True)

    def tick(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def shown(self, path: object) -> str:
        """A path the importer reports, relative to the upload (a zip member keeps its `!member`)."""
        return "the upload" if str(path) == str(self.folder) else str(path).removeprefix(str(self.folder) + "/")

    def record(self) -> dict[str, Any]:
        """What is kept of the job on disk, so its page outlives a restart of the app."""
        return {"id": self.id, "folder": str(self.folder), "files": self.files, "me": self.me,
                **{key: getattr(self, key) for key in _KEPT}}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Job:
        job = cls(str(data["id"]), Path(data["folder"]), list(data["files"]), list(data["me"]))
        for key in _KEPT:
            setattr(job, key, data[key])
        return job

    def finish(self, result: ImportResult, quarantined: list[dict[str, Any]]) -> None:
        data = result.as_dict()
        for key in ("files", "not_read", "regions"):
            data[key] = {self.shown(k): v for k, v in data[key].items()}
        data["errors"] = [{**e, "file": self.shown(e["file"])} for e in data["errors"]]
        self.result = data
        self.summary = result.summary()
        self.errors = [f"{e['file']} record {e['record']}: {e['reason']}" for e in data["errors"]]
        self.quarantine = [{**q, "file": self.shown(q["file"])} for q in quarantined]


class Jobs:
    """The imports started by this app, each run in its own thread with its own database. Each is also kept in
    `home/imports/<id>.json` (the folder 0700, as the uploads): after a restart a finished job's page is still
    there, and an import the stop cut short starts again from its upload (the importer resumes it)."""

    def __init__(self, db_path: Path, home: Path) -> None:
        self.db_path = db_path
        self.kept = home / "imports"
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        cut: list[Job] = []
        for path in sorted(self.kept.glob("*.json"), key=lambda p: p.stat().st_mtime) if self.kept.is_dir() else ():
            try:
                job = Job.from_record(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a record cut short by the stop: its upload, if any, is still in uploads/
            self._jobs[job.id] = job
            if job.running:
                cut.append(job)
        for job in cut:
            if job.folder.is_dir():
                job.state = "queued"
                self._launch(job)
            else:
                job.state, job.problem = "failed", "the app stopped during this import and its upload is gone"
                self._keep(job)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        return list(reversed(self._jobs.values()))

    def start(self, folder: Path, me: list[str]) -> Job:
        job = Job(folder.name, folder, shown_files(folder), me)
        with self._lock:
            self._jobs[job.id] = job
            for old in [j for j in self._jobs.values() if not j.running][:-KEEP_JOBS]:
                del self._jobs[old.id]
                (self.kept / f"{old.id}.json").unlink(missing_ok=True)
        self._launch(job)
        return job

    def _launch(self, job: Job) -> None:
        self._keep(job)
        threading.Thread(target=self._run, args=(job,), name=f"import-{job.id}", daemon=True).start()

    def _keep(self, job: Job, state: str | None = None) -> None:
        """Write the job's record, in `state` when given (whole or not at all: a new file replaces the old)."""
        self.kept.mkdir(mode=0o700, exist_ok=True)
        part = self.kept / f"{job.id}.json.part"
        with open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
            json.dump({**job.record(), **({"state": state} if state else {})}, out)
        part.replace(self.kept / f"{job.id}.json")

    def _run(self, job: Job) -> None:
        db = Store(self.db_path)
        ended = "failed"
        try:
            job.state = "importing"
            result = run_import(db, job.folder, me=job.me, progress=job.tick,
                                on_wait=lambda: setattr(job, "state", "waiting"))
            job.state = "scoring"
            job.scored_as_of = score(db)
            job.finish(result, import_page.under(db, str(job.folder)))
            ended = "done"
        except CloseknitError as exc:
            job.problem = str(exc)
        except Exception as exc:  # the thread must not die silently; the message may hold data: not logged
            log.error("import %s failed: %s", job.id, type(exc).__name__)
            job.problem = f"the import failed unexpectedly ({type(exc).__name__})"
        finally:
            db.close()
            self._keep(job, ended)  # before the upload goes: a stop between the two imports it again (no change)
            shutil.rmtree(job.folder, ignore_errors=True)  # the data is in the database now: no copy is kept
            job.state = ended  # said last, so a finished job has left nothing behind


def score(db: Store) -> str:
    """Score after an import: again as of the last run's day; the first time, or when the data now ends long
    before that day (an archive scored as of today would show every tie dormant), as of the day the mail ends,
    else the newest interaction's, never after today. Returns the day scored as of."""
    if score_store.last_run(db) is None or scoring.stale(db):
        newest = score_store.data_end(db, email_only=True) or score_store.data_end(db)
        day = min(date.fromisoformat(newest), date.today()) if newest else None
        return str(scoring.compute(db, day)["as_of"])
    return str(scoring.rescore(db)["as_of"])


def jobs(state: Any) -> Jobs:
    """The app's import jobs (made on first use; `state` is the app's state)."""
    found = getattr(state, "import_jobs", None)
    if found is None:
        with _MAKING:
            found = getattr(state, "import_jobs", None)
            if found is None:
                found = state.import_jobs = Jobs(state.db_path, state.home)
    return found


_MAKING = threading.Lock()


def parse_me(text: str) -> list[str]:
    """Email addresses typed in one field (commas, semicolons or spaces between them)."""
    found = [a for a in re.split(r"[\s,;]+", text.strip()) if a]
    bad = [a for a in found if "@" not in a or len(a) > 254]
    if bad:
        raise InputError(f"not an email address: {', '.join(bad)}")
    return found
