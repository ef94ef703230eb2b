"""How far a suppression's resource glob reaches: URN globs part by part, what names nothing, the catch-all
refusal, the `suppressions:` wrapper, the unused-entry note and the malformed-YAML line. Run F's survivors of
`preflight.suppressions` (bench/MUTATION.md) changed these and no test saw it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.suppressions import (
    Suppression,
    load_suppressions,
    names_a_resource,
    refuse_catch_alls,
    unused_note,
    unused_suppressions,
)

FN = "urn:pulumi:prod::proj::aws:lambda/function:Function::fn"
EXPIRES = dt.date(2027, 1, 31)
BRACKETS = "urn:pulumi:prod::proj::aws:s3/bucket:Bucket::b[0]"


def _entry(resource: str, index: int = 0) -> Suppression:
    return Suppression("lambda-tracing", resource, "a reason long enough to pass", EXPIRES, index)


@pytest.mark.parametrize(
    ("glob", "urn", "covered"),
    [
        ("urn:pulumi:prod::proj::fn", FN, True),
        ("urn:pulumi:prod::*", FN, True),
        ("urn:pulumi:prod::proj::aws:lambda/function:Function::fn", FN, True),
        ("urn:pulumi:dev::*", FN, False),
        ("urn:pulumi:prod::*", "urn:other:prod::proj::aws:lambda/function:Function::fn", False),
        ("urn:pulumi:prod::*", "urn:pulumi:prod::proj", False),
        # an exact URN with glob metacharacters in its name matches itself (`[0]` would be a class to fnmatch)
        (BRACKETS, BRACKETS, True),
    ],
    ids=["any_type", "stack_and_project_padded", "every_part", "another_stack", "not_a_pulumi_urn", "urn_too_short",
         "exact_urn_with_brackets"],
)  # fmt: skip
def test_urn_globs_match_part_by_part(glob: str, urn: str, covered: bool) -> None:
    assert _entry(glob).covers("other-name", urn) is covered


@pytest.mark.parametrize(
    ("glob", "names"),
    [
        ("a", True),
        ("", False),
        ("urn:aws:lambda:fn", False),
        ("urn:pulumi:prod::*", False),
        ("urn:pulumi:prod::proj::aws*:s3/x::*", False),
        ("urn:pulumi:prod::proj::[a]:s3/b::*", False),
        ("urn:pulumi:prod::proj::*aws:s3/bucket:Bucket::*", True),
    ],
    ids=["one_letter_exact_name", "empty", "urn_not_pulumi", "stack_only", "token_split_by_wildcard",
         "token_after_class", "type_token"],
)  # fmt: skip
def test_what_names_a_resource(glob: str, names: bool) -> None:
    assert names_a_resource(glob) is names


def test_a_glob_matching_both_of_two_resources_is_refused() -> None:
    with pytest.raises(ConfigError, match="matches all 2 resources"):
        refuse_catch_alls([_entry("fn-*")], [("fn-a", "urn:a"), ("fn-b", "urn:b")])


def test_an_exact_name_shared_by_two_resources_is_not_a_catch_all() -> None:
    refuse_catch_alls([_entry("data")], [("data", "urn:bucket"), ("data", "urn:policy")])


def test_the_catch_all_after_an_exact_name_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"entry 2 \(lambda-tracing on fn-\*\)"):
        refuse_catch_alls([_entry("fn-a"), _entry("fn-*", 1)], [("fn-a", "urn:a"), ("fn-b", "urn:b")])


def test_the_suppressions_wrapper(tmp_path: Path) -> None:
    path = tmp_path / "suppressions.yaml"
    path.write_text(
        "suppressions:\n"
        "  - {id: lambda-tracing, resource: fn, reason: a reason long enough to pass, expires: '2027-01-31'}\n",
        encoding="utf-8",
    )
    valid, problems = load_suppressions(path, ["lambda-tracing"], today=dt.date(2026, 12, 2))
    assert [(s.id, s.resource) for s in valid] == [("lambda-tracing", "fn")] and problems == []
    path.write_text("suppressions:\n", encoding="utf-8")
    assert load_suppressions(path, ["lambda-tracing"]) == ([], [])


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "suppressions.yaml"
    path.write_text("- id: a\n  resource: [b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"suppressions.yaml: line \d+: malformed YAML"):
        load_suppressions(path, [])


def test_an_unused_entry_of_this_stack_is_noted() -> None:
    entry = _entry("urn:pulumi:dev::proj::*fn*")
    assert unused_suppressions([], [entry], "dev") == [entry]
    assert unused_suppressions([], [entry], "prod") == []
    assert unused_note(entry) == (
        "suppressions.yaml entry 1 (lambda-tracing on urn:pulumi:dev::proj::*fn*) matched no finding "
        "(expires 2027-01-31): remove it, or fix its id or resource"
    )
