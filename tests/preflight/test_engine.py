"""The offline engine: any Pulumi Python program, run under mocks, recorded as the engine sees it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pulumi
import pytest
from pulumi.output import Unknown

from preflight.engine import synthesize
from preflight.errors import ConfigError, ProgramError
from preflight.fabricate import resource_outputs
from preflight.graph import UNKNOWN, ResourceGraph
from preflight.load import load_graph
from tests.preflight.programs import write_program

FOREIGN = """
import json
import pulumi
import pulumi_aws as aws


def stamp(args):
    if args.type_ == "aws:s3/bucket:Bucket":
        props = dict(args.props)
        props["tags"] = {**(props.get("tags") or {}), "stamped": "yes"}
        return pulumi.ResourceTransformResult(props, args.opts)
    return None


pulumi.runtime.register_resource_transform(stamp)


class Site(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Site", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", tags={"own": "tag"}, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab", bucket=self.bucket.id, block_public_acls=True, opts=child
        )
        self.register_outputs({})


site = Site("site")
role = aws.iam.Role("role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
doc = aws.iam.get_policy_document_output(
    statements=[{"actions": ["s3:GetObject"], "resources": [site.bucket.arn.apply(lambda a: a + "/*")]}]
)
aws.iam.RolePolicy("read", role=role.id, policy=doc.json)
config = pulumi.Config()
pulumi.export("size", config.require_int("size"))
pulumi.export("password", config.require_secret("password"))
"""


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    return write_program(
        tmp_path / "foreign",
        FOREIGN,
        name="foreign",
        config={"aws:region": "eu-west-1", "foreign:size": 3, "foreign:password": {"secure": "v1:abc"}},
    )


def test_records_what_the_engine_sees(foreign: Path) -> None:
    graph = synthesize(foreign, "dev")
    by_name = {node.name: node for node in graph}
    assert graph.project == "foreign" and graph.stack == "dev"
    assert {n.type for n in graph.custom_resources} == {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
    }
    pab = by_name["site-pab"]
    assert pab.parent == by_name["site"].urn
    assert (
        pab.urn
        == "urn:pulumi:dev::foreign::test:index:Site$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::site-pab"
    )
    assert pab.inputs["blockPublicAcls"] is True  # camelCase, as the engine receives it
    assert pab.property_dependencies["bucket"] == (by_name["site-bucket"].urn,)
    assert by_name["site-bucket"].urn in pab.dependencies
    assert pab.provider == "urn:pulumi:dev::foreign::pulumi:providers:aws::default"
    assert not by_name["site"].custom


def test_stack_transforms_are_applied_and_resource_tags_win(foreign: Path) -> None:
    bucket = next(n for n in synthesize(foreign, "dev") if n.name == "site-bucket")
    assert bucket.inputs["tags"] == {"own": "tag", "stamped": "yes"}


def test_outputs_are_fabricated_and_flow_into_dependents(foreign: Path) -> None:
    graph = synthesize(foreign, "dev")
    bucket = next(n for n in graph if n.name == "site-bucket")
    assert bucket.outputs["arn"].startswith("arn:aws:s3:::site-bucket-")
    policy = json.loads(next(n for n in graph if n.name == "read").inputs["policy"])
    assert policy["Statement"][0] == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": bucket.outputs["arn"] + "/*",
    }


def test_two_runs_give_identical_graphs(foreign: Path) -> None:
    assert synthesize(foreign, "dev").to_json() == synthesize(foreign, "dev").to_json()


def test_secure_values_become_placeholders(foreign: Path) -> None:
    graph = synthesize(foreign, "dev")
    assert graph.config["foreign:password"] == "[secret]"  # shown as the CLI shows secret config
    assert graph.config["foreign:size"] == "3"


def test_program_error_names_file_and_line(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        "import helper\nhelper.build()\n",
        files={"helper.py": "def build():\n    raise ValueError('bucket name too long\\nmore detail')\n"},
    )
    with pytest.raises(ProgramError, match=r"^helper\.py:2: ValueError: bucket name too long$"):
        synthesize(program, "dev")


def test_run_error_is_reported_as_its_message(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi\nraise pulumi.RunError('Pulumi.dev.yaml: x:y: bad')\n")
    with pytest.raises(ConfigError, match=r"^Pulumi\.dev\.yaml: x:y: bad$"):
        synthesize(program, "dev")


def test_missing_required_config_is_one_line_naming_file_key_and_line(tmp_path: Path) -> None:
    """`config.require` of a key the stack does not set (pulumi/examples aws-py-redshift-glue-etl, never
    configured): the SDK's two-line message becomes one line with the stack file and the program line."""
    program = write_program(
        tmp_path, "import pulumi\nconfig = pulumi.Config()\n\nsize = config.require_secret('dbPassword')\n"
    )
    with pytest.raises(ConfigError) as raised:
        synthesize(program, "dev")
    assert str(raised.value) == (
        "Pulumi.dev.yaml: missing required configuration sample:dbPassword (read at __main__.py:4; "
        "set it with `pulumi config set --secret sample:dbPassword <value>`)"
    )


def test_program_for_another_provider_names_the_missing_package(tmp_path: Path) -> None:
    """pulumi/examples aws-py-django-voting-app imports pulumi_docker: one line, the program's line, the
    PyPI package it needs (and the module's own words, so a typo stays visible)."""
    program = write_program(tmp_path, "import pulumi\n\nimport pulumi_not_a_provider.sub as docker\n")
    with pytest.raises(ProgramError) as raised:
        synthesize(program, "dev")
    assert str(raised.value) == (
        "__main__.py:3: ModuleNotFoundError: No module named 'pulumi_not_a_provider' "
        "(the Pulumi package pulumi-not-a-provider is not installed where preflight runs: "
        "pip install pulumi-not-a-provider)"
    )


REMOTE_VPC = """
import pulumi_aws as aws
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc("spoke-vpc", awsx.ec2.VpcArgs(cidr_block="10.1.0.0/16",
    subnet_specs=[awsx.ec2.SubnetSpecArgs(name="private", cidr_mask=28, type=awsx.ec2.SubnetType.ISOLATED)],
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.NONE)))
aws.ec2.SecurityGroup("sg", vpc_id=vpc.vpc_id)
aws.ec2.Instance("web", ami="ami-0123456789abcdef0", instance_type="t3.micro",
                 subnet_id=vpc.isolated_subnet_ids.apply(lambda ids: ids[0]))
"""


def test_multi_language_component_is_recorded_with_unknown_outputs(tmp_path: Path) -> None:
    """pulumi/examples aws-py-hub-and-spoke-network: `awsx.ec2.Vpc(...)` registers with remote=True; its plugin
    builds the subnets, which offline nobody builds. The graph keeps the component (named in
    `remote_components`, for the gate to report) and the program runs on, its outputs unknown as in a preview.
    Bad case 1 (before): the program failed, "awsx:ec2:Vpc is a component ...", so nothing else was judged.
    Bad case 2: its inputs echoed as outputs, `nat_gateways={"strategy": "None"}` where awsx declares a list of
    NatGateway resources, failed the program ("Unexpected type ... property `nat_gateways`")."""
    graph = synthesize(write_program(tmp_path, REMOTE_VPC), "dev")
    vpc = next(n for n in graph if n.name == "spoke-vpc")
    assert graph.remote_components == [vpc.urn] and not vpc.custom and vpc.outputs == {}
    assert {n.name for n in graph.managed_resources} == {"sg", "web"}
    assert next(n for n in graph if n.name == "sg").inputs["vpcId"] == UNKNOWN
    assert graph.to_dict()["remote_components"] == [vpc.urn]
    assert ResourceGraph.from_dict(json.loads(graph.to_json())).remote_components == [vpc.urn]


READS = """
import pulumi
import pulumi_aws as aws

site = aws.s3.Bucket.get("site", "my-existing-bucket")
vpc = aws.ec2.Vpc.get("default-vpc", "vpc-0a1b2c3d")
aws.s3.BucketPolicy("policy", bucket=site.id, policy=site.arn.apply(lambda arn: arn))
aws.ec2.SecurityGroup("sg", vpc_id=vpc.id)
pulumi.export("bucket", site.bucket)
"""


def test_reads_are_recorded_apart_with_the_id_they_read(tmp_path: Path) -> None:
    """`Resource.get(name, id)`: the real engine reads the resource and returns its id; the program does not
    manage it. Bad case 1 (before): `site.id` was unknown (the SDK mock's ReadResourceResponse has no id).
    Bad case 2: the read was in no part of the graph, so dependencies on it named nothing.
    Bad case 3: a bucket read by name got a fabricated name and ARN, not its own."""
    graph = synthesize(write_program(tmp_path, READS), "dev")
    assert [(n.name, n.id) for n in graph.reads] == [("default-vpc", "vpc-0a1b2c3d"), ("site", "my-existing-bucket")]
    assert {n.name for n in graph.managed_resources} == {"policy", "sg"}  # reads are not deployed
    policy = next(n for n in graph if n.name == "policy")
    assert policy.inputs == {"bucket": "my-existing-bucket", "policy": "arn:aws:s3:::my-existing-bucket"}
    assert set(policy.dependencies) <= {n.urn for n in graph.reads}
    assert next(n for n in graph if n.name == "sg").inputs["vpcId"] == "vpc-0a1b2c3d"
    assert all(n.provider.endswith("::pulumi:providers:aws::default") for n in graph.reads)
    again = ResourceGraph.from_dict(json.loads(graph.to_json()))
    assert [n.urn for n in again.reads] == [n.urn for n in graph.reads]


def test_a_read_and_a_resource_of_one_name_clash_as_in_the_engine(tmp_path: Path) -> None:
    """Reads take URNs like registrations (step_generator.go `generateURN`); bad case 1: a duplicate passed."""
    main = "import pulumi_aws as aws\naws.s3.Bucket.get('site', 'b')\naws.s3.Bucket('site')\n"
    with pytest.raises(ProgramError, match="Duplicate resource URN"):
        synthesize(write_program(tmp_path, main), "dev")


def test_other_missing_modules_get_no_package_hint(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import requests_not_here\n")
    with pytest.raises(
        ProgramError, match=r"^__main__\.py:1: ModuleNotFoundError: No module named 'requests_not_here'$"
    ):
        synthesize(program, "dev")


def test_ill_typed_config_names_the_key_not_the_value(tmp_path: Path) -> None:
    program = write_program(
        tmp_path, "import pulumi\n\nn = pulumi.Config().require_int('size')\n", config={"sample:size": "big"}
    )
    with pytest.raises(ConfigError) as raised:
        synthesize(program, "dev")
    assert str(raised.value) == "Pulumi.dev.yaml: sample:size is not a valid int (read at __main__.py:3)"


def test_a_stack_without_a_file_runs_and_the_graph_says_so(tmp_path: Path) -> None:
    """As `pulumi preview` runs a stack that has no Pulumi.<stack>.yaml (an empty config, loaders.go)."""
    program = write_program(tmp_path, "import pulumi_aws as aws\naws.sqs.Queue('q')\n")
    (program / "Pulumi.dev.yaml").rename(program / "kept.yaml")  # a program that keeps no stack file
    graph = synthesize(program, "prod")
    assert [r.name for r in graph.custom_resources] == ["q"]
    assert any("Pulumi.prod.yaml not found" in note for note in graph.notes)
    (program / "kept.yaml").rename(program / "Pulumi.prod.yaml")
    assert not any("not found" in note for note in synthesize(program, "prod").notes)


def test_malformed_stack_yaml_names_file_and_line(tmp_path: Path) -> None:
    program = write_program(tmp_path, "pass\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  a: [1,\n  b: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Pulumi\.dev\.yaml: line \d+: malformed YAML"):
        synthesize(program, "dev")


def test_not_a_python_project(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: nodejs\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="runtime is 'nodejs'"):
        synthesize(tmp_path, "dev")


def test_missing_program_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="program directory not found"):
        synthesize(tmp_path / "nowhere", "dev")


def test_engine_recovers_after_a_failing_program(tmp_path: Path, foreign: Path) -> None:
    failing = write_program(tmp_path / "failing", "raise RuntimeError('boom')\n")
    with pytest.raises(ProgramError):
        synthesize(failing, "dev")
    assert len(synthesize(foreign, "dev").custom_resources) == 4


def test_program_with_its_virtualenv_inside_runs_twice(tmp_path: Path) -> None:
    """Like this template: `.venv` lives in the program folder; its SDK modules must stay loaded."""
    program = write_program(
        tmp_path,
        "import vendored_sdk\nimport pulumi_aws as aws\naws.sqs.Queue(vendored_sdk.NAME)\n",
        files={".venv/lib/python3.11/site-packages/vendored_sdk.py": "NAME = 'queue'\n"},
    )
    site = program / ".venv/lib/python3.11/site-packages"
    sys.path.insert(0, str(site))
    try:
        first = synthesize(program, "dev")
        assert "vendored_sdk" in sys.modules
        second = synthesize(program, "dev")
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("vendored_sdk", None)
    assert first.to_json() == second.to_json()


def test_a_programs_folder_package_is_forgotten_with_it(tmp_path: Path) -> None:
    """A folder without `__init__.py` (alendwahida/iac-deploy-ecs-aws-with-pulumi-py@2c6a76cf: `iam/iamRoleDev.py`) is
    a namespace package with no `__file__`: it stayed in sys.modules and the next program's `iam.py` in the same
    process was not imported (`module 'iam' has no attribute ...`)."""
    folders = write_program(
        tmp_path / "folders",
        "import iam.roles\nimport pulumi_aws as aws\naws.sqs.Queue(iam.roles.NAME)\n",
        files={"iam/roles.py": "NAME = 'from-folder'\n"},
    )
    flat = write_program(
        tmp_path / "flat",
        "import iam\nimport pulumi_aws as aws\naws.sqs.Queue(iam.NAME)\n",
        files={"iam.py": "NAME = 'from-module'\n"},
    )
    assert [n.name for n in synthesize(folders, "dev") if n.type == "aws:sqs/queue:Queue"] == ["from-folder"]
    assert "iam" not in sys.modules
    assert [n.name for n in synthesize(flat, "dev") if n.type == "aws:sqs/queue:Queue"] == ["from-module"]


def test_values_only_the_cloud_knows_stay_unknown(tmp_path: Path) -> None:
    """Outputs the mocks do not fabricate (AWS gives a table without a stream no stream ARN) are unknown during
    preview, as the CLI would show them; a bucket without a website has the empty website endpoint the SDK documents."""
    program = write_program(
        tmp_path,
        "import pulumi_aws as aws\n"
        "bucket = aws.s3.Bucket('b')\n"
        "table = aws.dynamodb.Table('t', hash_key='pk', attributes=[{'name': 'pk', 'type': 'S'}])\n"
        "aws.sqs.Queue('q', name=table.stream_arn, kms_master_key_id=bucket.arn,\n"
        "              tags={'w': bucket.website_endpoint})\n",
    )
    queue = next(n for n in synthesize(program, "dev") if n.name == "q")
    assert queue.inputs["name"] == UNKNOWN
    assert queue.inputs["kmsMasterKeyId"].startswith("arn:aws:s3:::b-")
    assert queue.inputs["tags"]["w"] == ""


def test_urns_are_the_real_engines(tmp_path: Path) -> None:
    """Top-level resources carry no stack type; nested ones carry every ancestor's type (generateURN)."""
    program = write_program(
        tmp_path,
        """
import pulumi
import pulumi_aws as aws

class Inner(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Inner", name, None, opts)
        aws.sqs.Queue(f"{name}-q", opts=pulumi.ResourceOptions(parent=self))

class Outer(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("test:index:Outer", name, None)
        Inner(f"{name}-inner", opts=pulumi.ResourceOptions(parent=self))

Outer("o")
aws.sqs.Queue("top")
""",
    )
    urns = {n.name: n.urn for n in synthesize(program, "dev")}
    assert urns["top"] == "urn:pulumi:dev::sample::aws:sqs/queue:Queue::top"
    assert urns["o-inner-q"] == (
        "urn:pulumi:dev::sample::test:index:Outer$test:index:Inner$aws:sqs/queue:Queue::o-inner-q"
    )


def test_main_in_a_subdirectory_runs_from_there(tmp_path: Path) -> None:
    """`main: src/`: the program imports its sibling modules and runs with src/ as cwd, as under Pulumi."""
    program = write_program(
        tmp_path,
        "",
        files={
            "src/__main__.py": "import os\nimport helper\nimport pulumi_aws as aws\n"
            "aws.sqs.Queue(helper.NAME + '-' + os.path.basename(os.getcwd()))\n",
            "src/helper.py": "NAME = 'queue'\n",
        },
    )
    (program / "Pulumi.yaml").write_text("name: sample\nruntime: python\nmain: src/\n", encoding="utf-8")
    assert [n.name for n in synthesize(program, "dev").custom_resources] == ["queue-src"]


def test_program_output_goes_to_stderr_and_exit_0_is_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = write_program(
        tmp_path, "import sys\nimport pulumi_aws as aws\nprint('hello')\naws.sqs.Queue('q')\nsys.exit(0)\n"
    )
    graph = synthesize(program, "dev")
    captured = capsys.readouterr()
    assert captured.out == "" and "hello" in captured.err  # stdout stays free for reports
    assert [n.name for n in graph.custom_resources] == ["q"]
    failing = write_program(tmp_path / "failing", "import sys\nsys.exit(3)\n")
    with pytest.raises(ProgramError, match="program exited with status 3"):
        synthesize(failing, "dev")


def test_data_sources_return_values_like_a_real_read(tmp_path: Path) -> None:
    """The engine reads data sources even in preview; here their ARN and id fields are fabricated."""
    program = write_program(
        tmp_path,
        "import pulumi_aws as aws\n"
        "key = aws.kms.get_key(key_id='alias/platform')\n"
        "aws.sqs.Queue('q', kms_master_key_id=key.arn, name=key.key_id)\n",
    )
    queue = synthesize(program, "dev").custom_resources[0]
    assert queue.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert queue.inputs["name"] == "alias/platform"  # arguments are echoed back


def test_dates_in_stack_files_stay_text(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi\npulumi.export('d', pulumi.Config().require('launch'))\n")
    with (program / "Pulumi.dev.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  sample:launch: 2027-02-28\n  sample:bad: 2027-02-30\n")
    assert synthesize(program, "dev").config["sample:launch"] == "2027-02-28"


RESOURCE_INPUTS = """
import json
import pulumi
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
site = pulumi.ComponentResource("test:index:Site", "site")
for i in range(25):
    # A resource object where the SDK takes its name or ARN: `role=role`, `function=fn`.
    aws.iam.RolePolicyAttachment(f"attach-{i}", role=role, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    fn = aws.lambda_.Function(f"fn-{i}", role=role.arn, runtime="python3.12", handler="app.handler")
    aws.lambda_.Permission(f"allow-{i}", function=fn, action="lambda:InvokeFunction", principal="s3.amazonaws.com")
aws.sqs.Queue("queue", tags={"owner": site})
"""


def test_resource_objects_as_inputs_neither_hang_nor_cross_loops(tmp_path: Path) -> None:
    """Fifty resource references: before the fix this hung or failed "attached to a different loop" on
    most runs; the time limit turns a hang into a failure instead of a stuck test."""
    program = write_program(tmp_path, RESOURCE_INPUTS)
    graph = synthesize(program, "dev", timeout=60)
    by_name = {node.name: node for node in graph}
    # The provider receives the referenced resource's id (a component: its URN), as from the real engine.
    assert by_name["attach-3"].inputs["role"] == by_name["role"].id
    assert by_name["allow-3"].inputs["function"] == by_name["fn-3"].id
    assert by_name["queue"].inputs["tags"] == {"owner": by_name["site"].urn}
    assert by_name["role"].urn in by_name["attach-3"].dependencies
    assert len(graph.custom_resources) == 77


def test_sdk_errors_name_the_programs_line(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        "import helper\nhelper.build()\n",
        files={
            "helper.py": (
                "import pulumi_aws as aws\n\n"
                "def build():\n"
                "    aws.iam.Role('r', assume_role_policy={'Statement': object()})\n"
            )
        },
    )
    with pytest.raises(ProgramError, match=r"^helper\.py:4: ValueError: While processing resource: 'r'"):
        synthesize(program, "dev")


def test_duplicate_names_fail_as_in_the_engine(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi_aws as aws\naws.sqs.Queue('q')\naws.sqs.Queue('q')\n")
    with pytest.raises(ProgramError, match=r"^__main__\.py:[23]: ValueError: Duplicate resource URN '.*::q'"):
        synthesize(program, "dev")


@pytest.mark.parametrize(
    ("main", "where"),
    [
        ("import pulumi_aws as aws\naws.sqs.Queue('q')\nwhile True:\n    pass\n", r"__main__\.py:[34]"),
        ("import time\n\ndef wait():\n    time.sleep(30)\n\nwait()\n", r"__main__\.py:4"),
        (
            "import asyncio\nimport pulumi\n"
            "pulumi.export('never', pulumi.Output.from_input(asyncio.get_event_loop().create_future()))\n",
            r"__main__\.py",
        ),
        ("try:\n    while True:\n        pass\nexcept Exception:\n    pass\n", r"__main__\.py:[23]"),
    ],
    ids=["busy-loop", "sleep", "unresolved-output", "swallowing-except"],
)
def test_time_limit_ends_a_run(tmp_path: Path, main: str, where: str) -> None:
    program = write_program(tmp_path, main)
    with pytest.raises(ProgramError, match=rf"^{where}: program did not finish within 0\.5 s \(set --timeout"):
        synthesize(program, "dev", timeout=0.5)
    # The runtime is usable again afterwards.
    assert synthesize(write_program(tmp_path / "next", "import pulumi_aws as aws\naws.sqs.Queue('q')\n"), "dev")


def test_public_ssm_parameters_get_values_of_their_real_shape(tmp_path: Path) -> None:
    """AWS's public Powertools parameter reads as a layer ARN; any other parameter as a placeholder."""
    program = write_program(
        tmp_path,
        "import pulumi_aws as aws\n"
        "layer = aws.ssm.get_parameter(name='/aws/service/powertools/python/x86_64/python3.12/latest')\n"
        "other = aws.ssm.get_parameter(name='/team/setting')\n"
        "aws.lambda_.Function('f', role='r', layers=[layer.value], description=other.value)\n",
    )
    fn = synthesize(program, "dev").custom_resources[0]
    assert fn.inputs["layers"] == [
        "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:1"
    ]
    assert fn.inputs["description"].startswith("preflight-")


def test_ids_of_other_providers_resources_do_not_depend_on_object_addresses() -> None:
    """pulumi/examples aws-py-ec2-provisioners: a `command:remote` resource whose inputs hold an unknown
    (the instance's IP in a preview) and a FileAsset got an id hashed from `<... object at 0x...>`, so two
    runs gave two graphs. Two live objects (two addresses) of the same value must give the same id."""

    def inputs() -> dict[str, object]:
        return {"connection": {"host": Unknown()}, "source": pulumi.FileAsset("myapp.conf"), "remotePath": "x"}

    first, second = inputs(), inputs()  # both alive: their objects sit at different addresses
    assert (
        resource_outputs("command:remote:CopyToRemote", "config", first, "us-east-1")[0]
        == (resource_outputs("command:remote:CopyToRemote", "config", second, "us-east-1")[0])
    )
    other = {**inputs(), "source": pulumi.FileAsset("other.conf")}
    assert (
        resource_outputs("command:remote:CopyToRemote", "config", other, "us-east-1")[0]
        != (resource_outputs("command:remote:CopyToRemote", "config", first, "us-east-1")[0])
    )


ORGANIZATION_PROGRAM = """
import pulumi
import pulumi_aws as aws

base = f"{pulumi.get_organization()}-{pulumi.get_stack()}".lower()
aws.sqs.Queue(f"{base}-queue")
"""


def test_organization_is_the_diy_backends_unless_the_stack_names_one(tmp_path: Path) -> None:
    """pulumi/training aws-python 2_stack-advanced-topics names resources after `pulumi.get_organization()`;
    under bare mocks it is None (`none-dev-rds`). Offline it is what a self-managed backend gives, or the
    organization of a fully qualified `--stack`."""
    program = write_program(tmp_path, ORGANIZATION_PROGRAM)
    assert [n.name for n in synthesize(program, "dev").custom_resources] == ["organization-dev-queue"]
    assert [n.name for n in load_graph(program, "acme/sample/dev").custom_resources] == ["acme-dev-queue"]


NATIVE_TABLE = """
import pulumi_aws_native as native
native.dynamodb.Table(
    "t",
    key_schema=[native.dynamodb.TableKeySchemaArgs(attribute_name="id", key_type="HASH")],
    attribute_definitions=[native.dynamodb.TableAttributeDefinitionArgs(attribute_name="id", attribute_type="S")],
    billing_mode="PAY_PER_REQUEST",
)
"""


def test_sdk_bug_on_aws_native_table_is_named_in_one_line(tmp_path: Path) -> None:
    # review4 note: the SDK itself (not preflight's mocks or fabrication) cannot serialise this list input.
    with pytest.raises(ProgramError) as raised:
        synthesize(write_program(tmp_path, NATIVE_TABLE), "dev")
    message = str(raised.value)
    assert message.startswith("__main__.py:3: AssertionError: ") and "pulumi/pulumi#17181" in message
    assert "\n" not in message


FAILING_APPLY = """
import base64
import pulumi_aws as aws

repo = aws.ecr.Repository("repo")


def login(registry_id):
    return base64.b64decode(registry_id + "x").decode()


queue = aws.sqs.Queue("q", name=repo.registry_id.apply(login))
aws.sqs.QueuePolicy("p", queue_url=queue.url, policy="{}")
"""


def test_an_apply_that_raises_is_named_at_its_own_line(tmp_path: Path) -> None:
    """pulumi/examples aws-py-voting-app decodes a registry token inside `apply`. Bad case 1 before the fix:
    "__main__.py:13: ValueError: While processing resource: 'p'", the last resource the program waited on and
    the SDK's wrapper, not the line that raised nor the resource whose input it was."""
    with pytest.raises(ProgramError) as raised:
        synthesize(write_program(tmp_path, FAILING_APPLY), "dev")
    assert str(raised.value) == (
        "__main__.py:9: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xad in position 0: invalid start byte "
        "(in an input of the resource registered at __main__.py:12)"
    )


def test_a_programs_own_module_wins_over_the_gates_package_of_that_name(tmp_path: Path) -> None:
    """A program module named `policies.py` (a rewrite of nuage-studio/pulumi-aws-tracking-pipeline that kept its
    policy documents in one) got the gate's `policies` package instead (ImportError, exit 2), where `pulumi preview`
    runs the program's folder first on sys.path. The gate gets its own package back afterwards, and `pulumi`
    itself stays the SDK's, as under Pulumi's Python host, which imports it before the program."""
    import policies as gate_policies  # noqa: PLC0415 (the gate's package, loaded in this process)

    program = write_program(
        tmp_path,
        "import policies\nimport pulumi_aws as aws\naws.sqs.Queue(policies.QUEUE)\n",
        files={"policies.py": "QUEUE = 'own-module'\n", "pulumi.py": "raise SystemExit('not the SDK')\n"},
    )
    graph = synthesize(program, "dev")
    assert [node.name for node in graph.custom_resources] == ["own-module"]
    assert sys.modules["policies"] is gate_policies
    assert load_graph(program, "dev").custom_resources[0].name == "own-module"  # in the gate's child process too
