"""The network reality report as one self-contained HTML5 page: inline CSS and SVG, no script, no external resource."""

from __future__ import annotations

import html
from pathlib import Path

from closeknit.report import (
    CHANCE_LABEL,
    NO_DATA,
    TIER_COLORS,
    TIER_LABELS,
    ReportData,
    ago,
    calibration_sentences,
    carries,
    chance,
    clean,
    count,
    days_between,
    empty_fading_list,
    empty_favor_list,
    number,
    percent,
    pyramid_sentence,
    sentence,
    span,
    tier_of,
    tier_order,
    top_factors,
)
from closeknit.report import charts as _charts


def esc(value: object) -> str:
    """Untrusted text for HTML content or attribute values: cleaned to one line, then `html.escape`d."""
    return html.escape(clean(value), quote=True)


def _css() -> str:
    tiers = "\n".join(
        f".tier-{t}{{--tier:{c};}}" for t, c in TIER_COLORS.items()
    )
    return f"""
:root{{--ink:#1f2933;--muted:#52606d;--faint:#9aa5b1;--rule:#e4e7eb;--bg:#f7f8fa;--card:#fff;--accent:#2b5d8f;}}
*{{box-sizing:border-box;}}
html{{-webkit-text-size-adjust:100%;}}
body{{margin:0;background:var(--bg);color:var(--ink);
 font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;}}
main{{max-width:1120px;margin:0 auto;padding:32px 20px 48px;}}
header{{margin-bottom:20px;}}
h1{{font-size:28px;line-height:1.2;margin:0 0 4px;letter-spacing:-0.01em;}}
h2{{font-size:19px;margin:0 0 4px;}}
h3{{font-size:15px;margin:18px 0 6px;}}
.meta{{color:var(--muted);margin:0;}}
section{{background:var(--card);border:1px solid var(--rule);border-radius:10px;padding:22px 24px;margin:0 0 20px;}}
.lede{{color:var(--muted);margin:0 0 14px;}}
.headline{{font-size:22px;line-height:1.35;font-weight:600;margin:4px 0 16px;}}
.headline .arrow{{color:var(--faint);font-weight:400;}}
.headline .hint{{display:block;font-size:15px;font-weight:400;color:var(--muted);margin-top:4px;}}
.headline .n{{font-variant-numeric:tabular-nums;}}
.cards{{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px;margin:0;padding:0;
 list-style:none;}}
.cards li{{border:1px solid var(--rule);border-left:5px solid var(--tier,var(--faint));border-radius:6px;
 padding:8px 12px;}}
.cards .n{{display:block;font-size:22px;font-weight:700;font-variant-numeric:tabular-nums;}}
.cards .l{{color:var(--muted);font-size:13px;}}
figure{{margin:18px 0 4px;overflow-x:auto;}}
figure svg{{display:block;width:100%;height:auto;min-width:640px;}}
figcaption{{color:var(--muted);font-size:13.5px;margin-top:6px;}}
.table-wrap{{overflow-x:auto;margin:8px 0 0;}}
table{{border-collapse:collapse;width:100%;font-size:14px;}}
caption{{text-align:left;color:var(--muted);font-size:13.5px;padding:0 0 6px;}}
th,td{{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid var(--rule);}}
th{{font-size:12.5px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;
 border-bottom:2px solid var(--rule);white-space:nowrap;}}
th.wrap{{white-space:normal;min-width:7em;max-width:10em;}}
td.num,th.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;}}
td.date{{white-space:nowrap;font-variant-numeric:tabular-nums;}}
td.date small,td small{{display:block;color:var(--muted);font-size:12.5px;}}
tbody tr:hover{{background:#fafbfc;}}
.name{{font-weight:600;}}
.factors{{min-width:260px;margin:0;padding:0;list-style:none;color:var(--muted);font-size:13px;}}
.factors li{{margin:0 0 2px;}}
.factors li::before{{content:"· ";color:var(--faint);}}
.bar{{display:inline-block;width:56px;height:6px;background:var(--rule);border-radius:3px;margin-left:8px;
 vertical-align:middle;overflow:hidden;}}
.bar>span{{display:block;height:100%;background:var(--accent);}}
.tier{{display:inline-block;white-space:nowrap;font-size:12.5px;padding:1px 8px 1px 6px;border-radius:10px;
 background:#f1f3f5;}}
.tier::before{{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:5px;
 background:var(--tier,var(--faint));}}
{tiers}
.empty{{color:var(--faint);font-style:italic;margin:8px 0;}}
.note p{{margin:0 0 8px;}}
.lean-you{{color:#5b4d8a;}} .lean-them{{color:#2f6f62;}}
footer{{color:var(--faint);font-size:12.5px;text-align:center;margin-top:8px;}}
@media (max-width:600px){{main{{padding:18px 10px;}} section{{padding:16px 14px;}} .headline{{font-size:18px;}}}}
@media print{{body{{background:#fff;}} section{{border:0;padding:0 0 12px;break-inside:avoid-page;}}
 figure,tr{{break-inside:avoid;}}}}
"""


def _tier_chip(tier: object) -> str:
    key = tier_of(str(tier or ""))
    label = TIER_LABELS.get(key, "") if key and clean(tier).lower() == key else clean(tier)
    cls = f"tier tier-{key}" if key else "tier"
    return f'<span class="{cls}">{esc(label or "–")}</span>'


def _date_cell(value: object, as_of: str) -> str:
    if not value:
        return '<td class="date">never</td>'
    days = days_between(str(value), as_of)
    when = f"<small>{esc(ago(days, calendar=False))}</small>" if days is not None and days >= 0 else ""
    return f'<td class="date">{esc(str(value)[:10])}{when}</td>'


def _figure(name: str, data: ReportData) -> str:
    chart = _charts.CHARTS[name]
    return (f'<figure id="fig-{name}">\n{_charts.svg(name, data)}\n'
            f"<figcaption>{esc(chart.caption)}</figcaption>\n</figure>")


def _empty(text: str = NO_DATA) -> str:
    return f'<p class="empty">{esc(text)}</p>'


def _chance_cell(p: object) -> str:
    return f'<td class="num chance">{esc(chance(p))}</td>'


_CHANCE_TH = f'<th class="num wrap" scope="col">{esc(CHANCE_LABEL.capitalize())}</th>'


def _chance_note(data: ReportData) -> str:
    meaning = calibration_sentences(data)[0]
    return f'<p class="lede chance-note">{esc(meaning)} <a href="#h-chance">How it was calibrated</a>.</p>'


def _headline(data: ReportData) -> str:
    layers = data.get("pyramid") or []
    if layers:
        parts = [f'<span class="n">{esc(count(layer.get("count", 0)))}</span> {esc(layer.get("label", ""))}'
                 for layer in layers]
        headline = ' <span class="arrow">→</span> '.join(f"<span>{p}</span>" for p in parts)
    else:
        headline = esc(NO_DATA) + (
            '<span class="hint">Import a LinkedIn export, an address book, a mailbox or a calendar '
            "to see your real network.</span>"
        )
    tiers = data.get("tiers") or {}
    keys = tier_order(tiers)
    cards = "".join(
        f'<li class="tier-{esc(k) if k in TIER_COLORS else "other"}"><span class="n">{esc(count(tiers.get(k)))}</span>'
        f'<span class="l">{esc(TIER_LABELS.get(k, k))}</span></li>'
        for k in keys
    )
    return (
        '<section id="headline" aria-labelledby="h-headline">\n<h2 id="h-headline">Your network, really</h2>\n'
        f'<p class="headline" aria-label="{esc(pyramid_sentence(data))}">{headline}</p>\n'
        f'<p class="lede">People in each tier (each person counted once):</p>\n'
        f'<ul class="cards">{cards}</ul>\n{_figure("pyramid", data)}\n</section>'
    )


def _favor_section(data: ReportData) -> str:
    rows = data.get("favor_list") or []
    as_of = str(data.get("as_of", ""))
    body = []
    for rank, p in enumerate(rows, 1):
        strength = number(p.get("strength"))
        bar = (f'<span class="bar" aria-hidden="true"><span style="width:{max(0.0, min(strength, 100.0)):.0f}%"></span>'
               "</span>" if strength is not None else "")
        factors = top_factors(p)
        flist = ("<ul class=\"factors\">" + "".join(f"<li>{esc(f)}</li>" for f in factors if f) + "</ul>") if factors \
            else ""
        body.append(
            f'<tr><td class="num">{rank}</td><td class="name">{esc(p.get("name")) or "(no name)"}</td>'
            f"<td>{esc(p.get('organization'))}</td>"
            f'<td class="num">{"–" if strength is None else f"{strength:.0f}"}{bar}</td>'
            f"{_chance_cell(p.get('p_contact_90d'))}<td>{_tier_chip(p.get('tier'))}</td>"
            f"{_date_cell(p.get('last_contact'), as_of)}<td>{flist}</td></tr>"
        )
    table = (
        '<div class="table-wrap"><table id="favor-table">\n'
        f"<caption>The {count(len(rows))} people you could most plausibly ask for a favor, strongest first.</caption>\n"
        '<thead><tr><th class="num" scope="col">#</th><th scope="col">Name</th><th scope="col">Organisation</th>'
        f'<th class="num" scope="col">Strength</th>{_CHANCE_TH}<th scope="col">Tier</th>'
        '<th scope="col">Last contact</th><th scope="col">Top factors</th></tr></thead>\n<tbody>\n'
        + "\n".join(body) + "\n</tbody></table></div>"
    ) if rows else _empty(sentence(empty_favor_list(data)))
    return (
        '<section id="favor-list" aria-labelledby="h-favor">\n<h2 id="h-favor">Favor list</h2>\n'
        '<p class="lede">Ranked by tie strength; the factors say why each person is here.</p>\n'
        f"{_chance_note(data)}\n{table}\n</section>"
    )


def _fading_section(data: ReportData) -> str:
    rows = data.get("fading") or []
    as_of = str(data.get("as_of", ""))
    body = []
    for p in rows:
        silence = number(p.get("silence_days"))
        gap = number(p.get("usual_gap_days"))
        ratio = f"{silence / gap:.0f}×" if silence is not None and gap else "–"
        strength = number(p.get("strength"))
        body.append(
            f'<tr><td class="name">{esc(p.get("name")) or "(no name)"}</td>'
            f'<td class="num">{"–" if strength is None else f"{strength:.0f}"}</td>'
            f"{_chance_cell(p.get('p_contact_90d'))}{_date_cell(p.get('last_contact'), as_of)}"
            f'<td class="num">{esc(span(silence))}</td><td class="num">{esc(span(gap)) if gap else "–"}</td>'
            f'<td class="num">{ratio}</td><td>{esc(p.get("why"))}</td></tr>'
        )
    content = (
        _figure("fading", data) + '\n<div class="table-wrap"><table id="fading-table">\n'
        "<caption>Ties silent past their keep-in-touch time, the most strength at risk first.</caption>\n"
        f'<thead><tr><th scope="col">Name</th><th class="num" scope="col">Strength</th>{_CHANCE_TH}'
        '<th scope="col">Last contact</th><th class="num" scope="col">Silent for</th>'
        '<th class="num" scope="col">Usual gap</th><th class="num" scope="col">Ratio</th><th scope="col">Why</th>'
        "</tr></thead>\n<tbody>\n"
        + "\n".join(body) + "\n</tbody></table></div>"
    ) if rows else _figure("fading", data) + "\n" + _empty(sentence(empty_fading_list(data)))
    return (
        '<section id="fading" aria-labelledby="h-fading">\n<h2 id="h-fading">Fading ties</h2>\n'
        '<p class="lede">One message is usually enough to keep these alive.</p>\n'
        f"{content}\n</section>"
    )


def _reciprocity_section(data: ReportData) -> str:
    rows = data.get("reciprocity") or []
    b = data.get("balance") or {}
    you = int(number(b.get("you_started")) or 0)
    them = int(number(b.get("they_started")) or 0)
    if you + them:
        share = round(100 * you / (you + them))
        summary = (
            f'<ul class="cards"><li><span class="n">{share}%</span><span class="l">of conversations started by you '
            f"({esc(count(you))} of {esc(count(you + them))})</span></li>"
            f'<li><span class="n">{esc(percent(b.get("answered_by_them")))}</span><span class="l">of your threads '
            "they answered</span></li>"
            f'<li><span class="n">{esc(percent(b.get("answered_by_you")))}</span><span class="l">of their threads '
            "you answered</span></li></ul>"
        )
    else:
        summary = _empty("No conversations yet.")
    body = []
    for p in rows:
        sent = int(number(p.get("sent")) or 0)
        received = int(number(p.get("received")) or 0)
        if carries(sent, received):
            lean = '<span class="lean-you">you carry it</span>'
        elif carries(received, sent):
            lean = '<span class="lean-them">they carry it</span>'
        else:
            lean = "balanced"
        body.append(f'<tr><td class="name">{esc(p.get("name")) or "(no name)"}</td><td class="num">{count(sent)}</td>'
                    f'<td class="num">{count(received)}</td><td>{lean}</td></tr>')
    table = (
        '<div class="table-wrap"><table id="reciprocity-table">\n'
        "<caption>“You carry it” when you send more than twice what you receive (and vice versa).</caption>\n"
        '<thead><tr><th scope="col">Name</th><th class="num" scope="col">You sent</th>'
        '<th class="num" scope="col">They sent</th><th scope="col">Balance</th></tr></thead>\n<tbody>\n'
        + "\n".join(body) + "\n</tbody></table></div>"
    ) if rows else ""
    return (
        '<section id="reciprocity" aria-labelledby="h-reciprocity">\n<h2 id="h-reciprocity">Reciprocity</h2>\n'
        '<p class="lede">Who starts conversations, who answers, and who carries each of your strongest ties.</p>\n'
        f'{summary}\n{_figure("reciprocity", data)}\n{table}\n'
        "</section>"
    )


def _trends_section(data: ReportData) -> str:
    strengths = [v for v in (number(s) for s in data.get("strengths") or []) if v is not None]
    lede = (f"{count(len(strengths))} people you have interacted with, by score and by month."
            if strengths else "Scores and monthly activity appear once interactions are imported.")
    return (
        '<section id="trends" aria-labelledby="h-trends">\n<h2 id="h-trends">Strength and activity</h2>\n'
        f'<p class="lede">{esc(lede)}</p>\n{_figure("strength", data)}\n{_figure("monthly", data)}\n</section>'
    )


def _model_section(data: ReportData) -> str:
    model = data.get("model") or {}
    name = clean(model.get("name"))
    paragraphs = [clean(p) for p in str(model.get("note") or "").split("\n\n")]
    notes = "".join(f"<p>{esc(p)}</p>" for p in paragraphs if p) or _empty("No note on the scoring model.")
    used = f"<p>Model: <strong>{esc(name)}</strong>.</p>" if name else ""
    chances = "".join(f"<p>{esc(p)}</p>" for p in calibration_sentences(data))
    return (
        '<section id="how-scores-work" class="note" aria-labelledby="h-how">\n<h2 id="h-how">How scores work</h2>\n'
        f'{notes}{used}\n<h3 id="h-chance">From score to 90-day chance</h3>\n{chances}\n'
        f"{_figure('calibration', data)}\n</section>"
    )


def render(data: ReportData) -> str:
    """The whole report as one HTML5 page (UTF-8 text); byte-identical for the same data."""
    title = clean(data.get("title")) or "Network reality report"
    me = clean(data.get("me"))
    as_of = clean(data.get("as_of"))
    meta = " · ".join(x for x in (f"for {me}" if me else "", f"as of {as_of}" if as_of else "") if x)
    full_title = f"{title} — {me}" if me else title
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Closeknit">
<meta name="color-scheme" content="light">
<title>{esc(full_title)}</title>
<style>{_css()}</style>
</head>
<body>
<main>
<header>
<h1>{esc(title)}</h1>
<p class="meta">{esc(meta)}</p>
</header>
{_headline(data)}
{_favor_section(data)}
{_fading_section(data)}
{_reciprocity_section(data)}
{_trends_section(data)}
{_model_section(data)}
<footer>Made by Closeknit from your own files, on your own computer.</footer>
</main>
</body>
</html>
"""


def write(data: ReportData, path: str | Path) -> Path:
    """Render the report and write it to `path` (UTF-8); returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return out


__all__ = ["esc", "render", "write"]
