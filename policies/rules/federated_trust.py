"""Web-identity and SAML trust: a role trusting an identity provider names whose tokens it accepts (P140, P137).

A `Federated` principal trusts every token the provider issues, to anyone: every workflow of every GitHub
repository (`token.actions.githubusercontent.com`), every identity pool of every account
(`cognito-identity.amazonaws.com`), every application of an OIDC or SAML provider. The trust policy must
therefore restrict the token's claims with a positive condition whose values narrow
(iamlang.conditions.value_narrows, the one definition every rule uses):

- GitHub Actions: `token.actions.githubusercontent.com:aud` and `...:sub` naming a repository, with
  StringEquals/StringLike and no wildcard in the owner or the repository name (`repo:octo-org/octo-repo:*`,
  not `repo:*`, `repo:octo-org/*`). Sources: IAM User Guide, "Create a role for OpenID Connect federation"
  and "Configuring a role for GitHub OIDC identity provider"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub);
  GitHub, "Configuring OpenID Connect in Amazon Web Services" ("you must define at least one condition, so that
  untrusted repositories can't request access tokens"),
  https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws.
- Amazon Cognito identity pools: `cognito-identity.amazonaws.com:aud` (the pool id) and `...:amr`
  (authenticated/unauthenticated). Source: Amazon Cognito Developer Guide, "Role trust and permissions" and
  "Security best practices for identity pools" (STS requires both for cross-account basic authentication),
  https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html.
- Any other OIDC provider: `<provider>:aud` (`:app_id` for Login with Amazon and Facebook, whose tokens
  carry the application there); a SAML provider: `SAML:aud`. Source: IAM User Guide, "Available keys for
  AWS web identity federation" and "Available keys for SAML-based federation"
  (reference_policies_iam-condition-keys.html#condition-keys-wif, #condition-keys-saml).
"""

from __future__ import annotations

import re

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from iamlang import conditions
from iamlang.principals import federated
from policies.lib import ROLE_TYPE, Pending, Statement, get, parse_document
from policies.spec import Category, Kind, PolicySpec

GITHUB_HOST = "token.actions.githubusercontent.com"
COGNITO_HOST = "cognito-identity.amazonaws.com"
#: Providers whose web-identity tokens name the application in `app_id` rather than `aud` (IAM User Guide,
#: "Available keys for AWS web identity federation": `graph.facebook.com:app_id`, `www.amazon.com:app_id`).
_APP_ID_PROVIDERS = ("graph.facebook.com", "www.amazon.com")
_SUBJECT_OPERATORS = ("stringequals", "stringlike")
_OIDC_ARN = re.compile(r"^arn:aws[\w-]*:iam::[^:]*:oidc-provider/(.+)$")
_SAML_ARN = re.compile(r"^arn:aws[\w-]*:iam::[^:]*:saml-provider/")


def _host(provider: str) -> str:
    """The issuer a Federated value names: the URL of an OIDC provider ARN, or the value itself."""
    match = _OIDC_ARN.match(provider)
    return match.group(1) if match else provider


def _pins_repository(value: str, like: bool) -> bool:
    """A GitHub `sub` value naming one repository: `repo:<owner>/<repo>[:...]` with no wildcard in the owner
    and a repository name that is not only wildcards (GitHub, "Example subject claims")."""
    if not like:
        return bool(value.strip())
    if not value.startswith("repo:"):
        return bool(value) and value[0] not in "*?"  # e.g. a customised template: a literal claim prefix
    owner, _, repository = value.removeprefix("repo:").split(":", 1)[0].partition("/")
    return bool(owner) and not set("*?") & set(owner) and bool(repository) and not set(repository) <= set("*?")


def _subject_narrows(statement: Statement, key: str) -> bool:
    """Whether `key` (`<github host>:sub`) is tested with StringEquals/StringLike on repository-pinning values."""
    for operator, tested, value in conditions.positive_tests(statement.condition):
        if tested != key or operator not in _SUBJECT_OPERATORS or not conditions.value_narrows(operator, key, value):
            continue
        values = value if isinstance(value, list) else [value]
        if all(not isinstance(v, str) or _pins_repository(v, operator == "stringlike") for v in values):
            return True
    return False


def _missing(statement: Statement, provider: str) -> list[str]:
    """The claim conditions this provider's tokens need and the statement lacks."""
    if _SAML_ARN.match(provider):
        return [] if conditions.restricts(statement.condition, "SAML:aud") else ["SAML:aud"]
    host = _host(provider).lower()
    if host.startswith(GITHUB_HOST):
        missing = [] if conditions.restricts(statement.condition, f"{host}:aud") else [f"{host}:aud"]
        if not _subject_narrows(statement, f"{host}:sub"):
            missing.append(f"{host}:sub naming a repository (repo:<owner>/<repo>:...)")
        return missing
    if host.startswith("cognito-identity."):
        return [k for k in (f"{host}:aud", f"{host}:amr") if not conditions.restricts(statement.condition, k)]
    claim = "app_id" if host in _APP_ID_PROVIDERS else "aud"
    return [] if conditions.restricts(statement.condition, f"{host}:{claim}") else [f"{host}:{claim}"]


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    for statement in parse_document(pending.read(lambda: get(args.props, "assumeRolePolicy")), pending):
        if not statement.allows:
            continue
        for provider in federated(statement.principal):
            missing = _missing(statement, provider)
            if missing:
                report_violation(
                    f"{args.name}: the trust policy accepts every token of {provider} without a condition on "
                    f"{', '.join(missing)}.",
                    None,
                )
    pending.settle()


FEDERATED_TRUST_CONDITIONED = PolicySpec(
    name="iam-federated-trust-conditioned",
    description="Roles trusting an OIDC, SAML or Cognito identity provider restrict the token's audience and subject.",
    explanation=(
        "A Federated principal trusts every token its provider issues: without a `:sub` condition any GitHub "
        "repository's workflow can assume a role trusting token.actions.githubusercontent.com, without "
        "`cognito-identity.amazonaws.com:aud` any identity pool of any account. Fix: add StringEquals on "
        "`<provider>:aud` (sts.amazonaws.com, the identity pool id, the SAML audience) and, for GitHub, "
        "StringEquals/StringLike on `token.actions.githubusercontent.com:sub` = repo:<owner>/<repo>:<ref or "
        "environment>; for Cognito also ForAnyValue:StringLike on `cognito-identity.amazonaws.com:amr`."
    ),
    principles=("P140", "P137"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=(ROLE_TYPE,),
)

POLICIES: list[PolicySpec] = [FEDERATED_TRUST_CONDITIONED]
