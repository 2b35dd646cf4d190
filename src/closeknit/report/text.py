"""The network reality report as plain text lines for terminals (no colour, no control characters from the data)."""

from __future__ import annotations

from closeknit.report import (
    TIER_LABELS,
    ReportData,
    calibration_sentences,
    carries,
    chance,
    clean,
    count,
    empty_fading_list,
    empty_favor_list,
    number,
    pyramid_sentence,
    span,
    summary_balance,
    tier_order,
    top_factors,
)

TOP_FAVOR = 15
TOP_FADING = 10


def lines(data: ReportData) -> list[str]:
    """The report as lines of text: pyramid sentence, tier counts, favor list top 15 with their 90-day chance and
    factors, fading ties top 10, reciprocity balance, what the 90-day chance means. Every piece of imported text
    is on one line, without control characters."""
    title = clean(data.get("title")) or "Network reality report"
    me = clean(data.get("me"))
    as_of = clean(data.get("as_of"))
    head = title + (f" — {me}" if me else "") + (f" (as of {as_of})" if as_of else "")
    out = [head, "=" * min(len(head), 100), "", pyramid_sentence(data)]

    tiers = data.get("tiers") or {}
    keys = tier_order(tiers)
    if keys:
        out.append("Tiers: " + " · ".join(f"{clean(TIER_LABELS.get(k, k))} {count(tiers.get(k))}" for k in keys))

    favor = data.get("favor_list") or []
    out += ["", f"Favor list (top {min(len(favor), TOP_FAVOR)} of {count(len(favor))})" if favor else "Favor list"]
    if not favor:
        out.append(f"  {empty_favor_list(data)}")
    else:
        out.append("      (name, strength 0–100, 90-day chance of a two-way exchange, tier, last contact)")
    width = max((len(clean(p.get("name"), 40)) for p in favor[:TOP_FAVOR]), default=0)
    for rank, p in enumerate(favor[:TOP_FAVOR], 1):
        strength = number(p.get("strength"))
        org = clean(p.get("organization"), 40)
        name = clean(p.get("name"), 40) or "(no name)"
        last = clean(p.get("last_contact"))[:10] or "never"
        out.append(
            f"{rank:>4}. {name:<{width}}  {'–' if strength is None else f'{strength:3.0f}'}  "
            f"{chance(p.get('p_contact_90d')):>4}  {clean(p.get('tier')):<7} last {last}"
            + (f"  · {org}" if org else "")
        )
        factors = top_factors(p)
        if any(factors):
            out.append("        " + "; ".join(f for f in factors if f))

    fading = data.get("fading") or []
    out += ["", f"Fading ties (top {min(len(fading), TOP_FADING)} of {count(len(fading))})" if fading
            else "Fading ties"]
    if not fading:
        out.append(f"  {empty_fading_list(data)}")
    for f in fading[:TOP_FADING]:
        silence = number(f.get("silence_days"))
        gap = number(f.get("usual_gap_days"))
        rhythm = f" ({silence / gap:.0f}× the usual gap of {span(gap)})" if silence is not None and gap else ""
        last = clean(f.get("last_contact"))[:10] or "never"
        p90 = chance(f.get("p_contact_90d"))
        out.append(f"  - {clean(f.get('name'), 40) or '(no name)'}: silent {span(silence)}{rhythm}, last {last}"
                   + (f", 90-day chance {p90}" if p90 != "–" else ""))
        why = clean(f.get("why"))
        if why:
            out.append(f"      {why}")

    out += ["", summary_balance(data)]
    recip = data.get("reciprocity") or []
    carried = [clean(r.get("name"), 40) for r in recip
               if carries(r.get("sent"), r.get("received"))]
    if carried:
        out.append(f"You carry {len(carried)} of your {len(recip)} strongest ties: " + ", ".join(carried[:5])
                   + (" …" if len(carried) > 5 else ""))
    out += ["", *calibration_sentences(data)]
    model = data.get("model") or {}
    if clean(model.get("name")):
        out += ["", f"Scores: {clean(model.get('name'))}"]
    return out


__all__ = ["lines"]
