"""Report charts with matplotlib (explicit Agg canvas, no pyplot): deterministic SVG text or PNG bytes."""

from __future__ import annotations

import html
import io
import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from closeknit.report import (
    NEUTRAL,
    NO_DATA,
    THEM_COLOR,
    TIER_COLORS,
    TIER_LABELS,
    YOU_COLOR,
    ReportData,
    carries,
    chance,
    clean,
    count,
    curve,
    number,
    span,
    tier_color,
    tier_order,
)

MAX_RECIPROCITY = 15
MAX_FADING = 10
CHANCE_MARKS = (25, 50, 75, 90)  # scores whose calibrated chance the strength chart marks along its top
NAME_LIMIT = 32
WIDTH_IN = 10.5
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"

_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays <text>: selectable, searchable, testable
    "svg.image_inline": True,
    "svg.id": None,
    "text.usetex": False,
    "text.parse_math": False,  # names like "$x$" are literal text, never mathtext
    "axes.formatter.use_mathtext": False,
    "axes.unicode_minus": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 10.0,
    "axes.titlesize": 12.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10.0,
    "axes.titlecolor": INK,
    "axes.labelsize": 10.0,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": "#9aa5b1",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "hatch.color": "#9aa5b1",
}

_LOCK = threading.RLock()  # rcParams are process-global: one render at a time keeps output deterministic


class Chart(NamedTuple):
    """A chart of the report: its element id, title, axis labels and how to draw it."""

    id: str
    title: str
    xlabel: str
    ylabel: str
    caption: str
    draw: Callable[[Figure, ReportData], str]  # draws into the figure, returns the accessible description


@contextmanager
def _style(key: str) -> Iterator[None]:
    """The report's matplotlib settings, applied only while one chart is drawn and saved."""
    rc: Any = {**_RC, "svg.hashsalt": f"closeknit-report-{key}"}
    with _LOCK, matplotlib.rc_context(rc):
        yield


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    FigureCanvasAgg(fig)  # explicit Agg canvas: never touches pyplot or the global backend
    return fig


def _no_data(ax: Any, message: str = NO_DATA) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=13, color="#9aa5b1",
            style="italic", bbox={"facecolor": "white", "edgecolor": "none", "pad": 6})


def _axes(fig: Figure, chart: Chart) -> Any:
    ax = fig.add_subplot()
    ax.set_title(chart.title)
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel, labelpad=8)
    return ax


def _name(value: object) -> str:
    return clean(value, NAME_LIMIT) or "(no name)"


def _num(value: object, default: float = 0.0) -> float:
    x = number(value)
    return default if x is None else x


# ---------------------------------------------------------------------------------------------
# The charts


def _draw_pyramid(fig: Figure, data: ReportData) -> str:
    ax = _axes(fig, PYRAMID)
    layers = [(clean(layer.get("label", ""), 24) or "?", max(_num(layer.get("count")), 0.0))
              for layer in data.get("pyramid") or []]
    # widest at the bottom; stable, so equal counts keep the caller's order (top of the list at the bottom)
    order = sorted(range(len(layers)), key=lambda i: -layers[i][1])
    widths = [math.log10(1.0 + n) for _, n in layers]
    wmax = max(widths, default=0.0)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if not layers or wmax == 0:
        _no_data(ax)
    span_x = max(wmax / 2, math.log10(11) / 2)
    for y, i in enumerate(order):
        label, n = layers[i]
        w = widths[i]
        ax.barh(y, w, left=-w / 2, height=0.74, color=tier_color(label), edgecolor="white", linewidth=0.8)
        ax.text(w / 2 + span_x * 0.03, y, count(n), va="center", ha="left", fontsize=10.5, color=INK,
                fontweight="bold")
    ax.set_yticks(range(len(order)), labels=[layers[i][0] for i in order])
    ax.set_ylim(-0.6, max(len(order), 1) - 0.4)
    # symmetric log ticks: a bar whose edges reach the ticks labelled n holds n people
    first = 10 if wmax >= math.log10(101) else 1  # 1 sits too close to the centre once the axis is wide
    decades = [10**k for k in range(0, 8) if first <= 10**k and math.log10(1 + 10**k) <= wmax + 1e-9] or [1, 10]
    pos = [math.log10(1 + n) / 2 for n in decades]
    if wmax > 0:
        ax.xaxis.set_major_locator(FixedLocator([-p for p in reversed(pos)] + pos))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: _decade_label(abs(x))))
    else:
        ax.xaxis.set_major_locator(FixedLocator([0.0]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: "0"))
    ax.set_xlim(-span_x * 1.08, span_x * 1.22)
    ax.axvline(0, color=GRID, linewidth=0.8, zorder=0)
    described = ", ".join(f"{count(n)} {label}" for label, n in layers)
    return f"Tier pyramid: {described or NO_DATA}."


def _decade_label(half_width: float) -> str:
    if half_width < 1e-9:
        return "0"
    return count(10 ** (2 * half_width) - 1)


def _draw_strength(fig: Figure, data: ReportData) -> str:
    ax = _axes(fig, STRENGTH)
    values = np.clip(np.array([_num(v, -1.0) for v in data.get("strengths") or []], dtype=np.float64), -1, 100)
    values = values[values >= 0]
    bins = np.arange(0, 105, 5)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_locator(FixedLocator(list(range(0, 101, 10))))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if values.size == 0:
        ax.set_ylim(0, 1)
        _no_data(ax)
        return f"Strength distribution: {NO_DATA}."
    ax.hist(values, bins=bins, color=TIER_COLORS["favor"], edgecolor="white", linewidth=0.8)
    median = float(np.median(values))
    ax.axvline(median, color=INK, linestyle=(0, (4, 3)), linewidth=1.0)
    ax.annotate(f"median {median:.0f}", xy=(median, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -2),
                textcoords="offset points", ha="left", va="top", fontsize=9.5, color=INK)
    strong = int((values >= 50).sum())
    calib = data.get("calibration") or {}
    marks = [(s, p) for s in CHANCE_MARKS if (p := curve(calib, s)) is not None]
    if marks:  # the calibrated chance at a few scores, on a second axis along the top
        top = ax.secondary_xaxis("top")
        top.xaxis.set_major_locator(FixedLocator([s for s, _ in marks]))
        top.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: chance(curve(calib, x))))
        top.set_xlabel("90-day chance of a two-way exchange at that score", fontsize=9.0, color=MUTED)
    at = "; " + ", ".join(f"score {s} means a {chance(p)} chance" for s, p in marks) if marks else ""
    return (f"Strength distribution of {count(values.size)} people: median {median:.0f} out of 100; "
            f"{count(strong)} score 50 or more{at}.")


def _draw_calibration(fig: Figure, data: ReportData) -> str:
    ax = _axes(fig, CALIBRATION)
    calib = data.get("calibration") or {}
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_locator(FixedLocator(list(range(0, 101, 10))))
    ax.yaxis.set_major_locator(FixedLocator([0.0, 0.25, 0.5, 0.75, 1.0]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:.0f}%"))
    ax.grid(axis="both", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    x = np.linspace(0.0, 100.0, 101)
    y = [curve(calib, float(v)) for v in x]
    own = clean(calib.get("source")) == "own history"
    if all(v is not None for v in y):
        label = "your calibration curve" if own else "default curve (no back-tests of your own yet)"
        ax.plot(x, y, color=TIER_COLORS["close"], linewidth=2.0, label=label)
    bins = [(number(b.get("score")), number(b.get("observed")), number(b.get("ties")))
            for b in calib.get("reliability") or []]
    points = [(s, o, n) for s, o, n in bins if s is not None and o is not None and n]
    if not points:
        _no_data(ax, "no back-tests of your own yet" if any(v is not None for v in y) else NO_DATA)
        if any(v is not None for v in y):
            ax.legend(loc="upper left")
        return ("Score and 90-day chance: no back-tests of your own yet; the chance follows the default curve."
                if any(v is not None for v in y) else f"Score and 90-day chance: {NO_DATA}.")
    ties = sum(n for _, _, n in points)
    ax.scatter([s for s, _, _ in points], [o for _, o, _ in points], s=[20 + 200 * n / ties for _, _, n in points],
               color=TIER_COLORS["dormant"], edgecolor="white", linewidth=0.8, zorder=3,
               label=f"what happened in your back-tests ({count(ties)} tie scores in {len(points)} groups)")
    ax.legend(loc="upper left")
    described = ", ".join(f"around score {s:.0f}: {chance(o)} happened" for s, o, _ in points)
    return f"Score and 90-day chance: the calibration curve and what happened in your back-tests ({described})."


def _month_label(month: str) -> str:
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    m = re.fullmatch(r"(\d{4})-(\d{2})", clean(month)[:7])
    if not m or not 1 <= int(m.group(2)) <= 12:
        return clean(month, 10)
    return f"{names[int(m.group(2)) - 1]} {m.group(1)}"


def _draw_monthly(fig: Figure, data: ReportData) -> str:
    ax = _axes(fig, MONTHLY)
    monthly = data.get("monthly") or {}
    months = [str(m) for m in monthly.get("months") or []]
    series = monthly.get("series") or {}
    keys = tier_order(series)
    x = np.arange(len(months))
    bottom = np.zeros(len(months))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    total = 0.0
    handles = []
    for key in keys:
        raw = list(series.get(key) or [])
        values = np.array([_num(raw[i]) if i < len(raw) else 0.0 for i in range(len(months))], dtype=np.float64)
        values = np.maximum(values, 0.0)
        label = TIER_LABELS.get(key, clean(key, 20))
        bars = ax.bar(x, values, bottom=bottom, width=0.8, color=tier_color(key), label=label, linewidth=0)
        handles.append(bars)
        bottom = bottom + values
        total += float(values.sum())
    if months:
        step = max(1, math.ceil(len(months) / 9))
        ticks = list(range(len(months) - 1, -1, -step))[::-1]  # always label the latest month
        ax.set_xticks(ticks, labels=[_month_label(months[i]) for i in ticks])
        ax.set_xlim(-0.6, len(months) - 0.4)
    if not months or total == 0:
        if not months:
            ax.set_xticks([])
            ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        _no_data(ax)
        return f"Activity per month by tier: {NO_DATA}."
    ax.legend(handles[::-1], [h.get_label() for h in handles][::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0),
              title="tier", title_fontsize=9.5, alignment="left")
    last = int(bottom[-1])
    return (f"Interactions per month by tier, {_month_label(months[0])} to {_month_label(months[-1])}: "
            f"{count(total)} in all, {count(last)} in the latest month.")


def _draw_reciprocity(fig: Figure, data: ReportData) -> str:
    ax = _axes(fig, RECIPROCITY)
    rows = list(data.get("reciprocity") or [])[:MAX_RECIPROCITY]
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if not rows:
        ax.set_xlim(-10, 10)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, symmetric=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: count(abs(v))))
        _no_data(ax)
        return f"Reciprocity balance: {NO_DATA}."
    sent = np.array([max(_num(r.get("sent")), 0.0) for r in rows])
    received = np.array([max(_num(r.get("received")), 0.0) for r in rows])
    y = np.arange(len(rows))[::-1]  # strongest tie at the top
    ax.barh(y, -sent, height=0.7, color=YOU_COLOR, label="you → them (sent)")
    ax.barh(y, received, height=0.7, color=THEM_COLOR, label="them → you (received)")
    top = max(float(sent.max()), float(received.max()), 1.0)
    pad = top * 0.02
    for yi, s, r in zip(y, sent, received, strict=True):
        ax.text(-s - pad, yi, count(s), va="center", ha="right", fontsize=8.5, color=MUTED)
        ax.text(r + pad, yi, count(r), va="center", ha="left", fontsize=8.5, color=MUTED)
    ax.set_yticks(y, labels=[_name(r.get("name")) for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(-top * 1.18, top * 1.18)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, symmetric=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: count(abs(v))))
    ax.axvline(0, color=INK, linewidth=0.9)
    fig.legend(loc="outside lower center", ncols=2)
    carried = sum(1 for s, r in zip(sent, received, strict=True) if carries(s, r))
    return (f"Messages sent and received with your {len(rows)} strongest ties; "
            f"you carry {carried} of them (you send more than twice what you receive).")


def _fading_ratio(row: Any) -> float | None:
    gap = _num(row.get("usual_gap_days"), -1.0)
    return _num(row.get("silence_days")) / gap if gap > 0 else None


def _draw_fading(fig: Figure, data: ReportData) -> str:
    rows = list(data.get("fading") or [])[:MAX_FADING]
    ratios = [_fading_ratio(r) for r in rows]
    by_ratio = bool(rows) and all(r is not None for r in ratios)
    chart = FADING if by_ratio or not rows else FADING._replace(xlabel="days since last contact")
    ax = _axes(fig, chart)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if not rows:
        ax.set_xlim(0, 4)
        ax.set_yticks([])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
        _no_data(ax, "no tie past its keep-in-touch time")
        return "Fading ties: none."
    values = np.array([(r or 0.0) if by_ratio else _num(row.get("silence_days")) for r, row in
                       zip(ratios, rows, strict=True)])
    values = np.maximum(values, 0.0)
    y = np.arange(len(rows))[::-1]
    ax.barh(y, values, height=0.7, color=TIER_COLORS["dormant"])
    top = max(float(values.max()), 1.0)
    for yi, v, row in zip(y, values, rows, strict=True):
        silent = span(_num(row.get("silence_days")))
        text = f"{v:.0f}× · silent {silent}" if by_ratio else f"{silent}"
        ax.text(v + top * 0.01, yi, text, va="center", ha="left", fontsize=8.5, color=MUTED)
    ax.set_yticks(y, labels=[_name(r.get("name")) for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top * 1.3)
    if by_ratio:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    first = rows[0]
    return (f"The {len(rows)} fading ties, the most strength at risk first; first {_name(first.get('name'))}, silent "
            f"{span(_num(first.get('silence_days')))}.")


PYRAMID = Chart("chart-pyramid", "Tier pyramid", "people (bar width on a log scale)", "layer",
                "Each layer counts the people in it and in every layer above; widths are on a log scale, "
                "so each step is a large drop.", _draw_pyramid)
STRENGTH = Chart("chart-strength", "Strength distribution", "tie strength score (0–100)", "people",
                 "How strong the ties are of everyone you have interacted with.", _draw_strength)
MONTHLY = Chart("chart-monthly", "Activity per month by tier", "month", "interactions",
                "Interactions each month with the people now in each tier.", _draw_monthly)
RECIPROCITY = Chart("chart-reciprocity", "Reciprocity with your strongest ties", "messages (← you sent · they sent →)",
                    "person", "Messages each way with your strongest ties; a long bar on the left only means "
                    "you carry the relationship.", _draw_reciprocity)
CALIBRATION = Chart("chart-calibration", "From score to 90-day chance", "tie strength score (0–100)",
                    "chance of a two-way exchange within 90 days",
                    "The curve turns a score into the chance that you and the person write to each other (a message "
                    "each way) within 90 days. Each dot groups back-test ties of similar score: how often that "
                    "really happened in the 90 days after a past cut-off of your own mail (dot size: how many).",
                    _draw_calibration)
FADING = Chart("chart-fading", "Fading ties", "silence, in multiples of their usual gap", "person",
               "How long each fading tie has been silent compared with its own rhythm, in the list's order: the "
               "most strength at risk first.", _draw_fading)

CHARTS: dict[str, Chart] = {c.id.removeprefix("chart-"): c
                             for c in (PYRAMID, STRENGTH, MONTHLY, RECIPROCITY, FADING, CALIBRATION)}
"""The report's charts by name: pyramid, strength, monthly, reciprocity, fading, calibration."""

_HEIGHTS: dict[str, Callable[[ReportData], float]] = {
    "pyramid": lambda d: 1.3 + 0.45 * max(len(d.get("pyramid") or []), 3),
    "strength": lambda d: 3.4,
    "monthly": lambda d: 3.6,
    "reciprocity": lambda d: 1.6 + 0.3 * max(min(len(d.get("reciprocity") or []), MAX_RECIPROCITY), 3),
    "fading": lambda d: 1.4 + 0.3 * max(min(len(d.get("fading") or []), MAX_FADING), 3),
    "calibration": lambda d: 3.8,
}


# ---------------------------------------------------------------------------------------------
# Output


_TAG = re.compile(r"<[^>]*>")
_ID = re.compile(r'(\sid=")([^"]*)(")')
_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^)"]*)')


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every id unique to this chart (matplotlib reuses figure_1, axes_1... in every SVG), inside tags only:
    text content (untrusted names) is never touched."""

    def tag(m: re.Match[str]) -> str:
        t = _ID.sub(lambda g: f"{g.group(1)}{prefix}-{g.group(2)}{g.group(3)}", m.group(0))
        return _REF.sub(lambda g: f"{g.group(1)}{prefix}-{g.group(2)}", t)

    return _TAG.sub(tag, svg)


def _draw(name: str, data: ReportData) -> tuple[Figure, Chart, str]:
    chart = CHARTS[name]
    fig = _figure(_HEIGHTS[name](data))
    description = chart.draw(fig, data)
    return fig, chart, description


def svg(name: str, data: ReportData) -> str:
    """Chart `name` (a key of CHARTS) as standalone SVG text: no XML prolog or date, ids prefixed with the chart
    id, root `<svg id=... role="img" aria-label=...>`; byte-identical for the same data."""
    with _style(name):
        fig, chart, description = _draw(name, data)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop <?xml?> and the DOCTYPE: inline-able in HTML5, still a valid file
    text = _prefix_ids(text, chart.id)
    label = html.escape(f"{chart.title}. {description}", quote=True)
    return text.replace("<svg ", f'<svg id="{chart.id}" class="chart" role="img" aria-label="{label}" ', 1)


def png(name: str, data: ReportData, dpi: int = 150) -> bytes:
    """Chart `name` as PNG bytes (deterministic: no software/date metadata)."""
    with _style(name):
        fig, _chart, _description = _draw(name, data)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def reciprocity(data: ReportData) -> str:
    """Sent vs received with the strongest ties as diverging bars around 0, as SVG."""
    return svg("reciprocity", data)


def fading(data: ReportData) -> str:
    """The ties fading fastest (silence in multiples of their usual gap, else in days), as SVG."""
    return svg("fading", data)


def all_svgs(data: ReportData) -> dict[str, str]:
    """Every chart as SVG text, by name, in page order."""
    return {name: svg(name, data) for name in CHARTS}


__all__ = [
    "CHARTS", "NEUTRAL", "Chart", "all_svgs", "fading", "png", "reciprocity", "svg",
]
