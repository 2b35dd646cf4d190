"""Tie-strength events, features, score, explanations, tiers and refitting on synthetic interactions."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from closeknit.records import InteractionRecord, Party
from closeknit.strength import features as feat
from closeknit.strength import model, tiers
from closeknit.strength.events import (
    IN,
    ME_REPLIED,
    NO_REPLY,
    OUT,
    THEY_REPLIED,
    Events,
    Row,
    channel_kind,
)

DAY = 86400
NOW = datetime(2024, 6, 1, tzinfo=UTC).timestamp()


def _rows(person: str, days_ago: list[float], direction: str = "out", **kw: object) -> list[Row]:
    return [Row(person, NOW - d * DAY, direction, **kw) for d in days_ago]  # type: ignore[arg-type]


def _background(n: int = 30, seed: int = 1) -> list[Row]:
    """Other people with a little traffic, so rank normalisation has a network to work in."""
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for k in range(n):
        for d in rng.uniform(1, 300, size=int(rng.integers(1, 6))):
            rows.append(Row(f"bg{k}", NOW - d * DAY, "out" if rng.random() < 0.5 else "in"))
    return rows


def _scores(rows: list[Row], **kw: object) -> tuple[Events, model.Scores]:
    ev = Events.from_rows(rows)
    return ev, model.score(feat.compute(ev, NOW, **kw))  # type: ignore[arg-type]


def _idx(ev: Events, key: str) -> int:
    return ev.people.index(key)


def _weekly_exchange(person: str, start_days_ago: int, weeks: int) -> list[Row]:
    rows = []
    for w in range(weeks):
        d = start_days_ago - 7 * w
        rows.append(Row(person, NOW - d * DAY, "out", item=hash((person, w, 0)) % 10**9))
        rows.append(Row(person, NOW - (d - 0.2) * DAY, "in", item=hash((person, w, 1)) % 10**9))
    return rows


# --------------------------------------------------------------------------- events


def test_rows_are_sorted_and_replies_linked() -> None:
    rows = [
        Row("b", NOW - 3 * DAY, "in", item=11, parent=10),  # b answers my message 10 after a day
        Row("b", NOW - 4 * DAY, "out", item=10),
        Row("a", NOW - 2 * DAY, "out", item=12, parent=13),  # parent unknown: no latency
        Row("a", NOW - 1 * DAY, "in", item=14),
        Row("a", NOW - 0.5 * DAY, "out", item=15, parent=14),  # I answer a after half a day
    ]
    ev = Events.from_rows(rows)
    assert ev.people == ["b", "a"]
    assert np.all(np.diff(ev.person.astype(np.int64) * 10**10 + ev.ts) >= 0)
    b, a = _idx(ev, "b"), _idx(ev, "a")
    they = (ev.person == b) & (ev.replier == THEY_REPLIED)
    assert they.sum() == 1 and ev.latency[they][0] == pytest.approx(DAY)
    mine = (ev.person == a) & (ev.replier == ME_REPLIED)
    assert mine.sum() == 1 and ev.latency[mine][0] == pytest.approx(0.5 * DAY)
    assert np.isnan(ev.latency[ev.replier == NO_REPLY]).all()
    assert not ev.starts_thread[(ev.person == a) & (ev.direction == OUT) & (ev.ts == int(NOW - 2 * DAY))].any()


def test_reply_links_with_sparse_item_ids() -> None:
    rows = [
        Row("b", NOW - 4 * DAY, "out", item=10), Row("c", NOW - 4 * DAY, "out", item=10),
        Row("b", NOW - 3 * DAY, "in", item=11, parent=10), Row("c", NOW - 2 * DAY, "in", item=12, parent=10),
        Row("b", NOW - 1 * DAY, "out", item=13, parent=11), Row("b", NOW - DAY, "in", item=14, parent=99),
    ]
    dense = Events.from_rows(rows)
    big = 10**15
    sparse = Events.from_rows(
        [r._replace(item=r.item * big - 7, parent=None if r.parent is None else r.parent * big - 7) for r in rows])
    for ev in (dense, sparse):
        assert (ev.replier == THEY_REPLIED).sum() == 2 and (ev.replier == ME_REPLIED).sum() == 1
        np.testing.assert_allclose(np.sort(ev.latency[np.isfinite(ev.latency)]), [DAY, 2 * DAY, 2 * DAY])


def test_replies_without_any_outbound_parent_link_nothing() -> None:
    """A mailbox whose replies all answer inbound mail (no message of mine among the parents)."""
    for rows in (
        [Row("a", NOW - 2 * DAY, "in", item=1), Row("a", NOW - DAY, "in", item=2, parent=1)],
        [Row("a", NOW - 2 * DAY, "in", item=1), Row("b", NOW - DAY, "in", item=2, parent=1),
         Row("b", NOW - DAY, "out", item=3, parent=7)],
        [Row("a", NOW - DAY, "in", item=5 * 10**15, parent=10**15)],
    ):
        ev = Events.from_rows(rows)
        assert (ev.replier == THEY_REPLIED).sum() == 0 and np.isnan(ev.latency).all()
        assert np.isfinite(model.score(feat.compute(ev, NOW)).score).all()


def test_from_columns_matches_from_rows() -> None:
    rows = _weekly_exchange("x", 100, 10) + _background(5)
    ev1 = Events.from_rows(rows)
    ev2 = Events.from_columns(
        [r.person for r in rows], [r.ts for r in rows], [r.direction for r in rows],
        channel=[r.channel for r in rows], item=[r.item if r.item is not None else -(k + 2)
                                                  for k, r in enumerate(rows)],
    )
    f1, f2 = feat.compute(ev1, NOW), feat.compute(ev2, NOW)
    for name in f1.names():
        np.testing.assert_array_equal(f1.column(name), f2.column(name))


def test_channel_kinds() -> None:
    assert channel_kind("meeting", 2) == "meeting_1on1"
    assert channel_kind("meeting", 6) == "meeting_small"
    assert channel_kind("meeting", 40) == "meeting_large"
    assert channel_kind("coffee") == "meeting_1on1"
    assert channel_kind("linkedin") == "message"
    with pytest.raises(ValueError):
        Events.from_columns(["a"], [NOW], ["sideways"])


def _record(key: str, day: float, sender: str, to: list[str], subject: str, irt: str = "") -> InteractionRecord:
    parties = [Party(sender, "", "from")] + [Party(a, "", "to") for a in to]
    when = datetime.fromtimestamp(NOW - day * DAY, UTC)
    return InteractionRecord("mail", "email", "f", 0, "", key, when, parties, subject, in_reply_to=irt)


def test_from_mail_directions_dedup_and_threads() -> None:
    me = "me@example.org"
    recs = [
        _record("m1", 10, me, ["ann@example.com", "bob@example.com"], "Plan"),
        _record("m1", 10, me, ["ann@example.com", "bob@example.com"], "Plan"),  # same Message-ID twice
        _record("m2", 9, "ann@example.com", ["ME2@example.org"], "Re: Plan"),  # subject reply, other alias
        _record("m3", 8, me, ["ann@example.com"], "Re: Plan", irt="m2"),  # header reply
        _record("m4", 7, "cat@example.com", ["dan@example.com"], "Other"),  # not mine: ignored
        _record("m5", 6, "eve@example.com", [me, "fay@example.com"], "Hello"),
    ]
    ev = Events.from_mail(recs, [me.upper(), "me2@example.org"])
    assert sorted(ev.people) == ["ann@example.com", "bob@example.com", "eve@example.com"]
    assert len(ev) == 5  # m1 ×2 recipients, m2, m3, m5
    f = feat.compute(ev, NOW)
    ann = _idx(ev, "ann@example.com")
    assert f.n_out[ann] == 2 and f.n_in[ann] == 1
    assert f.my_threads[ann] == 1 and f.my_threads_answered[ann] == 1
    assert f.their_replies[ann] == 1 and f.my_replies[ann] == 1
    eve = _idx(ev, "eve@example.com")
    assert ev.n_recipients[ev.person == eve][0] == 2  # me and fay


# --------------------------------------------------------------------------- score


def test_deterministic() -> None:
    rng = np.random.default_rng(7)
    rows = [
        Row(f"p{int(rng.integers(0, 200))}", NOW - float(rng.uniform(0, 700)) * DAY,
            ("out", "in", "other")[int(rng.integers(0, 3))],
            ("email", "call", "meeting_small")[int(rng.integers(0, 3))],
            int(rng.integers(1, 30)), bool(rng.random() < 0.05), k, (k - 1) if rng.random() < 0.3 and k else None)
        for k in range(5000)
    ]
    _, s1 = _scores(rows)
    _, s2 = _scores(list(rows))
    np.testing.assert_array_equal(s1.score, s2.score)
    np.testing.assert_array_equal(s1.points, s2.points)
    assert [s1.explain(i) for i in range(50)] == [s2.explain(i) for i in range(50)]
    assert (s1.score >= 0).all() and (s1.score <= 100).all()


def test_more_recent_two_way_contact_scores_higher() -> None:
    rows = _weekly_exchange("recent", 60, 8) + _weekly_exchange("older", 150, 8) + _background()
    ev, s = _scores(rows)
    assert s.score[_idx(ev, "recent")] > s.score[_idx(ev, "older")]
    f = s.features
    assert f.days_since_two_way[_idx(ev, "recent")] < f.days_since_two_way[_idx(ev, "older")]


def test_bulk_mail_adds_nothing() -> None:
    base = _weekly_exchange("x", 80, 6) + _background()
    bulk = [Row("x", NOW - d * DAY, "in", bulk=True) for d in (1, 2, 3, 5, 8)]
    ev1, s1 = _scores(base)
    ev2, s2 = _scores(base + bulk)
    assert ev1.people == ev2.people
    np.testing.assert_allclose(s1.score, s2.score)


def test_one_on_one_meeting_beats_large_meeting() -> None:
    rows = _background()
    for d in (5, 40, 90):
        rows.append(Row("one", NOW - d * DAY, "other", "meeting_1on1", 1))
        rows.append(Row("many", NOW - d * DAY, "other", "meeting_large", 40))
    ev, s = _scores(rows)
    assert s.score[_idx(ev, "one")] > s.score[_idx(ev, "many")]
    i = _idx(ev, "one")
    assert s.features.channels[i] == 1 and s.features.rich_share[i] == pytest.approx(1.0)


def test_a_message_to_many_weighs_the_fourth_root_of_their_number_less() -> None:
    """Each message counts 1/n**0.25 for n recipients (the exponent chosen by owner-level cross-validation):
    mail to 16 people counts half a 1:1 message, not a quarter as with 1/sqrt(n)."""
    rows = [Row("solo", NOW - 7 * DAY, "out", n_recipients=1), Row("crowd", NOW - 7 * DAY, "out", n_recipients=16)]
    ev = Events.from_rows(rows)
    f = feat.compute(ev, NOW)
    assert feat.FeatureParams().recipient_exponent == 0.25
    assert f.intensity_out[_idx(ev, "crowd")] == pytest.approx(0.5 * f.intensity_out[_idx(ev, "solo")])
    sqrt = feat.compute(ev, NOW, feat.FeatureParams(recipient_exponent=0.5))
    assert sqrt.intensity_out[_idx(ev, "crowd")] == pytest.approx(0.25 * sqrt.intensity_out[_idx(ev, "solo")])
    assert f.n_out[_idx(ev, "crowd")] == 1  # the count of messages is not weighted


def test_outbound_weighs_more_than_inbound() -> None:
    rows = _rows("mine", [3, 10, 20]) + _rows("theirs", [3, 10, 20], "in") + _background()
    ev, s = _scores(rows)
    assert s.features.intensity_out[_idx(ev, "mine")] == pytest.approx(s.features.intensity_in[_idx(ev, "theirs")])
    assert s.score[_idx(ev, "mine")] > s.score[_idx(ev, "theirs")]


def test_explanations_name_top_factors() -> None:
    rows = _background()
    # 15 threads I started with "friend", 14 answered within a day.
    for k in range(15):
        d = 200 - 13 * k
        rows.append(Row("friend", NOW - d * DAY, "out", item=1000 + k))
        if k < 14:
            rows.append(Row("friend", NOW - (d - 0.5) * DAY, "in", item=2000 + k, parent=1000 + k, thread=1000 + k))
    ev, s = _scores(rows)
    i = _idx(ev, "friend")
    top = [name for name, _ in s.top_factors(i, 3)]
    words = s.explain(i, 5)
    phrases = {
        "recency": "last contact", "two_way_recency": "last two-way contact", "intensity": "of your network",
        "regularity": "of the last 52 weeks", "reciprocity": "answered 14 of your 15 threads",
    }
    for name in top:
        if name in phrases:
            assert any(phrases[name] in w for w in words), (name, words)
    assert any("answered 14 of your 15 threads" in w for w in words)
    assert sum(s.contributions(i).values()) == pytest.approx(s.score[i])


def test_fading_tie_is_explained() -> None:
    rows = [Row("fading", NOW - (300 - 7 * w) * DAY, "out" if w % 2 else "in") for w in range(26)]
    rows += _background()
    ev, s = _scores(rows)
    i = _idx(ev, "fading")
    assert s.features.silence_ratio[i] >= model.FADING_RATIO
    assert any("× usual gap" in w and "silent for" in w for w in s.explain(i))


def test_optional_inputs_add_points() -> None:
    rows = _rows("x", [30, 60]) + _background()
    ev = Events.from_rows(rows)
    P = ev.n_people
    base = model.score(feat.compute(ev, NOW)).score
    i = _idx(ev, "x")
    extra = np.zeros(P)
    extra[i] = 3
    rating = np.zeros(P)
    rating[i] = 1
    more = model.score(feat.compute(ev, NOW, shared_contacts=extra, favors_given=extra, rating=rating))
    assert more.score[i] > base[i]
    assert any("rated them strong" in w for w in more.explain(i, 6))
    with pytest.raises(ValueError):
        feat.compute(ev, NOW, rating=np.zeros(P + 1))


def test_shared_contacts_counts_co_recipients() -> None:
    rows = [Row(p, NOW - DAY, "out", item=1) for p in ("a", "b", "c")] + [Row("a", NOW - 2 * DAY, "out", item=2),
                                                                        Row("d", NOW - 2 * DAY, "out", item=2)]
    ev = Events.from_rows(rows)
    shared = feat.shared_contacts(ev)
    assert shared[_idx(ev, "a")] == 3 and shared[_idx(ev, "d")] == 1


def test_percentile_rank() -> None:
    r = model.percentile_rank(np.array([0.0, 5.0, 1.0, 5.0, 3.0]))
    assert r[0] == 0 and r[2] == pytest.approx(0.25) and r[1] == r[3] == pytest.approx(0.875)


# --------------------------------------------------------------------------- tiers


def _network(n: int = 500, seed: int = 3) -> Events:
    """A synthetic network: a few very close ties, a wider circle, acquaintances, old contacts,
    and people who were only collected (no interaction)."""
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for k in range(n):
        if k < 8:  # close: weekly two-way contact for two years
            rows += [Row(k, NOW - (d + rng.uniform(0, 2)) * DAY, dr)
                     for d in range(1, 730, 7) for dr in ("out", "in")]
        elif k < 40:  # regular: monthly two-way
            rows += [Row(k, NOW - (d + rng.uniform(0, 10)) * DAY, dr)
                     for d in range(5, 730, 30) for dr in ("out", "in")]
        elif k < 200:  # acquaintances: a few messages this year
            rows += [Row(k, NOW - float(rng.uniform(1, 360)) * DAY, ("out", "in")[int(rng.integers(0, 2))])
                     for _ in range(int(rng.integers(1, 5)))]
        elif k < 350:  # dormant: contact two to five years ago
            rows += [Row(k, NOW - float(rng.uniform(730, 1800)) * DAY, "in") for _ in range(2)]
    return Events.from_columns(
        [r.person for r in rows], [r.ts for r in rows], [r.direction for r in rows], people=list(range(n)))


def test_tiers_on_synthetic_network() -> None:
    ev = _network()
    s = model.score(feat.compute(ev, NOW))
    t = tiers.assign(s)
    c = tiers.counts(t)
    assert sum(c.values()) == 500
    assert c["collected"] == 150  # people 350..499 never interacted
    assert 1 <= c["inner"] <= 5
    assert c["inner"] + c["close"] <= 15
    assert c["inner"] + c["close"] + c["favor"] <= 150
    assert c["dormant"] >= 140
    assert set(np.flatnonzero(t == "inner")) <= set(range(8))  # only weekly ties make the inner circle
    assert (t[8:40] != "dormant").all() and (t[8:40] != "collected").all()
    rules = tiers.DEFAULT_RULES
    rate = tiers.two_way_rate(s)
    assert (rate[t == "inner"] >= rules.inner_weeks).all()
    assert (rate[t == "close"] >= rules.close_weeks).all()
    assert (rate[t == "favor"] >= rules.favor_weeks).all()
    layered = np.isin(t, ("inner", "close", "favor"))
    assert model.mutual(s.features)[layered].all()
    assert set(np.flatnonzero(layered)) <= set(range(40))  # acquaintances' few messages make no layer
    assert set(range(8, 40)) <= set(np.flatnonzero(layered))  # monthly two-way contact does
    # deterministic
    np.testing.assert_array_equal(t, tiers.assign(model.score(feat.compute(ev, NOW))))


def test_tier_caps_are_upper_bounds() -> None:
    ev = _network(300)
    s = model.score(feat.compute(ev, NOW))
    strict = tiers.assign(s, tiers.TierRules(inner_cap=2, close_cap=4, favor_cap=10))
    c = tiers.counts(strict)
    assert c["inner"] <= 2 and c["inner"] + c["close"] <= 4 and c["inner"] + c["close"] + c["favor"] <= 10


# --------------------------------------------------------------------------- fit


def _synthetic_features(n: int, seed: int) -> feat.Features:
    rng = np.random.default_rng(seed)
    z = np.zeros(n)
    return feat.Features(
        now=NOW, n_out=rng.poisson(5, n).astype(float), n_in=rng.poisson(5, n).astype(float),
        intensity_out=rng.gamma(1.0, 2.0, n), intensity_in=rng.gamma(1.0, 2.0, n), intensity_other=z.copy(),
        days_since_contact=rng.uniform(0, 400, n), days_since_two_way=rng.uniform(0, 400, n),
        tie_days=rng.uniform(0, 1500, n), active_weeks=rng.integers(0, 53, n).astype(float),
        two_way_weeks=z.copy(), contact_weeks=z.copy(), contact_days=rng.integers(0, 60, n).astype(float),
        usual_gap_days=np.full(n, np.nan), silence_ratio=np.full(n, np.nan),
        my_threads=rng.integers(0, 10, n).astype(float), my_threads_answered=z.copy(),
        their_threads=rng.integers(0, 10, n).astype(float), their_threads_answered=z.copy(),
        their_replies=z.copy(), my_replies=z.copy(), their_latency_ratio=np.full(n, np.nan),
        my_latency_ratio=np.full(n, np.nan), channels=np.ones(n), rich_share=z.copy(),
        shared_contacts=rng.poisson(3, n).astype(float), favors_given=z.copy(), favors_received=z.copy(),
        rating=z.copy(),
    )


def test_fit_recovers_planted_direction() -> None:
    f = _synthetic_features(400, seed=11)
    X = model.factor_values(f)
    planted = np.zeros(len(model.FACTORS))
    planted[model.FACTORS.index("regularity")] = 6.0
    planted[model.FACTORS.index("shared_contacts")] = 4.0
    planted[model.FACTORS.index("recency")] = -3.0
    logit = X @ planted
    logit -= np.median(logit)
    rng = np.random.default_rng(5)
    labels = (rng.random(len(logit)) < 1 / (1 + np.exp(-2 * logit))).astype(float)
    labels[rng.random(len(labels)) < 0.3] = np.nan  # unrated people
    report = model.fit(f, labels)
    assert report.fitted and report.n_labels == int(np.isfinite(labels).sum())
    w = report.weights.vector()
    cols = [k for k, name in enumerate(model.FACTORS) if name != "rating"]
    cos = w[cols] @ planted[cols] / (np.linalg.norm(w[cols]) * np.linalg.norm(planted[cols]))
    assert cos > 0.85
    assert report.cv_auc > 0.75 and report.cv_auc > report.default_auc
    assert 0 <= report.cv_accuracy <= 1 and report.folds == 5
    refit = model.score(f, report.weights)
    assert (refit.score >= 0).all() and (refit.score <= 100).all()
    assert set(report.as_dict()) >= {"n_labels", "cv_auc", "default_auc", "points"}


def test_fit_needs_enough_labels() -> None:
    f = _synthetic_features(50, seed=2)
    labels = np.full(50, np.nan)
    labels[:12] = 1.0
    labels[12:15] = 0.0
    report = model.fit(f, labels)
    assert not report.fitted and report.weights is model.DEFAULT_WEIGHTS
    assert "need at least" in report.message
    np.testing.assert_array_equal(model.labels_from_ratings(["strong", "weak", None, "favor"])[[0, 1, 3]],
                                  [1.0, 0.0, 1.0])


def test_direction_constants() -> None:
    assert (OUT, IN) == (0, 1)


# --------------------------------------------------------------------------- honest tiers and words


def test_one_way_tie_cannot_reach_inner_or_close() -> None:
    """29 messages out over the year and 1 back: the top of the network by volume, yet one-way."""
    rows = [Row("chased", NOW - (3 + 12 * k) * DAY, "out", item=1000 + k) for k in range(29)]
    rows.append(Row("chased", NOW - 40 * DAY, "in", item=2000))
    rows += _weekly_exchange("friend", 360, 50) + _background(30)
    ev, s = _scores(rows)
    t = tiers.assign(s)
    chased, friend = _idx(ev, "chased"), _idx(ev, "friend")
    assert s.score[chased] > np.median(s.score)
    assert t[chased] not in ("inner", "close", "favor") and t[chased] == "active"
    assert t[friend] in ("inner", "close")
    assert model.one_way(s.features)[chased] and model.mutual(s.features)[friend]
    why = s.explain(chased)
    assert why[0].startswith("one-way: 29 from you, 1 from them")
    assert not any(w.startswith("one-way") for w in s.explain(friend))
    # however strong the score, and with caps to spare, one-way mail never makes a layer
    loose = tiers.TierRules(inner_weeks=0, close_weeks=0, favor_weeks=0, min_known_weeks=1)
    assert tiers.assign(s, loose)[chased] not in ("inner", "close", "favor")


def test_a_layer_is_a_tie_kept_up_not_one_busy_long_ago() -> None:
    """Weekly two-way mail for a year, ended more than a year ago: the two-year rate still reads 26 weeks a
    year, but the tie is not on the favor list; the same year ended ten months ago is."""
    rows = _weekly_exchange("old", 730, 50) + _weekly_exchange("recent", 650, 50) + _background(30)
    ev, s = _scores(rows)
    t = tiers.assign(s)
    rate = tiers.two_way_rate(s)
    old, recent = _idx(ev, "old"), _idx(ev, "recent")
    assert rate[old] >= tiers.DEFAULT_RULES.favor_weeks and model.mutual(s.features)[old]
    assert t[old] == "dormant"
    assert t[recent] == "favor"


def test_meetings_count_both_ways() -> None:
    """A weekly 1:1 I organise is time together, not one-way mail."""
    rows = [Row("mentor", NOW - (2 + 7 * k) * DAY, "out", "meeting_1on1") for k in range(40)]
    ev, s = _scores(rows + _background(10))
    i = _idx(ev, "mentor")
    assert s.features.two_way_weeks[i] == 40 and model.mutual(s.features)[i]
    assert tiers.assign(s)[i] == "inner"


def test_active_weeks_never_exceed_52() -> None:
    rows = [Row("daily", NOW - (d + 0.5) * DAY, "out" if d % 2 else "in") for d in range(0, 800)]
    rows += [Row("edge", NOW - d * DAY, "out") for d in (0.01, 363.99, 364.0, 364.5)]
    ev, s = _scores(rows)
    f = s.features
    daily, edge = _idx(ev, "daily"), _idx(ev, "edge")
    assert f.active_weeks[daily] == 52 and f.two_way_weeks[daily] == f.contact_weeks[daily] == 104
    assert f.active_weeks.max() <= 52
    assert f.active_weeks[edge] == 2  # the first and the last of the 52 weeks; 364 days ago is outside
    assert any("in touch 52 of the last 52 weeks" in w for w in s.explain(daily, k=len(model.FACTORS)))


def test_days_ago_means_calendar_days_everywhere() -> None:
    """The words for an age in days (explanations) and for a difference of dates (report table) agree."""
    from datetime import timedelta

    from closeknit.durations import ago
    from closeknit.pipeline.scoring import as_of_timestamp

    as_of = datetime(2026, 3, 1, tzinfo=UTC).date()
    _, now = as_of_timestamp(as_of)
    for minutes in range(0, 60 * 24 * 40, 37):
        when = datetime.fromtimestamp(now, UTC) - timedelta(minutes=minutes + 1)
        days = (now - when.timestamp()) / DAY
        dates = (as_of - when.date()).days
        assert ago(days) == ago(dates, calendar=False), (minutes, days, dates)
    assert ago(0.3) == "today" and ago(1.0) == "today" and ago(1.2) == "1 day ago" and ago(float("inf")) == "never"
