"""The gate's wall time next to checkov's own on the same exported plans, and its growth with size.

Targets: the whole gate (synthesis + CrossGuard policies + checkov + suppressions) within 1.5x of
checkov alone on the same plan, and linear growth from 1,000 to 2,000 resources. Ratios are
measured in one run (these machines are noisy); absolute seconds are for context only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.programs import write_generated_program  # noqa: E402
from preflight.checkov_runner import CONFIG_FILE, EXTERNAL_CHECKS_DIR, checkov_command, find_checkov  # noqa: E402
from preflight.engine import synthesize  # noqa: E402
from preflight.gate import run_gate  # noqa: E402
from preflight.tfplan.convert import graph_to_tfplan  # noqa: E402


def checkov_alone(program: Path, stack: str) -> float:
    """checkov by itself on the plan the bridge exports, with the same flags and config the gate uses."""
    plan = graph_to_tfplan(synthesize(program, stack))
    config = ROOT / CONFIG_FILE
    checks = ROOT / EXTERNAL_CHECKS_DIR
    env = {**os.environ, "LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore", "BC_SKIP_MAPPING": "TRUE"}
    with tempfile.TemporaryDirectory() as scratch:
        plan_file = Path(scratch) / "tfplan.json"
        plan_file.write_text(plan.to_json(), encoding="utf-8")
        command = checkov_command(find_checkov(), plan_file, config, checks)
        start = time.perf_counter()
        subprocess.run(command, cwd=scratch, env=env, capture_output=True, check=False)
        return time.perf_counter() - start


def gate_cli(stack: str) -> float:
    """The gate as a person runs it: a fresh `preflight check` process (cold imports included)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--stack", stack, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def gate(program: Path, stack: str) -> tuple[float, int]:
    start = time.perf_counter()
    report = run_gate(program, stack)
    return time.perf_counter() - start, report.resources


def main() -> None:
    print("gate vs checkov alone (same exported plan, same checkov flags)")
    for stack in ("dev", "prod"):
        seconds, count = gate(ROOT, stack)
        alone = checkov_alone(ROOT, stack)
        ratio = seconds / alone
        verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
        print(
            f"  {stack:<5} {count:>4} resources  gate {seconds:6.2f} s  checkov alone {alone:6.2f} s"
            f"  ratio {ratio:.2f} (target <= 1.5) -> {verdict}"
        )
    print("gate as a fresh process (cold start, as `preflight check` runs) vs checkov alone")
    for stack in ("dev", "prod"):
        seconds = gate_cli(stack)
        alone = checkov_alone(ROOT, stack)
        ratio = seconds / alone
        verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
        print(f"  {stack:<5} gate {seconds:6.2f} s  checkov alone {alone:6.2f} s  ratio {ratio:.2f} -> {verdict}")
    print("gate growth (full gate, checkov included)")
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for size in (1000, 2000):
            program = write_generated_program(Path(tmp) / f"gen{size}", size)
            seconds, count = gate(program, "dev")
            times[size] = seconds
            print(f"  generated {count:>5} resources  gate {seconds:6.2f} s")
    ratio = times[2000] / times[1000]
    verdict = "linear" if ratio < 2.5 else "SUPERLINEAR"
    print(f"  ratio 2000/1000: {ratio:.2f} (linear = 2.00; target < 2.5) -> {verdict}")


if __name__ == "__main__":
    main()
