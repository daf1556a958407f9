"""Taking a number from a dotted path in a JSON document."""

from __future__ import annotations

import pytest

from penguin_tui.sources.common import SourceError
from penguin_tui.sources.jsonfield import pick_field

DOC = {
    "queue": {"depth": 7, "paused": False, "name": "main"},
    "shards": [{"lag": 1.5}, {"lag": 2}],
    "healthy": True,
    "nothing": None,
}


def test_numbers_and_booleans():
    assert pick_field(DOC, "queue.depth") == 7.0
    assert pick_field(DOC, "shards.1.lag") == 2.0
    assert pick_field(DOC, "shards.-1.lag") == 2.0
    assert pick_field(DOC, "healthy") == 1.0
    assert pick_field(DOC, "queue.paused") == 0.0
    assert pick_field(12.5, "") == 12.5


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("queue.length", "field queue.length: no 'length' in queue"),
        ("missing", "field missing: no 'missing' in the top level"),
        ("shards.5.lag", "field shards.5.lag: shards is a list of 2, no item '5'"),
        ("queue.depth.x", "field queue.depth.x: queue.depth is not an object or list"),
        ("queue.name", 'field queue.name is not a number (got str "main")'),
        ("queue", "field queue is not a number (got an object of 3)"),
        ("shards", "field shards is not a number (got a list of 2)"),
        ("nothing", "field nothing is not a number (got null)"),
    ],
)
def test_errors_say_where(path, words):
    with pytest.raises(SourceError) as info:
        pick_field(DOC, path)
    assert str(info.value) == words


def test_numeric_strings_are_refused_and_nan_too():
    with pytest.raises(SourceError, match=r'got str "12"'):
        pick_field({"x": "12"}, "x")
    with pytest.raises(SourceError, match="not a number"):
        pick_field({"x": float("nan")}, "x")


def test_hostile_keys_are_sanitized():
    with pytest.raises(SourceError) as info:
        pick_field({"a": {}}, "a.\x1b[31mevil")
    assert "\x1b" not in str(info.value)
