"""The gate's wall time next to checkov's own on the same exported plans, and its growth with size.

Targets: the whole gate (synthesis + CrossGuard policies + checkov + suppressions), run as a person
runs it, within 1.1x of checkov alone on the same exported plan for programs of about 20, 200 and
2,000 resources (issue 11 §5), and linear growth from 1,000 to 2,000 resources. Ratios are
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
        command = checkov_command(find_checkov(), plan_file, config, checks)
        start = time.perf_counter()
        subprocess.run(command, cwd=scratch, env=_env(), capture_output=True, check=False)
        return time.perf_counter() - start


def gate_cli(program: Path, stack: str) -> float:
    """The gate as a person runs it: a fresh `preflight check` process (cold imports included)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--program", str(program), "--stack", stack, "--format", "json"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def gate(program: Path, stack: str) -> tuple[float, int]:
    start = time.perf_counter()
    report = run_gate(program, stack)
    return time.perf_counter() - start, report.resources


def ratios(sizes: tuple[int, ...] = SIZES) -> list[tuple[int, float, float]]:
    """(resources, gate seconds, checkov-alone seconds) per generated program, both as fresh processes.

    Each pair runs back to back (checkov first, then the gate) so that both see the same machine load.
    """
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            program = write_generated_program(Path(tmp) / f"gen{size}", size)
            alone = checkov_alone(program, "dev")
            seconds = gate_cli(program, "dev")
            rows.append((size, seconds, alone))
    return rows


def main() -> None:
    print(f"gate vs checkov alone: fresh processes, same exported plan and flags (target <= {TARGET}x)")
    for size, seconds, alone in ratios():
        ratio = seconds / alone
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(
            f"  {size:>5} resources  gate {seconds:6.2f} s  checkov alone {alone:6.2f} s"
            f"  ratio {ratio:.2f} -> {verdict}"
        )
    print("the template's own stacks (gate as a fresh process)")
    for stack in ("dev", "prod"):
        seconds = gate_cli(ROOT, stack)
        alone = checkov_alone(ROOT, stack)
        print(f"  {stack:<5} gate {seconds:6.2f} s  checkov alone {alone:6.2f} s  ratio {seconds / alone:.2f}")
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
