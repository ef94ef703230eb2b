"""Hypothesis settings shared by every test directory.

`--hypothesis-profile=mutation` (bench/MUTATION.md, pyproject.toml `[tool.mutmut]`) is for mutation runs only:
mutmut runs the tests niced on a loaded machine, where input generation can take longer than Hypothesis's
too-slow health check allows, and a health-check failure in mutmut's clean pass stops the whole run. The
profile changes no strategy and no example count; the default profile stays in force everywhere else.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("mutation", suppress_health_check=[HealthCheck.too_slow], deadline=None)
