"""Drafted messages for each step of an introduction: plain text, a mailto: link and an .eml file, never sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import quote

from closeknit.errors import InputError
from closeknit.identity.normalise import first_name
from closeknit.intros import workflow

_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """`text` with every run of white space (line breaks included) as one space: safe in a header."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Person:
    """A party as a draft needs them: the name to show, an address and a LinkedIn profile (None when unknown)."""

    name: str
    email: str | None = None
    profile: str | None = None  # where to send the draft as a message when there is no address

    @property
    def first(self) -> str:
        return first_name(one_line(self.name)) or "there"


@dataclass(frozen=True)
class Draft:
    """A message for the user to send themselves: to whom, its subject and body."""

    step: str  # what the message is for, in a few words
    to: list[Person]
    subject: str
    body: str
    sender: Person | None = None
    missing: list[str] = field(default_factory=list)  # names of recipients without an address

    def mailto(self) -> str:
        """A mailto: link that opens the draft in the user's mail program (RFC 6068)."""
        to = ",".join(quote(p.email, safe="@") for p in self.to if p.email)
        return f"mailto:{to}?subject={quote(self.subject, safe='')}&body={quote(self.body, safe='')}"

    def eml(self) -> bytes:
        """The draft as an .eml file, marked unsent (X-Unsent: 1) so mail programs open it for editing.

        Built with the standard library's email package: names and addresses go through `Address`, and the
        subject is one line, so nothing in a name or a why can add a header; the why stays in the body.
        """
        msg = EmailMessage()
        msg["X-Unsent"] = "1"
        if self.sender and self.sender.email:
            msg["From"] = _address(self.sender)
        recipients = [a for a in (_address(p) for p in self.to if p.email) if a is not None]
        if recipients:
            msg["To"] = recipients
        msg["Subject"] = one_line(self.subject)
        msg["Date"] = formatdate(localtime=False)
        msg.set_content(self.body)
        return msg.as_bytes()

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "to": [{"name": p.name, "email": p.email, "profile": p.profile} for p in self.to],
                "subject": self.subject, "body": self.body, "mailto": self.mailto(), "missing": self.missing}


def without_address(found: dict[str, Any]) -> list[str]:
    """How to send a draft (as `Draft.as_dict` gives it) to its recipients without an email address: as a
    LinkedIn message where their profile is known, else by adding an address."""
    lines = []
    for p in found["to"]:
        if p["email"]:
            continue
        if p.get("profile"):
            lines.append(f"no email address for {p['name']}: send the text as a LinkedIn message ({p['profile']}),"
                         " or add an address to use the link and the .eml")
        else:
            lines.append(f"no email address for {p['name']}: add one to use the link and the .eml")
    return lines


def _address(person: Person) -> Address | None:
    if not person.email:
        return None
    local, _, domain = person.email.rpartition("@")
    try:
        return Address(display_name=one_line(person.name), username=local, domain=domain)
    except (ValueError, IndexError):  # an address the email package will not write: left out
        return None


def _why(why: str, lead: str) -> str:
    return f"{lead} {why.rstrip('.')}.".lstrip() + "\n\n" if why else ""


def _sign(me: Person) -> str:
    return f"Best,\n{me.first if me.name else ''}".rstrip() + "\n"


def draft(intro: dict[str, Any], seeker: Person | None, connector: Person | None, target: Person,
          me: Person) -> Draft | None:
    """The message for the next step of `intro` (its kind, state, why and outcome); `seeker` is None when it is the
    user, `connector` None when the user is the connector. None when nothing is left to write."""
    kind, state, why = intro["kind"], intro["state"], intro["why"]
    if kind == workflow.VIA:
        assert connector is not None
        return _via(state, why, intro["outcome"] or "", connector, target, me)
    assert seeker is not None
    return _for(state, why, seeker, target, me)


def _via(state: str, why: str, outcome: str, c: Person, t: Person, me: Person) -> Draft | None:
    sign = _sign(me)
    if state == "requested":
        return _made("ask the connector", [c], f"Would you introduce me to {t.first}?",
                     f"Hi {c.first},\n\nWould you be willing to introduce me to {t.name}? "
                     + _why(why, "The reason:") + f"Only if {t.first} is glad to hear from me: please ask them"
                     " first, and tell me either way. No pressure at all.\n\n" + sign, me)
    if state == "connector_agreed":
        return _made("a note the connector can forward to the target", [c], f"A note to forward to {t.first}",
                     f"Hi {c.first},\n\nThank you! Here is a short note you can forward to {t.first}:\n\n"
                     f"---\nHi {t.first}, {c.first} mentioned we might talk. " + _why(why, "")
                     + f"If you'd like that, {c.first} can connect us; if not, no problem at all.\n---\n\n" + sign, me)
    if state == "target_agreed":
        return _made("thank the connector; they make the introduction", [c], f"Introduction to {t.first}",
                     f"Hi {c.first},\n\nGlad to hear {t.first} is happy to talk. Whenever it suits you, a short"
                     " email to both of us is perfect.\n\n" + sign, me)
    if state == "introduced":
        return _made("answer the target (the connector to Bcc)", [t], f"Re: introduction — {c.first}",
                     f"Hi {t.first},\n\nThank you for being open to this, and thanks {c.first} for the introduction"
                     " (moving you to Bcc). " + _why(why, "As a start:") + "Would a short call next week"
                     " work for you?\n\n" + sign, me)
    if state == "outcome":
        return _made("close the loop with the connector", [c], f"Thank you for introducing me to {t.first}",
                     f"Hi {c.first},\n\nA quick note to close the loop on your introduction to {t.first}: "
                     f"{outcome.rstrip('.')}.\n\nThank you again.\n\n" + sign, me)
    return None


def _for(state: str, why: str, s: Person, t: Person, me: Person) -> Draft | None:
    sign = _sign(me)
    if state == "connector_agreed":
        return _made("check with the seeker", [s], f"An introduction to {t.first}?",
                     f"Hi {s.first},\n\nI could introduce you to {t.name}. " + _why(why, "I thought of it because")
                     + f"Would you like that? If yes, I will ask {t.first} first and only connect you if they are"
                     " glad to.\n\n" + sign, me)
    if state == "seeker_agreed":
        return _made("ask the target", [t], f"Would you be open to meeting {s.first}?",
                     f"Hi {t.first},\n\nWould you be open to an introduction to {s.name}? "
                     + _why(why, "Why I think you two should talk:") + "If not, no problem at all; just say"
                     " so.\n\n" + sign, me)
    if state == "target_agreed":
        return _made("the introduction itself", [s, t], f"Introduction: {s.first} <> {t.first}",
                     f"Hi {s.first} and {t.first},\n\nAs promised, an introduction: {s.name}, meet {t.name}. "
                     + _why(why, "Why you two should talk:") + "I'll let you take it from here.\n\n" + sign, me)
    if state == "introduced":
        return _made("ask the seeker how it went", [s], f"How did it go with {t.first}?",
                     f"Hi {s.first},\n\nDid you and {t.first} get to talk? I'd love to hear how it went.\n\n"
                     + sign, me)
    return None


def match_draft(seeker: Person, target: Person, need: str, role: str, offer: str, me: Person) -> Draft:
    """The first message of an introduction `match` suggests: ask the one with the need whether they want it
    (double opt-in: the target is asked only after they say yes)."""
    about = f"{target.name}" + (f" ({role})" if role else "")
    offers = f" {target.first} offers: {offer.rstrip('.')}." if offer else ""
    return _made("check with the seeker", [seeker], f"An introduction to {target.first}?",
                 f"Hi {seeker.first},\n\nYou mentioned you are looking for {need.rstrip('.')}. I know {about}."
                 f"{offers}\n\nWould an introduction help? If yes, I will ask {target.first} first and only connect"
                 f" you if they are glad to.\n\n" + _sign(me), me)


def _made(step: str, to: list[Person], subject: str, body: str, me: Person) -> Draft:
    return Draft(step=step, to=to, subject=one_line(subject), body=body, sender=me,
                 missing=[p.name for p in to if not p.email])


def write_eml(draft_: Draft, folder: Path, stem: str) -> Path:
    """Write the draft as `folder/stem.eml` (the folder made if needed); returns the path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.eml"
        path.write_bytes(draft_.eml())
    except OSError as exc:
        raise InputError(f"cannot write the draft in {folder}: {exc.strerror or exc}") from None
    return path
