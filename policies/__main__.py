"""The policy pack the Pulumi CLI runs: `pulumi preview --policy-pack policies --policy-pack-config
policies/config/<stack>.json`. It only builds the PolicyPack (whose constructor serves gRPC) from
the registry; levels and per-stack settings come from the config file the CLI passes."""

from __future__ import annotations

import sys
from pathlib import Path

# The CLI runs this file with the pack directory as the working directory; the `policies` package
# lives one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.registry import all_policies

PolicyPack(
    name="agentic-platform",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[policy.to_crossguard() for policy in all_policies()],
)
