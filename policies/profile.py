"""The default enforcement profile: `policies/config/<stack>.json`, generated from the registry.

This module is the one place that decides levels: the generated files, the offline runner's defaults
(`preflight.policy_runner.load_policy_config`), the pack process the CLI or `check --analyzer-protocol`
starts (`policies/__main__.py`, `preflight.analyzer`) and the level of checkov findings (`preflight.gate`)
all ask `level_for` / `checkov_level` here, with the stack's own settings read by `declared_production`
and `declared_baseline` (and `baseline_settings` for what the account baseline adds). Levels (in the
CLI's `--policy-pack-config` format, so `pulumi preview` and the offline gate read the same file):

- production stacks: every policy enforcing a NEVER or HIGH principle is mandatory, the rest advisory;
  checkov failures are mandatory;
- any other stack (dev): policies enforcing a NEVER principle are mandatory, the rest advisory;
  checkov failures are advisory;
- cost policies (category COST) the other way round: mandatory in dev, advisory in production.

Whether a stack is production is a setting: `preflight:production: true|false` in the program's
Pulumi.<stack>.yaml. When the stack does not say, the documented default judges it by name: the stack
part of `org/project/stack`, case-insensitively, is `prod`, `production` or `prd`, or starts with one of
them followed by `-` or `_` (`prod-eu`, `PRD_1`). A program without its own
`policies/config/<stack>.json` gets exactly these defaults, never this template's per-stack files.

Per-stack settings come from `Pulumi.<stack>.yaml` (validated by `components.settings`): allowed
regions, required tag keys, the model ids of the allowed tiers, the idle budget, and which
account-wide singletons (trail, Config recorder, Bedrock invocation logging) another stack or the
organisation provides.

Usage: `python -m policies.profile --write` (or `--check`, which exits 1 when a file is stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs

from policies.errors import PackFileError
from policies.lib import PROVIDED_BY
from policies.registry import all_policies
from policies.spec import Category, PolicySpec

PACK_DIR = Path(__file__).resolve().parent
CONFIG_DIR = PACK_DIR / "config"
PROJECT_DIR = PACK_DIR.parent
#: Stack names judged production when the stack does not say (see the module docstring).
PRODUCTION_NAMES = ("prod", "production", "prd")
#: The stack setting that says whether a stack is production (Pulumi.<stack>.yaml config key).
PRODUCTION_KEY = "preflight:production"
#: The stack setting that says, once for all of them, who provides the account baseline
#: (`preflight:accountBaseline: organization` or `another-stack`); it fills `providedBy` of these
#: policies wherever the program's policy config does not say (policies.lib.provided_elsewhere).
ACCOUNT_BASELINE_KEY = "preflight:accountBaseline"
BASELINE_POLICIES = (
    "cloudtrail-enabled",
    "config-recorder-enabled",
    "cost-budget-present",
    "bedrock-invocation-logging",
)

#: Levels of the principles the pack cites (from shared/principles.yaml), kept here so the profile
#: does not depend on a file outside the repository. `test_profile` checks it against the source.
PRINCIPLE_LEVELS: Mapping[str, str] = {
    "P002": "HIGH",
    "P015": "HIGH",
    "P018": "MEDIUM",
    "P020": "HIGH",
    "P021": "HIGH",
    "P059": "HIGH",
    "P061": "HIGH",
    "P062": "HIGH",
    "P063": "HIGH",
    "P064": "NEVER",
    "P071": "HIGH",
    "P078": "HIGH",
    "P081": "HIGH",
    "P083": "GUIDE",
    "P084": "GUIDE",
    "P093": "HIGH",
    "P100": "MEDIUM",
    "P107": "HIGH",
    "P112": "HIGH",
    "P115": "HIGH",
    "P121": "HIGH",
    "P129": "HIGH",
    "P131": "HIGH",
    "P132": "HIGH",
    "P135": "HIGH",
    "P136": "HIGH",
    "P137": "HIGH",
    "P140": "NEVER",
    "P141": "HIGH",
    "P142": "HIGH",
    "P143": "HIGH",
    "P144": "HIGH",
    "P145": "HIGH",
    "P146": "MEDIUM",
    "P147": "HIGH",
    "P148": "HIGH",
    "P149": "HIGH",
    "P150": "HIGH",
    "P153": "HIGH",
    "P158": "MEDIUM",
    "P167": "HIGH",
    "P179": "NEVER",
    "P183": "NEVER",
    "P184": "NEVER",
    "P185": "NEVER",
    "P186": "NEVER",
    "P187": "NEVER",
    "P188": "NEVER",
    "P189": "NEVER",
    "P190": "NEVER",
    # cited by cost policies
    "P001": "HIGH",
    "P007": "HIGH",
    "P010": "HIGH",
    "P012": "NEVER",
    "P014": "HIGH",
    "P040": "HIGH",
    "P046": "HIGH",
    "P168": "HIGH",
    "P169": "HIGH",
    "P173": "NEVER",
    "P175": "NEVER",
}

#: Foundation-model ids per tier (Amazon Bedrock "Supported foundation models": amazon.nova-*-v1:0). The top
#: tier moved from Nova Premier (end of life 2026-09-14) to Nova 2 Lite: components/models.py says why.
MODEL_IDS_BY_TIER: Mapping[str, str] = {
    "micro": "amazon.nova-micro-v1:0",
    "lite": "amazon.nova-lite-v1:0",
    "pro": "amazon.nova-pro-v1:0",
    "premier": "amazon.nova-2-lite-v1:0",
}


def stack_part(stack: str) -> str:
    """`prod` of `org/project/prod` (the CLI accepts all three forms; levels follow the stack's own name)."""
    return stack.rsplit("/", 1)[-1]


def is_production(stack: str, declared: bool | None = None) -> bool:
    """Whether a stack is judged as production: what it declares, else the documented name default."""
    if declared is not None:
        return declared
    name = stack_part(stack).lower()
    return any(name == p or name.startswith((f"{p}-", f"{p}_")) for p in PRODUCTION_NAMES)


def declared_production(config: Mapping[str, Any], stack: str) -> bool | None:
    """The stack's `preflight:production` setting (true/false), or None when it does not say.

    Both ways of running the pack read it here: the in-process gate from the program's stack file, and the
    pack process (`policies/__main__.py`, under the Pulumi CLI or `check --analyzer-protocol`) from the
    stack configuration the language host passes in `PULUMI_CONFIG`.
    """
    value = config.get(PRODUCTION_KEY)
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise PackFileError(
            f"stack {stack_part(stack)!r} config: {PRODUCTION_KEY}: expected true or false, got {value!r}"
        )
    return text == "true"


def declared_baseline(config: Mapping[str, Any], stack: str) -> str | None:
    """Who the stack says provides the account baseline (`preflight:accountBaseline`), or None."""
    value = config.get(ACCOUNT_BASELINE_KEY)
    if value is None:
        return None
    if value not in PROVIDED_BY:
        raise PackFileError(
            f"stack {stack_part(stack)!r} config: {ACCOUNT_BASELINE_KEY}: expected {' or '.join(PROVIDED_BY)}, "
            f"got {value!r}"
        )
    return str(value)


def baseline_settings(baseline: str | None, given: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """`providedBy: <baseline>` for each baseline policy whose own settings (`given`) do not say who provides it.

    The one rule for the stack-wide `preflight:accountBaseline`: the in-process runner
    (`preflight.policy_runner.load_policy_config`) and the Analyzer-protocol path (`preflight.analyzer`)
    both merge what this returns into a policy's settings.
    """
    if not baseline:
        return {}
    return {
        name: {"providedBy": baseline}
        for name in BASELINE_POLICIES
        if not {"providedBy", "providedElsewhere"} & set(given.get(name) or {})
    }


def with_account_baseline(policy: PolicySpec, baseline: str | None) -> PolicySpec:
    """The policy as the pack process runs it when the stack says who provides the account baseline.

    Under `pulumi preview --policy-pack`, the CLI hands the pack the stack's configuration (`ConfigureStack`,
    pulumi/pulumi proto/pulumi/analyzer.proto `AnalyzerStackConfigureRequest.config`), which the Python language
    host passes on in `PULUMI_CONFIG` (sdk/python/cmd/pulumi-language-python/main.go L1646-L1676), while each
    policy's own settings come only from `--policy-pack-config`. So the pack itself merges `baseline_settings`
    into the settings a baseline policy reads, at validation time: the same rule the offline gate applies.
    """
    if not baseline or policy.name not in BASELINE_POLICIES:
        return policy
    check = policy.validate

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        given = dict(args.get_config() or {})
        extra = baseline_settings(baseline, {policy.name: given}).get(policy.name)
        if extra:
            args = StackValidationArgs(args.resources, {**given, **extra}, args.stack_tags)
        check(args, report_violation)

    return replace(policy, validate=validate)


def level_for(policy: PolicySpec, stack: str, production: bool | None = None) -> str:
    """The default level of a policy in a stack (`production` overrides the judgement by name)."""
    production = is_production(stack, production)
    if policy.category is Category.COST:
        return "advisory" if production else "mandatory"
    levels = {PRINCIPLE_LEVELS.get(p, "") for p in policy.principles}
    strict = {"NEVER", "HIGH"} if production else {"NEVER"}
    return "mandatory" if levels & strict else "advisory"


def checkov_level(stack: str, production: bool | None = None) -> str:
    """The level of a failed checkov check: mandatory in production stacks, advisory elsewhere."""
    return "mandatory" if is_production(stack, production) else "advisory"


def describe(stack: str, production: bool | None, config_file: str) -> str:
    """One line for reports: which profile judged the stack, and from which file."""
    judged = "production" if is_production(stack, production) else "non-production"
    why = f"{PRODUCTION_KEY} in the stack file" if production is not None else "by its name (documented default)"
    source = config_file or "the pack's default profile (the program has no policies/config/<stack>.json)"
    return f"levels: {source}; stack {stack_part(stack)!r} judged {judged} {why}"


def _stack_settings(stack: str, project_dir: Path) -> Any:
    """The validated PlatformSettings of a stack, or None when the project has no such stack file."""
    from components.settings import load_settings  # noqa: PLC0415 (only the generator needs the settings model)
    from preflight.stackconfig import load_project, load_stack_config  # noqa: PLC0415

    if not (project_dir / f"Pulumi.{stack}.yaml").is_file():
        return None
    project = load_project(project_dir)
    config = load_stack_config(project_dir, project.name, stack)
    return load_settings(config.values, stack, project.name)


def stack_settings(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, dict[str, Any]]:
    """Per-policy settings for a stack, from its Pulumi.<stack>.yaml."""
    settings = _stack_settings(stack, project_dir)
    if settings is None:
        return {}
    owns = settings.owns
    # The knowledge base embeds with its own model, a model the stack uses and pays for like a tier's, so
    # bedrock-allowed-models (which reads every model input, policies.model_inputs) must allow it too.
    from components.models import EMBEDDING_MODEL_ID  # noqa: PLC0415 (the generator only, as the settings above)

    embedding = [EMBEDDING_MODEL_ID] if settings.features.knowledge_base else []
    return {
        "allowed-regions": {"allowedRegions": list(settings.allowed_regions)},
        "required-tags": {"requiredTagKeys": list(settings.required_tag_keys)},
        "bedrock-allowed-models": {
            "allowedModelIds": [MODEL_IDS_BY_TIER[t.value] for t in settings.allowed_model_tiers] + embedding,
        },
        "cloudtrail-enabled": {"providedElsewhere": bool(owns.organization_trail or not owns.cloudtrail)},
        "config-recorder-enabled": {"providedElsewhere": not owns.config_recorder},
        "bedrock-invocation-logging": {
            "providedElsewhere": not owns.bedrock_invocation_logging,
            "region": settings.region,
        },
        "cost-idle-budget": {"maxMonthlyUsd": settings.budget.idle_usd},
        "cloudfront-waf-in-production": {"required": is_production(stack)},
    }


def build_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The whole `--policy-pack-config` object for a stack: every policy, sorted by name."""
    extra = stack_settings(stack, project_dir)
    config: dict[str, Any] = {}
    for policy in sorted(all_policies(), key=lambda p: p.name):
        level = level_for(policy, stack)
        settings = extra.get(policy.name)
        config[policy.name] = {"enforcementLevel": level, **settings} if settings else level
    return config


def render(config: Mapping[str, Any]) -> str:
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    return sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in project_dir.glob("Pulumi.*.yaml"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.profile", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write policies/config/<stack>.json for every stack")
    mode.add_argument("--check", action="store_true", help="exit 1 when a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for stack in stacks():
        path = CONFIG_DIR / f"{stack}.json"
        wanted = render(build_config(stack))
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current == wanted:
            continue
        if args.write:
            CONFIG_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_DIR)}")
        else:
            stale.append(str(path.relative_to(PROJECT_DIR)))
    if stale:
        print(f"stale: {', '.join(stale)} (run python -m policies.profile --write)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
