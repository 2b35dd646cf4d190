"""Introductions as the CLI and the web app make them: request, accept, decline, done and outcome."""

from __future__ import annotations

from datetime import date

from closeknit.answers.find import resolve
from closeknit.errors import InputError
from closeknit.intros import workflow
from closeknit.store import intros as intro_store
from closeknit.store import people as people_store
from closeknit.store.base import Base


def party(db: Base, ref: str, what: str) -> int:
    """The person `ref` names as a party (`what`: target, seeker or connector), who cannot be the user."""
    pid = resolve(db, ref)
    if pid is None:
        raise InputError(f"the {what} cannot be you")
    return pid


def request(db: Base, target: str, via: str | None, for_: str | None, why: str) -> int:
    """Start an introduction to `target` via a connector the user asks, or for a seeker the user introduces;
    its id."""
    if (via is None) == (for_ is None):
        raise InputError("give --via CONNECTOR (you ask them) or --for SEEKER (you introduce them), not both")
    tid = party(db, target, "target")
    seeker = party(db, for_, "seeker") if for_ is not None else None
    connector = party(db, via, "connector") if via is not None else None
    return intro_store.create(db, seeker, connector, tid, why)


def accept(db: Base, iid: int, by: str | None) -> str:
    """Record that a party agreed (`by`, default the one waited on); what happened, in words."""
    row = intro_store.get(db, iid)
    state, who = workflow.accept(iid, row["kind"], row["state"], by)
    intro_store.advance(db, iid, state, who)
    return f"intro {iid}: the {who} agreed"


def decline(db: Base, iid: int, by: str | None) -> str:
    """Record that a party declined; the intro is closed."""
    row = intro_store.get(db, iid)
    who = workflow.decline(iid, row["kind"], row["state"], by)
    intro_store.advance(db, iid, workflow.DECLINED, who)
    return f"intro {iid}: the {who} declined"


def done(db: Base, iid: int, on: date) -> str:
    """Record that the introduction was made on day `on`; the favor goes to the ledger (once)."""
    row = intro_store.get(db, iid)
    if not workflow.done(iid, row["kind"], row["state"]):
        return f"intro {iid} is already introduced; nothing changed"
    names = people_store.names(db, [row["target_id"]])
    what = f"an introduction to {names.get(row['target_id'], 'person ' + str(row['target_id']))}"
    if row["kind"] == workflow.VIA:
        intro_store.introduced(db, iid, row["connector_id"], "got", what, on)
        return f"intro {iid}: introduced; recorded in the ledger: you got a favor (intro)"
    intro_store.introduced(db, iid, row["seeker_id"], "gave", what, on)
    return f"intro {iid}: introduced; recorded in the ledger: you gave a favor (intro)"


def outcome(db: Base, iid: int, text: str, value: float | None) -> str:
    """Record how an introduction went (again to correct it)."""
    row = intro_store.get(db, iid)
    workflow.outcome(iid, row["state"])
    intro_store.set_outcome(db, iid, text, value)
    return f"intro {iid}: outcome recorded"
