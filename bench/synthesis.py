"""Synthesis time: the template's stacks and generated programs of 1,000 and 2,000 resources.

Cost must grow linearly: the 2,000/1,000 time ratio should be close to 2 (measured in one run,
because these machines are noisy; absolute seconds are printed for context only).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.programs import write_generated_program  # noqa: E402
from preflight.engine import synthesize  # noqa: E402


def timed(program: Path, stack: str) -> tuple[float, int]:
    start = time.perf_counter()
    graph = synthesize(program, stack)
    return time.perf_counter() - start, len(graph.custom_resources)


def main() -> None:
    print("synthesis (offline engine, under mocks)")
    for stack in ("dev", "prod"):
        seconds, count = timed(ROOT, stack)
        print(f"  template {stack:<5} {count:>5} resources  {seconds:7.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for size in (1000, 2000):
            program = write_generated_program(Path(tmp) / f"gen{size}", size)
            timed(program, "dev") if size == 1000 else None  # warm imports once
            seconds, count = timed(program, "dev")
            results[size] = seconds
            print(f"  generated   {count:>5} resources  {seconds:7.2f} s  ({seconds / count * 1000:.2f} ms/resource)")
    ratio = results[2000] / results[1000]
    verdict = "linear" if ratio < 2.5 else "SUPERLINEAR"
    print(f"  ratio 2000/1000: {ratio:.2f} (linear = 2.00; target < 2.5) -> {verdict}")


if __name__ == "__main__":
    main()
