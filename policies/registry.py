"""Every policy of the pack, collected from the modules in `policies/rules/` (one module per area).

A module joins the pack by existing: it exposes `POLICIES: list[PolicySpec]`. Names must be unique
kebab-case, because they are the keys of `policies/config/<stack>.json` and of suppressions.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re

from policies import rules
from policies.spec import PolicySpec

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RegistryError(ValueError):
    """A rule module is malformed or two policies share a name."""


def discover() -> list[PolicySpec]:
    """Import every module of `policies.rules` (skipping `_private` ones) and collect its POLICIES."""
    found: list[PolicySpec] = []
    seen: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(rules.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{rules.__name__}.{info.name}")
        policies = getattr(module, "POLICIES", None)
        if not isinstance(policies, list) or not all(isinstance(p, PolicySpec) for p in policies):
            raise RegistryError(f"policies/rules/{info.name}.py: POLICIES must be a list of PolicySpec")
        for policy in policies:
            if not NAME.match(policy.name):
                raise RegistryError(f"policies/rules/{info.name}.py: policy name {policy.name!r} is not kebab-case")
            if policy.name in seen:
                raise RegistryError(
                    f"policies/rules/{info.name}.py: policy {policy.name!r} is already defined in {seen[policy.name]}"
                )
            seen[policy.name] = f"policies/rules/{info.name}.py"
            found.append(policy)
    return found


@functools.cache
def _cached() -> tuple[PolicySpec, ...]:
    return tuple(discover())


def all_policies() -> list[PolicySpec]:
    """The whole pack, in module then definition order."""
    return list(_cached())


def by_name() -> dict[str, PolicySpec]:
    return {p.name: p for p in _cached()}
