"""Gatus-style conditions: parsing errors, evaluation, and the reasons operators read."""

from __future__ import annotations

import json

import pytest

from penguin_tui.conditions import (
    Condition,
    ConditionSyntaxError,
    ProbeContext,
    evaluate,
    evaluate_all,
    parse_condition,
)
from penguin_tui.model import ConditionResult

HEALTH = json.dumps(
    {
        "status": "degraded",
        "version": "2.4.1",
        "queue": {"depth": 1234, "ratio": 0.25},
        "workers": [{"name": "a", "alive": True}, {"name": "b", "alive": False}],
        "errors": None,
        "count": "17",
    }
).encode()


def check(expression: str, ctx: ProbeContext) -> tuple[bool, str, str]:
    """(ok, actual, reason) of one condition."""
    results, reason = evaluate_all([parse_condition(expression)], ctx)
    return results[0].ok, results[0].actual, reason


# ---------------------------------------------------------------------------- parsing


def test_parse_splits_the_three_parts() -> None:
    c = parse_condition("  [BODY].queue.depth <= 5000 ")
    assert (c.expression, c.left, c.op, c.right) == (
        "  [BODY].queue.depth <= 5000 ",
        "[BODY].queue.depth",
        "<=",
        "5000",
    )
    assert c.placeholder == "BODY"
    assert c.path == ("queue", "depth")


def test_parse_json_path_with_indexes() -> None:
    c = parse_condition("[BODY].workers[1].alive == true")
    assert c.path == ("workers", 1, "alive")
    assert parse_condition("[BODY][0].id == 1").path == (0, "id")
    assert parse_condition("[BODY].items[-1] == x").path == ("items", -1)


def test_operators_without_spaces_and_inside_values() -> None:
    assert parse_condition("[STATUS]==200").op == "=="
    c = parse_condition("[BODY] == pat(*<b>==*)")
    assert (c.op, c.right_kind, c.values) == ("==", "pat", ("*<b>==*",))


def test_durations_on_the_right_become_milliseconds_as_in_gatus() -> None:
    assert parse_condition("[CERTIFICATE_EXPIRATION] > 72h").values == (repr(72 * 3600 * 1000.0),)
    assert parse_condition("[RESPONSE_TIME] < 300ms").values == ("300.0",)
    assert parse_condition("[RESPONSE_TIME] < 300").values == ("300",)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", 'empty condition (write e.g. "[STATUS] == 200")'),
        ("[STATUS]", "no operator (use ==, !=, <, <=, > or >=)"),
        ("[STATUS] = 200", "use == to compare (a single = is not an operator)"),
        ("== 200", "nothing before == (start with a placeholder like [STATUS])"),
        ("[STATUS] ==", 'nothing after == (compare with a value, "" for empty)'),
        ("[STATU] == 200", "unknown placeholder [STATU] (did you mean [STATUS]?)"),
        ("[status] == 200", "unknown placeholder [status] (did you mean [STATUS]?)"),
        ("[FOO] == 1", "unknown placeholder [FOO]"),
        ("200 == [STATUS]", "put the placeholder on the left, e.g. [STATUS] == 200"),
        (
            "status == 200",
            '"status" is not a placeholder (use [STATUS], [RESPONSE_TIME], [BODY], [CONNECTED], '
            "[CERTIFICATE_EXPIRATION] or [IP])",
        ),
        (
            "size([BODY]) == 1",
            "unknown function size() (use len() or has() on the left, any() or pat() on the right)",
        ),
        ("pat([BODY]) == x", "pat() belongs on the right side of the operator"),
        ("[BODY] == len([BODY])", "len() and has() belong on the left side"),
        ("[BODY] == [STATUS]", "compare a placeholder with a value, not with a placeholder"),
        ("[STATUS] < any(200, 201)", "any() works with == and != only, not <"),
        ("[BODY] > pat(*x*)", "pat() works with == and != only, not >"),
        ("[STATUS] == any()", "any() needs values separated by commas, e.g. any(200, 204)"),
        ("[STATUS] == any(200,,201)", "any() needs values separated by commas, e.g. any(200, 204)"),
        ("[BODY] == pat()", "pat() needs a pattern, e.g. pat(*ok*)"),
        ("[STATUS] == ok", '[STATUS] is compared with a number, not "ok"'),
        (
            "[CERTIFICATE_EXPIRATION] > soon",
            '[CERTIFICATE_EXPIRATION] is compared with a number or a duration like 72h, not "soon"',
        ),
        ("len([BODY].items) > many", 'len() is compared with a number, not "many"'),
        ("[CONNECTED] == yes", "[CONNECTED] is true or false: write [CONNECTED] == true"),
        ("[CONNECTED] > true", "[CONNECTED] is true or false: write [CONNECTED] == true"),
        ("has([BODY].x) == 1", "has() is true or false: write has() == true"),
        ("[STATUS].code == 200", "[STATUS] has no fields; only [BODY] does"),
        ("len([STATUS]) == 3", "len() applies to [BODY] or a field of it, not [STATUS]"),
        ("[BODY].a..b == 1", 'cannot read the field path ".a..b" (write [BODY].a.b[0].c)'),
        ("[BODY].a[x] == 1", 'cannot read the field path ".a[x]" (write [BODY].a.b[0].c)'),
    ],
)
def test_parse_errors_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(expression)
    assert str(info.value) == message


def test_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_condition("nonsense")


def test_parse_error_messages_are_sanitized() -> None:
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition("[\x1b]0;pwned\x07X] == 1")
    assert "\x1b" not in str(info.value) and "\x07" not in str(info.value)


# ---------------------------------------------------------------------------- evaluation


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("[STATUS] == 200", "[STATUS] == 200 failed: got 503"),
        ("[RESPONSE_TIME] < 300", "[RESPONSE_TIME] < 300 failed: took 812 ms"),
        ("[BODY].status == ok", '[BODY].status == ok failed: got "degraded"'),
        ("[BODY].queue.depth < 1000", "[BODY].queue.depth < 1000 failed: got 1234"),
        ("[BODY].nothing == 1", "[BODY].nothing == 1 failed: body has no field nothing"),
        (
            "[BODY].workers[5].name == a",
            "[BODY].workers[5].name == a failed: body has no field workers[5].name",
        ),
        ("[BODY].workers[1].alive == true", "[BODY].workers[1].alive == true failed: got false"),
        ("[BODY].errors == ok", "[BODY].errors == ok failed: got null"),
        ("has([BODY].errors) == false", "has([BODY].errors) == false failed: got true"),
        ("len([BODY].workers) == 3", "len([BODY].workers) == 3 failed: got 2"),
        ("[STATUS] == any(200, 204)", "[STATUS] == any(200, 204) failed: got 503"),
        ("[STATUS] != any(500, 503)", "[STATUS] != any(500, 503) failed: got 503"),
        (
            "[CERTIFICATE_EXPIRATION] > 72h",
            "[CERTIFICATE_EXPIRATION] > 72h failed: certificate expires in 1d 6h",
        ),
        ("[IP] == 10.0.0.5", '[IP] == 10.0.0.5 failed: got "10.0.0.7"'),
        ("[BODY].version == pat(3.*)", '[BODY].version == pat(3.*) failed: got "2.4.1"'),
    ],
)
def test_failures_name_the_actual_value(expression: str, reason: str) -> None:
    ctx = ProbeContext(
        status=503, response_ms=812.4, body=HEALTH, cert_expiry_s=30 * 3600, ip="10.0.0.7"
    )
    results, got = evaluate_all([parse_condition(expression)], ctx)
    assert got == reason
    assert results[0].ok is False


@pytest.mark.parametrize(
    "expression",
    [
        "[STATUS] == 200",
        "[STATUS] == any(200, 204)",
        "[STATUS] != 500",
        "[STATUS] < 300",
        "[STATUS] == pat(2*)",
        "[RESPONSE_TIME] < 300",
        "[RESPONSE_TIME] < 1s",
        "[RESPONSE_TIME] >= 42.5",
        "[BODY].status == degraded",
        '[BODY].status == "degraded"',
        "[BODY].status != ok",
        "[BODY].version == 2.4.1",
        "[BODY].queue.depth > 1000",
        "[BODY].queue.depth == 1234.0",
        "[BODY].queue.ratio <= 0.25",
        "[BODY].count > 9",  # "17" in JSON is still a number when both sides are
        "[BODY].workers[0].name == a",
        "[BODY].workers[-1].alive == false",
        "[BODY].errors == null",
        "has([BODY].queue.depth) == true",
        "has([BODY].nothing) == false",
        "len([BODY].workers) == 2",
        "len([BODY].status) == 8",
        "len([BODY].queue) == 2",
        "[BODY] == pat(*degraded*)",
        "[BODY].status == pat(deg*)",
        "[BODY].status != pat(ok*)",
        "[BODY].status == any(ok, degraded)",
        "[CONNECTED] == true",
        "[CERTIFICATE_EXPIRATION] > 24h",
        "[CERTIFICATE_EXPIRATION] > 86400000",
        "[IP] == 10.0.0.7",
        "[IP] == pat(10.0.*)",
    ],
)
def test_passing_conditions(expression: str) -> None:
    ctx = ProbeContext(
        status=200, response_ms=42.5, body=HEALTH, cert_expiry_s=30 * 3600, ip="10.0.0.7"
    )
    result = evaluate(parse_condition(expression), ctx)
    assert result.ok, result


def test_string_comparison_when_either_side_is_not_a_number() -> None:
    ctx = ProbeContext(body=b'{"v": "b"}')
    assert check("[BODY].v > a", ctx)[0]
    assert not check("[BODY].v > c", ctx)[0]
    # "10" vs "9" as numbers, not as text
    assert check("[BODY].n > 9", ProbeContext(body=b'{"n": 10}'))[0]


def test_plain_body_ignores_surrounding_blanks() -> None:
    ctx = ProbeContext(status=200, body=b"ok\n")
    assert check("[BODY] == ok", ctx) == (True, '"ok"', "")
    assert check("len([BODY]) == 2", ctx)[0]
    assert check('[BODY] == ""', ProbeContext(body=b"  \n"))[0]


def test_glob_knows_only_the_star() -> None:
    ctx = ProbeContext(body=b"a?b[c]")
    assert check("[BODY] == pat(a?b[c])", ctx)[0]
    assert not check("[BODY] == pat(a?b[d])", ctx)[0]
    assert not check("[BODY] == pat(axb[c])", ctx)[0]  # "?" is not a wildcard


def test_body_that_is_not_json() -> None:
    ctx = ProbeContext(status=200, body=b"<html>maintenance</html>")
    assert check("[BODY].status == ok", ctx) == (
        False,
        "body is not JSON",
        "[BODY].status == ok failed: body is not JSON",
    )
    assert check("has([BODY].status) == false", ctx)[0]
    # A body cut off at max_body_bytes is not JSON either, and must not raise.
    assert not check("[BODY].a == 1", ProbeContext(body=b'{"a": [1, 2'))[0]
    assert not check("[BODY].a == 1", ProbeContext(body=b"\xff\xfe\x00garbage"))[0]
    assert not check("[BODY].a == 1", ProbeContext(body=b"[" * 100_000))[0]


def test_missing_values_fail_with_words_not_exceptions() -> None:
    empty = ProbeContext()
    assert check("[STATUS] == 200", empty)[2] == "[STATUS] == 200 failed: no HTTP response"
    assert check("[RESPONSE_TIME] < 300", empty)[2] == (
        "[RESPONSE_TIME] < 300 failed: no response time"
    )
    assert check("[BODY] == ok", empty)[2] == "[BODY] == ok failed: no body"
    assert check("[CERTIFICATE_EXPIRATION] > 72h", empty)[2] == (
        "[CERTIFICATE_EXPIRATION] > 72h failed: no TLS certificate (not an https:// check)"
    )
    assert check("[IP] == 1.2.3.4", empty)[2] == "[IP] == 1.2.3.4 failed: no IP address"
    assert check("[CONNECTED] == true", empty)[2] == "[CONNECTED] == true failed: not connected"
    assert check("has([BODY].x) == false", empty)[0]


def test_connected_defaults_to_having_an_http_answer() -> None:
    assert check("[CONNECTED] == true", ProbeContext(status=500))[0]
    assert check("[CONNECTED] == false", ProbeContext(connected=False))[0]
    assert check("[CONNECTED] == true", ProbeContext(connected=True))[1] == "connected"


def test_expired_certificate_reads_as_expired() -> None:
    ctx = ProbeContext(cert_expiry_s=-5 * 3600)
    assert check("[CERTIFICATE_EXPIRATION] > 72h", ctx)[2] == (
        "[CERTIFICATE_EXPIRATION] > 72h failed: certificate expired 5h ago"
    )


def test_fast_response_time_keeps_a_decimal() -> None:
    assert check("[RESPONSE_TIME] > 100", ProbeContext(response_ms=3.14159))[2] == (
        "[RESPONSE_TIME] > 100 failed: took 3.1 ms"
    )


def test_hostile_values_are_sanitized_and_capped() -> None:
    body = json.dumps({"status": "\x1b]52;c;cm0gLXJmIC8=\x07evil\x1b[2J" + "x" * 500}).encode()
    ok, actual, reason = check("[BODY].status == ok", ProbeContext(body=body))
    assert not ok
    assert "\x1b" not in reason and "\x07" not in reason
    assert actual.startswith('"evil') and actual.endswith('…"')
    assert len(actual) <= 82  # 80 characters of value and the quotes
    newline = check("[BODY] == ok", ProbeContext(body=b"line1\nline2\r\n\tline3"))[2]
    assert newline == '[BODY] == ok failed: got "line1 line2  line3"'


def test_evaluate_all_joins_every_failure() -> None:
    conditions = [parse_condition(e) for e in ("[STATUS] == 200", "[BODY].status == ok")]
    conditions.append(parse_condition("[RESPONSE_TIME] < 1000"))
    results, reason = evaluate_all(conditions, ProbeContext(503, 120.0, HEALTH))
    assert [r.ok for r in results] == [False, False, True]
    assert results[2] == ConditionResult("[RESPONSE_TIME] < 1000", True, "took 120 ms")
    assert reason == '[STATUS] == 200 failed: got 503; [BODY].status == ok failed: got "degraded"'
    assert evaluate_all([], ProbeContext()) == ([], "")


def test_body_is_parsed_once_per_probe() -> None:
    ctx = ProbeContext(body=HEALTH)
    first = ctx.body_json()[1]
    evaluate_all([parse_condition("[BODY].status == ok")] * 3, ctx)
    assert ctx.body_json()[1] is first


def test_a_condition_built_from_its_public_fields_still_evaluates() -> None:
    bare = Condition("[STATUS] == 200", "[STATUS]", "==", "200")
    assert evaluate(bare, ProbeContext(status=200)).ok
    assert not evaluate(bare, ProbeContext(status=404)).ok
