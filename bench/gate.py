"""The gate's wall time next to checkov's own on the same exported plans, and its growth with size.

Targets: the whole gate (synthesis + CrossGuard policies + checkov + suppressions), run as a person
runs it, within 1.1x of checkov alone on the same exported plan for programs of about 20, 200 and
2,000 resources (issue 11 §5), and linear growth from 1,000 to 2,000 resources. Ratios are
measured in one run (these machines are noisy); absolute seconds are for context only. Each gate
run also prints where its time went (synthesis, export, policies, the wait for checkov), from the
`timings` of its own JSON report. The policies run while checkov scans, so `checkov_wait` is the
part of checkov's scan they did not cover. checkov alone is split into its start-up (a fresh
process importing checkov, what the gate hides under synthesis) and its scan, so the gap left is
visible: what the gate spends beyond checkov alone is synthesis (and export) not covered by checkov's
start-up, plus the policies' share of the second core while checkov scans. Figures: bench/SPEED.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.programs import write_generated_program  # noqa: E402
from preflight.checkov_runner import (  # noqa: E402
    CONFIG_FILE,
    EXTERNAL_CHECKS_DIR,
    checkov_command,
    find_checkov,
    worker_command,
)
from preflight.engine import synthesize  # noqa: E402
from preflight.tfplan.convert import graph_to_tfplan  # noqa: E402

#: Program sizes measured in one run (issue 11 §5): a small real program, the template's size, a large one.
SIZES = (20, 200, 2000)
#: The gate on a program should cost at most this much more than checkov alone on the same plan.
TARGET = 1.1


def _env() -> dict[str, str]:
    return {**os.environ, "LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore", "BC_SKIP_MAPPING": "TRUE"}


def checkov_alone(program: Path, stack: str) -> float:
    """checkov by itself, as a fresh process, on the plan the bridge exports, with the gate's flags and config."""
    plan = graph_to_tfplan(synthesize(program, stack))
    config = ROOT / CONFIG_FILE
    checks = ROOT / EXTERNAL_CHECKS_DIR
    with tempfile.TemporaryDirectory() as scratch:
        plan_file = Path(scratch) / "tfplan.json"
        plan_file.write_text(plan.to_json(), encoding="utf-8")
        command = checkov_command(find_checkov(), plan_file, config, [checks])
        start = time.perf_counter()
        subprocess.run(command, cwd=scratch, env=_env(), capture_output=True, check=False)
        return time.perf_counter() - start


def checkov_startup() -> float:
    """checkov's start-up alone: a fresh process running the gate's worker up to the point it waits for a plan."""
    python = find_checkov().parent / "python"
    start = time.perf_counter()
    subprocess.run(worker_command(python), input="\n", env=_env(), capture_output=True, text=True, check=False)
    return time.perf_counter() - start


#: Phases the gate times itself (GateReport.timings), in the order they run.
PHASES = ("synthesis", "export", "policies", "checkov_wait")


@dataclass(frozen=True)
class GateRun:
    """One fresh `preflight check` process: its wall time and the phases its report says it spent."""

    seconds: float
    timings: dict[str, float]

    def breakdown(self) -> str:
        """Where the time went; "rest" is the process's start-up (imports), suppressions and reports."""
        parts = [f"{phase} {self.timings.get(phase, 0.0):.2f}" for phase in PHASES]
        rest = self.seconds - sum(self.timings.get(phase, 0.0) for phase in PHASES)
        return ", ".join([*parts, f"rest {rest:.2f}"])


def gate_cli(program: Path, stack: str) -> GateRun:
    """The gate as a person runs it: a fresh `preflight check` process (cold imports included)."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--program", str(program), "--stack", stack, "--format", "json"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        raise SystemExit(f"preflight check failed on {program} (exit {completed.returncode}): {lines[-1:]}")
    return GateRun(seconds, dict(json.loads(completed.stdout).get("timings") or {}))


def ratios(sizes: tuple[int, ...] = SIZES) -> list[tuple[int, GateRun, float, float]]:
    """(resources, the gate's run, checkov-alone seconds, checkov start-up seconds) per generated program.

    Each set runs back to back (checkov, its start-up, then the gate) so that all see the same load;
    checkov alone goes first so that its start-up is measured with the same warm file cache it had.
    """
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            program = write_generated_program(Path(tmp) / f"gen{size}", size)
            alone = checkov_alone(program, "dev")
            startup = checkov_startup()
            rows.append((size, gate_cli(program, "dev"), alone, startup))
    return rows


def main() -> None:
    print(f"gate vs checkov alone: fresh processes, same exported plan and flags (target <= {TARGET}x)")
    runs: dict[int, GateRun] = {}
    for size, run, alone, startup in ratios():
        runs[size] = run
        ratio = run.seconds / alone
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(
            f"  {size:>5} resources  gate {run.seconds:6.2f} s  checkov alone {alone:6.2f} s"
            f"  ratio {ratio:.2f} -> {verdict}"
        )
        print(f"        checkov alone (s): start-up {startup:.2f}, scan {alone - startup:.2f}")
        print(f"        gate breakdown (s): {run.breakdown()}")
    print("the template's own stacks (gate as a fresh process)")
    for stack in ("dev", "prod"):
        run = gate_cli(ROOT, stack)
        alone = checkov_alone(ROOT, stack)
        print(f"  {stack:<5} gate {run.seconds:6.2f} s  checkov alone {alone:6.2f} s  ratio {run.seconds / alone:.2f}")
        print(f"        gate breakdown (s): {run.breakdown()}")
    print("gate growth (full gate as a fresh process, checkov included)")
    with tempfile.TemporaryDirectory() as tmp:
        program = write_generated_program(Path(tmp) / "gen1000", 1000)
        runs[1000] = gate_cli(program, "dev")
    for size in (1000, 2000):
        print(f"  generated {size:>5} resources  gate {runs[size].seconds:6.2f} s")
    ratio = runs[2000].seconds / runs[1000].seconds
    verdict = "linear" if ratio < 2.5 else "SUPERLINEAR"
    print(f"  ratio 2000/1000: {ratio:.2f} (linear = 2.00; target < 2.5) -> {verdict}")


if __name__ == "__main__":
    main()
