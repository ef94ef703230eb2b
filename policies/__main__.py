"""The policy pack the Pulumi CLI runs: `pulumi preview --policy-pack policies --policy-pack-config
policies/config/<stack>.json`. It only builds the PolicyPack (whose constructor serves gRPC) from
the registry; levels and per-stack settings come from the config file the CLI passes.

Each policy declares the default profile's level for the stack being previewed (`PULUMI_STACK`, which
the Python language host sets for a policy pack: pulumi/pulumi sdk/python/cmd/pulumi-language-python/
main.go L1655-L1672), so a policy a config file leaves out gets the same level under the CLI as in the
offline gate (`preflight.policy_runner`), not the pack-wide advisory default. Whether the stack is
production is read the way the offline gate reads it (policies.profile.declared_production) from the stack
configuration the language host passes in `PULUMI_CONFIG` (main.go L1655-L1672 sets it beside the stack),
so `preflight:production` in Pulumi.<stack>.yaml moves the levels here too. `preflight:accountBaseline`
(who provides the trail, the Config recorder and the budget) is read from there the same way and fills
`providedBy` of those policies where the policy config does not say (policies.profile.with_account_baseline).
Whether the operation is a preview (`PULUMI_DRY_RUN`, which the engine sets for this process) is read here once,
at the entry, and never by a rule (policies.run_mode).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# The CLI runs this file with the pack directory as the working directory; the `policies` package
# lives one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.errors import PackFileError
from policies.profile import declared_baseline, declared_production, level_for, with_account_baseline
from policies.registry import all_policies
from policies.run_mode import engine_dry_run, set_preview

# Preview or update, from the engine's PULUMI_DRY_RUN for this process, decided here once (policies.run_mode).
set_preview(engine_dry_run())

STACK = os.environ.get("PULUMI_STACK", "")
try:
    STACK_CONFIG = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    PRODUCTION = declared_production(STACK_CONFIG, STACK)
    BASELINE = declared_baseline(STACK_CONFIG, STACK)
except (PackFileError, ValueError) as exc:
    print(f"policies: {exc}", file=sys.stderr)
    sys.exit(2)

PolicyPack(
    name="agentic-platform",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        with_account_baseline(policy, BASELINE).to_crossguard(EnforcementLevel(level_for(policy, STACK, PRODUCTION)))
        for policy in all_policies()
    ],
)
