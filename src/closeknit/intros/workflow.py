"""The double opt-in of an introduction: its steps, whom each waits on, and which moves are legal."""

from __future__ import annotations

from dataclasses import dataclass

from closeknit.errors import InputError

# Two kinds. "via": the user (the seeker) asks a connector to introduce them to a target. "for": the user is
# the connector, introducing a seeker to a target; the user's own agreement is implicit, and the introduction
# waits on the seeker's opt-in, then the target's.
VIA, FOR = "via", "for"
STEPS = {
    VIA: ("requested", "connector_agreed", "target_agreed", "introduced", "outcome"),
    FOR: ("requested", "connector_agreed", "seeker_agreed", "target_agreed", "introduced", "outcome"),
}
DECLINED = "declined"
STATES = (*STEPS[FOR], DECLINED)
OPEN = ("requested", "connector_agreed", "seeker_agreed", "target_agreed")  # before the introduction is made
ROLES = ("connector", "seeker", "target")  # who can agree or decline
YOU = "you"

# Whom each step waits on, and for what.
_WAITS = {
    VIA: {"requested": ("connector", "to agree to introduce you"),
          "connector_agreed": ("target", "to agree (the connector asks them)"),
          "target_agreed": ("connector", "to make the introduction"),
          "introduced": (YOU, "to record the outcome")},
    FOR: {"connector_agreed": ("seeker", "to confirm they want the introduction"),
          "seeker_agreed": ("target", "to agree to meet the seeker"),
          "target_agreed": (YOU, "to make the introduction"),
          "introduced": (YOU, "to record the outcome")},
}


@dataclass(frozen=True)
class Waiting:
    """The party an introduction waits on (a role, or "you") and what for."""

    role: str
    what: str


def kind_of(seeker: int | None, connector: int | None) -> str:
    """The kind of an introduction from its parties: the user asks (no seeker) or introduces (no connector)."""
    return VIA if seeker is None else FOR


def waiting(kind: str, state: str) -> Waiting | None:
    """Whom an introduction in `state` waits on; None when it is finished (outcome recorded, or declined)."""
    found = _WAITS[kind].get(state)
    return Waiting(*found) if found else None


def _finished(iid: int, state: str) -> None:
    if state == DECLINED:
        raise InputError(f"intro {iid} is already declined")
    if state in ("introduced", "outcome"):
        raise InputError(f"intro {iid} is already introduced; record how it went: closeknit intro outcome {iid} \"…\"")


def _party(iid: int, kind: str, by: str) -> None:
    if by not in ROLES:
        raise InputError(f"unknown --by {by!r}: use {' or '.join(r for r in ROLES if not _is_you(kind, r))}")
    if _is_you(kind, by):
        raise InputError(f"you are the {by} of intro {iid}: use --by "
                         + " or ".join(r for r in ROLES if not _is_you(kind, r)))


def _is_you(kind: str, role: str) -> bool:
    return (kind, role) in ((VIA, "seeker"), (FOR, "connector"))


def accept(iid: int, kind: str, state: str, by: str | None) -> tuple[str, str]:
    """The state after a party agrees (`by`, default the one waited on), and who it was; or an InputError."""
    _finished(iid, state)
    wait = waiting(kind, state)
    assert wait is not None  # every open state waits on someone
    if state == "target_agreed":
        raise InputError(f"intro {iid}: both have agreed; once the introduction is made: closeknit intro done {iid}")
    if by is None:
        by = wait.role
    _party(iid, kind, by)
    steps = STEPS[kind]
    agreed = f"{by}_agreed"
    if steps.index(agreed) <= steps.index(state):
        raise InputError(f"intro {iid}: the {by} already agreed")
    if wait.role != by:
        raise InputError(f"intro {iid} waits on the {wait.role} first, not the {by}")
    return agreed, by


def decline(iid: int, kind: str, state: str, by: str | None) -> str:
    """Who declines (`by`, default the party waited on); an InputError once it is declined or introduced."""
    _finished(iid, state)
    wait = waiting(kind, state)
    if by is None:
        if wait is None or wait.role == YOU:
            raise InputError(f"intro {iid}: say who declined: --by connector, seeker or target")
        by = wait.role
    _party(iid, kind, by)
    return by


def done(iid: int, kind: str, state: str) -> bool:
    """Whether marking the introduction made changes anything: False when it is made already; an InputError
    while an opt-in is still missing."""
    if state == DECLINED:
        raise InputError(f"intro {iid} is already declined")
    if state in ("introduced", "outcome"):
        return False
    wait = waiting(kind, state)
    if state != "target_agreed" and wait is not None:
        raise InputError(f"intro {iid} waits on the {wait.role} {wait.what} before it can be done"
                         f" (closeknit intro accept {iid} --by {wait.role})")
    return True


def outcome(iid: int, state: str) -> None:
    """Refuse an outcome before the introduction is made."""
    if state == DECLINED:
        raise InputError(f"intro {iid} is already declined")
    if state not in ("introduced", "outcome"):
        raise InputError(f"intro {iid} is not introduced yet: closeknit intro done {iid} once it is")
