"""Commands for tie strength: score, circle, explain, rate, report and the evaluation harnesses."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit.answers import person as person_answers
from closeknit.answers import report as report_answers
from closeknit.cli.app import JsonOpt, app, emit_json, message, progress, say, store, table
from closeknit.errors import InputError, NotFoundError
from closeknit.pipeline import scoring
from closeknit.report import chance
from closeknit.report import text as report_text
from closeknit.store import ignore as ignore_store
from closeknit.store import people as people_store
from closeknit.store import scores as score_store

AsOf = Annotated[str | None, typer.Option("--as-of", help="Score as of this date (default today).")]
eval_app = typer.Typer(help="Evaluate the strength model on real mail.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of {value!r}: use a date like 2026-11-25") from None


def ensure_scores(db: score_store.Base, as_of: str | None) -> None:
    """Scores are derived data: compute them when missing or when a date is asked for; live scores from an
    earlier day are brought to today (scores pinned to a past day, by --as-of, stay as they are)."""
    if as_of:
        scoring.compute(db, parse_day(as_of))
    else:
        scoring.ready(db)


def stale_hint(db: score_store.Base) -> str | None:
    """A hint when the scores' day is long after the newest interaction (an old archive scored as of today)."""
    found = scoring.stale(db)
    if found is None:
        return None
    newest, as_of = found
    return (f"your data ends on {newest}; scoring as of {as_of} shows every tie as dormant; try --as-of {newest}")


@app.command()
def score(as_of: AsOf = None, as_json: JsonOpt = False) -> None:
    """Recompute every tie's strength, tier and explanation."""
    with store() as db:
        summary = scoring.compute(db, parse_day(as_of))
        hint = stale_hint(db)
    if as_json:
        emit_json(summary)
    else:
        t = summary["tiers"]
        message(f"scored {summary['people']:,} people as of {summary['as_of']} ({summary['model']} weights): "
                + ", ".join(f"{n:,} {k}" for k, n in t.items()))
        if summary["fit"].get("labels"):
            message(f"ratings: {summary['fit']['labels']} — {summary['fit'].get('message') or 'too few to refit'}")
    if hint:
        message(hint)


@app.command()
def circle(
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 150,
    as_of: AsOf = None,
    as_json: JsonOpt = False,
) -> None:
    """The favor list: people you could ask, strongest first, with why."""
    with store() as db:
        ensure_scores(db, as_of)
        rows = score_store.scored(db, tiers=("inner", "close", "favor"), limit=limit)
        hint = stale_hint(db)
    if hint:
        message(hint)
    if as_json:
        emit_json(rows)
        return
    table(
        ["id", "name", "organization", "strength", "90-day chance", "tier", "last contact", "why"],
        [[r["id"], r["name"], r["organization"], f"{r['strength']:.0f}", chance(r["p_contact_90d"]), r["tier"],
          r["last_contact"] or "", "; ".join(r["factors"]["why"][:3])] for r in rows],
        title="favor list",
    )
    message(f"{len(rows):,} people you could ask for a favor")


@app.command()
def explain(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    as_of: AsOf = None,
    as_json: JsonOpt = False,
) -> None:
    """Why a tie has the strength it has: its factors in points and in words."""
    with store() as db:
        ensure_scores(db, as_of)
        pid = people_store.find_person(db, person)
        detail = score_store.person_score(db, pid)
        if detail is None and pid in ignore_store.people(db):
            raise NotFoundError(f"person {pid} is ignored, so not scored (closeknit ignore --remove {pid} to undo)")
    if detail is None:
        raise NotFoundError(f"person {pid} has no score yet; run closeknit score")
    if as_json:
        emit_json(detail)
        return
    say(f"{detail['name']} — strength {detail['strength']:.0f}/100, tier {detail['tier']}")
    for line in person_answers.likelihoods(detail):
        say(f"  {line}")
    for line in detail["factors"]["why"]:
        say(f"  · {line}")
    table(["factor", "points"], [[f["factor"], f["points"]] for f in detail["factors"]["top"]])


@app.command()
def rate(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    rating: Annotated[str, typer.Argument(help="strong, weak or favor (could I ask them a favor?); 'none' clears.")],
    as_json: JsonOpt = False,
) -> None:
    """Your own judgement of a tie; with 20+ ratings the model's weights are refitted to them."""
    with store() as db:
        pid = people_store.find_person(db, person)
        score_store.rate(db, pid, None if rating == "none" else rating)
    if as_json:
        emit_json({"person": pid, "rating": None if rating == "none" else rating})
        return
    message(f"rated person {pid}: {rating} (closeknit score to update)")


@app.command()
def report(
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report with charts here.")] = None,
    as_of: AsOf = None,
    as_json: JsonOpt = False,
) -> None:
    """How strong is my network, really? Tiers, favor list, fading ties, reciprocity, trends."""
    with store() as db:
        ensure_scores(db, as_of)
        data = report_answers.build(db)
        hint = stale_hint(db)
    if hint:
        message(hint)
    if html:
        from closeknit.report import html as report_html  # matplotlib: loaded only when needed

        report_html.write(data, html)
        message(f"HTML report written to {html}")
    if as_json:
        emit_json(data)
        return
    for line in report_text.lines(data):
        say(line)


MailRoot = Annotated[Path, typer.Argument(help="A folder with one folder of mail per owner.")]
OwnerOpt = Annotated[list[str] | None, typer.Option("--owner", help="Only these owners (repeatable).")]
HistoryOpt = Annotated[float, typer.Option(help="Days of mail the score sees before each cut-off.")]
HorizonOpt = Annotated[float, typer.Option(help="Days after a cut-off in which a two-way exchange counts.")]
CutoffsOpt = Annotated[str, typer.Option(
    help="FROM:TO in months (the 1st of each month) or days (every 7 days; FROM:TO:3d sets the step).")]


def _protocol(mail_root: Path, history_days: float, horizon_days: float, cutoffs: str) -> dict[str, Any]:
    """The evaluation's protocol and cut-offs from the command line, checked."""
    from closeknit.strength.calibration import Protocol, parse_cutoffs

    if not mail_root.is_dir():
        raise InputError(f"{mail_root}: not a folder of per-owner mail folders")
    if history_days <= 0 or horizon_days <= 0:
        raise InputError("--history-days and --horizon-days must be positive")
    return {"protocol": Protocol(history_days, horizon_days), "cutoffs": parse_cutoffs(cutoffs)}


@eval_app.command("fading")
def eval_fading(
    mail_root: MailRoot,
    owner: OwnerOpt = None,
    history_days: HistoryOpt = 365,
    horizon_days: HorizonOpt = 90,
    cutoffs: CutoffsOpt = "2000-06:2001-09",
    as_json: JsonOpt = False,
) -> None:
    """Evaluate the fading model (will an active tie lapse?) against baselines on real mail."""
    from closeknit.care import fading

    settings = _protocol(mail_root, history_days, horizon_days, cutoffs)
    with progress("evaluating owners") as update:
        result = fading.evaluate(mail_root, owners=owner or None,
                                 progress=lambda done, total, _name: update(done, total), **settings)
    if as_json:
        emit_json(result)
        return
    rows = [["model", result["model"]["auc"]]] + [[n, b["auc"]] for n, b in result["baselines"].items()]
    table(["method", "median AUC"], rows, title=f"{result['owners']} owners, {result['cutoffs']} cut-offs")
    message(f"AUC difference model − best baseline ({result['best_baseline']}), bootstrap 95% interval:"
            f" {result['auc_diff_ci95']}")
    m = result["model"]
    message(f"lapse probability: median Brier {m['brier']}, median ECE {m['ece']} (a perfect calibration would"
            f" score {m['ece_floor']} on these ties)")
    if "ece_pooled" in m:
        message(f"ECE over every owner's ties pooled: {m['ece_pooled']} (perfect: {m['ece_pooled_floor']})")


@eval_app.command("strength")
def eval_strength(
    mail_root: MailRoot,
    owner: OwnerOpt = None,
    history_days: HistoryOpt = 365,
    horizon_days: HorizonOpt = 90,
    cutoffs: CutoffsOpt = "2000-06:2001-09",
    as_json: JsonOpt = False,
) -> None:
    """Evaluate the strength model against baselines on real mail (temporal hold-out)."""
    from closeknit.strength.evaluate import evaluate

    settings = _protocol(mail_root, history_days, horizon_days, cutoffs)
    with progress("evaluating owners") as update:
        result = evaluate(mail_root, owners=owner or None,
                          progress=lambda done, total, _name: update(done, total), **settings)
    if as_json:
        emit_json(result)
        return
    rows = [["model", result["model"]["auc"], result["model"]["p10"], result["model"]["ndcg10"]]]
    rows += [[name, b["auc"], b["p10"], b["ndcg10"]] for name, b in result["baselines"].items()]
    table(["method", "median AUC", "median P@10", "median NDCG@10"], rows,
          title=f"{result['owners']} owners, {result['cutoffs']} cut-offs")
    message(f"AUC difference model − best baseline, bootstrap 95% interval: {result['auc_diff_ci95']}")
    m = result["model"]
    if "ece" in m:
        message(f"calibrated probability: median Brier {m['brier']}, median ECE {m['ece']} (a perfect calibration "
                f"would score {m['ece_floor']} on these ties; default calibration at {m['default_share']} of cut-offs)")


@eval_app.command("intros")
def eval_intros(mail_root: MailRoot, owner: OwnerOpt = None, as_json: JsonOpt = False) -> None:
    """Evaluate warm paths on real mail: when you first write with someone, could the model name who joined you?"""
    from closeknit.intros.evaluate import evaluate as evaluate_intros

    if not mail_root.is_dir():
        raise InputError(f"{mail_root}: not a folder of per-owner mail folders")
    with progress("evaluating owners") as update:
        result = evaluate_intros(mail_root, owners=owner or None,
                                 progress=lambda done, total, _name: update(done, total))
    if as_json:
        emit_json(result)
        return
    methods = {"model": result["model"], **result["baselines"]}
    table(["method", "hit@1", "hit@3", "MRR"], [[n, m["hit1"], m["hit3"], m["mrr"]] for n, m in methods.items()],
          title=f"{result['cases']} cases from {result['owners']} owners")
    message(f"hit@3 difference model − best baseline ({result['best_baseline']}), bootstrap 95% interval:"
            f" {result['hit3_diff_ci95']}")
