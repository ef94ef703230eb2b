"""HardenedBucket: private, SSE-KMS, TLS-only, versioned, lifecycle-managed; grants are exact."""

from __future__ import annotations

import inspect

import pytest

from components.buckets import HardenedBucket, LifecycleSpec
from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.buckets import HardenedBucket
key = StackKey("key", settings)
logs = HardenedBucket("access-logs", settings, key=key, accepts_access_logs=True)
docs = HardenedBucket("docs", settings, key=key, access_log_bucket=logs)
role = aws.iam.Role("worker", assume_role_policy="{}")
docs.grant_read(role)
docs.grant_write(role)
docs.grant_read_write(role)
"""


def _child(graph, type_token: str, name: str):  # type: ignore[no-untyped-def]
    return next(n for n in graph.of_type(type_token) if n.name == name)


def test_every_bucket_is_hardened(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    for base in ("access-logs", "docs"):
        pab = _child(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{base}-public-access")
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert pab.inputs[flag] is True
        own = _child(graph, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{base}-ownership")
        assert own.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        sse = _child(
            graph,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{base}-encryption",
        )
        assert sse.inputs["rules"] == [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn},
                "bucketKeyEnabled": True,
            }
        ]
        ver = _child(graph, "aws:s3/bucketVersioning:BucketVersioning", f"{base}-versioning")
        assert ver.inputs["versioningConfiguration"] == {"status": "Enabled"}
        bucket = _child(graph, "aws:s3/bucket:Bucket", base)
        assert bucket.inputs["bucketPrefix"].startswith("agentic-platform-dev-")
        assert bucket.inputs["forceDestroy"] is True  # dev


def test_bucket_policy_is_tls_only(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    bucket = _child(graph, "aws:s3/bucket:Bucket", "docs")
    policy = policy_of(_child(graph, "aws:s3/bucketPolicy:BucketPolicy", "docs-policy"))
    arn = bucket.outputs["arn"]
    assert policy["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_access_logging_and_log_delivery(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    logging = only(graph, "aws:s3/bucketLogging:BucketLogging")
    target = _child(graph, "aws:s3/bucket:Bucket", "access-logs")
    assert logging.inputs["targetBucket"] == target.id
    assert logging.inputs["targetPrefix"] == "docs/"
    policy = policy_of(_child(graph, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy"))
    delivery = policy["Statement"][1]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_default_lifecycle(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    rules = _child(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "docs-lifecycle")
    [rule] = rules.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["transitions"] == [
        {"storageClass": "STANDARD_IA", "days": 30},
        {"storageClass": "GLACIER_IR", "days": 90},
    ]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_grants_are_exact(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    arn = _child(graph, "aws:s3/bucket:Bucket", "docs").outputs["arn"]
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    policies = {n.name: policy_of(n)["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")}
    assert policies["docs-read-worker"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{arn}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key_arn]},
    ]
    assert policies["docs-write-worker"] == [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{arn}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key_arn]},
    ]
    assert policies["docs-read-write-worker"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [f"{arn}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key_arn]},
    ]


def test_prod_buckets_keep_data(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, stack="prod")
    assert all(b.inputs["forceDestroy"] is False for b in graph.of_type("aws:s3/bucket:Bucket"))


def test_unversioned_bucket_has_no_noncurrent_rule_and_custom_lifecycle(run_program: RunProgram) -> None:
    graph = run_program(
        """
        from components.kms import StackKey
        from components.buckets import HardenedBucket, LifecycleSpec
        key = StackKey("key", settings)
        HardenedBucket("scratch", settings, key=key, versioned=False,
                       lifecycle=LifecycleSpec(infrequent_access_days=None, archive_days=None, expiration_days=7))
        """
    )
    assert graph.of_type("aws:s3/bucketVersioning:BucketVersioning") == []
    [rule] = only(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["expiration"] == {"days": 7}
    assert "noncurrentVersionExpiration" not in rule
    assert "transitions" not in rule
    # Still hardened: encryption and public access block are not optional.
    assert graph.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert graph.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")


def test_no_flag_can_switch_off_encryption_or_public_access_block() -> None:
    params = set(inspect.signature(HardenedBucket.__init__).parameters)
    assert not {p for p in params if "encrypt" in p or "public" in p or "acl" in p or "sse" in p}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"infrequent_access_days": 10},
        {"infrequent_access_days": 60, "archive_days": 30},
        {"expiration_days": 0},
        {"noncurrent_expiration_days": 0},
        # S3 rejects an expiration on or before a transition of the same rule.
        {"expiration_days": 90},
        {"expiration_days": 30, "archive_days": None},
        {"expiration_days": 20, "infrequent_access_days": None},
    ],
)
def test_lifecycle_spec_validation(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        LifecycleSpec(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"expiration_days": 91},
        {"expiration_days": 90, "archive_days": None},
        {"expiration_days": 1, "infrequent_access_days": None, "archive_days": None},
    ],
)
def test_lifecycle_spec_expiring_after_every_transition(kwargs: dict[str, int]) -> None:
    assert LifecycleSpec(**kwargs).expiration_days == kwargs["expiration_days"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_templates_log_buckets_expire_after_their_transitions(run_program: RunProgram, stack: str) -> None:
    """The dev access-log and invocation-log buckets transitioned and expired at day 90 (issue 9)."""
    graph = run_program(
        "from components.kms import StackKey\nfrom components.governance import GovernanceBaseline\n"
        "key = StackKey('key', settings)\nGovernanceBaseline('governance', settings, key=key)\n",
        stack=stack,
    )
    configs = graph.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    expiring = [r for c in configs for r in c.inputs["rules"] if "expiration" in r]
    assert expiring
    for rule in expiring:
        assert all(rule["expiration"]["days"] > t["days"] for t in rule.get("transitions", [])), rule


def test_object_prefix_must_not_be_a_wildcard(run_program: RunProgram) -> None:
    from preflight.errors import ProgramError  # noqa: PLC0415

    with pytest.raises(ProgramError, match="wildcards"):
        run_program(
            """
            from components.kms import StackKey
            from components.buckets import HardenedBucket
            key = StackKey("key", settings)
            b = HardenedBucket("docs", settings, key=key)
            b.grant_read("some-role", prefix="*")
            """
        )
