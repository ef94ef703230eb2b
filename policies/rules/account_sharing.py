"""Account-wide public-sharing blocks for AMIs, EBS snapshots and SSM documents stay on (P187, P140).

Each is the backstop for every image, snapshot or document in the account and Region, including those this stack
does not own, as S3's account-level Block Public Access is for buckets (`s3-account-public-access-blocked`). A
program that turns one off lets any later share make the data public (review s11 3 #6); the pack already judges the
shares themselves (`resource-policy-not-public`, policies.rules.resource_policies SHARE_INPUTS). What each setting
means, from AWS's own data:

- `aws.ec2.ImageBlockPublicAccess` `state` (pulumi-aws 7.51.1: "Valid values: `unblocked` and
  `block-new-sharing`"): botocore ec2 2016-11-15 EnableImageBlockPublicAccess, whose only state is
  `block-new-sharing`, "prevents the public sharing of your AMIs".
- `aws.ebs.SnapshotBlockPublicAccess` `state`: botocore ec2 EnableSnapshotBlockPublicAccess `State` is
  `block-all-sharing` ("snapshots that are already publicly shared are treated as private"), `block-new-sharing`
  ("Prevents only new public sharing": the snapshots already public stay public) or `unblocked`. Only
  block-all-sharing is the backstop, as `ignore_public_acls` is for S3.
- `aws.ssm.ServiceSetting` with `setting_id` `/ssm/documents/console/public-sharing-permission` (or its
  `arn:aws:ssm:<region>:<account>:servicesetting/...` form): botocore ssm UpdateServiceSetting, "enter Enable or
  Disable". Any other service setting is not this rule's.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import Pending, get, text
from policies.spec import Category, Kind, PolicySpec

IMAGE_BLOCK = "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess"
SNAPSHOT_BLOCK = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
SERVICE_SETTING = "aws:ssm/serviceSetting:ServiceSetting"
#: The SSM service setting that allows documents to be shared publicly (botocore ssm UpdateServiceSetting).
PUBLIC_SHARING_SETTING = "/ssm/documents/console/public-sharing-permission"
#: type -> (input, the value that blocks public sharing, what the resource governs)
BLOCKING: dict[str, tuple[str, str, str]] = {
    IMAGE_BLOCK: ("state", "block-new-sharing", "AMIs"),
    SNAPSHOT_BLOCK: ("state", "block-all-sharing", "EBS snapshots"),
    SERVICE_SETTING: ("settingValue", "Disable", "SSM documents"),
}


def _is_public_sharing_setting(setting_id: str) -> bool:
    """The setting id as a path or inside its ARN (`...:servicesetting/ssm/documents/...`)."""
    return setting_id == PUBLIC_SHARING_SETTING or setting_id.endswith(f":servicesetting{PUBLIC_SHARING_SETTING}")


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    key, blocking, what = BLOCKING[args.resource_type]
    if args.resource_type == SERVICE_SETTING:
        setting = pending.read(lambda: text(get(args.props, "settingId")), "")
        if not _is_public_sharing_setting(setting):
            pending.settle()
            return
    value = pending.read(lambda: text(get(args.props, key)), None)
    if value is not None and value.lower() != blocking.lower():
        report_violation(
            f"{args.name}: {key} is '{value or '(unset)'}', not '{blocking}', so {what} in this account and Region "
            "may be shared publicly, or stay public.",
            None,
        )
    pending.settle()


ACCOUNT_PUBLIC_SHARING = PolicySpec(
    name="account-public-sharing-blocked",
    description="The account's block on public sharing of AMIs, EBS snapshots and SSM documents is not turned off.",
    explanation=(
        "Each account-wide block is the backstop for every image, snapshot or document in the account and Region, "
        "including those this stack does not own: unblocked, any later share makes them public. Fix: "
        "aws.ec2.ImageBlockPublicAccess(state='block-new-sharing'), "
        "aws.ebs.SnapshotBlockPublicAccess(state='block-all-sharing'), the SSM service setting "
        "/ssm/documents/console/public-sharing-permission set to 'Disable', or leave the settings to the "
        "organisation."
    ),
    principles=("P187", "P140"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=tuple(BLOCKING),
)

POLICIES = [ACCOUNT_PUBLIC_SHARING]
