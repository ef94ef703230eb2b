"""preflight.report.markdown helpers that run K2's sample found judged by no test (bench/MUTATION.md, run K2)."""

from __future__ import annotations

from policies.cost.estimator import CostItem, IdleCost
from preflight.report.markdown import _cost_changes, iter_sections


def _cost(*items: CostItem) -> IdleCost:
    return IdleCost("dev", "us-east-1", items, (), (), (), "2026-01-01")


def test_iter_sections_gives_each_title_after_the_hashes() -> None:
    assert list(iter_sections("### Changes\ntext\n#### Not a section\n### Idle cost\n")) == ["Changes", "Idle cost"]


def test_a_cost_change_of_half_a_cent_is_listed_and_a_smaller_one_is_not() -> None:
    """Half a cent is what `_money` rounds to a cent, so it is the smallest change the comment can show."""
    before = _cost(CostItem("same", "aws:kms/key:Key", "urn:same", 1.0, "b"))
    now = _cost(
        CostItem("same", "aws:kms/key:Key", "urn:same", 1.004, "b"),
        CostItem("new", "aws:kms/key:Key", "urn:new", 0.005, "b"),
    )
    text = _cost_changes(now, before, None)
    assert "`new`" in text
    assert "`same`" not in text
