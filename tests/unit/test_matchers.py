"""alerts/matchers.py: the filter bar's syntax and Alertmanager's matcher semantics."""

from __future__ import annotations

import pytest

from penguin_tui.alerts.matchers import (
    MAX_FILTER_LEN,
    AlertFilter,
    FilterError,
    Matcher,
    MatchOp,
    format_matchers,
    parse_filter,
    parse_matcher,
)

SMTP = {"alertname": "QueueGrowing", "service": "smtp-relay", "severity": "critical"}
DISK = {"alertname": "DiskFilling", "service": "db-1", "severity": "warning", "team": "dba"}


def test_filter_with_braces_commas_and_words():
    f = parse_filter('{severity="critical", service=~"smtp.*"} disk')
    assert f.matchers == (
        Matcher("severity", MatchOp.EQ, "critical"),
        Matcher("service", MatchOp.RE, "smtp.*"),
    )
    assert f.words == ("disk",)
    assert f.matches(SMTP, ["the disk is full"])
    assert not f.matches(SMTP, ["queue is long"])
    assert not f.matches(DISK, ["the disk is full"])


def test_every_operator():
    f = parse_filter('alertname!="Watchdog" service!~"db-.*" severity=~"crit.*|warn.*"')
    assert [m.op for m in f.matchers] == [MatchOp.NE, MatchOp.NRE, MatchOp.RE]
    assert f.matches(SMTP)
    assert not f.matches(DISK)  # service db-1 is excluded
    assert not f.matches({**SMTP, "alertname": "Watchdog"})


def test_quoted_phrase_and_case_insensitive_words():
    f = parse_filter('"Queue Growing" SMTP')
    assert f.words == ("queue growing", "smtp")
    assert f.matches({"service": "smtp"}, ["Relay queue growing fast"])
    assert not f.matches({"service": "smtp"}, ["queue is growing"])


def test_unquoted_values_and_escapes():
    assert parse_filter("team=dba").matchers == (Matcher.equal("team", "dba"),)
    m = parse_matcher(r'msg="say \"hi\"\n"')
    assert m.value == 'say "hi"\n'
    # str() writes it back in the syntax it was read from.
    assert parse_matcher(str(m)) == m


def test_empty_filter_matches_everything():
    f = parse_filter("  , {} ")
    assert not f
    assert f == AlertFilter()
    assert f.matches(SMTP)


def test_regex_is_anchored_at_both_ends():
    m = parse_matcher('service=~"smtp"')
    assert m.matches({"service": "smtp"})
    assert not m.matches({"service": "smtp-relay"})  # no implicit .* after
    assert not m.matches({"service": "old-smtp"})  # nor before
    assert parse_matcher('service=~"smtp.*"').matches({"service": "smtp-relay"})
    assert parse_matcher('service=~"a|b"').matches({"service": "b"})
    assert not parse_matcher('service=~"a|b"').matches({"service": "ab"})
    assert parse_matcher('service!~"smtp"').matches({"service": "smtp-relay"})


def test_missing_label_matches_like_an_empty_one():
    assert parse_matcher('team=""').matches(SMTP)  # no team label
    assert not parse_matcher('team=""').matches(DISK)
    assert parse_matcher('team!="dba"').matches(SMTP)
    assert parse_matcher('team=~".*"').matches(SMTP)
    assert not parse_matcher('team=~".+"').matches(SMTP)
    assert parse_matcher('team=~".*"').matches_empty()
    assert not parse_matcher('team="dba"').matches_empty()


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ('severity="critical" foo=~"("', 21, "not a valid regular expression"),
        ('disk "unclosed', 6, "a quote is not closed"),
        ('a="b" 1abc="x"', 7, "looks like a matcher but is not one"),
        ('ok x="unterminated', 4, "'x=\"unterminated': a quote is not closed"),
        ('severity="crit', 1, "a quote is not closed"),
        ('a=b"c', 1, "looks like a matcher"),
    ],
)
def test_errors_name_the_column(text, column, words):
    with pytest.raises(FilterError) as err:
        parse_filter(text)
    message = str(err.value)
    assert message.startswith(f"column {column}: ")
    assert words in message


def test_too_long_filter_is_refused():
    with pytest.raises(FilterError, match=f"limit is {MAX_FILTER_LEN}"):
        parse_filter("x" * (MAX_FILTER_LEN + 1))


def test_hostile_text_in_errors_is_sanitised():
    with pytest.raises(FilterError) as err:
        parse_filter('\x1b]52;c;AAAA\x07a=~"(\x1b[31m"')
    assert "\x1b" not in str(err.value)
    assert "\x07" not in str(err.value)


def test_bad_matchers_are_refused():
    with pytest.raises(FilterError, match="not a label name"):
        Matcher("bad-name", MatchOp.EQ, "x")
    with pytest.raises(FilterError, match="regular expression"):
        Matcher("a", MatchOp.NRE, "[")
    with pytest.raises(FilterError, match="write a matcher as"):
        parse_matcher("just words")


@pytest.mark.parametrize(
    "matcher",
    [
        Matcher("severity", MatchOp.EQ, "critical"),
        Matcher("alertname", MatchOp.NE, "Watchdog"),
        Matcher("service", MatchOp.RE, "smtp.*"),
        Matcher("instance", MatchOp.NRE, "db-[0-9]+"),
        Matcher("summary", MatchOp.EQ, 'quote " and ünï'),
    ],
    ids=str,
)
def test_api_round_trip(matcher):
    api = matcher.to_api()
    assert set(api) == {"name", "value", "isRegex", "isEqual"}
    assert api["isRegex"] is matcher.is_regex
    assert api["isEqual"] is matcher.is_equal
    back = Matcher.from_api(api)
    assert back == matcher
    assert back.matches({"severity": "critical"}) == matcher.matches({"severity": "critical"})


def test_from_api_without_is_equal_is_equality():
    # Alertmanager before 0.22 does not send isEqual.
    m = Matcher.from_api({"name": "job", "value": "node", "isRegex": False})
    assert m.op is MatchOp.EQ
    assert Matcher.from_api({"name": "job", "value": "n.*", "isRegex": True}).op is MatchOp.RE


def test_from_api_refuses_wrong_types():
    with pytest.raises(FilterError):
        Matcher.from_api({"name": 3, "value": "x"})
    with pytest.raises(FilterError):
        Matcher.from_api({"name": "a"})


def test_format_matchers():
    ms = parse_filter('a="1", b=~"x.*"').matchers
    assert format_matchers(ms) == '{a="1", b=~"x.*"}'
    assert parse_filter(format_matchers(ms)).matchers == ms
