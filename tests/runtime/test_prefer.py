"""The Prefer header (RFC 7240) as the API reads it, the wait cap, and the poll schedule of a
wait: pure functions, no AWS."""

from __future__ import annotations

import itertools

import pytest

from sfn_flows.model.workflow import MAX_WAIT_SECONDS as MODEL_MAX_WAIT
from sfn_flows.runtime.long_poll import FIRST_POLL_SECONDS, MAX_POLL_SECONDS, poll_delays
from sfn_flows.runtime.prefer import Preferences, PreferError, parse_prefer, prefer_value
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS, starts_synchronously


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Preferences()),
        ("", Preferences()),
        ("wait=5", Preferences(5)),
        ("wait=0", Preferences(0)),
        ("wait=20", Preferences(20)),
        ("wait=007", Preferences(7)),
        ("WAIT=5", Preferences(5)),  # preference names are case-insensitive
        ("Wait = 5", Preferences(5)),  # BWS around '='
        ('wait="5"', Preferences(5)),  # a quoted word
        ("respond-async", Preferences(None, respond_async=True)),
        ("Respond-Async; foo=bar", Preferences(None, respond_async=True)),
        ("respond-async, wait=10", Preferences(10, respond_async=True)),
        ("wait=10,respond-async", Preferences(10, respond_async=True)),
        # Several preferences; unknown ones are ignored, whatever their syntax.
        ("return=minimal, handling=lenient, wait=3", Preferences(3)),
        ('return=representation; x="a, wait=99", wait=4', Preferences(4)),
        ("unknown, =broken;;, wait=2", Preferences(2)),
        # Parameters of wait are ignored.
        ("wait=6; unit=seconds", Preferences(6)),
        # Only the first instance of a preference counts (RFC 7240, section 2), and repeated
        # headers arrive joined by commas.
        ("wait=3, wait=50", Preferences(3)),
        ("wait=3,wait=abc", Preferences(3)),
        # Empty list elements are allowed in an HTTP list.
        (" , wait=1 ,, ", Preferences(1)),
    ],
)
def test_preferences_read_from_the_header(header: str | None, expected: Preferences) -> None:
    assert parse_prefer(header) == expected


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("wait", "wait without a value"),
        ("wait=", "wait without a value"),
        ('wait=""', "wait without a value"),
        ("wait=abc", "wait='abc', which is not a whole number"),
        ("wait=-1", "not a whole number"),
        ("wait=+3", "not a whole number"),
        ("wait=2.5", "not a whole number"),
        ("wait=1e3", "not a whole number"),
        ("wait=\u0663", "not a whole number"),  # an Arabic-Indic digit: not delta-seconds
        ("wait=21", "wait=21, more than the 20 s"),
        ("wait=3600", "more than the 20 s"),
        ("wait=" + "9" * 5000, "more than the 20 s"),  # no int() of 5,000 digits
        ("respond-async, wait=x", "not a whole number"),
        ("wait=x, wait=5", "not a whole number"),  # the first counts, even when malformed
    ],
)
def test_malformed_or_out_of_range_waits_are_refused_naming_the_header(
    header: str, fragment: str
) -> None:
    with pytest.raises(PreferError) as caught:
        parse_prefer(header)
    message = str(caught.value)
    assert message.startswith("the Prefer header has wait")
    assert fragment in message
    assert len(message) < 400  # a long value is cut in the message


def test_the_message_says_how_to_fix_it() -> None:
    with pytest.raises(PreferError, match=r"send wait=20 or less, and if the answer is 202"):
        parse_prefer("wait=60")
    with pytest.raises(PreferError, match=r"a whole number from 0 to 20"):
        parse_prefer("wait=soon")


@pytest.mark.parametrize(
    ("preferences", "default", "window", "no_wait"),
    [
        (Preferences(), None, 0, False),
        (Preferences(), 8, 8, False),
        (Preferences(3), 8, 3, False),
        (Preferences(0), 8, 0, True),
        (Preferences(None, respond_async=True), 8, 0, True),
        (Preferences(4, respond_async=True), 8, 4, False),
    ],
)
def test_the_window_the_preferences_and_the_default_give(
    preferences: Preferences, default: int | None, window: int, no_wait: bool
) -> None:
    assert preferences.window(default) == window
    assert preferences.wants_no_wait() is no_wait


def test_prefer_values_a_client_sends_read_back() -> None:
    for wait, respond_async in itertools.product((None, 0, 7, 20), (False, True)):
        value = prefer_value(wait, respond_async=respond_async)
        assert parse_prefer(value) == Preferences(wait, respond_async)


def test_the_model_and_the_runtime_share_the_cap() -> None:
    assert MODEL_MAX_WAIT == MAX_WAIT_SECONDS == 20


@pytest.mark.parametrize(
    ("kind", "budget", "synchronous"),
    [
        ("EXPRESS", {"seconds": 12.5, "bounded": True}, True),
        ("EXPRESS", {"seconds": 20, "bounded": True}, True),
        ("EXPRESS", {"seconds": 20.5, "bounded": True}, False),
        ("EXPRESS", {"seconds": 5, "bounded": False}, False),
        ("EXPRESS", None, False),
        ("STANDARD", {"seconds": 1, "bounded": True}, False),
    ],
)
def test_which_workflows_start_synchronously(
    kind: str, budget: dict[str, object] | None, synchronous: bool
) -> None:
    assert starts_synchronously(kind, budget) is synchronous


def test_the_poll_schedule_starts_fast_and_grows_to_a_second() -> None:
    delays = list(itertools.islice(poll_delays(), 20))
    assert delays[0] == FIRST_POLL_SECONDS
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    assert delays[-1] == MAX_POLL_SECONDS
    # Each pause is at most a quarter of the time waited before it plus the first pause: an
    # execution that ends at T is seen at most T / 4 + 50 ms late (and at most 1 s).
    waited = list(itertools.accumulate(delays))
    assert all(
        pause <= 0.25 * before + FIRST_POLL_SECONDS + 1e-9
        for pause, before in zip(delays[1:], waited[:-1], strict=True)
    )


def test_a_full_window_costs_about_one_poll_a_second() -> None:
    polls = 0
    elapsed = 0.0
    for delay in poll_delays():
        elapsed += delay
        polls += 1
        if elapsed >= MAX_WAIT_SECONDS:
            break
    assert MAX_WAIT_SECONDS <= polls <= MAX_WAIT_SECONDS + 10
