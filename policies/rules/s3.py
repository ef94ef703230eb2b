"""S3 buckets: private, TLS-only, KMS-encrypted and versioned (P141, P187, P140).

In pulumi-aws 7 a bucket's settings are separate resources (BucketPublicAccessBlock, BucketPolicy,
BucketVersioning, BucketServerSideEncryptionConfiguration, BucketLifecycleConfiguration, BucketAcl),
each pointing at the bucket through its `bucket` input, so most checks are stack policies that
join them through property dependencies (or the bucket's name/id). The deprecated `*V2` type
tokens and the deprecated inline arguments of `Bucket` are accepted too.

AWS keeps one of each of these settings per bucket (review 6 F10): one public access block, one bucket policy, one
versioning configuration, one default-encryption configuration, one ACL, one ownership-controls setting, one
lifecycle configuration, one logging configuration. Each Put replaces what the bucket had: PutBucketPolicy
"Replaces a policy on a bucket. If the bucket already has a policy, the one in this request completely replaces it"
(AWS SDK for .NET, PutBucketPolicyRequest, docs.aws.amazon.com/sdkfornet/latest/apidocs/items/
TS3PutBucketPolicyRequestNET45.html, the API reference's own summary); PutPublicAccessBlock "Creates or modifies
the PublicAccessBlock configuration for an Amazon S3 bucket" and takes the whole configuration as one required
member (`PublicAccessBlockConfiguration`; likewise `OwnershipControls`, `VersioningConfiguration`,
`ServerSideEncryptionConfiguration` of PutBucketOwnershipControls, PutBucketVersioning, PutBucketEncryption: the
botocore 1.44.8 s3 service model's documentation and required members); PutBucketLifecycleConfiguration "Creates a
new lifecycle configuration for the bucket or replaces an existing lifecycle configuration" (same model). Two
Pulumi resources managing one of them on the same bucket overwrite each other in an order the program does not fix
(the engine runs independent resources in parallel), so the rules judge every one and the weakest wins (any block
leaving a flag off, any policy without the TLS Deny, any encryption configuration without a customer key, any
versioning not enabled), and `s3-setting-managed-once` reports the pair.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)
from pulumi_policy.proxy import UnknownValueError

from iamlang.wildcards import resource_matches
from policies.lib import (
    Pending,
    as_list,
    attached,
    get,
    is_customer_managed_key,
    parse_document,
    principal_is_public,
    publicly_allowed,
    report_on,
    resources_of,
    text,
    tolerant,
    truthy,
)
from policies.native import plain
from policies.spec import Category, Kind, PolicySpec

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
BUCKET_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
OWNERSHIP_CONTROLS = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
#: Objects carry their own ACL (`acl` canned, ObjectCopy also `grants`): one public object in a bucket that
#: still allows ACLs is public whatever the bucket's own ACL says (pulumi-aws 7.51.1 s3 BucketObject,
#: BucketObjectv2, ObjectCopy inputs).
OBJECT_TYPES = (
    "aws:s3/bucketObject:BucketObject",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/objectCopy:ObjectCopy",
)
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
TRAIL = "aws:cloudtrail/trail:Trail"
#: The types the stack rules join to a bucket through its `bucket` input (what a bucket's settings are made of).
COMPANIONS = (*PUBLIC_ACCESS_BLOCK, *BUCKET_POLICY, *VERSIONING, *SSE, *LIFECYCLE, *ACL, *LOGGING)

#: Canned ACLs that open a bucket to everyone or every AWS account (S3 canned ACL list).
PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
_PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
_LOG_NAME = re.compile(r"(^|[-_.])(logs?|audit|trail|access-logs?)([-_.]|$)", re.IGNORECASE)

S3_PRINCIPLES = ("P141", "P187")


def _bucket_name(bucket: PolicyResource) -> str:
    return text(get(bucket.props, "bucket")) or bucket.name


def is_log_bucket(args: StackValidationArgs, bucket: PolicyResource) -> bool:
    """A bucket that receives logs: a trail's or an access-log target, or named like one."""
    physical = _bucket_name(bucket)
    for trail in resources_of(args, TRAIL):
        if get(trail.props, "s3BucketName") == physical or any(
            d.urn == bucket.urn for d in trail.property_dependencies.get("s3BucketName", [])
        ):
            return True
    for logging in resources_of(args, *LOGGING):
        deps = logging.property_dependencies.get("targetBucket", [])
        if any(d.urn == bucket.urn for d in deps):
            return True
        try:
            target = get(logging.props, "targetBucket")
        except UnknownValueError:
            if deps:
                continue  # an unknown target comes from its dependencies, and none of them is this bucket
            raise
        if target == physical:
            return True
    return bool(_LOG_NAME.search(bucket.name) or _LOG_NAME.search(physical))


def _stack_policy(name: str, description: str, explanation: str, check: Any, **kw: Any) -> PolicySpec:
    return PolicySpec(
        name=name,
        description=description,
        explanation=explanation,
        principles=kw.pop("principles", S3_PRINCIPLES),
        severity=kw.pop("severity", Severity.HIGH),
        category=kw.pop("category", Category.SECURITY),
        kind=Kind.STACK,
        validate=check,
        resource_types=BUCKET_TYPES,
    )


# ------------------------------------------------------------------------------ public access block


#: The four Block Public Access settings, on a bucket's block and on the account's alike.
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _flag_off(blocks: list[PolicyResource], flag: str, pending: Pending) -> bool:
    """Whether some known block leaves `flag` off: the bucket keeps one block, and which of two stays is not
    fixed, so the weakest wins (review 6 F10). A block whose flag is unknown is judged by the others (noted in
    `pending`; `security-value-unknown` reports it outside a preview)."""
    values = [pending.read(functools.partial(get, b.props, flag), default=_UNKNOWN_FLAG) for b in blocks]
    return any(v is not _UNKNOWN_FLAG and not truthy(v) for v in values)


#: What `_flag_off` reads for an unknown flag (a value no block can hold).
_UNKNOWN_FLAG = object()


def _check_public_access_block(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Each flag is judged on its own: an unknown one no longer hides a known one left off (issue 11 §4)."""
    pending = Pending()

    def check(bucket: PolicyResource) -> None:
        blocks = attached(args, bucket, "bucket", *PUBLIC_ACCESS_BLOCK)
        if not blocks:
            report_on(report_violation, bucket, "no BucketPublicAccessBlock.")
            return
        missing = [f for f in BLOCK_FLAGS if _flag_off(blocks, f, pending)]
        if missing:
            report_on(report_violation, bucket, f"public access block leaves {', '.join(missing)} off.")

    tolerant(resources_of(args, *BUCKET_TYPES), check)
    pending.settle()


PUBLIC_ACCESS = _stack_policy(
    "s3-public-access-blocked",
    "Every S3 bucket has a public access block with all four settings on.",
    "Without it a later ACL or policy can make data public. Fix: add aws.s3.BucketPublicAccessBlock(bucket=b.id, "
    "block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True).",
    _check_public_access_block,
    principles=("P187", "P140"),
)


# --------------------------------------------------------------------------------------- ACL/policy


def _public_acl(props: Any) -> str:
    acl = text(get(props, "acl"))
    if acl in PUBLIC_CANNED_ACLS:
        return f"canned ACL {acl}"
    grants = as_list(get(props, "accessControlPolicy", "grants")) + as_list(get(props, "grants"))
    for grant in grants:
        uri = text(get(grant, "grantee", "uri")) or text(get(grant, "uri"))
        if uri in _PUBLIC_GRANTEES:
            return f"a grant to {uri.rsplit('/', 1)[-1]}"
    return ""


def _validate_no_public_acl(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    found = _public_acl(args.props)
    if found:
        owner = "object" if args.resource_type in OBJECT_TYPES else "bucket"
        report_violation(f"{args.name}: the {owner} ACL is public ({found}).", None)


NO_PUBLIC_ACL = PolicySpec(
    name="s3-no-public-acl",
    description="No S3 bucket or object ACL grants access to everyone or to all AWS accounts.",
    explanation=(
        "Public ACLs expose objects to the internet. Fix: drop the ACL (BucketOwnershipControls "
        "BucketOwnerEnforced disables ACLs) and grant access through IAM or a scoped bucket policy."
    ),
    principles=("P187", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_no_public_acl,
    resource_types=(*BUCKET_TYPES, *ACL, *OBJECT_TYPES),
)


def _validate_account_block(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Every flag must be true; an unset flag is off (pulumi-aws AccountPublicAccessBlock: each defaults to false)."""
    pending = Pending()

    def on(flag: str) -> bool:
        return bool(pending.read(lambda: truthy(get(args.props, flag)), True))  # an unknown flag is noted, not off

    off = [flag for flag in BLOCK_FLAGS if not on(flag)]
    if off:
        report_violation(
            f"{args.name}: account-level S3 Block Public Access leaves {', '.join(off)} off, for every bucket "
            "in the account.",
            None,
        )
    pending.settle()


ACCOUNT_PUBLIC_ACCESS = PolicySpec(
    name="s3-account-public-access-blocked",
    description="An account-level S3 Block Public Access setting has all four settings on.",
    explanation=(
        "The account's block is the backstop for every bucket in the account, including those this stack does not "
        "own: turning a flag off lets any bucket's ACL or policy make data public. Fix: "
        "aws.s3.AccountPublicAccessBlock(block_public_acls=True, block_public_policy=True, ignore_public_acls=True, "
        "restrict_public_buckets=True), or leave the account's setting to the organisation."
    ),
    principles=("P187", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_account_block,
    resource_types=(ACCOUNT_PUBLIC_ACCESS_BLOCK,),
)


def _validate_no_public_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    for statement in parse_document(pending.read(lambda: get(args.props, "policy")), pending):
        if publicly_allowed(statement):
            report_violation(
                f"{args.name}: the bucket policy allows Principal '*' without a condition naming the caller.", None
            )
    pending.settle()


NO_PUBLIC_POLICY = PolicySpec(
    name="s3-no-public-policy",
    description="No S3 bucket policy allows the '*' principal unless a condition names the caller.",
    explanation=(
        "An Allow for Principal '*' publishes the bucket; a condition on the request (Bool aws:SecureTransport) "
        "or a negated, IfExists, Null or '*' condition leaves it public. Fix: name the principals (roles, services "
        "with aws:SourceArn), narrow with StringEquals on aws:SourceArn/aws:PrincipalOrgID, or use a Deny."
    ),
    principles=("P187", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_no_public_policy,
    resource_types=(*BUCKET_TYPES, *BUCKET_POLICY),
)


# ------------------------------------------------------------------------------------------ TLS-only


#: A probe object key: a Deny covers the bucket's objects when its Resource matches `<bucket ARN>/<key>`.
_PROBE_KEY = "any/object-key"


def _insecure_transport_condition(condition: Any) -> bool:
    """`Bool` (or `BoolIfExists`) `aws:SecureTransport` = false; the value may be a list ("false" or False)."""
    for operator, values in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if str(key).lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in as_list(value)):
                return True
    return False


def _denies_insecure_transport(document: Any, bucket_arn: str, pending: Pending) -> bool:
    """A Deny of every S3 action (`s3:*` or `*`) for everyone on the bucket and its objects without TLS.

    A narrower Deny (only s3:GetObject, only the objects, a named principal) still lets the rest of the
    requests travel in clear text (S3 User Guide, "Enforce encryption of data in transit").
    """
    for statement in parse_document(document, pending):
        if statement.effect != "Deny" or not principal_is_public(statement.principal) or statement.not_actions:
            continue
        if not any(a.strip().lower() in ("*", "s3:*") for a in statement.actions):
            continue  # a Deny of some actions leaves the others open to clear-text requests
        if statement.not_resources or not _insecure_transport_condition(statement.condition):
            continue
        covers_bucket = any(resource_matches(r, bucket_arn) for r in statement.resources)
        covers_objects = any(resource_matches(r, f"{bucket_arn}/{_PROBE_KEY}") for r in statement.resources)
        if covers_bucket and covers_objects:
            return True
    return False


def _bucket_arn(bucket: PolicyResource) -> str:
    return text(get(bucket.props, "arn")) or f"arn:aws:s3:::{_bucket_name(bucket)}"


def _check_tls_only(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(bucket: PolicyResource) -> None:
        pending = Pending()
        documents = [
            pending.read(functools.partial(get, p.props, "policy"))
            for p in attached(args, bucket, "bucket", *BUCKET_POLICY)
        ]
        documents.append(pending.read(lambda: get(bucket.props, "policy")))
        arn = _bucket_arn(bucket)
        denies = [_denies_insecure_transport(d, arn, pending) for d in documents if d]
        # Every known policy must deny: the bucket keeps one, and which of two stays is not fixed (review 6 F10).
        if not denies or not all(denies):
            report_on(
                report_violation,
                bucket,
                "no bucket policy denies every S3 action on the bucket and its objects to everyone without TLS "
                "(aws:SecureTransport false)."
                if not any(denies)
                else "one of its bucket policies does not deny every S3 action to everyone without TLS "
                "(aws:SecureTransport false), and the bucket keeps only one of them.",
            )
        pending.settle()

    tolerant(resources_of(args, *BUCKET_TYPES), check)


TLS_ONLY = _stack_policy(
    "s3-tls-only",
    "Every S3 bucket's policy denies requests that do not use TLS.",
    "Data must be encrypted in transit. Fix: add a BucketPolicy statement {Effect: Deny, Principal: '*', "
    "Action: 's3:*', Resource: [bucket ARN, bucket ARN/*], Condition: {Bool: {aws:SecureTransport: 'false'}}}.",
    _check_tls_only,
)


# ------------------------------------------------------------------------------------- encryption


def _sse_uses_cmk(props: Any) -> bool:
    rules = as_list(get(props, "rules")) + as_list(get(props, "rule"))
    for rule in rules:
        default = get(rule, "applyServerSideEncryptionByDefault") or {}
        if text(get(default, "sseAlgorithm")).startswith("aws:kms") and is_customer_managed_key(
            get(default, "kmsMasterKeyId")
        ):
            return True
    return False


def _check_bucket_kms(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(bucket: PolicyResource) -> None:
        configs = [c.props for c in attached(args, bucket, "bucket", *SSE)]
        inline = get(bucket.props, "serverSideEncryptionConfiguration")
        if inline:
            configs.append({"rules": as_list(get(inline, "rule")) + as_list(get(inline, "rules"))})
        # Every configuration must use a customer key: the bucket keeps one of them (review 6 F10).
        if not configs or not all(_sse_uses_cmk(c) for c in configs):
            report_on(report_violation, bucket, "default encryption is not SSE-KMS with a customer-managed key.")

    tolerant(resources_of(args, *BUCKET_TYPES), check)


BUCKET_KMS = _stack_policy(
    "s3-bucket-kms-encryption",
    "Every S3 bucket encrypts by default with SSE-KMS and a customer-managed key.",
    "S3 encrypts with S3-managed keys by default, which leaves key access outside the platform's key policy. "
    "Fix: add BucketServerSideEncryptionConfiguration(bucket=b.id, rules=[{apply_server_side_encryption_by_default: "
    "{sse_algorithm: 'aws:kms', kms_master_key_id: key.arn}, bucket_key_enabled: True}]).",
    _check_bucket_kms,
)


# -------------------------------------------------------------------------------------- versioning


def _check_versioning(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(bucket: PolicyResource) -> None:
        if is_log_bucket(args, bucket):
            return  # log buckets are governed by lifecycle rules instead (log-bucket-lifecycle)
        enabled = [
            text(get(v.props, "versioningConfiguration", "status")) == "Enabled"
            for v in attached(args, bucket, "bucket", *VERSIONING)
        ]
        if get(bucket.props, "versioning") is not None:
            enabled.append(truthy(get(bucket.props, "versioning", "enabled")))
        # Every configuration must enable it: the bucket keeps one of them (review 6 F10).
        if enabled and all(enabled):
            return
        report_on(report_violation, bucket, "versioning is not enabled on this data bucket.")

    tolerant(resources_of(args, *BUCKET_TYPES), check)


VERSIONING_POLICY = _stack_policy(
    "s3-data-bucket-versioning",
    "Every S3 data bucket (not a log bucket) has versioning enabled.",
    "Versioning lets overwritten or deleted generated content and documents be recovered. Fix: add "
    "aws.s3.BucketVersioning(bucket=b.id, versioning_configuration={'status': 'Enabled'}) with a lifecycle rule "
    "expiring noncurrent versions to bound the cost.",
    _check_versioning,
    principles=("P187",),
    severity=Severity.MEDIUM,
    category=Category.RELIABILITY,
)

# ------------------------------------------------------------------------------ one setting, one resource


#: The settings AWS keeps one of per bucket (see the module's docstring): the companion types that manage each, and
#: the bucket's own inline inputs that manage it too (pulumi-aws 7.51.1 Bucket and BucketV2 inputs; an aws-native
#: bucket's inline configurations are its companion views, policies.native `_bucket`).
ONE_PER_BUCKET: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("public access block", PUBLIC_ACCESS_BLOCK, ()),
    ("bucket policy", BUCKET_POLICY, ("policy",)),
    ("versioning configuration", VERSIONING, ("versioning",)),
    ("default encryption", SSE, ("serverSideEncryptionConfiguration",)),
    ("ACL", ACL, ("acl", "grants")),
    ("ownership controls", OWNERSHIP_CONTROLS, ()),
    ("lifecycle configuration", LIFECYCLE, ("lifecycleRules",)),
    ("logging configuration", LOGGING, ("logging", "loggings")),
)


def _set_inline(props: Any, keys: tuple[str, ...]) -> list[str]:
    """The inline inputs of `keys` a bucket's `props` (`plain(bucket.props)`) set (an unknown value is set too:
    only presence matters here, so the values are read without the unknown-checking proxy, policies.native.plain)."""
    if not isinstance(props, dict):
        return []
    return [key for key in keys if props.get(key) not in (None, [], {})]


def _check_managed_once(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(bucket: PolicyResource) -> None:
        # The bucket's inline inputs copied once per bucket, not once per setting (bench/SPEED.md).
        props = plain(bucket.props)
        for setting, types, inline in ONE_PER_BUCKET:
            managers = [
                f"{c.name} ({c.resource_type.rsplit(':', 1)[-1]})" for c in attached(args, bucket, "bucket", *types)
            ]
            managers += [f"{bucket.name} (inline {key})" for key in _set_inline(props, inline)]
            if len(managers) > 1:
                report_on(
                    report_violation,
                    bucket,
                    f"its {setting} is managed by {len(managers)} resources ({', '.join(managers)}); AWS keeps one "
                    "per bucket, so they overwrite each other in an order the program does not fix.",
                )

    tolerant(resources_of(args, *BUCKET_TYPES), check)


MANAGED_ONCE = _stack_policy(
    "s3-setting-managed-once",
    "Each one-per-bucket S3 setting (public access block, policy, versioning, encryption, ACL, ownership controls, "
    "lifecycle, logging) is managed by one resource.",
    "AWS keeps one of each per bucket and every Put replaces it, so two resources for one setting leave whichever "
    "the engine applied last: a second all-false public access block or a public policy can undo the first. Fix: "
    "keep one resource per setting (merge the statements of two bucket policies into one document).",
    _check_managed_once,
    principles=("P187", "P140"),
)

# ------------------------------------------------------------------------- lifecycle rule ordering


def _days(values: Any, key: str) -> list[int]:
    found = []
    for item in as_list(values):
        value = get(item, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append(int(value))
    return found


def _dates(values: Any, key: str) -> list[datetime.date]:
    """ISO 8601 dates (S3: "The time is always midnight UTC", botocore s3 LifecycleExpiration/Transition Date)."""
    found = []
    for item in as_list(values):
        value = get(item, key)
        if isinstance(value, str):
            try:
                found.append(datetime.date.fromisoformat(value[:10]))
            except ValueError:
                continue
    return found


#: Where a rule keeps each action, per resource type (pulumi-aws 7.51.1 s3/_inputs.py): the lifecycle
#: configuration resources (and the aws-native bucket's view, policies/native.py) and the legacy inline
#: `aws.s3.Bucket(lifecycle_rules=...)` have a single `expiration` / `noncurrentVersionExpiration`, BucketV2's
#: inline rules lists (`expirations`, `noncurrentVersionExpirations`); inline noncurrent actions count in `days`.
_EXPIRATION_KEYS = ("expiration", "expirations")
_NONCURRENT_EXPIRATION_KEYS = ("noncurrentVersionExpiration", "noncurrentVersionExpirations")


def _all(rule: Any, keys: tuple[str, ...]) -> list[Any]:
    return [item for key in keys for item in as_list(get(rule, key))]


def _lifecycle_order_problems(rule: Any) -> list[str]:
    """What S3 rejects in one rule: an expiration not after each transition, by days or by date, or both units.

    AWS::S3::Bucket Rule (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
    aws-properties-s3-bucket-rule.html, ExpirationDate and ExpirationInDays): "If you specify an expiration and
    transition time, you must use the same time unit for both properties (either in days or by date). The
    expiration time must also be later than the transition time."
    """
    problems = []
    expirations = _all(rule, _EXPIRATION_KEYS)
    transitions = as_list(get(rule, "transitions"))
    noncurrent = _all(rule, _NONCURRENT_EXPIRATION_KEYS)
    noncurrent_transitions = as_list(get(rule, "noncurrentVersionTransitions"))
    # (expirations, transitions, what, unit): day counts with day counts, dates with dates.
    pairs: tuple[tuple[list[Any], list[Any], str, str], ...] = (
        (_days(expirations, "days"), _days(transitions, "days"), "expiration", "day"),
        (
            _days(noncurrent, "noncurrentDays") + _days(noncurrent, "days"),
            _days(noncurrent_transitions, "noncurrentDays") + _days(noncurrent_transitions, "days"),
            "noncurrent version expiration",
            "day",
        ),
        (_dates(expirations, "date"), _dates(transitions, "date"), "expiration", "date"),
    )
    for expire_at, transition_at, what, unit in pairs:
        for expire in expire_at:
            late = [t for t in transition_at if t >= expire]
            if late:
                problems.append(f"{what} at {unit} {expire} is not after the transition at {unit} {max(late)}")
    by_days = bool(_days(expirations, "days")) or bool(_days(transitions, "days"))
    by_date = bool(_dates(expirations, "date")) or bool(_dates(transitions, "date"))
    if expirations and transitions and by_days and by_date:
        problems.append("expiration and transitions mix days and dates (S3 wants one unit for both)")
    return problems


def _validate_lifecycle_order(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    # The lifecycle configuration resources' `rules`; a bucket's inline `lifecycleRules` (Bucket, BucketV2).
    for rule in as_list(get(args.props, "rules")) + as_list(get(args.props, "lifecycleRules")):
        rule_id = text(get(rule, "id")) or "?"
        for problem in _lifecycle_order_problems(rule):
            report_violation(f"{args.name}: lifecycle rule '{rule_id}': {problem}.", None)


LIFECYCLE_ORDER = PolicySpec(
    name="s3-lifecycle-expiration-after-transitions",
    description="An S3 lifecycle rule expires objects only after every transition of the same rule.",
    explanation=(
        "S3 rejects a lifecycle configuration whose Expiration (or NoncurrentVersionExpiration) is not later "
        "than each Transition of the same rule, in days or by date, or that mixes days and dates between them: "
        "PutBucketLifecycleConfiguration fails and the deployment with it (https://docs.aws.amazon.com/AmazonS3/"
        "latest/userguide/lifecycle-transition-general-considerations.html; AWS::S3::Bucket Rule, "
        "ExpirationDate). Judged on the lifecycle configuration resources, a bucket's inline lifecycle rules "
        "and the aws-native bucket's LifecycleConfiguration. Fix: expire later than the last transition, in "
        "the same unit, or drop the transitions a short-lived bucket does not need."
    ),
    principles=("P146",),
    severity=Severity.HIGH,
    category=Category.RELIABILITY,
    kind=Kind.RESOURCE,
    validate=_validate_lifecycle_order,
    resource_types=(*LIFECYCLE, *BUCKET_TYPES),
)

POLICIES: list[PolicySpec] = [
    PUBLIC_ACCESS,
    ACCOUNT_PUBLIC_ACCESS,
    NO_PUBLIC_ACL,
    NO_PUBLIC_POLICY,
    TLS_ONLY,
    BUCKET_KMS,
    VERSIONING_POLICY,
    MANAGED_ONCE,
    LIFECYCLE_ORDER,
]
