"""What the user typed, read into a safe FTS5 expression: every term quoted, so no input is an FTS5 syntax error.

Understood: words (all must match, anywhere in the person's fields), "quoted phrases", a trailing `*` for a
prefix (`eng*`), `OR` between two terms, `-word` or `NOT word` to leave out, and `field:word` to look in one
field (name, title, org, email, tag, note, offer, need). Anything else is taken as text to find: an
unbalanced quote is dropped, a lone `-`, `*` or `AND` adds nothing. Common words of a question ("who
knows", "in", "with") are left out when other words remain, so "developers in Pune" looks for the two words
that tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from closeknit.errors import InputError

# A field the user may name, and the column of the people index it looks in.
FIELD_COLUMNS = {
    "name": "name", "title": "titles", "org": "organizations", "organization": "organizations",
    "company": "organizations", "email": "emails", "domain": "emails", "tag": "tags", "note": "notes",
    "notes": "notes", "offer": "offers", "offers": "offers", "need": "needs", "needs": "needs",
}
AUTO_PREFIX_MIN = 3  # a bare word this long also matches as the start of a longer word ("lid" finds "lidar")
MAX_TERMS = 32  # more is not a query but a pasted document: the rest is ignored

# Words that tell nothing about what someone can do when a question is typed as it would be said ("someone who
# knows", "is there anyone in", "looking for help with"). Words that can name a skill or a place ("new", "us",
# "people") are not among them.
_COMMON_TEXT = (
    "a about an and any anybody anyone are as at be by can could did do does find for from has have help helping"
    " how i in into is it knew know knows looking me my of on or our some somebody someone something that the"
    " their them there they this to was we were what where which who whom with works working would you your"
)
QUERY_STOPWORDS = frozenset(_COMMON_TEXT.split())
_CHUNK = re.compile(r'(-?)(?:([A-Za-z]+):)?"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[^\W_]")  # a character the index keeps in a word (letters and digits; not "_")


@dataclass
class Term:
    text: str
    phrase: bool = False  # quoted: these words in this order, none as a prefix
    prefix: bool = False  # ends in *: the start of a word
    column: str | None = None
    negative: bool = False

    def fts(self) -> str:
        """This term as an FTS5 expression (a quoted string, so nothing in it is an operator)."""
        quoted = '"' + self.text.replace('"', '""') + '"'
        if self.prefix:
            expr = quoted + "*"
        elif not self.phrase and _WORD.fullmatch(self.text) and len(self.text) >= AUTO_PREFIX_MIN:
            expr = f"({quoted} OR {quoted}*)"  # the whole word matches both: it ranks above a longer word
        else:
            expr = quoted
        return f"{self.column} : {expr}" if self.column else expr


@dataclass
class Query:
    """A query read from the user's text: groups of alternatives (all groups must match), terms to leave out."""

    text: str
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # common words left out ("who", "in")

    @property
    def fielded(self) -> bool:
        """Whether a term names a field (then interaction subjects, which have no fields, are not searched)."""
        return any(t.column for t in [*(t for g in self.groups for t in g), *self.excluded])

    def fts(self, every: bool = True) -> str:
        """The FTS5 expression for the people index: every group must match, or with `every` False, any one."""
        joined = (" AND " if every else " OR ").join(
            g[0].fts() if len(g) == 1 else "(" + " OR ".join(t.fts() for t in g) + ")" for g in self.groups)
        if not self.excluded:
            return joined
        return f"({joined}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"

    def words(self) -> list[str]:
        """The terms looked for, as typed (for saying what was searched)."""
        return [t.text + ("*" if t.prefix else "") for g in self.groups for t in g]


def _term(neg: str, name: str | None, quoted: str | None, bare: str | None) -> Term | None:
    negative = bool(neg)
    if bare is not None:
        if bare.startswith("-") and len(bare) > 1:
            negative, bare = True, bare[1:]
        head, sep, rest = bare.partition(":")
        if sep and head.lower() in FIELD_COLUMNS and rest:
            name, bare = head, rest
    column = FIELD_COLUMNS.get(name.lower()) if name else None
    if name and column is None and quoted is not None:  # "http:"x"" and the like: the name is text too
        quoted = f"{name} {quoted}"
    text = quoted if quoted is not None else (bare or "").replace('"', " ")
    prefix = quoted is None and text.endswith("*")
    text = " ".join(text.replace("*", " ").split()) if quoted is None else " ".join(text.split())
    if not _TOKEN.search(text):
        return None  # nothing a word could match: "-", "*", "()"
    return Term(text, phrase=quoted is not None, prefix=prefix, column=column, negative=negative)


# Control characters (a NUL ends an SQLite string early) separate words like spaces do.
_CONTROLS_AS_SPACES = str.maketrans({c: " " for c in (*range(0x20), 0x7F)})


def parse(text: str) -> Query:
    """Read a query; one without any word to look for is refused with a one-line error."""
    query = Query(text)
    pending_or = pending_not = False
    count = 0
    for m in _CHUNK.finditer(text.translate(_CONTROLS_AS_SPACES)):
        bare = m.group(4)
        if bare in ("OR", "AND", "NOT", "NEAR"):
            pending_or = bare == "OR" and bool(query.groups)
            pending_not = bare == "NOT"
            continue
        term = _term(m.group(1), m.group(2), m.group(3), bare)
        if term is None:
            continue
        count += 1
        if count > MAX_TERMS:
            break
        if pending_not:
            term.negative = True
        if term.negative:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = pending_not = False
    if not query.groups:
        what = "only words to leave out" if query.excluded else "no word to look for"
        raise InputError(f"nothing to search for in {text!r}: {what} (try closeknit find \"lidar perception\")")
    _leave_out_common(query)
    return query


def _common(group: list[Term]) -> bool:
    """Whether a group is one plain word (no field, phrase, prefix or alternative) of the common ones."""
    term = group[0]
    return (len(group) == 1 and not (term.column or term.phrase or term.prefix)
            and term.text.lower() in QUERY_STOPWORDS)


def _leave_out_common(query: Query) -> None:
    """Leave the common words out of `query`, unless nothing else would be left to look for."""
    telling = [g for g in query.groups if not _common(g)]
    if telling and len(telling) < len(query.groups):
        query.ignored = [g[0].text for g in query.groups if _common(g)]
        query.groups = telling
