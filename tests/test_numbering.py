"""Legal number patterns: what they produce, what check_pattern refuses, and the property that a
pattern it accepts can only produce valid, distinct numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.numbering import (
    MAX_SEQ,
    NUMBER_RE,
    Reset,
    check_pattern,
    check_reset,
    format_number,
    period,
)

DAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("pattern", "seq", "number"),
    [
        ("F{YYYY}-{SEQ:6}", 123, "F2026-000123"),
        ("{YYYY}/{MM}/{SEQ:4}", 42, "2026/03/0042"),
        ("{SEQ}", 7, "7"),
        ("INV_{SEQ:3}", 1000, "INV_1000"),  # outgrows its padding rather than failing
        ("AV+{YYYY}{MM}{SEQ:2}", 5, "AV+20260305"),
        ("{SEQ:9}", MAX_SEQ, "999999999"),
    ],
)
def test_examples(pattern: str, seq: int, number: str) -> None:
    assert check_pattern(pattern) is None
    assert format_number(pattern, seq=seq, issue_date=DAY) == number


def test_years_before_1000_keep_four_digits() -> None:
    assert format_number("{YYYY}-{SEQ}", seq=1, issue_date=date(987, 1, 2)) == "0987-1"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("", "empty"),
        ("F", "exactly one"),
        ("F{SEQ}-{SEQ:2}", "exactly one"),
        ("F {SEQ}", "cannot appear"),
        ("F.{SEQ}", "cannot appear"),
        ("é{SEQ}", "cannot appear"),
        ("F{YYYY{SEQ}", "cannot appear"),
        ("F{SEQ}}", "cannot appear"),
        ("{YY}{SEQ}", "unknown placeholder"),
        ("{seq}", "unknown placeholder"),
        ("{}{SEQ}", "unknown placeholder"),
        ("{SEQ:}", "unknown placeholder"),
        ("{SEQ:-1}", "unknown placeholder"),
        ("{SEQ:0}", "unknown placeholder"),
        ("{SEQ:10}", "width must be 1 to 9"),
        ("{MM:2}{SEQ}", "only {SEQ} takes a width"),
        ("A" * 27 + "{SEQ}", "36 characters"),
        ("ABCDEFGHIJKLMNOPQRSTU-{YYYY}-{MM}{SEQ:6}", "over the limit"),
    ],
)
def test_refused_patterns(pattern: str, why: str) -> None:
    reason = check_pattern(pattern)
    assert reason is not None and why in reason, reason
    with pytest.raises(ValueError, match="invalid number pattern"):
        format_number(pattern, seq=1, issue_date=DAY)


def test_the_length_budget_is_exact() -> None:
    longest = "A" * 26 + "{SEQ}"
    assert check_pattern(longest) is None
    assert len(format_number(longest, seq=MAX_SEQ, issue_date=DAY)) == 35


@pytest.mark.parametrize("seq", [0, -1, MAX_SEQ + 1, True])
def test_sequences_out_of_range(seq: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        format_number("F{SEQ}", seq=seq, issue_date=DAY)


def test_a_yearly_series_must_show_the_year() -> None:
    assert check_reset("F-{SEQ:6}", Reset.NEVER) is None
    assert "needs {YYYY}" in (check_reset("F-{SEQ:6}", Reset.YEARLY) or "")
    assert "needs {YYYY}" in (check_reset("F{MM}-{SEQ:6}", Reset.YEARLY) or "")
    assert check_reset("F{YYYY}-{SEQ:6}", Reset.YEARLY) is None
    assert "empty" in (check_reset("", Reset.NEVER) or "")


def test_period_is_the_counter_key() -> None:
    assert period(Reset.YEARLY, DAY) == 2026
    assert period(Reset.NEVER, DAY) == 0


# -- properties ----------------------------------------------------------------------------

literals = st.text(alphabet="ABCFZafz09+-_/", min_size=1, max_size=12)
placeholders = st.sampled_from(["{YYYY}", "{MM}"]) | st.integers(1, 9).map(lambda n: f"{{SEQ:{n}}}")
noise = st.sampled_from(["{SEQ}", "{", "}", " ", ".", "é", "{YY}", "{SEQ:10}", "\n"])


@st.composite
def valid_patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(literals | placeholders.filter(lambda p: "SEQ" not in p), max_size=4))
    seq = draw(st.sampled_from(["{SEQ}"]) | st.integers(1, 9).map(lambda n: f"{{SEQ:{n}}}"))
    parts.insert(draw(st.integers(0, len(parts))), seq)
    pattern = "".join(parts)
    if check_pattern(pattern) is not None:  # too long: shorten the literals
        pattern = "".join(p if p.startswith("{") else p[:1] for p in parts)
    return pattern


dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
seqs = st.integers(1, MAX_SEQ)


@given(valid_patterns(), seqs, dates)
def test_every_number_of_a_valid_pattern_is_valid(pattern: str, seq: int, day: date) -> None:
    assert check_pattern(pattern) is None, pattern
    assert NUMBER_RE.fullmatch(format_number(pattern, seq=seq, issue_date=day))


@given(st.lists(literals | placeholders | noise, max_size=8).map("".join), seqs, dates)
def test_any_pattern_is_refused_or_only_gives_valid_numbers(
    pattern: str, seq: int, day: date
) -> None:
    if check_pattern(pattern) is None:
        assert NUMBER_RE.fullmatch(format_number(pattern, seq=seq, issue_date=day))
    else:
        with pytest.raises(ValueError):
            format_number(pattern, seq=seq, issue_date=day)


@given(valid_patterns(), seqs, seqs, dates)
def test_distinct_sequences_give_distinct_numbers_within_a_period(
    pattern: str, a: int, b: int, day: date
) -> None:
    if a != b:
        assert format_number(pattern, seq=a, issue_date=day) != format_number(
            pattern, seq=b, issue_date=day
        )


@given(valid_patterns(), seqs, seqs, dates, dates)
def test_a_yearly_series_never_repeats_across_years(
    pattern: str, a: int, b: int, day_a: date, day_b: date
) -> None:
    """With the year in the number, (sequence, year) pairs map to distinct numbers."""
    if check_reset(pattern, Reset.YEARLY) is None and (a, day_a.year) != (b, day_b.year):
        assert format_number(pattern, seq=a, issue_date=day_a) != format_number(
            pattern, seq=b, issue_date=day_b
        )
