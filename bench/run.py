"""Run every benchmark in this folder and print their figures (`make bench`)."""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: In the order they are printed; each is a script with a `main()` that prints its own figures.
BENCHMARKS = ("synthesis.py", "gate.py", "cost.py", "cold_start.py")


def main() -> None:
    for name in BENCHMARKS:
        path = HERE / name
        if path.is_file():
            runpy.run_path(str(path), run_name="__main__")
            print()


if __name__ == "__main__":
    main()
