"""Print the template's idle cost for dev and prod, and the tiered-routing saving for a stated load.

Run from the repository root: `.venv/bin/python bench/cost.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preflight.cost.usage import Load, usage_estimate  # noqa: E402

#: The issue's targets: dev idles at no more than 5 USD a month, prod at no more than 25.
TARGETS = {"dev": 5.0, "prod": 25.0}
WORKLOAD = Load(
    requests_per_day=10_000, tokens_in=1_500, tokens_out=400, tier_mix={"micro": 0.6, "lite": 0.3, "pro": 0.1}
)


def idle(stack: str, target: float) -> bool:
    """Print one stack's idle cost; True when it is over `target` (or could not be computed)."""
    started = time.perf_counter()
    # One process per stack: the offline engine runs one Pulumi program per process.
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "cost", "--program", str(ROOT), "--stack", stack, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        print(f"{stack}: preflight cost failed: {done.stderr.strip()}")
        return True
    cost = json.loads(done.stdout)
    usd = cost["idle_monthly_usd"]
    verdict = "within" if usd <= target else "OVER"
    print(
        f"{stack}: idle ${usd:,.2f}/month ({verdict} target ${target:,.2f}), {len(cost['pay_per_use'])} pay-per-use, "
        f"{len(cost['unpriced'])} unpriced, {elapsed:.2f} s"
    )
    for item in sorted(cost["items"], key=lambda i: (-i["monthly_usd"], i["resource"])):
        if item["monthly_usd"] > 0:
            print(f"    {item['resource']:<44} {item['monthly_usd']:>8,.2f}  {item['basis']}")
    for ref in cost["unpriced"]:
        print(f"    unpriced: {ref['resource']} ({ref['type']}): {ref['reason']}")
    return bool(usd > target)


def main() -> int:
    over = [idle(stack, target) for stack, target in TARGETS.items()]
    est = usage_estimate(WORKLOAD)
    mix = ", ".join(f"{tier} {share:.0%}" for tier, share in WORKLOAD.tier_mix.items())
    print(
        f"\nworkload: {WORKLOAD.requests_per_day:,.0f} requests/day, {WORKLOAD.tokens_in:,.0f} in + "
        f"{WORKLOAD.tokens_out:,.0f} out tokens, mix {mix}"
    )
    print(
        f"  tiered routing ${est.monthly_usd:,.2f}/month vs always {est.baseline_tier} "
        f"${est.baseline_monthly_usd:,.2f}/month: saves ${est.saving_usd:,.2f} ({est.saving_pct:.1f}%)"
    )
    return 1 if any(over) else 0


if __name__ == "__main__":
    raise SystemExit(main())
