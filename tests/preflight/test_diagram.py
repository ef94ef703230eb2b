"""The pull-request picture: components by layer, the request flow between them, changes and findings.

The template's stacks change in parallel (new components, policies, edge pieces), so these tests check
relationships that must hold (the API invokes ingest, ingest publishes to the bus, ...), never counts
of boxes or arrows. The real-browser render is in test_diagram_render.py.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from preflight import architecture
from preflight.engine import synthesize
from preflight.findings import Finding, Level, Source
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.layers import LAYERS, is_composition_root
from preflight.report import diagram
from preflight.report.markdown import GITHUB_COMMENT_LIMIT, render_markdown
from tests.preflight.mermaid_support import (
    REMOVED_FUNCTION,
    Diagram,
    mermaid_blocks,
    parse,
    pull_request_base,
    the_diagram,
)
from tests.preflight.programs import write_program

ROOT = Path(__file__).resolve().parents[2]

#: The request's path through the template, as (from, kind, to): what a reviewer must see drawn.
FLOW = [
    ("Api", "invokes", "Function ingest"),
    ("Function ingest", "publishes", "EventBus bus"),
    ("EventBus bus", "starts", "Workflow pipeline"),
    ("Workflow pipeline", "invokes", "Function router"),
    ("Workflow pipeline", "invokes", "Function decide"),
    ("Function decide", "publishes", "EventBus bus"),
    ("EventBus bus", "invokes", "Function deliver"),
    ("Function deliver", "replies", "Api"),
    ("Agent assistant", "invokes", "Function actions"),
    ("Agent assistant", "retrieves", "KnowledgeBase knowledge"),
]
LAYER_OF = {
    "Api": "Interface",
    "Function ingest": "Processing",
    "EventBus bus": "Processing",
    "Workflow pipeline": "Processing",
    "Agent assistant": "Inference",
    "Guardrail": "Inference",
    "KnowledgeBase knowledge": "Inference",
    "Escalation": "Decisioning",
    "Storage": "Storage",
    "StackKey key": "Governance",
}


@dataclass
class Report:
    """What the renderer reads of a GateReport."""

    graph: ResourceGraph
    violations: list[Finding] = field(default_factory=list)
    stack: str = "dev"
    project: str = "agentic-platform"
    suppressed: list[object] = field(default_factory=list)
    not_scanned: list[str] = field(default_factory=list)
    checkov: None = None
    exit_code: int = 0
    not_seen: int = 0
    no_checks: int = 0
    not_mapped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def resources(self) -> int:
        return len(self.graph.custom_resources)


@functools.cache
def template_graph(stack: str) -> ResourceGraph:
    return synthesize(ROOT, stack)


@pytest.fixture(params=["dev", "prod"])
def template(request: pytest.FixtureRequest) -> ResourceGraph:
    return template_graph(request.param)


@pytest.fixture
def dev() -> ResourceGraph:
    return template_graph("dev")


def finding(node_name: str, graph: ResourceGraph, level: Level, policy: str = "some-policy") -> Finding:
    node = next(n for n in graph.custom_resources if n.name == node_name)
    return Finding(policy, Source.CROSSGUARD, level, node.name, node.type, node.urn, ("P014",), "failed.")


def top_components(graph: ResourceGraph) -> set[str]:
    """Titles the template's components should get: the components right below the composition root."""
    roots = {n.urn for n in graph if n.type == STACK_TYPE or is_composition_root(n)}
    titles = set()
    for node in graph:
        if not node.custom and node.parent in roots and not is_composition_root(node):
            kind = node.type.split(":")[-1]
            titles.add(kind if kind.lower() == node.name.lower() else f"{kind} {node.name}")
    return titles


# ------------------------------------------------------------------------------------- the template


def test_one_box_per_component_in_its_layer(template: ResourceGraph) -> None:
    picture = the_diagram(render_markdown(Report(template)))
    titles = {picture.title(n) for n in picture.nodes}
    assert titles == top_components(template)
    for title, layer in LAYER_OF.items():
        assert picture.layer[picture.node(title)] == layer, title
    # resource-level detail stays out: no box is a role, a policy or a log group
    assert not [t for t in titles if any(word in t for word in ("Role", "Policy", "LogGroup", "DeadLetterQueue"))]


def test_the_request_flow_is_drawn_between_the_right_components(template: ResourceGraph) -> None:
    picture = the_diagram(render_markdown(Report(template)))
    for source, kind, target in FLOW:
        edge = picture.edge(source, target)
        assert kind in edge.label.split(" / "), (source, target, edge.label)
        assert not edge.dotted
    # no arrow runs inside a component, and none goes the wrong way round
    assert not [e for e in picture.edges if e.source == e.target]
    assert not picture.has_edge("Function ingest", "Api")
    assert not picture.has_edge("Function router", "Workflow pipeline")


def test_cross_cutting_uses_are_counted_on_the_hub_not_drawn(template: ResourceGraph) -> None:
    picture = the_diagram(render_markdown(Report(template)))
    functions = [t for t in top_components(template) if t.startswith("Function ")]
    key = picture.node("StackKey key")
    (encrypts,) = [line for line in picture.nodes[key].split("<br/>") if line.startswith("encrypts for ")]
    assert int(encrypts.removeprefix("encrypts for ")) >= len(functions)
    assert not [e for e in picture.edges if e.target == key]  # counted, so not drawn
    storage = picture.nodes[picture.node("Storage")]
    assert "read/written by " in storage
    assert "watches " in picture.nodes[picture.node("Observability")]


def test_without_a_base_nothing_is_coloured(dev: ResourceGraph) -> None:
    picture = the_diagram(render_markdown(Report(dev)))
    assert picture.classes == {}
    assert "Legend" not in picture.subgraphs.values()


# ------------------------------------------------------------------------------- a pull request


@pytest.fixture
def pull_request(dev: ResourceGraph) -> tuple[str, Diagram]:
    text = render_markdown(Report(dev), base=pull_request_base(dev))
    return text, the_diagram(text)


def test_added_changed_removed_and_unchanged_components_are_coloured(pull_request: tuple[str, Diagram]) -> None:
    _, picture = pull_request
    assert picture.classes[picture.node("Agent assistant")] == {"added"}
    assert picture.classes[picture.node("Guardrail")] == {"changed"}
    legacy = picture.node(f"Function {REMOVED_FUNCTION}")
    assert picture.classes[legacy] == {"removed"}
    assert picture.layer[legacy] == "Processing"
    assert picture.classes[picture.node("Api")] == {"unchanged"}
    assert "~1" in picture.nodes[picture.node("Guardrail")].split("<br/>")
    assert picture.class_defs["added"] != picture.class_defs["removed"] != picture.class_defs["changed"]
    legend = {picture.nodes[n] for n, layer in picture.layer.items() if layer == "Legend"}
    assert legend >= {"added", "changed", "removed", "unchanged"}


def test_new_and_gone_arrows_are_coloured(pull_request: tuple[str, Diagram]) -> None:
    _, picture = pull_request
    new = picture.edge("Agent assistant", "Function actions")
    gone = picture.edge(f"Function {REMOVED_FUNCTION}", "EventBus bus")
    kept = picture.edge("Api", "Function ingest")
    assert picture.link_styles[new.index] != picture.link_styles[gone.index]
    assert "stroke-dasharray" in picture.link_styles[gone.index]
    assert kept.index not in picture.link_styles


def test_changed_resources_are_listed_under_their_component(pull_request: tuple[str, Diagram]) -> None:
    text, _ = pull_request
    changes = text.split("### Changes", 1)[1].split("###", 1)[0]
    agent = changes.index("- **Agent assistant** (+")
    legacy = changes.index(f"- **Function {REMOVED_FUNCTION}** (-2)")
    assert changes.index("  - added `assistant-role` `aws:iam/role:Role`", agent) > agent
    assert changes.index(f"  - removed `{REMOVED_FUNCTION}` `aws:lambda/function:Function`", legacy) > legacy
    assert "  - changed `guardrail` `aws:bedrock/guardrail:Guardrail`: `blockedInputMessaging`" in changes
    assert "Function ingest" not in changes  # unchanged components stay out


def test_findings_mark_their_component(dev: ResourceGraph) -> None:
    violations = [
        finding("router-role", dev, Level.MANDATORY),
        finding("router", dev, Level.ADVISORY),
        finding("bus", dev, Level.ADVISORY),
        Finding("stack-wide", Source.CROSSGUARD, Level.MANDATORY, "", "", "", ("P014",), "stack-wide."),
    ]
    text = render_markdown(Report(dev, violations, exit_code=1))
    picture = the_diagram(text)
    router = picture.node("Function router")
    assert "**`router-role`** `aws:iam/role:Role` in Function router" in text  # the list names the box
    assert picture.classes[router] == {"mandatory"}
    assert "✖ 1 mandatory · ⚠ 1 advisory" in picture.nodes[router].split("<br/>")
    assert picture.classes[picture.node("EventBus bus")] == {"advisory"}
    assert picture.node("Api") not in picture.classes
    assert "mandatory" in picture.class_defs and "advisory" in picture.class_defs


# ---------------------------------------------------------------------------------- the model


GRANTS = """
import json
import pulumi
import pulumi_aws as aws


class Function(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("agentic:function:Function", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy="{}", opts=child)
        self.fn = aws.lambda_.Function(name, role=self.role.arn, runtime="python3.12", handler="app.handler",
                                       opts=child)
        self.register_outputs({})


class Storage(pulumi.ComponentResource):
    def __init__(self, name, reader, opts=None):
        super().__init__("agentic:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        table = aws.dynamodb.Table(f"{name}-table", hash_key="id", attributes=[{"name": "id", "type": "S"}],
                                   billing_mode="PAY_PER_REQUEST", opts=child)
        # the grant lives in the storage component but reads decide -> storage (principal -> resource)
        aws.iam.RolePolicy(f"{name}-read-{reader._name}", role=reader.role.id, policy=table.arn.apply(
            lambda arn: json.dumps({"Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem"],
                                                   "Resource": arn}]})), opts=child)
        self.register_outputs({})


class Api(pulumi.ComponentResource):
    def __init__(self, name, target, opts=None):
        super().__init__("agentic:api:Api", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = aws.apigatewayv2.Api(name, protocol_type="HTTP", opts=child)
        aws.lambda_.Permission(f"{name}-invoke", action="lambda:InvokeFunction", function=target.fn.name,
                               principal="apigateway.amazonaws.com", source_arn=api.execution_arn, opts=child)
        self.register_outputs({})


decide = Function("decide")
Storage("storage", decide)
Api("api", decide)
"""


@pytest.fixture(scope="module")
def grants(tmp_path_factory: pytest.TempPathFactory) -> architecture.Architecture:
    return architecture.build(synthesize(write_program(tmp_path_factory.mktemp("grants"), GRANTS), "dev"))


def _link(arch: architecture.Architecture, source: str, target: str) -> architecture.Link | None:
    keys = {p.title: k for k, p in arch.parts.items()}
    return arch.links.get((keys[source], keys[target]))


def test_a_grant_reads_principal_to_resource_whoever_created_it(grants: architecture.Architecture) -> None:
    link = _link(grants, "Function decide", "Storage")
    assert link is not None and "reads" in link.kinds
    assert _link(grants, "Storage", "Function decide") is None


def test_a_lambda_permission_is_its_callers_invocation(grants: architecture.Architecture) -> None:
    link = _link(grants, "Api", "Function decide")
    assert link is not None and link.shown_kinds() == ["invokes"]


def test_parts_hold_their_nested_resources(grants: architecture.Architecture) -> None:
    decide = next(p for p in grants.parts.values() if p.title == "Function decide")
    assert {r.name for r in decide.resources} == {"decide", "decide-role"}
    storage = next(p for p in grants.parts.values() if p.title == "Storage")
    assert "storage-read-decide" in {r.name for r in storage.resources}


@pytest.mark.parametrize(
    ("actions", "module", "kinds"),
    [
        (["dynamodb:PutItem", "kms:Decrypt"], "dynamodb", {"writes"}),
        (["dynamodb:PutItem", "kms:Decrypt"], "kms", {"encrypts"}),
        (["s3:GetObject", "s3:ListBucket"], "s3", {"reads"}),
        (["events:PutEvents"], "cloudwatch", {"publishes"}),
        (["states:StartExecution"], "sfn", {"starts"}),
        (["execute-api:ManageConnections"], "apigatewayv2", {"replies"}),
        (["sqs:ChangeMessageVisibility"], "sqs", {"grants"}),
    ],
)
def test_iam_actions_name_the_kind_of_use(actions: list[str], module: str, kinds: set[str]) -> None:
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    assert architecture._kinds_on(architecture._actions(policy), module) == kinds


def test_unreadable_policies_name_no_actions() -> None:
    assert architecture._actions("not json") == []
    assert architecture._actions({"Statement": {"Effect": "Deny", "Action": "s3:*"}}) == []


def test_a_foreign_program_gets_one_box_per_service(tmp_path: Path) -> None:
    program = """
import pulumi_aws as aws
key = aws.kms.Key("key")
for i in range(5):
    aws.sqs.Queue(f"queue-{i}", kms_master_key_id=key.id)
    aws.s3.Bucket(f"bucket-{i}")
"""
    graph = synthesize(write_program(tmp_path, program), "dev")
    picture = the_diagram(render_markdown(Report(graph)))
    assert {picture.title(n) for n in picture.nodes} == {"sqs", "s3", "kms"}
    assert "Queue x5" in picture.nodes[picture.node("sqs")]
    # Grouped as this template's layers order them, but named by what they hold (issue 11 §2): not "Storage".
    assert picture.layer[picture.node("s3")] == "s3"
    assert not set(picture.subgraphs.values()) & set(LAYERS), picture.subgraphs
    assert picture.edge("sqs", "kms").dotted  # fewer than HUB_MIN users: drawn, dotted


def test_a_foreign_component_sits_where_most_of_its_resources_do(tmp_path: Path) -> None:
    program = """
import pulumi
import pulumi_aws as aws

class Site(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("acme:web:Site", name, None, None)
        for i in range(3):
            aws.s3.Bucket(f"{name}-{i}", opts=pulumi.ResourceOptions(parent=self))
        aws.sqs.Queue(f"{name}-q", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

Site("docs")
"""
    graph = synthesize(write_program(tmp_path, program), "dev")
    (site,) = [p for p in architecture.build(graph).parts.values() if p.title == "Site docs"]
    assert site.layer == "Storage"  # ordered as the layer most of its resources are in
    picture = the_diagram(render_markdown(Report(graph)))
    assert picture.layer[picture.node("Site docs")] == "Site"  # and named by its kind, not by that layer


# ---------------------------------------------------------------------------------- the limits


def many_components(count: int) -> ResourceGraph:
    """`count` Function components in a chain, each queue's policy naming the previous one's queue (built
    directly: the engine would take half a minute for hundreds of components)."""
    stack = ResourceNode(f"urn:pulumi:dev::big::{STACK_TYPE}::big-dev", STACK_TYPE, "big-dev", False, "", "", {}, {})
    nodes = [stack]
    previous = ""
    for i in range(count):
        name = f"worker-{i:04d}-with-a-long-name"
        parent = f"urn:pulumi:dev::big::agentic:function:Function::{name}"
        nodes.append(ResourceNode(parent, "agentic:function:Function", name, False, stack.urn, "", {}, {}))
        queue = f"urn:pulumi:dev::big::agentic:function:Function$aws:sqs/queue:Queue::{name}-queue"
        nodes.append(ResourceNode(queue, "aws:sqs/queue:Queue", f"{name}-queue", True, parent, "", {}, {}))
        fn = f"urn:pulumi:dev::big::agentic:function:Function$aws:lambda/function:Function::{name}"
        deps = {"deadLetterConfig": (previous,)} if previous else {}
        nodes.append(
            ResourceNode(fn, "aws:lambda/function:Function", name, True, parent, "", {}, {}, property_dependencies=deps)
        )
        previous = queue
    return ResourceGraph("big", "dev", nodes)


@pytest.mark.parametrize("count", [40, 700])
def test_the_picture_stays_inside_mermaid_and_github_limits(count: int) -> None:
    graph = many_components(count)
    text = render_markdown(Report(graph))
    assert len(text) <= GITHUB_COMMENT_LIMIT
    (block,) = mermaid_blocks(text)
    assert len("\n".join(block)) <= diagram.TEXT_BUDGET < diagram.MERMAID_MAX_TEXT
    picture = the_diagram(text)
    assert len(picture.edges) <= diagram.EDGE_BUDGET < diagram.MERMAID_MAX_EDGES
    assert "Lists shortened" not in text  # the picture folds by itself, before any list is cut
    if count > 100:
        assert "fit GitHub's limits" in text
        assert len(picture.nodes) < count
    else:
        assert len(picture.nodes) == count
        assert picture.edge("Function worker-0001-with-a-long-name", "Function worker-0000-with-a-long-name")


def test_the_picture_folds_with_the_lists(dev: ResourceGraph) -> None:
    many = [
        Finding(f"p-{i:04d}", Source.CROSSGUARD, Level.MANDATORY, f"r-{i}", "aws:s3/bucket:Bucket", "", (), "x" * 400)
        for i in range(600)
    ]
    text = render_markdown(Report(dev, many, exit_code=1))
    assert len(text) <= 65_000
    assert "Lists shortened" in text
    the_diagram(text)  # still a whole, valid diagram


def test_folding_keeps_what_changed_and_the_last_fold_is_one_box_per_layer(
    dev: ResourceGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagram, "FOLD_PARTS", 3)  # Processing holds more than three components
    base = pull_request_base(dev)
    head_arch, base_arch = architecture.build(dev), architecture.build(base)
    router = finding("router", dev, Level.MANDATORY)
    changes = {"agentic:guardrail:Guardrail::guardrail": diagram.ChangeCounts(changed=[])}
    pic = diagram.picture(head_arch, base_arch, changes, [router])
    lines, detail = diagram.render(pic, min_detail=diagram.FOLDED)
    assert detail == diagram.FOLDED
    folded = parse(lines)
    processing = [folded.title(n) for n, layer in folded.layer.items() if layer == "Processing"]
    # the flagged and the removed component stay, the rest fold into one box
    assert len(processing) == 3
    assert "Function router" in processing and f"Function {REMOVED_FUNCTION}" in processing
    assert any(title.startswith("… ") and title.endswith(" more") for title in processing)
    lines, detail = diagram.render(pic, min_detail=diagram.LAYERS_ONLY)
    layers = parse(lines)
    assert detail == diagram.LAYERS_ONLY
    assert {layers.layer[n] for n in layers.nodes} - {"Legend"} == {p.layer for p in pic.parts.values()}
    assert layers.edge("Interface", "Processing") and layers.edge("Processing", "Interface")


def test_a_foreign_programs_picture_names_no_layer_of_this_template_at_any_fold(tmp_path: Path) -> None:
    """Issue 11 §2: as `plan` does, the picture of another program groups its boxes (entrance left, data right)
    but never calls its API "Interface" or its table "Storage", folded or not, in labels or in ids."""
    program = """
import json
import pulumi
import pulumi_aws as aws
role = aws.iam.Role("fn", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
table = aws.dynamodb.Table("t", attributes=[{"name": "id", "type": "S"}], hash_key="id", billing_mode="PAY_PER_REQUEST")
fn = aws.lambda_.Function("fn", role=role.arn, runtime="python3.13", handler="app.handler",
    code=pulumi.AssetArchive({}), environment={"variables": {"TABLE": table.name}})
api = aws.apigatewayv2.Api("api", protocol_type="HTTP", target=fn.arn)
aws.lambda_.Permission("invoke", action="lambda:InvokeFunction", function=fn.name, principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*"))
aws.sqs.Queue("q")
"""
    graph = synthesize(write_program(tmp_path, program), "dev")
    pic = diagram.picture(architecture.build(graph))
    assert len({p.layer for p in pic.parts.values()}) >= 3  # grouped in several layers internally
    for detail in (diagram.FULL, diagram.FOLDED, diagram.LAYERS_ONLY):
        lines, _ = diagram.render(pic, min_detail=detail)
        parse(lines)  # well formed
        named = [layer for layer in LAYERS if layer in "\n".join(lines)]
        assert not named, (detail, named, lines)


def test_a_program_wrapped_in_one_component_shows_its_parts(tmp_path: Path) -> None:
    program = """
import pulumi
import pulumi_aws as aws

class Queue(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:messaging:Queue", name, None, opts)
        aws.sqs.Queue(name, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

class App(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("acme:app:App", name, None, None)
        Queue("orders", pulumi.ResourceOptions(parent=self))
        Queue("invoices", pulumi.ResourceOptions(parent=self))
        aws.s3.Bucket("files", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

App("shop")
"""
    graph = synthesize(write_program(tmp_path, program), "dev")
    picture = the_diagram(render_markdown(Report(graph)))
    assert {picture.title(n) for n in picture.nodes} == {"Queue orders", "Queue invoices", "s3"}
