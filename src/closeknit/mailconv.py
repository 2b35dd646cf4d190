"""Mail conventions shared by the store and the strength model: sent-folder names, subject prefixes."""

from __future__ import annotations

import re

# A folder (or Gmail label) whose mail the owner sent, in the languages mail clients use.
SENT_FOLDER = re.compile(r"(^|[/_ .,-])(sent|gesendet|envoy|enviad|outbox)", re.IGNORECASE)
# Reply and forward prefixes ("Re:", "AW:", "Fwd[2]:"...), any number of them.
SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr|antw|vs|ref)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# A reply's prefix only ("Re:", "AW:", "Re[2]:"): a message so named answers something, seen or not.
REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|vs|ref)\s*(\[\d+\])?\s*:", re.IGNORECASE)


def normal_subject(subject: str) -> str:
    """A subject without reply/forward prefixes, case or extra spaces, for matching a thread."""
    return " ".join(SUBJECT_PREFIX.sub("", subject).split()).lower()
