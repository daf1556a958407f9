"""Picking one number out of a Prometheus text-format page."""

from __future__ import annotations

import pytest

from penguin_tui.sources.common import SourceError
from penguin_tui.sources.scrape import SeriesSelector, parse_series, pick_value

PAGE = """\
# HELP pm_sent_total Messages handed to the relay.
# TYPE pm_sent_total counter
pm_sent_total{relay="a",tenant="acme"} 100
pm_sent_total{relay="b",tenant="acme"} 50
pm_sent_total{relay="a",tenant="globex"} 7
pm_sent_total_extra 999
# TYPE pm_queue_depth gauge
pm_queue_depth 42
# TYPE pm_latency_seconds histogram
pm_latency_seconds_bucket{le="0.1"} 3
pm_latency_seconds_bucket{le="+Inf"} 5
pm_latency_seconds_count 5
pm_odd{path="a \\"quoted\\" \\\\ value"} 3.5
"""


def test_parse_series():
    assert parse_series("pm_queue_depth") == SeriesSelector("pm_queue_depth")
    assert parse_series('pm_sent_total{relay="a", tenant="acme"}') == SeriesSelector(
        "pm_sent_total", (("relay", "a"), ("tenant", "acme"))
    )
    assert parse_series("x{}") == SeriesSelector("x")
    assert parse_series(r'x{p="a \"q\""}').labels == (("p", 'a "q"'),)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{a="b"}', "does not start with a metric name"),
        ('x{a="b"', "missing '}'"),
        ("x{a=b}", 'must read label="value"'),
        ('x{a="b"} y', "unexpected text after"),
        ("x y", "unexpected ' ' after the metric name"),
    ],
)
def test_parse_series_errors(text, words):
    with pytest.raises(ValueError, match=words.replace("{", r"\{").replace("}", r"\}")):
        parse_series(text)


def test_single_series_and_label_subset_sum():
    assert pick_value(PAGE, parse_series("pm_queue_depth")) == 42
    assert pick_value(PAGE, parse_series('pm_sent_total{relay="a",tenant="acme"}')) == 100
    # A subset of labels sums every matching series (documented).
    assert pick_value(PAGE, parse_series('pm_sent_total{tenant="acme"}')) == 150
    assert pick_value(PAGE, parse_series("pm_sent_total")) == 157  # not pm_sent_total_extra
    assert pick_value(PAGE, parse_series('pm_latency_seconds_bucket{le="+Inf"}')) == 5
    assert pick_value(PAGE, parse_series(r'pm_odd{path="a \"quoted\" \\ value"}')) == 3.5


def test_missing_series_and_labels_are_worded():
    with pytest.raises(SourceError, match="series pm_nope not found in the scraped page"):
        pick_value(PAGE, parse_series("pm_nope"))
    with pytest.raises(SourceError, match='no pm_sent_total series has labels relay="z"'):
        pick_value(PAGE, parse_series('pm_sent_total{relay="z"}'))


def test_garbage_page():
    with pytest.raises(SourceError, match="not valid Prometheus text format"):
        pick_value("pm_queue_depth is forty-two\n", parse_series("pm_queue_depth"))
    with pytest.raises(SourceError, match="not found"):
        pick_value("<html>\x1b[2J</html>", parse_series("pm_queue_depth"))
