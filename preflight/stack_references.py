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
`require_output` fails, as against the real stack. Its secret outputs are secret values inside `outputs`, as the
engine reads them (pulumi/pulumi pkg/resource/deploy/builtins.go `readStackReference`: the stack's outputs as
they are, secrets kept, and `secretOutputNames` those that hold one), so `ref.outputs` is secret too and a value
taken from it stays "[secret]" in every artefact. A stack the file does not state keeps unknown outputs, and
each `apply` left unrun by it is the gate's `apply-not-run` finding (preflight/unseen.py).

`get_output_details` (pulumi/stack_reference.py) returns empty details, the same as for an output the stack does
not have, whenever `outputs` is unknown. Under `pulumi preview` and `up` that never happens for a stack that
exists: the engine reads the outputs in both (builtins.go `Read` and `Create` call `readStackReference` whatever
`req.Preview`), so a program branching on `details.value is None` takes the branch of the real value. Offline an
unstated stack's outputs are unknown, and the empty answer sent such a program down the "no such output" branch
as if that were known (review 6 F6). While the program runs (`ReferenceWatch.watching`), details of an unknown
output carry the unknown output itself as `value` (what `get_output` returns): what is built from it is unknown,
with the StackReference as its source, as for `get_output`. A stated stack's details are the SDK's own.

`ReferenceWatch` also notes which outputs the program asks each stack for, so the report names the file it used
and, per StackReference, which outputs were stated and which stayed unknown (`summary`, `describe`; review 6 F7):
the file is the program's word for another stack's outputs, and the gate's verdict rests on it, so a reviewer must
see that it was trusted, as for any waiver (P112: audit-aligned deployments; P188: no workflow without an audit
trail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from policies.profile import stack_part
from preflight.errors import ConfigError

if TYPE_CHECKING:
    import pulumi

    from preflight.graph import ResourceNode

# The Pulumi SDK is imported only where a program runs (`state`, `ReferenceWatch.watching`): the reports and the
# gate's file sources import this module for `describe` and `references_path` alone.

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
        secret = set(stated.secret_output_names)
        outputs = {key: _secret(value) if key in secret else value for key, value in stated.outputs.items()}
        return {"name": name, "outputs": outputs, "secretOutputNames": list(stated.secret_output_names)}


def _secret(value: Any) -> dict[str, Any]:
    """`value` as a secret on the wire (what `rpc.deserialize_property` turns into a secret Output's value)."""
    from pulumi.runtime import rpc  # noqa: PLC0415 (see the imports)

    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


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


#: How an output name the program computes (an Output) is shown: its value is not known when it is asked.
COMPUTED_NAME = "(a computed name)"
_ATTRIBUTE = "_preflight_stack"


@dataclass
class ReferenceWatch:
    """For one synthesis (`watching()`): which outputs the program asks each referenced stack for, and the
    details of an unknown output as unknown (see the module's docstring)."""

    references: StackReferences
    asked: dict[str, set[str]] = field(default_factory=dict)

    def _note(self, reference: pulumi.StackReference, name: Any) -> None:
        stack = getattr(reference, _ATTRIBUTE, COMPUTED_NAME)
        self.asked.setdefault(stack, set()).add(name if isinstance(name, str) else COMPUTED_NAME)

    @contextmanager
    def watching(self) -> Iterator[None]:
        import pulumi  # noqa: PLC0415 (see the imports)
        from pulumi.stack_reference import StackReferenceOutputDetails  # noqa: PLC0415

        cls = pulumi.StackReference
        init, get_output, require_output, details = (
            cls.__init__,
            cls.get_output,
            cls.require_output,
            cls.get_output_details,
        )
        watch = self

        def new_init(self: pulumi.StackReference, name: str, stack_name: str | None = None, opts: Any = None) -> None:
            target = stack_name if stack_name is not None else name
            setattr(self, _ATTRIBUTE, target if isinstance(target, str) else COMPUTED_NAME)
            init(self, name, stack_name, opts)

        def new_get_output(self: pulumi.StackReference, name: Any) -> pulumi.Output[Any]:
            watch._note(self, name)
            return get_output(self, name)

        def new_require_output(self: pulumi.StackReference, name: Any) -> pulumi.Output[Any]:
            watch._note(self, name)
            return require_output(self, name)

        async def new_details(self: pulumi.StackReference, name: str) -> StackReferenceOutputDetails:
            watch._note(self, name)
            if not await self.outputs.is_known():
                # The SDK's answer here is empty details, as for an output the stack lacks: not what we know.
                return StackReferenceOutputDetails(value=get_output(self, name))
            return await details(self, name)

        cls.__init__ = new_init  # type: ignore[method-assign]
        cls.get_output = new_get_output  # type: ignore[method-assign]
        cls.require_output = new_require_output  # type: ignore[method-assign]
        cls.get_output_details = new_details  # type: ignore[method-assign]
        try:
            yield
        finally:
            cls.__init__ = init  # type: ignore[method-assign]
            cls.get_output = get_output  # type: ignore[method-assign]
            cls.require_output = require_output  # type: ignore[method-assign]
            cls.get_output_details = details  # type: ignore[method-assign]

    def summary(self, reads: Sequence[ResourceNode], stack: str) -> dict[str, Any]:
        """What the report says of the stack references (plain data, carried by ResourceGraph.stack_references):
        the file (relative to the program, and whether it was there) and, per StackReference the program reads,
        the outputs stated, the secret ones, those asked for and left unknown (an unstated stack) and those asked
        for that the stated stack lacks (None, as against the real stack). {} when there is neither."""
        nodes = sorted((n for n in reads if n.type == STACK_REFERENCE_TYPE), key=lambda n: n.urn)
        if not nodes and not self.references.path:
            return {}
        entries = []
        for node in nodes:
            target = node.inputs.get("name")
            name = target if isinstance(target, str) else COMPUTED_NAME
            stated = self.references.stacks.get(name)
            asked = sorted(self.asked.get(name, set()))
            known = set(stated.outputs) if stated is not None else set()
            entries.append(
                {
                    "name": node.name,
                    "stack": name,
                    "in_file": stated is not None,
                    "stated": sorted(known),
                    "secret": sorted(stated.secret_output_names) if stated is not None else [],
                    "unknown": asked if stated is None else [],
                    "missing": [a for a in asked if a not in known] if stated is not None else [],
                }
            )
        referenced = {e["stack"] for e in entries}
        return {
            "file": references_path(Path(), stack).as_posix(),
            "file_found": bool(self.references.path),
            "references": entries,
            "unreferenced": sorted(set(self.references.stacks) - referenced),
        }


def describe(summary: Mapping[str, Any]) -> list[str]:
    """The report's lines for `summary` (ResourceGraph.stack_references): the file used, then one per reference."""
    if not summary:
        return []
    file = summary["file"]
    if summary.get("file_found"):
        lines = [f"stack references: outputs stated in {file} (trusted as the referenced stacks' outputs)"]
    else:
        lines = [f"stack references: no {file}: every StackReference's outputs are unknown offline"]
    for entry in summary.get("references", ()):
        head = f"StackReference '{entry['name']}' ({entry['stack']})"
        if entry["in_file"]:
            stated = ", ".join(entry["stated"]) or "none"
            secret = f"; secret: {', '.join(entry['secret'])}" if entry["secret"] else ""
            missing = f"; asked for, not stated, so None: {', '.join(entry['missing'])}" if entry["missing"] else ""
            count = len(entry["stated"])
            lines.append(f"{head}: {count} output{'' if count == 1 else 's'} stated ({stated}{secret}){missing}")
        else:
            asked = f" (asked for: {', '.join(entry['unknown'])})" if entry["unknown"] else ""
            lines.append(f"{head}: not stated in {file}: its outputs stayed unknown{asked}")
    if summary.get("unreferenced"):
        lines.append(f"stated in {file} but never referenced: {', '.join(summary['unreferenced'])}")
    return lines
