"""The program time limit: one default, one override, bad values refused naming where they came from."""

from __future__ import annotations

import math

import pytest

from preflight.errors import ConfigError
from preflight.limits import DEFAULT_TIMEOUT, TIMEOUT_ENV, configured_timeout, parse_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("0.5", 0.5), ("1e3", 1000.0), ("0", None), ("0.0", None)],
)
def test_seconds_are_positive_numbers_or_zero_for_no_limit(text: str, seconds: float | None) -> None:
    assert parse_seconds(text, "--timeout") == seconds


@pytest.mark.parametrize("text", ["ten", "", "-1", "-0.5", "inf", "nan", "-inf"])
def test_anything_else_is_one_line_naming_the_origin(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_seconds(text, "--timeout")
    assert str(caught.value).startswith(f"--timeout: {text!r} is not a number of seconds")


def test_a_negative_number_says_what_zero_means() -> None:
    with pytest.raises(ConfigError, match=r"\(0 means no limit\)$"):
        parse_seconds("-3", "X")
    with pytest.raises(ConfigError) as caught:
        parse_seconds("three", "X")
    assert "0 means" not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, DEFAULT_TIMEOUT), ("", DEFAULT_TIMEOUT), ("  ", DEFAULT_TIMEOUT), (" 42 ", 42.0), ("0", None)],
)
def test_the_environment_overrides_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: float | None
) -> None:
    if value is None:
        monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    else:
        monkeypatch.setenv(TIMEOUT_ENV, value)
    assert configured_timeout() == expected


def test_a_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "soon")
    with pytest.raises(ConfigError, match=rf"^{TIMEOUT_ENV}: 'soon'"):
        configured_timeout()


def test_the_default_ends_a_hung_job_and_is_finite() -> None:
    assert TIMEOUT_ENV == "PREFLIGHT_TIMEOUT"
    assert math.isfinite(DEFAULT_TIMEOUT) and DEFAULT_TIMEOUT == 600.0
