"""Shared builders for the idle-cost tests."""

from __future__ import annotations

from typing import Any

from policies.cost.estimator import PricedResource


def res(type_: str, name: str = "r", /, **inputs: Any) -> PricedResource:
    """A resource as the estimator reads it, with a URN derived from its type and name."""
    return PricedResource(name, type_, f"urn:pulumi:dev::x::{type_}::{name}", inputs)
