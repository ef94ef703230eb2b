"""The resource graph: what a Pulumi program would deploy, as the engine itself sees it.

Everything downstream (policies, the checkov bridge, cost, reports) reads this one model, so data
flows one way: program -> engine -> graph -> checks -> report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from policies.wire import UNKNOWN  # noqa: F401 (re-exported: one definition, shared with the pack)

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


def urn_name(urn: str) -> str:
    """The logical name: everything after the third `::` (`orders::eu` stays whole), as Pulumi's
    `URN.Name()` (pulumi/pulumi sdk/go/common/resource/urn/urn.go L184-L187)."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn.rsplit("::", 1)[-1]


def urn_project(urn: str) -> str:
    """The project part of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::", 3)
    return parts[1] if len(parts) == 4 else ""


def urn_stack(urn: str) -> str:
    """The stack part of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]


@dataclass(frozen=True)
class ResourceNode:
    """One registered resource: custom (a cloud resource) or component (a grouping)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    id: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    #: `inputs`/`outputs` with each secret's plaintext, only where they hold a secret (else None): what the
    #: Pulumi CLI hands a policy pack (`MarshalProperties(..., KeepSecrets: true)`, pulumi/pulumi
    #: sdk/go/common/resource/plugin/analyzer_plugin.go `Analyze`/`AnalyzeStack`; pulumi_policy's
    #: deserialize.py L65-L71 unwraps them). Only the judges read them (`judged_inputs`/`judged_outputs`):
    #: never serialised, never in a repr, so every artefact keeps "[secret]" (preflight.secrets).
    secret_inputs: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    secret_outputs: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def judged_inputs(self) -> Mapping[str, Any]:
        """The inputs a rule or checkov judges: the plaintext of secrets (artefacts use `inputs`)."""
        return self.inputs if self.secret_inputs is None else self.secret_inputs

    @property
    def judged_outputs(self) -> Mapping[str, Any]:
        """The outputs a rule or checkov judges: the plaintext of secrets (artefacts use `outputs`)."""
        return self.outputs if self.secret_outputs is None else self.secret_outputs

    @property
    def holds_secrets(self) -> bool:
        return self.secret_inputs is not None or self.secret_outputs is not None

    def judged(self) -> ResourceNode:
        """This node with the plaintext as its inputs/outputs: only for a judge, never for an artefact."""
        if not self.holds_secrets:
            return self
        inputs, outputs = self.judged_inputs, self.judged_outputs
        return replace(self, inputs=inputs, outputs=outputs, secret_inputs=None, secret_outputs=None)

    @property
    def package(self) -> str:
        """The provider package of the type token (`aws` for `aws:s3/bucket:Bucket`)."""
        return self.type.split(":", 1)[0]

    @property
    def module(self) -> str:
        """The module of the type token (`s3` for `aws:s3/bucket:Bucket`)."""
        parts = self.type.split(":")
        return parts[1].split("/", 1)[0] if len(parts) == 3 else ""

    def to_dict(self, *, wire: bool = False) -> dict[str, Any]:
        """The node as JSON-able data; `wire` keeps the secrets' plaintext, only for the synthesis child's
        channel to the gate (preflight/synthesis_child.py), never for a file."""
        data = asdict(self)
        if not wire or not self.holds_secrets:
            del data["secret_inputs"], data["secret_outputs"]  # the plaintext never leaves (see the fields)
        data["dependencies"] = list(self.dependencies)
        data["property_dependencies"] = {k: list(v) for k, v in self.property_dependencies.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, wire: bool = False) -> ResourceNode:
        """The node `to_dict` wrote; `wire`: with the plaintext the synthesis child sent (a file never has it)."""
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            custom=bool(data.get("custom", True)),
            parent=data.get("parent", ""),
            provider=data.get("provider", ""),
            inputs=data.get("inputs", {}),
            outputs=data.get("outputs", {}),
            id=data.get("id", ""),
            dependencies=tuple(data.get("dependencies", ())),
            property_dependencies={k: tuple(v) for k, v in data.get("property_dependencies", {}).items()},
            protect=bool(data.get("protect", False)),
            secret_inputs=data.get("secret_inputs") if wire else None,
            secret_outputs=data.get("secret_outputs") if wire else None,
        )


@dataclass(frozen=True)
class UnrunApply:
    """A program line whose `apply` callback did not run (`count` times), and the URNs its value came from.

    `via` is the `file:line` of helper code outside the program (preflight/applies.py) that made the `apply` call
    the program's line `at` led to; "" when the program called it itself."""

    at: str
    count: int
    sources: tuple[str, ...] = ()
    via: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": self.at, "count": self.count, "sources": list(self.sources)}
        return {**data, "via": self.via} if self.via else data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UnrunApply:
        sources = tuple(str(s) for s in data.get("sources", ()))
        return cls(str(data["at"]), int(data.get("count", 1)), sources, str(data.get("via", "")))


@dataclass
class ResourceGraph:
    """All resources of one stack in registration order, plus the config the program ran with."""

    project: str
    stack: str
    resources: list[ResourceNode]
    config: dict[str, Any] = field(default_factory=dict)
    source: str = "program"
    #: What reading the source found worth telling (pending operations, a checkpoint file); not serialised.
    notes: list[str] = field(default_factory=list)
    #: URNs of multi-language components (`awsx.ec2.Vpc`, registered with `remote=True`): their provider plugin
    #: builds what is inside them at deploy time, so offline the graph holds the component and none of its children.
    remote_components: list[str] = field(default_factory=list)
    #: Resources the program reads and does not manage (`aws.s3.Bucket.get(...)`, StackReference): the engine
    #: records them `external` and runs no per-resource analyzer on them (pulumi/pulumi
    #: pkg/resource/deploy/step_generator.go, `GenerateReadSteps`), so they are not in `resources`: not judged,
    #: not exported to checkov, not priced.
    reads: list[ResourceNode] = field(default_factory=list)
    #: The program's `apply` callbacks that did not run offline because their value stayed unknown
    #: (preflight/applies.py): what they would create is not in `resources`.
    unrun_applies: list[UnrunApply] = field(default_factory=list)
    #: What the program's StackReferences were given (preflight.stack_references.ReferenceWatch.summary): the
    #: stated-outputs file and, per reference, the outputs stated and those left unknown. Plain JSON data.
    stack_references: dict[str, Any] = field(default_factory=dict)
    #: Strings invented offline for data sources -> the invoke token that made each (preflight.invokes.invented),
    #: so a gate whose program ran in the synthesis child names the data source in its findings. Wire only.
    invented: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_urn = {r.urn: r for r in self.resources}

    def __iter__(self) -> Iterator[ResourceNode]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, urn: str) -> ResourceNode | None:
        return self._by_urn.get(urn)

    @property
    def custom_resources(self) -> list[ResourceNode]:
        """Cloud resources only: components and the stack itself are groupings, not deployments."""
        return [r for r in self.resources if r.custom]

    @property
    def managed_resources(self) -> list[ResourceNode]:
        """The cloud resources the stack deploys: providers are not resources (a preview never lists the
        default ones, an export does), so a stack counts the same from a preview, an export and the program."""
        return [r for r in self.resources if r.custom and not r.type.startswith(PROVIDER_PREFIX)]

    def of_type(self, *types: str) -> list[ResourceNode]:
        return [r for r in self.resources if r.type in types]

    def children(self, urn: str) -> list[ResourceNode]:
        return [r for r in self.resources if r.parent == urn]

    def ancestors(self, node: ResourceNode) -> list[ResourceNode]:
        """Parents from the nearest up to (not including) the stack."""
        chain: list[ResourceNode] = []
        current = self._by_urn.get(node.parent)
        while current is not None and current.type != STACK_TYPE:
            chain.append(current)
            current = self._by_urn.get(current.parent)
        return chain

    def judged(self) -> ResourceGraph:
        """The graph with secrets' plaintext, for a judge (checkov's plan in its scratch folder); never written."""
        if not any(r.holds_secrets for r in self.resources):
            return self
        return ResourceGraph(self.project, self.stack, [r.judged() for r in self.resources], self.config, self.source)

    def to_dict(self, *, wire: bool = False) -> dict[str, Any]:
        """The graph as JSON-able data (graph.json); `wire` adds the secrets' plaintext and the notes: the whole
        graph, as the synthesis child hands it to the gate (preflight/synthesis_child.py), never for a file."""
        return {
            "project": self.project,
            "stack": self.stack,
            "source": self.source,
            "config": self.config,
            "resources": [r.to_dict(wire=wire) for r in self.resources],
            # Only when present, so graphs of programs without them read as before.
            **({"remote_components": list(self.remote_components)} if self.remote_components else {}),
            **({"reads": [r.to_dict(wire=wire) for r in self.reads]} if self.reads else {}),
            **({"unrun_applies": [a.to_dict() for a in self.unrun_applies]} if self.unrun_applies else {}),
            **({"stack_references": self.stack_references} if self.stack_references else {}),
            **({"notes": list(self.notes)} if wire and self.notes else {}),
            **({"invented": dict(self.invented)} if wire and self.invented else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, wire: bool = False) -> ResourceGraph:
        """The graph `to_dict` wrote (`wire`: as the synthesis child sent it, with plaintext and notes)."""
        return cls(
            project=data["project"],
            stack=data["stack"],
            resources=[ResourceNode.from_dict(r, wire=wire) for r in data["resources"]],
            config=dict(data.get("config", {})),
            source=data.get("source", "program"),
            notes=[str(n) for n in data.get("notes", ())] if wire else [],
            remote_components=[str(u) for u in data.get("remote_components", ())],
            reads=[ResourceNode.from_dict(r, wire=wire) for r in data.get("reads", ())],
            unrun_applies=[UnrunApply.from_dict(a) for a in data.get("unrun_applies", ())],
            stack_references=dict(data.get("stack_references", {})),
            invented={str(k): str(v) for k, v in data.get("invented", {}).items()} if wire else {},
        )
