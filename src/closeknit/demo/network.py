"""The demo's hidden truth: one user ("me") and a seeded network of contacts in Dunbar-like tie layers."""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from closeknit.demo import names
from closeknit.demo.names import CITY, City

T = TypeVar("T")

# Tiers from the innermost layer out (Dunbar's 5 / 15 / 50 / 150 / 500): "acquaintance" people had a few
# touches in two years (cold mail, a LinkedIn chat, a big meeting); "collected" people were never interacted with.
TIERS = ("inner", "close", "favor", "active", "acquaintance", "collected")
INTERACTING = TIERS[:-1]
# (tier, cumulative Dunbar size, largest share of the network the cumulative layer may take, minimum)
_LAYERS = (
    ("inner", 5, 0.02, 2),
    ("close", 15, 0.05, 4),
    ("favor", 50, 0.17, 8),
    ("active", 150, 0.50, 12),
    ("acquaintance", 500, 0.60, 14),
)
WINDOW_DAYS = 730  # interactions cover the two years before the reference date
TEAM_SIZE = 4
ALL_HANDS_SIZE = 60
NEAR_DUPLICATES = 3
# Fading ties: regular two-way contact (every week or two) for months, then silence for two to four months
# before the reference date. Drawn from the close and favor layers, about one in six of the favor list.
FADING_SHARE = 0.16
FADING_MAX = 10
FADING_RHYTHM_DAYS = (6.0, 15.0)
FADING_SILENT_DAYS = (60, 120)
FADING_KEPT_DAYS = (180, 540)  # how long the regular contact lasted
EARLIER_EXPORT_DAYS = 91  # the earlier LinkedIn export, where the planted mover still had the old job
# Titles of someone who could plausibly certify a robot's safety (the planted capability's holder).
_CAPABLE_TITLES = ("Director of Hardware", "Field Applications Engineer", "Robotics Software Engineer",
                   "VP Engineering")
EXTRA_BASE = 10_000_000  # person numbers of people who are in no contact file (meeting guests)

# Probability of being in each contact source, by tier.
_P_LINKEDIN = {"inner": .8, "close": .85, "favor": .9, "active": .85, "acquaintance": .75, "collected": .9}
_P_VCARD = {"inner": 1.0, "close": .95, "favor": .75, "active": .5, "acquaintance": .25, "collected": .08}
_P_GOOGLE = {"inner": .6, "close": .6, "favor": .55, "active": .5, "acquaintance": .35, "collected": .06}
_WEBMAIL = ("example.com", "example.org", "example.net", "mail.example.com")
_MIDDLE = "ABCDEFGHJKLMNPRSTW"
_MY_TZ = "America/Los_Angeles"
# Letters that Unicode does not decompose into a base letter and an accent.
_NO_DECOMPOSITION = (("ø", "o"), ("Ø", "O"), ("ł", "l"), ("Ł", "L"), ("ı", "i"), ("ß", "ss"), ("æ", "ae"),
                     ("Æ", "Ae"), ("œ", "oe"), ("đ", "d"), ("Đ", "D"))


@dataclass(frozen=True, slots=True)
class Me:
    """The demo user."""

    given: str = "Alex"
    family: str = "Morgan"
    email: str = "alex@morgan-consulting.example"
    phone: str = "+1 628 555 0142"
    slug: str = "alex-morgan-demo"
    company: str = names.MY_COMPANY.name
    title: str = "Principal"
    city: str = "San Francisco"
    tz: str = _MY_TZ

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def url(self) -> str:
        return f"https://www.linkedin.com/in/{self.slug}"

    @property
    def domain(self) -> str:
        return self.email.split("@", 1)[1]


ME = Me()


@dataclass(slots=True)
class Tie:
    """How the user and one contact really interact (hidden from the importers)."""

    tier: str
    lapsed: bool  # active long ago, silent for the last year
    start: date
    end: date
    rhythm_days: float  # the usual gap between touches
    initiative: float  # share of touches the user starts
    reply_rate: float  # chance the contact answers the user
    my_reply_rate: float
    latency_hours: float  # the contact's median reply delay
    meet_share: float  # share of touches that are 1:1 meetings
    linkedin_share: float  # share of touches on LinkedIn messages
    fading: bool = False  # in touch every week or two for months, silent for the last two to four months


@dataclass(slots=True)
class Person:
    """One contact: what the real person is like and how each source file spells them."""

    index: int
    origin: str
    given: str
    family: str
    middle: str
    company: str
    industry: str
    domain: str
    title: str
    city: City
    phone: str  # international spelling, "+44 20 7946 0123"
    phone_local: str  # how a phone book stores it: "(415) 555-0123" in North America, else as `phone`
    work_email: str
    personal_email: str
    slug: str
    connected_on: date
    skills: list[str]
    offer: str
    need: str
    met: str
    birthday: date | None
    tier: str = "collected"
    lapsed: bool = False
    fading: bool = False
    in_linkedin: bool = False
    in_vcard: bool = False
    in_google: bool = False
    li_email: bool = False  # the LinkedIn export shows the email address
    vc_style: str = "iphone"  # iphone, android (2.1 quoted-printable), outlook ("Last, First")
    vc_name: str = "exact"  # exact, nickname, plain (no accents), lastfirst
    vc_work: bool = False
    vc_personal: bool = False
    vc_phone: bool = False
    vc_url: bool = False
    gc_name: str = "exact"
    gc_work: bool = False
    gc_personal: bool = False
    gc_phone: bool = False
    gc_url: bool = False
    near_duplicate: bool = False  # an extra Google row spells this person differently, with no shared id

    @property
    def name(self) -> str:
        return " ".join(x for x in (self.given, self.middle, self.family) if x)

    @property
    def url(self) -> str:
        return f"https://www.linkedin.com/in/{self.slug}"

    @property
    def email(self) -> str:
        """The address this person writes from."""
        return self.work_email

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s, on in (("linkedin", self.in_linkedin), ("vcard", self.in_vcard),
                                     ("google", self.in_google)) if on)

    def spelled(self, style: str) -> tuple[str, str]:
        """(given, family) as a source spells them: exact, nickname, plain (no accents) or variant."""
        given, family = self.given, self.family
        if style == "nickname":
            given = names.NICKNAMES.get(given, given)
        elif style == "plain":
            given, family = strip_accents(given), strip_accents(family)
        elif style == "variant":
            given, family = variant(given), variant(family)
            if (given, family) == (self.given, self.family):
                given = f"{self.given} {_MIDDLE[self.index % len(_MIDDLE)]}."
        if self.middle and style != "nickname":
            given = f"{given} {self.middle}"
        return given, family


@dataclass(frozen=True, slots=True)
class Move:
    """A planted life event: a contact held another job in an earlier LinkedIn export."""

    index: int
    old_company: str
    old_title: str
    exported: date  # the day of the earlier export


@dataclass(frozen=True, slots=True)
class Favor:
    """A planted favor the user gave or got, for the reciprocity ledger."""

    index: int
    direction: str  # gave, got
    kind: str
    what: str
    on: date
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Capability:
    """A planted payoff: a contact the user never dealt with can do something a friend asks about, and a
    strong tie of the user's knows them (a relationship the user records)."""

    target: int  # LinkedIn-only, never interacted with
    connector: int  # a strong tie, kept up to today
    offer: str
    query: str  # what the friend asks for
    how: str  # how the connector knows the target
    needer: int | None = None  # another strong tie whose recorded need the offer meets (a match to make)


@dataclass(slots=True)
class Touch:
    """One contact between the user and a person: a mail or LinkedIn thread, or a meeting."""

    when: datetime  # UTC
    channel: str  # email, linkedin, meeting
    by_me: bool  # the user started it (sent first / organised)
    messages: list[tuple[datetime, bool]] = field(default_factory=list)  # (when, from me), first = opener
    status: str = ""  # meetings: ACCEPTED, DECLINED, TENTATIVE (the contact's answer)
    minutes: int = 0
    topic: int = 0


@dataclass(slots=True)
class Group:
    """Several contacts mailed together (a project, a board): co-recipients who know each other."""

    name: str
    members: list[int]
    start: date
    end: date
    rhythm_days: float


@dataclass(slots=True)
class GroupTouch:
    when: datetime
    opener: int  # person number, or -1 for the user
    to: list[int]
    cc: list[int]
    replies: list[tuple[datetime, int]]  # (when, sender: person number or -1)
    topic: int


@lru_cache(maxsize=4096)
def strip_accents(text: str) -> str:
    out = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for a, b in _NO_DECOMPOSITION:
        out = out.replace(a, b)
    return out


@lru_cache(maxsize=4096)
def variant(text: str) -> str:
    """Another plausible spelling: German transliteration when it applies, else without accents."""
    out = text
    for a, b in names.TRANSLITERATIONS:
        out = out.replace(a, b)
    return strip_accents(out)


@lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    return "".join(c for c in strip_accents(text).lower() if c.isalnum() or c == "-")


@lru_cache(maxsize=256)
def domain_of(company: str) -> str:
    return _ascii(company.replace("&", "and").replace(" ", "-")).replace("--", "-") + ".example"


@lru_cache(maxsize=64)
def _plan(plan_key: str) -> tuple[str, int, tuple[int, ...], int]:
    cc, area, first, groups = names.PHONE_PLANS[plan_key]
    cuts, pos = [], 0
    for g in groups[:-1]:
        pos += g
        cuts.append(pos)
    return " ".join(x for x in (f"+{cc}", area) if x) + " ", first, tuple(cuts), sum(groups)


def format_phone(plan_key: str, n: int) -> str:
    """The n-th subscriber number of a numbering plan, spelled internationally: "+44 20 7946 0123"."""
    prefix, first, cuts, width = _plan(plan_key)
    digits = str(first + n).rjust(width, "0")
    out, last = [], 0
    for c in cuts:
        out.append(digits[last:c])
        last = c
    out.append(digits[last:])  # beyond the plan's range the last group simply grows
    return prefix + " ".join(out)


def local_phone(intl: str) -> str:
    """North American numbers as people type them, "(415) 555-0123"; others unchanged."""
    if not intl.startswith("+1 "):
        return intl
    _, area, rest = intl.split(" ", 2)
    digits = rest.replace(" ", "")
    return f"({area}) {digits[:3]}-{digits[3:]}"


_BLOCK = 4096
_BIRTH_ORDINAL = date(1960, 1, 1).toordinal()
_M64 = 0xFFFFFFFFFFFFFFFF


def _mix(x: int) -> int:
    """splitmix64 of one integer (used to spread the seed)."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _draw_block(seed: int, start: int, count: int) -> list[list[float]]:
    """64 uniform draws per person for persons start..start+count-1: a counter-based hash (splitmix64),
    so person i gets the same draws whether built alone or in a block of thousands."""
    idx = np.arange(start, start + count, dtype=np.uint64)[:, None]
    z = (idx * np.uint64(64) + np.arange(64, dtype=np.uint64)[None, :]) ^ np.uint64(_mix(seed))
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    draws: list[list[float]] = ((z >> np.uint64(11)).astype(np.float64) * 2.0**-53).tolist()
    return draws


def _pick(seq: Sequence[T], x: float) -> T:
    return seq[int(x * len(seq))]


class Network:
    """A deterministic synthetic network: person(i) is the same whenever and however it is asked for.

    Only the few hundred interacting people are held in memory, so a network of 100,000 contacts
    streams: `__iter__` builds each person on demand.
    """

    def __init__(self, people: int = 300, seed: int = 7, today: date | None = None) -> None:
        if people < 20:
            raise ValueError("the demo network needs at least 20 people")
        self.size = people
        self.seed = seed
        self.today = today or date.today()
        self.window_start = self.today - timedelta(days=WINDOW_DAYS)
        self.me = ME
        self._today_ordinal = self.today.toordinal()
        self._origin_perm = self._origin_permutations(seed)
        rng = random.Random(f"network:{seed}:{people}")
        self.layer_sizes = self._layer_sizes(people)
        chosen = rng.sample(range(people), sum(self.layer_sizes.values()))
        self.tiers: dict[int, str] = {}
        pos = 0
        for tier, n in self.layer_sizes.items():
            for i in chosen[pos:pos + n]:
                self.tiers[i] = tier
            pos += n
        self.ties: dict[int, Tie] = {i: self._tie(i, t) for i, t in self.tiers.items()}
        self.fading: list[int] = self._plant_fading(chosen)
        by_tier = {t: [i for i in chosen if self.tiers[i] == t] for t in INTERACTING}
        # Ties kept up to today: the team, the groups and the all-hands draw from these only, so a lapsed
        # or fading tie gets no recent touch through a meeting or a group thread.
        steady = {i for i, tie in self.ties.items() if not (tie.lapsed or tie.fading)}
        by_tier = {t: [i for i in ids if i in steady or t == "inner"] for t, ids in by_tier.items()}
        core = by_tier["inner"] + by_tier["close"] + by_tier["favor"]
        self.team: list[int] = core[1:1 + TEAM_SIZE] if len(core) > TEAM_SIZE + 1 else core[:TEAM_SIZE]
        self.all_three: list[int] = by_tier["inner"][:2]  # in every contact source, to show merging
        collected = [i for i in range(people) if i not in self.tiers] if people <= 50_000 else None
        self.near_duplicates: list[int] = self._pick_near_duplicates(rng, collected)
        self.groups = self._groups(rng, by_tier)
        pool = [i for t in ("favor", "active", "acquaintance") for i in by_tier[t] if i not in self.team]
        self.all_hands_organizer = pool[0] if pool else chosen[0]
        guests = [i for i in pool[1:] + by_tier["close"] if i != self.all_hands_organizer]
        rng.shuffle(guests)
        need = ALL_HANDS_SIZE - 2
        self.all_hands_guests = guests[:need] + [EXTRA_BASE + k for k in range(max(0, need - len(guests)))]
        self.move: Move | None = self._plant_move(by_tier)
        self.favors: list[Favor] = self._plant_favors(by_tier)
        self.capability: Capability | None = self._plant_capability(by_tier)

    # -------------------------------------------------------------- structure

    @staticmethod
    def _layer_sizes(people: int) -> dict[str, int]:
        sizes: dict[str, int] = {}
        below = 0
        for tier, absolute, share, minimum in _LAYERS:
            cumulative = min(absolute, max(minimum, round(share * people)), people)
            sizes[tier] = max(0, cumulative - below)
            below += sizes[tier]
        return sizes

    def _tie(self, i: int, tier: str) -> Tie:
        r = random.Random(f"tie:{self.seed}:{i}")
        start, end = self.window_start, self.today
        lapsed = tier in ("close", "favor", "active") and r.random() < 0.15
        if lapsed:
            end = self.today - timedelta(days=r.randint(330, 450))
        elif tier != "inner" and r.random() < 0.25:
            start = self.today - timedelta(days=r.randint(90, 600))
        rhythm, reply, latency, meet, li = {
            "inner": (r.uniform(3, 7), .95, 1.0, .15, .02),
            "close": (r.uniform(8, 18), .85, 4.0, .15, .05),
            "favor": (r.uniform(20, 45), .75, 10.0, .12, .1),
            "active": (r.uniform(45, 120), .6, 24.0, 0.0, .2),
            "acquaintance": (WINDOW_DAYS / r.uniform(1, 3.5), .4, 48.0, 0.0, .4),
        }[tier]
        initiative = r.uniform(0.3, 0.7)
        # One-sided: the user does the chasing. Only among the merely active: a favor-list tie is mutual by definition.
        if tier == "active" and r.random() < 0.12:
            initiative, reply = 0.9, 0.3
        return Tie(tier, lapsed, start, end, rhythm, initiative, reply, 0.9, latency, meet, li)

    def _plant_fading(self, chosen: list[int]) -> list[int]:
        """Turn a few close and favor-layer ties into fading ones: two-way contact every week or two
        for months, ending two to four months before today. They stay in their layer."""
        pool = [i for i in chosen if self.tiers[i] in ("close", "favor") and not self.ties[i].lapsed]
        favor_list = sum(self.layer_sizes[t] for t in ("inner", "close", "favor"))
        want = min(FADING_MAX, max(1, round(FADING_SHARE * favor_list)), len(pool) // 2)
        picked = sorted(random.Random(f"fading:{self.seed}:{self.size}").sample(pool, want))
        for i in picked:
            r = random.Random(f"fading:{self.seed}:{i}")
            end = self.today - timedelta(days=r.randint(*FADING_SILENT_DAYS))
            start = max(self.window_start, end - timedelta(days=r.randint(*FADING_KEPT_DAYS)))
            self.ties[i] = Tie(self.tiers[i], False, start, end, r.uniform(*FADING_RHYTHM_DAYS), r.uniform(0.35, 0.65),
                               0.9, 0.9, 4.0, 0.15, 0.05, fading=True)
        return picked

    def _plant_move(self, by_tier: dict[str, list[int]]) -> Move | None:
        """A strong tie on LinkedIn who changed jobs since an export three months ago (a life event)."""
        exported = self.today - timedelta(days=EARLIER_EXPORT_DAYS)
        for tier in ("close", "favor", "inner", "active"):
            for i in by_tier[tier]:
                p = self.person(i)
                if i in self.team or not p.in_linkedin or p.connected_on > exported:
                    continue
                r = random.Random(f"move:{self.seed}:{i}")
                old = r.choice([c for c in names.COMPANIES if c.name != p.company])
                return Move(i, old.name, r.choice(names.INDUSTRIES[old.industry][0]), exported)
        return None

    def _plant_favors(self, by_tier: dict[str, list[int]]) -> list[Favor]:
        """A few favors with strong ties: one balanced, one the user owes (give first), one given."""
        strong = [i for t in ("inner", "close", "favor") for i in by_tier[t] if i not in self.fading]
        if len(strong) < 3:
            return []
        a, b, c = strong[-3:] if len(strong) < 6 else (strong[2], strong[3], strong[5])
        day = self.today
        return [
            Favor(a, "gave", "intro", "introduced them to a seed investor", day - timedelta(days=120)),
            Favor(a, "got", "referral", "referred a client: it became a pilot order", day - timedelta(days=60),
                  25000.0),
            Favor(b, "got", "advice", "advice on pricing the retainer", day - timedelta(days=75)),
            Favor(b, "got", "intro", "intro to a robotics OEM", day - timedelta(days=30)),
            Favor(c, "gave", "help", "reviewed their pitch deck", day - timedelta(days=20)),
        ]

    def _plant_capability(self, by_tier: dict[str, list[int]]) -> Capability | None:
        """Someone only in the LinkedIn export offers a capability; a strong tie kept up to today knows them."""
        connectors = [i for t in ("close", "inner") for i in by_tier[t] if not self.ties[i].fading]
        taken = {f.index for f in self.favors} | set(self.near_duplicates)
        for i in range(self.size):
            p = self.person(i)
            if (i in self.tiers or i in taken or not p.in_linkedin or p.in_vcard or p.in_google
                    or p.title not in _CAPABLE_TITLES):
                continue
            for c in connectors:
                if self.person(c).company != p.company:
                    needer = next((n for n in connectors if n != c and self.person(n).company != p.company), None)
                    return Capability(i, c, "functional safety certification for mobile robots (ISO 3691-4 audits)",
                                      "safety certification", f"former colleagues at {self.person(c).company}",
                                      needer)
        return None

    def _pick_near_duplicates(self, rng: random.Random, collected: list[int] | None) -> list[int]:
        picked: list[int] = []
        candidates = collected if collected is not None else [rng.randrange(self.size) for _ in range(4000)]
        order = list(candidates)
        rng.shuffle(order)
        for i in order:  # prefer names that have another plausible spelling
            if i in self.tiers or i in picked:
                continue
            given, family = self._name(i)[1:3]
            if variant(given + family) != given + family:
                picked.append(i)
                if len(picked) == NEAR_DUPLICATES:
                    break
        return picked

    def _groups(self, rng: random.Random, by_tier: dict[str, list[int]]) -> list[Group]:
        pool = [i for t in ("close", "favor", "active") for i in by_tier[t] if i not in self.team]
        count = max(2, len(pool) // 20)
        groups = []
        labels = ("Project Atlas", "Advisory board", "Pilot steering group", "Founders circle", "Hiring panel",
                  "Conference committee", "Angel syndicate", "Lidar working group", "Alumni reunion")
        for k in range(count):
            members = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
            length = rng.randint(120, 500)
            start = self.window_start + timedelta(days=rng.randint(0, WINDOW_DAYS - length))
            groups.append(Group(labels[k % len(labels)] + ("" if k < len(labels) else f" {k // len(labels) + 1}"),
                                members, start, start + timedelta(days=length), rng.uniform(20, 45)))
        return groups

    @staticmethod
    def _origin_permutations(seed: int) -> list[tuple[int, int, int]]:
        out = []
        for k, o in enumerate(names.ORIGINS):
            m = len(o.given) * len(o.family)
            a = (seed * 7919 + k * 104729 + 12345) % m or 1
            while math.gcd(a, m) != 1:
                a += 1
            out.append((a, (seed * 31 + k) % m, m))
        return out

    # -------------------------------------------------------------- people

    def _name(self, i: int) -> tuple[int, str, str, str, int]:
        """(origin, given, family, middle initial, cycle): names are unique until an origin's list runs out."""
        m = i + self.seed
        slot = m % len(names.ORIGIN_SLOTS)
        o = names.ORIGIN_SLOTS[slot]
        rank = names.ORIGIN_SLOTS[:slot].count(o)
        k = (m // len(names.ORIGIN_SLOTS)) * names.ORIGIN_SLOTS.count(o) + rank
        a, b, size = self._origin_perm[o]
        combo = (a * (k % size) + b) % size
        cycle = k // size
        origin = names.ORIGINS[o]
        given = origin.given[combo % len(origin.given)]
        family = origin.family[combo // len(origin.given)]
        middle = f"{_MIDDLE[(cycle - 1) % len(_MIDDLE)]}." if cycle else ""
        return o, given, family, middle, cycle

    def person(self, i: int) -> Person:
        """Person number i (0 <= i < size; EXTRA_BASE + k for meeting guests in no contact file)."""
        return self._build(i, iter(_draw_block(self.seed, i, 1)[0]).__next__)

    def _build(self, i: int, u: Callable[[], float]) -> Person:
        company = self._company_of(i, _pick(names.COMPANIES, u()))
        o, given, family, middle, cycle = self._name(i)
        origin = names.ORIGINS[o]
        city = CITY[_pick(origin.home, u()) if u() < 0.55 else _pick(names.GLOBAL_CITIES, u())]
        titles, skills = names.INDUSTRIES[company.industry]
        plan = city.phone
        if plan in names.MOBILE_PLANS and u() < 0.5:
            plan = names.MOBILE_PLANS[plan]
        phone = format_phone(plan, i)
        domain = domain_of(company.name)
        # A cycle number keeps addresses unique once full names start to repeat (very large networks).
        local = f"{_ascii(given)}.{_ascii(family)}{cycle + 1 if cycle else ''}"
        webmail = _pick(_WEBMAIL, u())
        personal = (f"{_ascii(given)}.{_ascii(family)}{i + 1}" if u() < 0.7
                    else f"{_ascii(family)}.{_ascii(given)}{i + 1}") + f"@{webmail}"
        freelancer = u() < 0.06
        slug = (f"{_ascii(given)}{_ascii(family)}" if not middle and u() < 0.35
                else f"{_ascii(given)}-{_ascii(family)}-{((i + 1) * 0x9E3779B1 + self.seed) & 0xFFFFFFFF:08x}")
        age_days = int((u() ** 1.6) * 4700) + 1
        first_skill = _pick(skills, u())
        second = _pick(skills, u())
        person = Person(
            index=i, origin=origin.key, given=given, family=family, middle=middle,
            company=company.name, industry=company.industry, domain=domain,
            title=_pick(titles, u()), city=city, phone=phone,
            phone_local=local_phone(phone) if phone.startswith("+1 ") else phone,
            work_email=personal if freelancer else f"{local}@{domain}", personal_email=personal,
            slug=slug, connected_on=date.fromordinal(self._today_ordinal - age_days),
            skills=[first_skill] if second == first_skill else [first_skill, second],
            offer=_pick(names.OFFERS, u()) if u() < 0.3 else "",
            need=_pick(names.NEEDS, u()) if u() < 0.25 else "",
            met=_pick(names.MET_AT, u()),
            birthday=date.fromordinal(_BIRTH_ORDINAL + int(u() * 14600)) if u() < 0.2 else None,
        )
        if i >= EXTRA_BASE:
            return person
        self._place(person, u)
        return person

    def _company_of(self, i: int, drawn: names.Company) -> names.Company:
        """A person's employer: the user's firm for the team, the organiser's for meeting guests."""
        if i in self.team:
            return names.MY_COMPANY
        if i >= EXTRA_BASE:
            organizer = self.all_hands_organizer
            return self._company_of(organizer, _pick(names.COMPANIES, _draw_block(self.seed, organizer, 1)[0][0]))
        return drawn

    def _place(self, p: Person, u: Callable[[], float]) -> None:
        """Tier, lapsed or fading, which sources hold the person and which identifiers each source shows."""
        i = p.index
        tier = self.tiers.get(i, "collected")
        p.tier = tier
        tie = self.ties.get(i)
        p.lapsed = bool(tie and tie.lapsed)
        p.fading = bool(tie and tie.fading)
        p.in_linkedin = u() < _P_LINKEDIN[tier]
        p.in_vcard = u() < _P_VCARD[tier]
        p.in_google = u() < _P_GOOGLE[tier]
        if i in self.all_three:
            p.in_linkedin = p.in_vcard = p.in_google = True
        if i in self.near_duplicates:
            p.in_linkedin, p.near_duplicate = True, True
        if not (p.in_linkedin or p.in_vcard or p.in_google) and tier == "collected":
            p.in_google = True  # someone only in the Google address book
        p.li_email = u() < (0.4 if p.in_vcard else 0.25)
        p.vc_style = "iphone" if (r := u()) < 0.7 else "android" if r < 0.85 else "outlook"
        r = u()
        nick = p.given in names.NICKNAMES
        accents = not (p.given.isascii() and p.family.isascii())
        p.vc_name = ("lastfirst" if p.vc_style == "outlook" else "nickname" if r < 0.3 and nick
                     else "plain" if r < 0.5 and accents else "exact")
        r = u()
        p.gc_name = "nickname" if r < 0.15 and nick else "plain" if r < 0.35 and accents else "exact"
        p.vc_work, p.vc_personal = u() < 0.85, u() < 0.35
        p.vc_phone = u() < (0.9 if tier in ("inner", "close") else 0.65)
        p.vc_url = u() < 0.45
        if not (p.vc_work or p.vc_phone):
            p.vc_phone = True
        p.gc_work, p.gc_personal, p.gc_phone, p.gc_url = u() < 0.7, u() < 0.3, u() < 0.6, u() < 0.2
        if not (p.gc_work or p.gc_personal or p.gc_phone):
            p.gc_work = True
        # The people one writes to usually sit in an address book with the address one writes to.
        known = (p.in_vcard and p.vc_work) or (p.in_google and p.gc_work)
        if tier != "collected" and not known and u() < 0.85:
            p.in_google = p.gc_work = True
        bridge = u() < 0.95 or i in self.all_three
        if p.in_linkedin and p.in_vcard and bridge and not (p.vc_url or (p.li_email and p.vc_work)):
            p.vc_url = True
        if p.in_google and (p.in_vcard or p.in_linkedin) and bridge:
            shares = ((p.in_vcard and ((p.gc_work and p.vc_work) or (p.gc_personal and p.vc_personal)
                                       or (p.gc_phone and p.vc_phone)))
                      or (p.in_linkedin and (p.gc_url or (p.gc_work and p.li_email))))
            if not shares:
                if p.in_vcard:
                    p.gc_phone = p.vc_phone = True
                else:
                    p.gc_url = True

    def __iter__(self) -> Iterator[Person]:
        for start in range(0, self.size, _BLOCK):
            block = _draw_block(self.seed, start, min(_BLOCK, self.size - start))
            for k, draws in enumerate(block):
                yield self._build(start + k, iter(draws).__next__)

    def interacting(self) -> list[Person]:
        return [self.person(i) for i in sorted(self.tiers)]

    # -------------------------------------------------------------- interactions

    def local_time(self, day: date, tz: str, rng: random.Random, evening: bool = False) -> datetime:
        """A working-hours moment on `day` in time zone `tz`, as UTC."""
        if day.weekday() >= 5 and rng.random() < 0.8:
            day += timedelta(days=7 - day.weekday())
        hour = rng.randint(18, 21) if evening else rng.randint(8, 18)
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                         tzinfo=ZoneInfo(tz))
        return local.astimezone(UTC)

    def meeting_time(self, day: date, rng: random.Random) -> datetime:
        """A weekday slot on the hour or half hour in the user's time zone, as UTC."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        local = datetime(day.year, day.month, day.day, rng.randint(8, 16), rng.choice((0, 30)), tzinfo=ZoneInfo(ME.tz))
        return local.astimezone(UTC)

    def touches(self, p: Person) -> list[Touch]:
        """Every touch between the user and an interacting person, in time order, before the reference date."""
        tie = self.ties.get(p.index)
        if tie is None:
            return []
        rng = random.Random(f"touch:{self.seed}:{p.index}")
        cutoff = datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)
        out: list[Touch] = []
        max_len = {"inner": 6, "close": 4, "favor": 3}.get(tie.tier, 2)
        day = tie.start + timedelta(days=rng.uniform(0, tie.rhythm_days))
        while day < tie.end:
            by_me = rng.random() < tie.initiative
            r = rng.random()
            channel = ("meeting" if r < tie.meet_share else
                       "linkedin" if r < tie.meet_share + tie.linkedin_share and p.in_linkedin else "email")
            when = self.local_time(day, ME.tz if by_me else p.city.tz, rng)
            touch = Touch(when, channel, by_me, topic=rng.randrange(len(names.TOPICS)))
            if channel == "meeting":
                r = rng.random()
                touch.status = "DECLINED" if r < 0.08 else "TENTATIVE" if r < 0.12 else "ACCEPTED"
                touch.minutes = rng.choice((30, 30, 45, 60))
                touch.when = self.meeting_time(day, rng)
            else:
                at, mine = when, by_me
                touch.messages.append((at, mine))
                chance = tie.my_reply_rate if not mine else tie.reply_rate
                while len(touch.messages) < max_len and rng.random() < chance:
                    median = 3.0 if not mine else tie.latency_hours  # the user answers in ~3 hours
                    at = at + timedelta(hours=min(median * rng.lognormvariate(0, 0.9), 24 * 14))
                    mine = not mine
                    if at >= cutoff:
                        break
                    touch.messages.append((at, mine))
                    chance *= 0.7
            if touch.when < cutoff:
                out.append(touch)
            day += timedelta(days=max(0.5, tie.rhythm_days * rng.lognormvariate(0, 0.5)))
        return out

    def group_touches(self, group: Group, k: int) -> list[GroupTouch]:
        rng = random.Random(f"group:{self.seed}:{k}")
        cutoff = datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)
        out = []
        day = group.start
        while day < min(group.end, self.today):
            opener = -1 if rng.random() < 0.6 else rng.choice(group.members)
            others = [m for m in group.members if m != opener]
            if opener == -1:
                to, cc = others[:2], others[2:]
            else:
                to, cc = [-1], others
            when = self.local_time(day, ME.tz, rng)
            replies: list[tuple[datetime, int]] = []
            at = when
            for _ in range(rng.randint(0, 3)):
                at = at + timedelta(hours=rng.uniform(1, 30))
                sender = rng.choice([-1, *group.members])
                if at < cutoff and (not replies or replies[-1][1] != sender):
                    replies.append((at, sender))
            if when < cutoff:
                out.append(GroupTouch(when, opener, to, cc, replies, rng.randrange(len(names.TOPICS))))
            day += timedelta(days=group.rhythm_days * rng.lognormvariate(0, 0.4))
        return out

    # -------------------------------------------------------------- truth

    def summary(self) -> dict[str, object]:
        """The hidden truth in numbers: layer sizes, lapsed and fading ties, team, groups, near-duplicates,
        the planted life event and favors."""
        tiers = {t: n for t, n in self.layer_sizes.items()}
        tiers["collected"] = self.size - sum(self.layer_sizes.values())
        return {
            "people": self.size,
            "seed": self.seed,
            "today": self.today.isoformat(),
            "me": {"name": ME.name, "email": ME.email, "linkedin": ME.url},
            "tiers": tiers,
            "lapsed": sum(1 for t in self.ties.values() if t.lapsed),
            "fading": [self._fading_truth(i) for i in self.fading],
            "life_event": self._move_truth(),
            "favors": [{"name": (p := self.person(f.index)).name, "email": p.work_email, "direction": f.direction,
                        "kind": f.kind, "what": f.what, "on": f.on.isoformat(), "value": f.value}
                       for f in self.favors],
            "capability": self._capability_truth(),
            "team": [self.person(i).name for i in self.team],
            "groups": [{"name": g.name, "members": len(g.members)} for g in self.groups],
            "near_duplicates": [
                {"name": (p := self.person(i)).name, "variant": " ".join(p.spelled("variant"))}
                for i in self.near_duplicates
            ],
        }

    def truth(self) -> Iterator[dict[str, object]]:
        """Per person: the identifiers and the true tie, for evaluating what the importers and scores found."""
        for p in self:
            tie = self.ties.get(p.index)
            yield {
                "index": p.index, "name": p.name, "email": p.work_email, "linkedin": p.url, "tier": p.tier,
                "lapsed": p.lapsed, "fading": p.fading, "rhythm_days": round(tie.rhythm_days, 1) if tie else None,
                "sources": list(p.sources),
            }

    def _fading_truth(self, i: int) -> dict[str, object]:
        p, tie = self.person(i), self.ties[i]
        return {"name": p.name, "email": p.work_email, "tier": p.tier, "rhythm_days": round(tie.rhythm_days, 1),
                "until": tie.end.isoformat()}

    def _move_truth(self) -> dict[str, object] | None:
        if self.move is None:
            return None
        p = self.person(self.move.index)
        return {"name": p.name, "email": p.work_email, "linkedin": p.url, "old_company": self.move.old_company,
                "old_title": self.move.old_title, "company": p.company, "title": p.title,
                "earlier_export": self.move.exported.isoformat()}

    def _capability_truth(self) -> dict[str, object] | None:
        cap = self.capability
        if cap is None:
            return None
        t, c = self.person(cap.target), self.person(cap.connector)
        return {"name": t.name, "linkedin": t.url, "title": t.title, "company": t.company, "offer": cap.offer,
                "query": cap.query, "connector": {"name": c.name, "email": c.work_email, "tier": c.tier},
                "how": cap.how, "need": None if cap.needer is None else {
                    "name": (n := self.person(cap.needer)).name, "email": n.work_email,
                    "text": "an ISO 3691-4 audit of our warehouse robots"}}
