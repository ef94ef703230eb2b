"""The outputs of the stacks a program reads with `pulumi.StackReference`, as the program states them.

Why: offline there is no backend to read another stack's outputs from, so every `ref.get_output(...)` is
unknown, as in a preview before that stack exists, and a callback of `ref.get_output("vpc_id").apply(...)`
never runs: a resource it would create is never registered, judged, priced or scanned (review finding gate #4).
Under `pulumi up` the engine reads the outputs (pulumi/pulumi pkg/resource/deploy/providers/reference.go,
`StackReference` read as the resource's `outputs` and `secretOutputNames` properties) and the callback runs.
A program that states the values it reads lets the gate run those callbacks too.

The file is `<program>/policies/config/<stack>.stack-references.json`, beside the program's policy config
(`<stack>.json`), not inside it: that file is Pulumi's `--policy-pack-config`, whose keys are policy names,
and the CLI rejects a key that names no policy. Its shape::

    {
      "acme/network/prod": {
        "outputs": {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": ["subnet-1", "subnet-2"]},
        "secretOutputNames": ["db_password"]
      }
    }

A stack is named exactly as the program names it (the `name` of `StackReference(name)`, else its resource
name). A stated stack has exactly the stated outputs: `get_output` of another name is None and
`require_output` fails, as against the real stack. A stack the file does not state keeps unknown outputs, and
each `apply` left unrun by it is the gate's `apply-not-run` finding (preflight/unseen.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from policies.profile import stack_part
from preflight.errors import ConfigError

#: The type a StackReference registers (read) as (pulumi/stack_reference.py).
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class _StackOutputs(BaseModel):
    """One referenced stack: its outputs and which of them are secret."""

    model_config = ConfigDict(extra="forbid", strict=True)

    outputs: dict[str, Any]
    secret_output_names: list[str] = Field(default_factory=list, alias="secretOutputNames")


class _File(RootModel[dict[str, _StackOutputs]]):
    pass


@dataclass(frozen=True)
class StatedOutputs:
    """What the file states of one referenced stack."""

    outputs: Mapping[str, Any]
    secret_output_names: tuple[str, ...]


@dataclass(frozen=True)
class StackReferences:
    """Every referenced stack the program states, and the file it came from ("" when there is none)."""

    stacks: Mapping[str, StatedOutputs]
    path: str = ""

    def state(self, name: str) -> dict[str, Any] | None:
        """The read state of the StackReference to `name` (its properties, as the engine returns them), or None."""
        stated = self.stacks.get(name)
        if stated is None:
            return None
        return {"name": name, "outputs": dict(stated.outputs), "secretOutputNames": list(stated.secret_output_names)}


def references_path(program_dir: Path, stack: str) -> Path:
    """`<program>/policies/config/<stack>.stack-references.json` (the bare stack of `org/project/stack`)."""
    return program_dir / "policies" / "config" / f"{stack_part(stack)}.stack-references.json"


def _where(error: Mapping[str, Any]) -> str:
    return ".".join(str(step) for step in error.get("loc", ())) or "(top level)"


def load_stack_references(program_dir: Path, stack: str) -> StackReferences:
    """The file's stated outputs; none when it is absent. A bad file is a ConfigError of one line naming the
    file and the first bad key (exit 2)."""
    path = references_path(program_dir, stack)
    if not path.is_file():
        return StackReferences({})
    shown = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{shown}: not valid JSON: {str(exc).splitlines()[0]}") from None
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"{shown}: {_where(first)}: {first['msg']} (expected "
            '{"<stack>": {"outputs": {...}, "secretOutputNames": [...]}})'
        ) from None
    stacks = {}
    for name, entry in parsed.root.items():
        missing = sorted(set(entry.secret_output_names) - set(entry.outputs))
        if missing:
            raise ConfigError(f"{shown}: {name}.secretOutputNames: {missing[0]} is not one of its outputs")
        stacks[name] = StatedOutputs(dict(entry.outputs), tuple(entry.secret_output_names))
    return StackReferences(stacks, shown)
