"""am_merge: an HA cluster's copies of alerts and silences become one stream."""

from __future__ import annotations

from penguin_tui.alerts.am_merge import merge_alerts, merge_silences
from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import Alert, Silence, SilenceState

A, B = "http://am-a:9093", "http://am-b:9093"


def copy(origin: str, fp: str = "f1", **kw: object) -> Alert:
    kw.setdefault("labels", {"alertname": fp})
    return Alert(fingerprint=fp, origins=(origin,), **kw)  # type: ignore[arg-type]


def test_distinct_alerts_stay_apart_and_keep_order():
    merged = merge_alerts([copy(A, "f1"), copy(B, "f2"), copy(B, "f1")])
    assert [a.fingerprint for a in merged] == ["f1", "f2"]
    assert merged[0].origins == (A, B)
    assert merged[1].origins == (B,)


def test_newest_updated_at_wins_the_fields():
    old = copy(A, annotations={"summary": "old"}, updated_at=100.0, ends_at=400.0)
    new = copy(B, annotations={"summary": "new"}, updated_at=200.0, ends_at=500.0)
    for order in ([old, new], [new, old]):
        (m,) = merge_alerts(order)
        assert m.annotations == {"summary": "new"}
        assert m.ends_at == 500.0
        assert set(m.origins) == {A, B}


def test_unknown_update_time_loses_and_ties_keep_the_first():
    (m,) = merge_alerts([copy(A, generator_url="a"), copy(B, generator_url="b", updated_at=1.0)])
    assert m.generator_url == "b"
    (m,) = merge_alerts([copy(A, generator_url="a"), copy(B, generator_url="b")])
    assert m.generator_url == "a"
    assert m.origins == (A, B)


def test_suppression_is_the_union():
    a = copy(A, silenced_by=("s1",), updated_at=200.0, am_state="suppressed")
    b = copy(B, silenced_by=("s2",), inhibited_by=("f9",), updated_at=100.0)
    (m,) = merge_alerts([a, b])
    assert m.silenced_by == ("s1", "s2")
    assert m.inhibited_by == ("f9",)
    # The newer copy says active, the older one knows a silence: still suppressed.
    fresh = copy(A, updated_at=300.0)
    lagging = copy(B, silenced_by=("s1",), updated_at=100.0, am_state="suppressed")
    (m,) = merge_alerts([fresh, lagging])
    assert m.silenced_by == ("s1",)
    assert m.am_state == "suppressed"


def test_silences_by_id_newest_wins():
    def sil(origin: str, updated: float | None, state: SilenceState) -> Silence:
        return Silence(
            id="s1",
            matchers=(Matcher.equal("a", "b"),),
            starts_at=0.0,
            ends_at=10.0,
            state=state,
            updated_at=updated,
            origin=origin,
        )

    expired = sil(B, 200.0, SilenceState.EXPIRED)
    (m,) = merge_silences([sil(A, 100.0, SilenceState.ACTIVE), expired])
    assert m is expired
    (m,) = merge_silences([sil(A, None, SilenceState.ACTIVE), sil(B, None, SilenceState.PENDING)])
    assert m.origin == A
    other = Silence(id="s2", matchers=(), starts_at=0.0, ends_at=1.0)
    assert [s.id for s in merge_silences([expired, other])] == ["s1", "s2"]
