"""Prompt templates: strict loading and rendering, and golden renderings of every stored version.

Each ``prompts/<name>/v<N>.yaml`` needs ``golden/<name>@<N>.vars.json`` (inputs) and
``golden/<name>@<N>.expected.txt`` (the reviewed rendering). A template change therefore shows up as
a golden diff in review. Regenerate deliberately with ``UPDATE_GOLDEN=1 pytest tests/functions``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from functions.shared.exceptions import PromptError
from functions.shared.prompts import PromptTemplate, get_prompt, load_prompts
from tests.functions.conftest import PROMPT_SOURCES

GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = load_prompts(PROMPT_SOURCES)


def _rendering(template: PromptTemplate, variables: dict[str, str]) -> str:
    rendered = template.render(**variables)
    return f"=== system ===\n{rendered.system or ''}=== user ===\n{rendered.user}"


def test_the_repository_has_prompts():
    assert "answer@1" in [t.key for t in TEMPLATES]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_golden_rendering(template):
    variables = json.loads((GOLDEN / f"{template.key}.vars.json").read_text(encoding="utf-8"))
    expected_file = GOLDEN / f"{template.key}.expected.txt"
    actual = _rendering(template, variables)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


def _template(**changes: object) -> dict[str, object]:
    return {
        "name": "greet",
        "version": 1,
        "description": "Say hello.",
        "variables": {"who": "Who to greet."},
        "template": "Hello {{who}}!",
        **changes,
    }


def test_render_is_strict_about_variables():
    template = PromptTemplate.model_validate(_template())
    assert template.render(who="Ada").user == "Hello Ada!"
    with pytest.raises(PromptError, match=r"missing variables \['who'\]"):
        template.render()
    with pytest.raises(PromptError, match=r"extra variables \['whom'\]"):
        template.render(who="Ada", whom="Bob")


def test_values_are_not_expanded_twice():
    template = PromptTemplate.model_validate(_template())
    assert template.render(who="{{who}}").user == "Hello {{who}}!"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"template": "Hello {{who}} and {{them}}"}, "undeclared=\\['them'\\]"),
        ({"variables": {"who": "w", "unused": "u"}}, "unused=\\['unused'\\]"),
        ({"variables": {"bad name": "x"}, "template": "{{bad name}}"}, "invalid variable names"),
        ({"version": 0}, "version"),
        ({"name": "Upper"}, "name"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_invalid_templates_are_rejected(changes, message):
    with pytest.raises(ValueError, match=message):
        PromptTemplate.model_validate(_template(**changes))


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_load_prompts_checks_file_layout(tmp_path):
    good = "name: greet\nversion: 1\ndescription: d\nvariables: {who: w}\ntemplate: 'Hi {{who}}'\n"
    _write(tmp_path, "greet/v1.yaml", good)
    _write(tmp_path, "greet/v2.yaml", good.replace("version: 1", "version: 2"))
    assert [t.key for t in load_prompts(tmp_path)] == ["greet@1", "greet@2"]
    assert get_prompt(tmp_path, "greet", 2).version == 2

    _write(tmp_path, "greet/v3.yaml", good)  # declares version 1
    with pytest.raises(PromptError, match=r"lives at greet/v3\.yaml"):
        load_prompts(tmp_path)


@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        ("greet/latest.yaml", "name: greet", "file name must be"),
        ("greet/v1.yaml", "- a list", "YAML mapping"),
        ("greet/v1.yaml", "name: [unclosed", "cannot read"),
        ("greet/v1.yaml", "name: greet\nversion: 1\n", "description"),
    ],
)
def test_load_prompts_reports_bad_files(tmp_path, relative, text, message):
    _write(tmp_path, relative, text)
    with pytest.raises(PromptError, match=message):
        load_prompts(tmp_path)


def test_missing_prompt_or_directory(tmp_path):
    with pytest.raises(PromptError, match="not found"):
        get_prompt(tmp_path, "answer", 9)
    with pytest.raises(PromptError, match="directory not found"):
        load_prompts(tmp_path / "nope")
