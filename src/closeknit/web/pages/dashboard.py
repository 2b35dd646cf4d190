"""Pages and API routes for the network reality report: the dashboard, its JSON twin and its charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from closeknit.answers import report as report_answers
from closeknit.errors import NotFoundError
from closeknit.report import (
    CHANCE_LABEL,
    TIER_LABELS,
    TIERS,
    ReportData,
    calibration_sentences,
    chance,
    count,
    empty_fading_list,
    pyramid_sentence,
    sentence,
    span,
    summary_balance,
    top_factors,
)
from closeknit.web.app import database, render

router = APIRouter()

CHARTS = ("pyramid", "strength", "monthly", "reciprocity", "fading", "calibration")  # the report's, in page order
BAR_WIDTH, BAR_GAP, PLOT_HEIGHT, LABEL_HEIGHT = 72, 24, 160, 40


class ReportOut(ReportData):
    """The network reality report, as `closeknit report --json` gives it, and the day the data ends."""

    data_ends: str | None


@dataclass(frozen=True)
class Bar:
    """One bar of the tier chart: where it stands and who is in it."""

    tier: str
    label: str
    count: int
    x: int
    y: int
    height: int
    title: str


def tier_bars(report: report_answers.Report) -> list[Bar]:
    """The tier chart's bars (height proportional to the count), each titled with the tier's strongest people."""
    tiers = report.data.get("tiers") or {}
    top = max((int(tiers.get(t, 0)) for t in TIERS), default=0) or 1
    bars = []
    for i, tier in enumerate(TIERS):
        n = int(tiers.get(tier, 0))
        height = round(PLOT_HEIGHT * n / top) if n else 0
        names = [str(p["name"]) or "(no name)" for p in report.members.get(tier, [])]
        more = n - len(names)
        who = ", ".join(names) + (f" and {count(more)} more" if more > 0 else "")
        label = TIER_LABELS[tier]
        bars.append(Bar(tier, label, n, BAR_GAP + i * (BAR_WIDTH + BAR_GAP), LABEL_HEIGHT // 2 + PLOT_HEIGHT - height,
                        max(height, 1), f"{label}: {count(n)} {'person' if n == 1 else 'people'}"
                        + (f": {who}" if who else "")))
    return bars


def context(report: report_answers.Report) -> dict[str, Any]:
    data = report.data
    favor = [{**p, "chance": chance(p.get("p_contact_90d")), "why": top_factors(p)} for p in data["favor_list"]]
    fading = [{**f, "chance": chance(f.get("p_contact_90d")), "silence": span(f.get("silence_days")),
               "gap": span(f.get("usual_gap_days"))} for f in data["fading"]]
    return {
        "title": "Dashboard", "nav": "/", "data": data, "sentence": pyramid_sentence(data),
        "balance": summary_balance(data), "calibration": calibration_sentences(data), "favor": favor,
        "fading": fading, "no_fading": sentence(empty_fading_list(data)), "bars": tier_bars(report),
        "members": report.members, "tiers": TIERS,
        "tier_labels": TIER_LABELS, "chance_label": CHANCE_LABEL, "count": count,
        "chart_width": len(TIERS) * (BAR_WIDTH + BAR_GAP) + BAR_GAP, "chart_height": PLOT_HEIGHT + LABEL_HEIGHT * 2,
        "bar_width": BAR_WIDTH, "baseline": LABEL_HEIGHT // 2 + PLOT_HEIGHT,
        "charts": [(name, *_chart_text(name)) for name in CHARTS], "version": report.key[0],
    }


def _chart_text(name: str) -> tuple[str, str]:
    from closeknit.report.charts import CHARTS as DRAWN  # matplotlib: loaded when the first dashboard is shown

    chart = DRAWN[name]
    return chart.title, chart.caption


@router.get("/", include_in_schema=False)
def dashboard(request: Request) -> Response:
    with database(request) as db:
        report = report_answers.current(db)
    key = request.app.state.keys.csrf  # the page differs between apps only by their CSRF token
    body = report.pages.get(key)
    if body is None:  # rendered once per score run: the dashboard answers fast under load
        body = report.pages[key] = bytes(render(request, "dashboard.html", context(report)).body)
    return HTMLResponse(body)


@router.get("/api/report", response_model=ReportOut, summary="The network reality report")
def report_json(request: Request) -> Any:
    """Tiers, the favor list, fading ties, reciprocity and trends: what `closeknit report --json` prints (the
    database is scored first when it never was)."""
    with database(request) as db:
        return report_answers.current(db).data


def _chart(request: Request, name: str, fmt: report_answers.ChartFormat) -> Response:
    if name not in CHARTS:
        raise NotFoundError(f"no chart named {name!r}")
    with database(request) as db:
        report = report_answers.current(db)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(report.chart(name, fmt), media_type=media, headers={"cache-control": "private, max-age=60"})


@router.get("/charts/{name}.svg", include_in_schema=False)
def chart_svg(request: Request, name: str) -> Response:
    return _chart(request, name, "svg")


@router.get("/charts/{name}.png", include_in_schema=False)
def chart_png(request: Request, name: str) -> Response:
    return _chart(request, name, "png")
