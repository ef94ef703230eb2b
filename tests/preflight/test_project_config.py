"""Pulumi.yaml `config:` defaults are honoured offline as `pulumi preview` honours them (issue 10 §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine import synthesize
from preflight.errors import ConfigError
from preflight.stackconfig import load_stack_config
from tests.preflight.programs import write_program

PROGRAM = """
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.sqs.Queue("q", name=f"q-{config.require('size')}-{aws.get_region().region}")
"""

PROJECT_CONFIG = """
config:
  aws:region:
    default: eu-north-1
  size:
    type: integer
    default: 3
  owner: platform
"""


def _program(tmp_path: Path, stack_config: dict[str, object], extra: str = PROJECT_CONFIG) -> Path:
    root = write_program(tmp_path / "prog", PROGRAM, config=stack_config)
    stack_file = root / "Pulumi.dev.yaml"
    if "aws:region" not in stack_config:  # write_program always sets a region; drop it for the default to apply
        stack_file.write_text(stack_file.read_text(encoding="utf-8").replace("aws:region: us-east-1\n", ""))
    with (root / "Pulumi.yaml").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    return root


def test_project_defaults_fill_what_the_stack_does_not_set(tmp_path: Path) -> None:
    root = _program(tmp_path, {})
    config = load_stack_config(root, "sample", "dev")
    assert config.values["aws:region"] == "eu-north-1"
    assert config.values["sample:size"] == "3"
    assert config.values["sample:owner"] == "platform"  # the shorthand: a plain value is the default
    graph = synthesize(root, "dev")
    queue = next(n for n in graph.resources if n.name == "q")
    assert queue.inputs["name"] == "q-3-eu-north-1"  # the program saw both, the region too
    assert graph.config["aws:region"] == "eu-north-1"


def test_the_stack_file_wins_over_the_project_default(tmp_path: Path) -> None:
    root = _program(tmp_path, {"aws:region": "us-west-2", "sample:size": 7})
    config = load_stack_config(root, "sample", "dev")
    assert (config.values["aws:region"], config.values["sample:size"]) == ("us-west-2", "7")


def test_a_required_project_key_missing_from_the_stack_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _program(tmp_path, {}, extra="config:\n  budget:\n    type: integer\n")
    with pytest.raises(ConfigError, match="missing required configuration sample:budget"):
        load_stack_config(root, "sample", "dev")
    assert main(["plan", "--program", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Pulumi.dev.yaml: missing required configuration sample:budget" in err
