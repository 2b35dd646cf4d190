"""Import progress: bytes done of the files' total, only growing, and the line that shows it with the time left."""

from __future__ import annotations

from pathlib import Path

from closeknit.pipeline.importer import run_import
from closeknit.pipeline.progress import describe
from closeknit.store import Store


def test_the_progress_line_gives_the_total_the_share_and_the_time_left() -> None:
    assert describe(2_500_000, 10_000_000, 5.0, in_bytes=True) == "2.5 MB of 10.0 MB · 25% · about 15 s left"
    assert describe(0, 1500, 0.0, in_bytes=True) == "0 bytes of 1.5 kB · 0%"  # no rate yet: no time left
    assert describe(3, 10, 180.0) == "3 of 10 · 30% · about 7 min 00 s left"
    assert describe(10, 10, 9.0) == "10 of 10 · 100%"
    assert describe(1, 1000, 7200.0) == "1 of 1,000 · 0% · about 1998 h 00 min left"
    assert describe(1234, None, 3.0) == "1,234"  # without a total, only what is done


def _cards(path: Path, first: int, n: int) -> int:
    path.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person{i} Example\r\nEMAIL:p{i}@example.org\r\n"
                            f"NOTE:{'x' * 200}\r\nEND:VCARD\r\n" for i in range(first, first + n)), encoding="utf-8")
    return path.stat().st_size


def test_an_import_reports_bytes_of_the_known_total_growing_to_it(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    # One file large enough to be parsed in a second process (its reads count within it), two small ones.
    total = _cards(folder / "a.vcf", 0, 1500) + _cards(folder / "b.vcf", 2000, 40) + _cards(folder / "c.vcf", 3000, 40)
    calls: list[tuple[int, int]] = []
    with Store(tmp_path / "p.db") as db:
        result = run_import(db, folder, progress=lambda done, of: calls.append((done, of)))
    assert result.people == 1580
    assert {of for _, of in calls} == {total}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total
    assert len({d for d in done if 0 < d < total}) >= 2  # progress shown on the way, not only at the end


def test_the_terminal_line_of_an_import_shows_sizes_of_the_total() -> None:
    import io

    from rich.console import Console

    from closeknit.cli.app import progress

    buffer = io.StringIO()
    with progress("importing", Console(file=buffer, force_terminal=True, width=120), in_bytes=True) as update:
        update(2_500_000, 10_000_000)
    assert "importing" in buffer.getvalue() and "2.5 MB of 10.0 MB · 25%" in buffer.getvalue()
