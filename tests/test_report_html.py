"""Network reality report: HTML and SVG rendering, escaping, determinism, terminal text, and the page in Chromium."""

from __future__ import annotations

import copy
import html
import re
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from closeknit.report import (
    CHANCE_LABEL,
    NO_ACTIVE,
    NO_FADING,
    NO_FAVOR,
    NO_INTERACTIONS,
    ReportData,
    chance,
    charts,
    curve,
    pyramid_sentence,
    text,
)
from closeknit.report import html as report_html
from closeknit.report.sample import HOSTILE_NAME, HOSTILE_ORG, empty_data, sample_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def sample() -> ReportData:
    return sample_data()


@pytest.fixture(scope="module")
def sample_page(sample: ReportData) -> str:
    return report_html.render(sample)


@pytest.fixture(scope="module")
def empty_page() -> str:
    return report_html.render(empty_data())


class _Checker(HTMLParser):
    """Well-formedness of the page: every non-void element closed in order, no script, no external reference."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
            return
        self.stack.pop()


def _check(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


def _texts(svg: str) -> list[str]:
    """The text content of every <text> element of an SVG, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


# ---------------------------------------------------------------------------------------------
# Unit: the page


@pytest.mark.parametrize("which", ["sample", "empty"])
def test_page_is_well_formed_self_contained_html5(which: str, sample_page: str, empty_page: str) -> None:
    page = sample_page if which == "sample" else empty_page
    checker = _check(page)
    assert checker.doctype.lower() == "doctype html"
    assert not checker.errors, checker.errors[:5]
    assert checker.stack == [], checker.stack
    tags = [t for t, _ in checker.tags]
    assert tags[0] == "html" and dict(checker.tags[0][1])["lang"] == "en"
    assert '<meta charset="utf-8">' in page and tags.count("title") == 1 and tags.count("main") == 1
    assert "script" not in tags and "iframe" not in tags and "img" not in tags and "link" not in tags
    for tag, attrs in checker.tags:  # no external resource, no event handler, only in-page references
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"src", "href", "xlink:href", "action", "srcset", "poster"}:
                assert (value or "").startswith("#"), (tag, name, value)
    assert set(re.findall(r"https?://[^\s\"')]+", page)) <= NAMESPACES
    assert "@import" not in page and "url(http" not in page
    ids = [attrs["id"] for _, attrs in checker.tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]


@pytest.mark.parametrize("which", ["sample", "empty"])
def test_every_chart_is_an_accessible_figure(which: str, sample_page: str, empty_page: str) -> None:
    page = sample_page if which == "sample" else empty_page
    assert page.count("<svg") == len(charts.CHARTS) == 6
    for name, chart in charts.CHARTS.items():
        m = re.search(rf'<figure id="fig-{name}">\s*<svg id="{chart.id}" class="chart" role="img" aria-label="([^"]+)"',
                      page)
        assert m, name
        assert html.unescape(m.group(1)).startswith(chart.title)
        figure = page[m.start(): page.index("</figure>", m.start())]
        assert f"<figcaption>{html.escape(chart.caption)}</figcaption>" in figure
    for section in ("headline", "favor-list", "fading", "reciprocity", "trends", "how-scores-work"):
        assert f'<section id="{section}"' in page


def test_hostile_text_is_escaped_everywhere(sample: ReportData, sample_page: str) -> None:
    assert "<script" not in sample_page and "alert(1)</" not in sample_page
    assert html.escape(HOSTILE_NAME) in sample_page  # favor, fading and reciprocity tables
    assert html.escape(HOSTILE_ORG) in sample_page
    assert html.escape("<b>bold</b> & $\\alpha$ factor") in sample_page and "<b>bold" not in sample_page
    assert "<i>(10×" not in sample_page and html.escape("<i>(10× usual gap)</i>") in sample_page
    # the hostile name is also a tick label of the reciprocity and fading charts, as literal text
    for name in ("reciprocity", "fading"):
        assert any(t.startswith('<script>alert(1)</script> $x$') for t in _texts(charts.svg(name, sample))), name


def test_pyramid_sentence_headline(sample: ReportData, sample_page: str) -> None:
    sentence = pyramid_sentence(sample)
    assert re.fullmatch(r"[\d,]+ contacts → [\d,]+ active → [\d,]+ favor list → [\d,]+ close → 5 inner", sentence)
    assert f'aria-label="{html.escape(sentence)}"' in sample_page
    assert pyramid_sentence(empty_data()) == "no data yet"


def test_render_is_byte_identical(sample: ReportData, sample_page: str, empty_page: str) -> None:
    assert report_html.render(sample) == sample_page
    assert report_html.render(sample_data()) == sample_page  # same seed, same data, same bytes
    assert report_html.render(empty_data()) == empty_page
    assert report_html.render(sample_data(seed=1)) != sample_page


def test_write(tmp_path: Path, sample: ReportData, sample_page: str) -> None:
    path = report_html.write(sample, tmp_path / "out" / "report.html")
    assert path.read_text(encoding="utf-8") == sample_page


def test_favor_table_lists_everyone_with_factors(sample: ReportData, sample_page: str) -> None:
    table = sample_page[sample_page.index('<table id="favor-table">'): sample_page.index("</table>",
                                                                                      sample_page.index("favor-table"))]
    assert table.count("<tr>") == len(sample["favor_list"]) + 1
    first = sample["favor_list"][0]
    assert html.escape(first["name"]) in table and html.escape(first["factors"][0]) in table
    assert '<span class="tier tier-inner">inner</span>' in table


def _table(page: str, table_id: str) -> str:
    start = page.index(f'<table id="{table_id}">')
    return page[start: page.index("</table>", start)]


def test_tables_show_the_90_day_chance_and_the_page_explains_it(sample: ReportData, sample_page: str) -> None:
    header = f'<th class="num wrap" scope="col">{html.escape(CHANCE_LABEL.capitalize())}</th>'
    for table_id, rows in (("favor-table", sample["favor_list"]), ("fading-table", sample["fading"])):
        table = _table(sample_page, table_id)
        assert table.count(header) == 1, table_id
        cells = re.findall(r'<td class="num chance">([^<]*)</td>', table)
        assert cells == [html.escape(chance(p.get("p_contact_90d"))) for p in rows], table_id
        assert any(c.endswith("%") for c in cells), table_id
    assert chance(0.004) == "<1%" and chance(0.9999) == ">99%" and chance(0.42) == "42%" and chance(None) == "–"
    calib = sample["calibration"]
    assert calib["source"] == "own history"
    note = (f"It is calibrated on {calib['cutoffs']} back-tests of your own history: at each past monthly cut-off the "
            f"model scored your ties from the year before it only, and those {calib['ties']:,} scores")
    favor = sample_page[sample_page.index('<section id="favor-list"'):]
    assert "within the next 90 days, judging from your own history" in favor[: favor.index("<table")]
    assert '<a href="#h-chance">' in favor and '<h3 id="h-chance">' in sample_page
    assert html.escape(note) in sample_page
    lines = text.lines(sample)
    assert any(line.startswith(note) for line in lines)
    assert any(line.startswith("The 90-day chance is the probability") for line in lines)
    top = sample["favor_list"][0]
    ranked = next(line for line in lines if line.startswith("   1. "))
    assert f"  {chance(top['p_contact_90d'])}  " in ranked
    fading = next(line for line in lines if line.startswith("  - ") and "90-day chance" in line)
    assert re.search(r", 90-day chance (\d+%|<1%|>99%)$", fading)


def test_a_short_history_says_the_default_curve_is_used() -> None:
    data = empty_data()
    assert data["calibration"]["source"] == "default" and data["calibration"]["reliability"] == []
    page = report_html.render(data)
    joined = "\n".join(text.lines(data))
    for where in (html.unescape(page), joined):
        assert "too short to back-test" in where and "default curve" in where
        assert f"{chance(curve(data['calibration'], 50))} at score 50" in where
    assert "back-tests of your own history" not in joined


def test_calibration_chart_shows_the_curve_and_the_back_tests(sample: ReportData) -> None:
    texts = _texts(charts.svg("calibration", sample))
    calib = sample["calibration"]
    legend = f"what happened in your back-tests ({calib['ties']:,} tie scores in {len(calib['reliability'])} groups)"
    assert "your calibration curve" in texts and legend in texts
    label = re.search(r'aria-label="([^"]+)"', charts.svg("calibration", sample))
    assert label and all(f"around score {b['score']:.0f}: {chance(b['observed'])} happened" in html.unescape(
        label.group(1)) for b in calib["reliability"])
    empty = _texts(charts.svg("calibration", empty_data()))
    assert "default curve (no back-tests of your own yet)" in empty and "no back-tests of your own yet" in empty
    strength = _texts(charts.svg("strength", sample))  # the chance at a few scores along the top
    assert "90-day chance of a two-way exchange at that score" in strength
    assert all(chance(curve(calib, s)) in strength for s in charts.CHANCE_MARKS)


# ---------------------------------------------------------------------------------------------
# Unit: the charts


@pytest.mark.parametrize("which", ["sample", "empty"])
def test_charts_have_title_axis_labels_and_ticks(which: str, sample: ReportData) -> None:
    data = sample if which == "sample" else empty_data()
    for name, chart in charts.CHARTS.items():
        svg = charts.svg(name, data)
        assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
        assert "<?xml" not in svg and "<dc:date>" not in svg.lower() and "<metadata" not in svg
        texts = _texts(svg)
        xlabel = chart.xlabel
        if name == "fading" and which == "sample" and xlabel not in texts:
            xlabel = "days since last contact"
        assert chart.title in texts and xlabel in texts and chart.ylabel in texts, (name, texts[:20])
        assert len(texts) >= 5, (name, texts)  # tick labels are text too
        if which == "empty":
            assert any(t.startswith("no ") for t in texts), name


def test_charts_are_deterministic_and_isolated(sample: ReportData) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    first = charts.all_svgs(sample)
    assert charts.all_svgs(sample) == first
    assert dict(matplotlib.rcParams) == before  # no global style leaks
    assert charts.png("pyramid", sample) == charts.png("pyramid", sample)
    png = charts.png("monthly", sample, dpi=72)
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", png[16:24])[0] == round(charts.WIDTH_IN * 72)


def test_report_never_imports_pyplot_or_interface_libraries() -> None:
    code = (
        "import sys; from closeknit.report import html, text, sample; "
        "html.render(sample.sample_data(60)); text.lines(sample.sample_data(60)); "
        "bad = [m for m in ('matplotlib.pyplot', 'jinja2', 'typer', 'rich', 'fastapi') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_mathtext_is_never_parsed() -> None:
    data = empty_data()
    data["reciprocity"] = [{"id": 1, "name": "$x$", "sent": 3, "received": 4},
                           {"id": 2, "name": r"$\alpha^2$ & <b>", "sent": 1, "received": 0}]
    texts = _texts(charts.reciprocity(data))
    assert "$x$" in texts and r"$\alpha^2$ & <b>" in texts
    assert "α" not in "".join(texts)


def test_fading_chart_falls_back_to_days_without_usual_gap(sample: ReportData) -> None:
    data = copy.deepcopy(sample)
    data["fading"][0]["usual_gap_days"] = None
    texts = _texts(charts.fading(data))
    assert "days since last contact" in texts and charts.FADING.xlabel not in texts
    assert charts.FADING.xlabel in _texts(charts.fading(sample))


def test_odd_values_do_not_crash(sample: ReportData) -> None:
    data: Any = copy.deepcopy(sample)
    data["favor_list"][0].update(strength=None, last_contact="not a date", factors=[], organization=None, tier="vip")
    data["fading"][0].update(silence_days=float("nan"), usual_gap_days=0)
    data["reciprocity"][0].update(sent=-5, received=None)
    data["strengths"] += [float("nan"), -3, 250]
    data["monthly"]["series"]["inner"] = data["monthly"]["series"]["inner"][:3]  # shorter than months
    data["monthly"]["series"]["custom"] = [1] * len(data["monthly"]["months"])
    data["pyramid"].append({"label": "\x1b[31mweird\nlabel", "count": 0})
    data["balance"] = {"you_started": 10, "they_started": 0, "answered_by_them": 72, "answered_by_you": None}
    data["title"] = "Report\u202e for <me>"
    data["favor_list"][1]["p_contact_90d"] = "<b>1</b>"  # type: ignore[typeddict-item]
    data["fading"][1]["p_contact_90d"] = 7.5
    data["calibration"].update(a="x", reliability=[{"score": None, "observed": 2, "ties": "<i>"}])
    page = report_html.render(data)
    assert _check(page).errors == []
    assert "\x1b" not in page and "\u202e" not in page and "Report for &lt;me&gt;" in page
    assert "72%" in page  # a percentage given instead of a fraction is still read as 72%
    assert "\n".join(text.lines(data))


# ---------------------------------------------------------------------------------------------
# Unit: terminal text


def test_text_lines(sample: ReportData) -> None:
    lines = text.lines(sample)
    joined = "\n".join(lines)
    assert pyramid_sentence(sample) in lines
    assert any(line.startswith("Tiers: inner 5 · close 10") for line in lines)
    assert "Favor list (top 15 of 50)" in lines and "Fading ties (top 10 of 12)" in lines
    assert sum(1 for line in lines if re.match(r"\s+\d+\. ", line)) == 15
    assert sum(1 for line in lines if line.startswith("  - ")) == 10
    assert any(line.startswith("You started ") and "they answered" in line for line in lines)
    assert HOSTILE_NAME in joined  # plain text: literal, not escaped


def test_text_lines_empty_and_control_characters(sample: ReportData) -> None:
    lines = text.lines(empty_data())
    assert "no data yet" in lines and "Reciprocity: no data yet." in lines
    assert f"  {NO_INTERACTIONS}" in lines  # nothing imported to be in touch by: say what would help
    quiet = {**empty_data(), "tiers": {"active": 4, "collected": 9}}
    assert f"  {NO_FAVOR}" in text.lines(quiet)  # in touch, but no tie kept up both ways
    assert f"  {NO_FADING}" in text.lines(quiet)
    archive = {**empty_data(), "tiers": {"dormant": 40, "collected": 9}, "as_of": "2026-12-06",
               "data_ends": "2002-01-30"}
    assert f"  {NO_ACTIVE}" in text.lines(archive)  # an old archive scored today: nothing fades, it has lapsed
    assert any(line.startswith("Your mail ends on 2002-01-30, long before the scoring day") for line in
               text.lines(archive))  # not "too short"
    assert not any(line.startswith("Your mail ends") for line in text.lines(quiet))
    data = copy.deepcopy(sample)
    data["favor_list"][0]["name"] = "Evil\x1b[2J\x1b]0;pwned\x07 Name\r\nNext"
    data["fading"][0]["why"] = "line1\nline2\x1b[31m"
    joined = "\n".join(text.lines(data))
    assert "\x1b" not in joined and "\x07" not in joined and "\r" not in joined
    assert "Evil[2J]0;pwned Name Next" in joined


# ---------------------------------------------------------------------------------------------
# Browser: the page as a user sees it


@pytest.mark.parametrize("which", ["sample", "empty"])
def test_page_in_chromium(which: str, browser: Any, tmp_path: Path, sample: ReportData) -> None:
    data = sample if which == "sample" else empty_data()
    path = report_html.write(data, tmp_path / "report.html")
    url = path.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: requests.append(req.url))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(url, wait_until="load")
        assert page.title().startswith("Network reality report")
        for name, chart in charts.CHARTS.items():
            svg = page.locator(f"svg#{chart.id}")
            assert svg.count() == 1 and svg.is_visible(), name
            box = svg.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 100, (name, box)
            assert svg.get_attribute("role") == "img"
            assert (svg.get_attribute("aria-label") or "").startswith(chart.title)
            assert page.locator(f"#fig-{name} figcaption").inner_text().strip() == chart.caption
            texts = [t.strip() for t in svg.locator("text").all_text_contents()]
            xlabels = {chart.xlabel, "days since last contact"} if name == "fading" else {chart.xlabel}
            assert chart.title in texts and chart.ylabel in texts and xlabels & set(texts), (name, texts[:12])
            text_box = svg.locator("text", has_text=chart.title).bounding_box()
            assert text_box and text_box["width"] > 20 and text_box["height"] > 5, (name, text_box)
        body = page.inner_text("body")
        if which == "sample":
            assert HOSTILE_NAME in body and HOSTILE_ORG in body
            assert pyramid_sentence(data) in " ".join(page.inner_text("#headline .headline").split())
            ticks = page.locator("svg#chart-reciprocity text").all_text_contents()
            assert any(t.startswith('<script>alert(1)</script> $x$') for t in ticks)
        else:
            assert "no data yet" in body
        assert page.locator("script").count() == 0
        assert page.evaluate("document.querySelectorAll('b, i').length") == 0  # no injected markup
        duplicates = page.evaluate(
            "(() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
            " return ids.filter((x, i) => ids.indexOf(x) !== i); })()"
        )
        assert duplicates == []
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        png = shot.read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000
        width, height = struct.unpack(">II", png[16:24])
        assert width == 1280 and height > 1500
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: charts scroll inside their figure
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()
    assert blocked == [], blocked
    assert requests == [url], requests
    assert errors == [], errors
    assert dialogs == [], dialogs


@pytest.mark.parametrize("n", [0, 1, 4, 20])
def test_tiny_networks_render(n: int) -> None:
    data = sample_data(n, seed=n)
    page = report_html.render(data)
    assert _check(page).errors == [] and page.count("<svg") == len(charts.CHARTS)
    assert text.lines(data)[0].startswith("Network reality report")
