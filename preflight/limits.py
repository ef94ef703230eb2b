"""How long a program may run: one place decides the default and reads the override.

Why: a program that waits forever (an output that never resolves, a loop, a stuck lookup) must not
hang a CI job; the engine ends it after a time limit with one line and exit code 2.
"""

from __future__ import annotations

import math
import os

from preflight.errors import ConfigError

#: The environment variable that sets the limit when `--timeout` is not given.
TIMEOUT_ENV = "PREFLIGHT_TIMEOUT"

#: Seconds a program may run by default. Synthesising the template (230 resources) takes about 3 s
#: here; ten minutes leaves room for any honest program and still ends a hung CI job.
DEFAULT_TIMEOUT = 600.0


def parse_seconds(text: str, origin: str) -> float | None:
    """A positive number of seconds, or None for "no limit" (`0`); anything else is a ConfigError naming `origin`."""
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"{origin}: {text!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"{origin}: {text!r} is not a number of seconds (0 means no limit)")
    return seconds or None


def configured_timeout() -> float | None:
    """The limit from PREFLIGHT_TIMEOUT, else the default."""
    text = os.environ.get(TIMEOUT_ENV)
    if text is None or not text.strip():
        return DEFAULT_TIMEOUT
    return parse_seconds(text.strip(), TIMEOUT_ENV)
