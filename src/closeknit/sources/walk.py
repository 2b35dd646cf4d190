"""Walk import folders once per real file (symlink loops included) and name the entries that cannot be read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from closeknit.records import RecordError
from closeknit.sources import registry
from closeknit.sources.base import Format, Yields

SOURCE = "skipped"  # the importer's kind for a folder's entries set aside before any parser saw them
BAD_NAME = "file name is not valid UTF-8 (shown escaped): rename it to import it"


def shown(path: Path | str) -> str:
    """A path as text that is always valid UTF-8: undecodable bytes of a file name as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def has_bad_name(path: Path) -> bool:
    return shown(path) != str(path)


def problem(path: Path) -> str:
    """Why a file cannot be imported before a parser even looks at it, or "" when it can be read."""
    if has_bad_name(path):
        return BAD_NAME
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "broken link: its target does not exist" if path.is_symlink() else "no such file"
    except OSError as exc:
        return f"cannot read: {exc.strerror or type(exc).__name__}"
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path):
                return ""
        except OSError as exc:
            return f"cannot read folder: {exc.strerror or type(exc).__name__}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device): not read"
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"cannot read: {exc.strerror or type(exc).__name__}"
    return ""


@dataclass
class Walk:
    """One walk over a folder tree: each real folder and file is met once, however many links lead to it."""

    seen: set[tuple[int, int]] = field(default_factory=set)

    def first_visit(self, path: Path) -> bool:
        """True the first time this real file or folder (device and inode) is met."""
        try:
            st = path.stat()
        except OSError:
            return True  # cannot tell: its problem is reported by the caller
        key = (st.st_dev, st.st_ino)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def entries(self, folder: Path) -> tuple[list[Path], list[Path], list[Path]]:
        """(readable files, subfolders, entries set aside) directly in `folder`, sorted; hidden ones left
        out, and anything met before in this walk. A folder that cannot be listed is itself set aside."""
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return [], [], [folder]
        files: list[Path] = []
        folders: list[Path] = []
        aside: list[Path] = []
        for name in names:
            if name.startswith("."):
                continue
            path = folder / name
            why = problem(path)
            if why:
                aside.append(path)
            elif not self.first_visit(path):
                continue
            elif path.is_dir():
                folders.append(path)
            else:
                files.append(path)
        return files, folders, aside


def parse(folder: Path | str) -> Iterator[RecordError]:
    """A RecordError naming each entry of `folder` (not below it) that is set aside, and why."""
    for path in Walk().entries(Path(folder))[2]:
        yield RecordError(shown(path), 0, problem(path) or "changed while importing: not read")


def _never(path: Path) -> bool:
    """Set-aside entries are found by walking a folder, never recognised by sniffing."""
    return False


FORMAT = registry.register(Format(SOURCE, Yields.SET_ASIDE, _never, parse))
