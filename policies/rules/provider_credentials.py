"""No AWS provider is given a hard-coded access key (issue 11 §5; P140, P186, P135).

Why: an `aws.Provider(access_key="AKIA...", secret_key="...")` (or the stack's plain `aws:accessKey`/`aws:secretKey`,
which configure the default provider) puts a long-term key of an IAM user in the repository and in every copy of
it; AWS's guidance is temporary credentials from a role ("Access key IDs beginning with AKIA are long-term access
keys", IAM User Guide, security-creds-programmatic-access.html; Well-Architected SEC02-BP02 "Use temporary
credentials": "Developers embedding long-term access keys in their code" is its anti-pattern). checkov's
CKV_AWS_41 judges the same on the exported plan's provider blocks (preflight/tfplan/convert.py); this rule judges
it under the Pulumi CLI too, where no plan is exported.

What counts: a provider's `accessKey` shaped as an access key id (`AKIA`/`ASIA` and 16 more characters:
policies.secret_values, the one place that decides key shapes), or a `secretKey` shaped as a secret access key
(40 characters of `A-Za-z0-9/+=`, the shape CKV_AWS_41 matches: checkov/common/models/consts.py
`secret_key_pattern`), and either one given as a Pulumi secret. Under the Pulumi CLI the pack receives a secret's
plaintext (KeepSecrets), so a key kept in `secure:` config has a key's shape there and is reported; offline the
same secret is a placeholder (policies.secret_values.OFFLINE_SECRET_VALUES), and reporting it too keeps the offline
verdict the one `pulumi preview --policy-pack` gives. A secret keeps the key out of the repository but it is still a
long-term user key: use a role (`assume_role`, a profile, the CI's OIDC role) instead of any access key.

A key file committed with the program is the same key in the repository (review4 s11 #9): a provider whose
`sharedCredentialsFiles` or `sharedConfigFiles` (pulumi-aws; aws-native's single `sharedCredentialsFile`) names a
path inside the program's directory is a finding. Inside means relative and not climbing out (`./credentials`,
`.aws/credentials`): the provider resolves a relative path from the working directory `pulumi up` runs in, the
program's. A home path (`~/.aws/credentials`, the SDKs' default), an absolute path, an environment variable and a
profile name name a file on the deployer's machine, not in the repository, and pass.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.lib import Pending, get, report_on, text, tolerant
from policies.regions import REGIONAL_PROVIDERS
from policies.secret_values import OFFLINE_SECRET_VALUES, aws_credential_shape
from policies.spec import Category, Kind, PolicySpec

#: The provider inputs that carry static credentials (pulumi_aws 7.51.1 and pulumi_aws_native 1.84.0 provider.py
#: `access_key`, `secret_key`; both SDKs wrap them in `Output.secret`).
CREDENTIAL_INPUTS = ("accessKey", "secretKey")
#: The provider inputs that name credential or config files: pulumi_aws 7.51.1 provider.py `shared_config_files`,
#: `shared_credentials_files` ("List of paths to shared credentials files. If not set, defaults to
#: [~/.aws/credentials]"), pulumi_aws_native 1.84.0 provider.py `shared_credentials_file` (one path).
FILE_INPUTS = ("sharedCredentialsFiles", "sharedConfigFiles", "sharedCredentialsFile")
#: A path the deploying machine resolves, not the repository: a home (`~`), a variable (`$HOME`, `%USERPROFILE%`).
_MACHINE_PATH = re.compile(r"^(~|\$|%)")


def _paths(value: Any) -> Iterator[str]:
    """The paths an input holds: a list (a program's input), or the JSON list stack config passes as text
    (`aws:sharedCredentialsFiles: ["./credentials"]` reaches the default provider as a string), or one path."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    items = value if isinstance(value, list | tuple) else [value]
    yield from (item for item in items if isinstance(item, str) and item.strip())


def in_program(path: str) -> bool:
    """Whether a path names a file inside the program's directory: relative, and not climbing out of it."""
    path = path.strip()
    if _MACHINE_PATH.match(path) or PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        return False
    if PureWindowsPath(path).drive:
        return False
    depth = 0
    for part in PureWindowsPath(path).parts:  # splits on `/` and `\\` alike
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return False
    return True


def _committed_files(resource: PolicyResource) -> list[str]:
    """The provider's credential and config files that lie inside the program's directory, as written."""
    return [path for key in FILE_INPUTS for path in _paths(get(resource.props, key)) if in_program(path)]


def _check(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(resource: PolicyResource) -> None:
        if resource.resource_type not in REGIONAL_PROVIDERS:
            return
        values = {key: text(get(resource.props, key)) for key in CREDENTIAL_INPUTS}
        found = [key for key, value in values.items() if aws_credential_shape(key, value)]
        secret = [key for key, value in values.items() if value in OFFLINE_SECRET_VALUES]
        if found:
            report_on(
                report_violation,
                resource,
                f"the AWS provider is given a hard-coded {' and '.join(found)} (a long-term access key in the "
                "program or its plain config).",
            )
        elif secret:
            report_on(
                report_violation,
                resource,
                f"the AWS provider is given a static {' and '.join(secret)} from a secret (a long-term access key: "
                "under `pulumi preview --policy-pack` the pack sees its plaintext and reports it as hard-coded).",
            )
        if files := _committed_files(resource):
            report_on(
                report_violation,
                resource,
                f"the AWS provider reads credentials from {', '.join(files)}, a file inside the program's directory "
                "(a key file committed with the program).",
            )

    tolerant(args.resources, check)


NO_HARD_CODED_CREDENTIALS = PolicySpec(
    name="provider-no-hard-coded-credentials",
    description="No AWS provider is given a hard-coded access key or secret key, or a key file in the program.",
    explanation=(
        "A key written in the program or in plain stack config is a long-term IAM user key in the repository: "
        "anyone who reads it deploys as that user, until the key is rotated. Fix: drop access_key/secret_key and "
        "let the provider use a role (assume_role, a named profile, the CI job's OIDC role); where a key cannot be "
        "avoided, keep it in a secret (`pulumi config set --secret`) and suppress this finding with the reason and an "
        "expiry: a secret keeps the key out of the repository, not out of the deployer's hands. A credentials or "
        "config file inside the program's directory is the same key committed: drop shared_credentials_files/"
        "shared_config_files (or point them at ~/.aws) and delete the file from the repository and its history."
    ),
    principles=("P140", "P186", "P135"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_check,
)

ACCESS_KEY = "aws:iam/accessKey:AccessKey"


def _access_key(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """An active access key of an IAM user is the long-term key the rule above keeps out of providers, made by the
    program itself: whoever receives its secret (a stack output, a CI variable) holds it until it is rotated.
    pulumi-aws 7.51.1 `aws.iam.AccessKey` `status`: "Defaults to `Active`. Valid values are `Active` and
    `Inactive`"; an inactive key cannot sign requests (IAM User Guide, id_credentials_access-keys.html)."""
    pending = Pending()
    status = pending.read(lambda: text(get(args.props, "status")), None)
    if status is not None and status.lower() != "inactive":
        report_violation(f"{args.name}: creates an active long-term access key for an IAM user.", None)
    pending.settle()


NO_USER_ACCESS_KEYS = PolicySpec(
    name="iam-no-user-access-keys",
    description="The program creates no active access key for an IAM user.",
    explanation=(
        "An IAM user's access key is a long-term credential: it works from anywhere until someone rotates or "
        "deletes it, and its secret lands in the stack's state and wherever the program exports it. AWS's "
        "guidance is temporary credentials from a role (Well-Architected SEC02-BP02). Fix: let the workload assume "
        "a role (an instance profile, a task role, IRSA, GitHub OIDC, IAM Roles Anywhere) instead of creating "
        "aws.iam.AccessKey; where an external system can only take a key, suppress this finding with the reason "
        "and an expiry, and rotate it."
    ),
    principles=("P135", "P140", "P186"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_access_key,
    resource_types=(ACCESS_KEY,),
)

POLICIES = [NO_HARD_CODED_CREDENTIALS, NO_USER_ACCESS_KEYS]
