"""The region each resource of a program deploys to, decided offline as Pulumi and the AWS providers decide it (P145).

The engine fabricates ARNs, URLs and endpoints (preflight/fabricate.py, preflight/invokes.py) in the region of the
resource, not of the stack: a certificate under `aws.Provider("use1", region="us-east-1")` for CloudFront has a
us-east-1 ARN whatever the stack's `aws:region`. In order:

- a pulumi-aws resource's own `region` input (pulumi-aws v7 added it to most types: "Region where this resource will
  be managed. Defaults to the Region set in the provider configuration", the doc of 6,000+ `region` parameters of
  pulumi_aws 7.51.1), or a data source's `region` argument;
- else its explicit provider's `region` input (a resource's `provider`, or its parent's, which the SDK resolves into
  the request's provider reference);
- else, under the default provider, the stack's `aws:region` (`aws-native:region` for aws-native);
- else the program states none (policies/regions.py: the deploying environment decides): the outputs are fabricated
  in DEFAULT_REGION and the graph's notes say so, naming the provider.

The program runs without AWS_REGION and AWS_DEFAULT_REGION (`without_region_variables`): the SDKs would read them
for an explicit provider's missing region at program time, so the machine the gate runs on (a developer's shell, a
CI job's credentials step) would decide the verdict of `allowed-regions`. A note says when they were set and left out.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.regions import (
    DEPLOYING_REGION,
    REGION_VARIABLES,
    REGIONAL_PROVIDERS,
    package_of,
    region_config_key,
)
from preflight.graph import UNKNOWN
from preflight.secrets import SECRET_PLACEHOLDER

#: The region outputs are fabricated in when the program states none (and the gate's historical default).
DEFAULT_REGION = "us-east-1"
#: The packages whose resources live in a region a provider decides.
_REGIONAL_PACKAGES = frozenset(package_of(t) for t in REGIONAL_PROVIDERS)


def provider_urn(reference: str) -> str:
    """The URN of a provider reference: `<urn>::<id>` in previews, exports and the SDK's requests (split at the last
    `::`, as pulumi/pulumi sdk/go/common/providers/reference.go `ParseReference` L147-L160 does), or a bare URN (the
    offline engine's default providers)."""
    return reference.rsplit("::", 1)[0] if reference.count("::") >= 4 else reference


def stated_region(value: Any) -> str | None:
    """A region the program states: a non-empty string (an unknown value, or a secret's placeholder, is not one)."""
    return value if isinstance(value, str) and value and value not in (UNKNOWN, SECRET_PLACEHOLDER) else None


@dataclass
class _Provider:
    type: str
    name: str
    region: str | None
    #: The region input is present but not a plain string (an unknown Output): not unstated, only not known.
    unknown: bool


@dataclass
class Regions:
    """The regions of one synthesis run: the stack's config, each explicit AWS provider's region as it registered,
    and which providers were asked for a region they do not state (for the notes)."""

    config: Mapping[str, Any]
    providers: dict[str, _Provider] = field(default_factory=dict)
    #: Provider URNs (or `default:<package>`) a resource or data source needed the unstated region of.
    unstated: dict[str, str] = field(default_factory=dict)
    #: The region variables the gate's own environment had, left out of the program's (name -> value).
    hidden: dict[str, str] = field(default_factory=dict)

    def provider_registered(self, urn: str, type_: str, name: str, inputs: Mapping[str, Any]) -> None:
        """Record an explicit AWS provider's region input, before any resource naming it registers (the SDK
        resolves a provider's URN and id before it sends the requests that reference it)."""
        if type_ in REGIONAL_PROVIDERS:
            value = inputs.get("region")
            self.providers[urn] = _Provider(
                type_, name, stated_region(value), value is not None and not stated_region(value)
            )

    def of_resource(self, type_token: str, inputs: Mapping[str, Any], provider: str) -> str:
        """The region a resource of `type_token` with `inputs` under `provider` (a reference, "" for the default
        provider) is created in."""
        package = type_token.split(":", 1)[0]
        own = stated_region(inputs.get("region")) if package == "aws" else None
        return own or self._of_provider(package, provider)

    def of_invoke(self, token: str, args: Mapping[str, Any], provider: str) -> str:
        """The region a data source reads: its own `region` argument (pulumi-aws v7), else its provider's."""
        package = token.split(":", 1)[0]
        own = stated_region(args.get("region")) if package == "aws" else None
        return own or self._of_provider(package, provider)

    def _of_provider(self, package: str, provider: str) -> str:
        if package not in _REGIONAL_PACKAGES:
            return stated_region(self.config.get("aws:region")) or DEFAULT_REGION
        explicit = self.providers.get(provider_urn(provider)) if provider else None
        if explicit is None and provider and not _default_reference(provider):
            # Another package's provider, or one registered outside the program: not decided here.
            return stated_region(self.config.get("aws:region")) or DEFAULT_REGION
        if explicit is not None:
            if explicit.region is None and not explicit.unknown:
                self.unstated[provider_urn(provider)] = _explicit_note(explicit)
            return explicit.region or DEFAULT_REGION
        key = region_config_key(f"pulumi:providers:{package}")
        configured = stated_region(self.config.get(key))
        if configured is None:
            self.unstated[f"default:{package}"] = _default_note(package, key)
        return configured or DEFAULT_REGION

    def notes(self) -> list[str]:
        """What the report says about regions the program does not state, and the variables left out."""
        notes = [self.unstated[k] for k in sorted(self.unstated)]
        if self.hidden:
            shown = ", ".join(f"{k}={v}" for k, v in sorted(self.hidden.items()))
            notes.append(
                f"region: {shown} is set where the gate runs; the program ran without it, so the verdict does not "
                "depend on the machine that runs the gate (a region the program and the stack do not state is "
                f"{DEPLOYING_REGION}: preflight/regions.py)"
            )
        return notes


def _default_reference(provider: str) -> bool:
    """A reference to a default provider (`...::pulumi:providers:aws::default...`), which the engine makes."""
    return provider_urn(provider).rsplit("::", 1)[-1].startswith("default")


def _explicit_note(provider: _Provider) -> str:
    return (
        f"region: provider {provider.name} ({provider.type}) states no region, so it deploys to {DEPLOYING_REGION}; "
        f"offline its resources' ARNs and endpoints are fabricated in {DEFAULT_REGION}"
    )


def _default_note(package: str, key: str) -> str:
    return (
        f"region: the stack config has no {key}, so the default {package} provider deploys to {DEPLOYING_REGION}; "
        f"offline its resources' ARNs and endpoints are fabricated in {DEFAULT_REGION}"
    )


@contextlib.contextmanager
def without_region_variables(regions: Regions) -> Iterator[None]:
    """Run the program without AWS_REGION and AWS_DEFAULT_REGION (recorded in `regions.hidden`), restoring them
    afterwards, so an explicit provider's unstated region stays unstated (see the module docstring)."""
    regions.hidden = {name: os.environ[name] for name in REGION_VARIABLES if name in os.environ}
    for name in regions.hidden:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(regions.hidden)
