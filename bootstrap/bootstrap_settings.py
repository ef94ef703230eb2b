"""The bootstrap's settings: one typed model, read from stack config and validated once.

Everything the program needs comes from `agentic-bootstrap:settings` in `Pulumi.<stack>.yaml`;
a bad value stops the program with one line naming the field, before any resource is declared.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

#: The issuer of GitHub Actions OIDC tokens, and the audience aws-actions/configure-aws-credentials asks for.
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"

#: Names that end up in IAM subjects and ARNs: letters, digits and `-`, `_`, `.` only, so no value can
#: smuggle a `*` or `:` into a trust condition.
_GITHUB_OWNER = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$"
_GITHUB_REPOSITORY = r"^[A-Za-z0-9._-]{1,100}$"
_STACK = r"^[a-z][a-z0-9-]{0,19}$"
_GITHUB_ENVIRONMENT = r"^[A-Za-z0-9._-]{1,255}$"
_PREFIX = r"^[a-z][a-z0-9-]{1,19}$"
_BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class GitHubRepository(_Model):
    """The repository whose workflows may assume the roles."""

    owner: Annotated[str, Field(pattern=_GITHUB_OWNER)]
    repository: Annotated[str, Field(pattern=_GITHUB_REPOSITORY)]

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.repository}"


class Environment(_Model):
    """One platform stack, the GitHub environment whose deploy job may deploy it, and the one whose
    pull-request preview job may assume its preview role (default `preview-<stack>`; give prod's
    required reviewers: a pull request's code then reaches prod's secrets key only once reviewed)."""

    stack: Annotated[str, Field(pattern=_STACK)]
    github_environment: Annotated[str, Field(pattern=_GITHUB_ENVIRONMENT)]
    preview_github_environment: Annotated[str | None, Field(pattern=_GITHUB_ENVIRONMENT)] = None
    #: The GitHub environment whose model-release job may sign and upload this stack's fleet models (P081);
    #: unset: the stack gets no release role (bootstrap/model_release_role.py).
    model_release_github_environment: Annotated[str | None, Field(pattern=_GITHUB_ENVIRONMENT)] = None

    @property
    def preview_environment(self) -> str:
        return self.preview_github_environment or f"preview-{self.stack}"


class BootstrapSettings(_Model):
    """All bootstrap settings.

    Examples
    --------
    >>> s = BootstrapSettings.model_validate(
    ...     {"github": {"owner": "o", "repository": "r"},
    ...      "environments": [{"stack": "dev", "githubEnvironment": "dev"}]}
    ... )
    >>> s.prefix
    'agentic-platform'
    """

    #: The platform's physical names start with `<prefix>-`; the deploy roles may manage only those.
    #: Default: the platform's `application` setting (components/settings.py), which names are built from.
    prefix: Annotated[str, Field(pattern=_PREFIX)] = "agentic-platform"
    github: GitHubRepository
    environments: Annotated[tuple[Environment, ...], Field(min_length=1)]
    #: An existing bucket for S3 server access logs (a central logging account's, say); when unset the
    #: bootstrap creates one.
    access_log_bucket: Annotated[str | None, Field(pattern=_BUCKET)] = None
    #: The account's GitHub OIDC provider when it already exists (IAM allows one per issuer URL).
    existing_oidc_provider_arn: Annotated[str | None, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/")] = (
        None
    )
    #: Days noncurrent state versions are kept (the roll-back window for a corrupted state file).
    state_version_retention_days: Annotated[int, Field(ge=30, le=3650)] = 365
    #: Days server access logs are kept.
    access_log_retention_days: Annotated[int, Field(ge=30, le=3650)] = 365
    #: Values of the platform's required tags on every bootstrap resource (P167 cost allocation).
    team: Annotated[str, Field(min_length=1, max_length=64)] = "platform"
    cost_center: Annotated[str, Field(min_length=1, max_length=64)] = "unassigned"

    def default_tags(self) -> dict[str, str]:
        """The same required tag keys as the platform stacks (components/settings.py), for the shared stack."""
        return {
            "environment": "shared",
            "application": self.prefix,
            "team": self.team,
            "cost-center": self.cost_center,
            "data-classification": "confidential",  # it holds every stack's state
        }

    @field_validator("environments")
    @classmethod
    def _unique_stacks(cls, value: tuple[Environment, ...]) -> tuple[Environment, ...]:
        stacks = [env.stack for env in value]
        if len(set(stacks)) != len(stacks):
            raise ValueError(f"stack names must be unique, got {stacks}")
        return value

    @model_validator(mode="after")
    def _unique_github_environments(self) -> BootstrapSettings:
        names = [env.github_environment for env in self.environments]
        names += [env.preview_environment for env in self.environments]
        if len(set(names)) != len(names):
            raise ValueError(f"each stack needs its own GitHub environment, got {names}")
        return self


def load_settings(config: pulumi.Config | None = None) -> BootstrapSettings:
    """Read and validate `settings` from the stack config; raise a one-line RunError when invalid."""
    config = config or pulumi.Config()
    raw = config.get_object("settings")
    if raw is None:
        raise pulumi.RunError(f"config {config.full_key('settings')} is required (see bootstrap/Pulumi.shared.yaml)")
    try:
        return BootstrapSettings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise pulumi.RunError(f"config {config.full_key('settings')}.{where}: {first['msg']}") from None
