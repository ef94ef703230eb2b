"""The policies and export phases of two trees side by side: the same findings, and the CPU each spends.

Synthesises the template's dev and prod stacks, the public programs (tests/preflight/public_programs.py) and
generated programs of the given sizes once, with this tree's engine, and hands the same graphs (pickled, so the
plaintext of secrets the gate judges is kept) to a fresh process per tree. Each process runs `run_policies` and
the export (`graph.judged()`, `graph_to_tfplan`, `graph_to_cfn` and their JSON text) as the gate runs them.
Every finding (all fields), note, not-applicable line and the exported text must be equal between the trees; then
the CPU seconds (`time.process_time`, the mean of `--repeat` runs after one warm run) of both phases per size,
the trees alternating so that both see the same load. The other tree must have this tree's ResourceGraph
fields (e.g. `git archive <commit> | tar -x -C DIR`, with .venv linked). Figures: bench/SPEED.md.

    nice .venv/bin/python bench/phases.py --against DIR
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _child(mode: str, graphs: Path, names: list[str], repeat: int) -> None:
    """In a fresh process of one tree: the full results (`dump`) or the CPU per phase (`time`), as JSON."""
    from preflight.cfn.convert import graph_to_cfn  # noqa: PLC0415 (the tree under test's, from PYTHONPATH)
    from preflight.gate import declared_baseline, declared_production  # noqa: PLC0415
    from preflight.policy_runner import run_policies  # noqa: PLC0415
    from preflight.tfplan.convert import graph_to_tfplan  # noqa: PLC0415

    out: dict[str, Any] = {}
    for name in names:
        program, graph = pickle.loads((graphs / f"{name}.pkl").read_bytes())

        def policies(graph: Any = graph, program: str = program) -> Any:
            production, baseline = declared_production(graph), declared_baseline(graph)
            return run_policies(graph, program_dir=program, production=production, baseline=baseline)

        def export(graph: Any = graph) -> tuple[str, str]:
            judged = graph.judged()
            return graph_to_tfplan(judged).to_json(), graph_to_cfn(judged).to_json()

        if mode == "dump":
            run = policies()
            plan, template = export()
            out[name] = {
                "findings": [{k: str(v) for k, v in dataclasses.asdict(f).items()} for f in run.findings],
                "undetermined": run.undetermined,
                "not_applicable": run.not_applicable,
                "config_file": run.config_file,
                "tfplan": plan,
                "cfn": template,
            }
            continue
        policies(), export()  # warm: imports and first-use tables
        out[name] = {}
        for phase, work in (("policies", policies), ("export", export)):
            start = time.process_time()
            for _ in range(repeat):
                work()
            out[name][phase] = (time.process_time() - start) / repeat
    print(json.dumps(out))


def _synthesise(graphs: Path, sizes: list[int], work: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from bench.programs import write_generated_program  # noqa: PLC0415
    from preflight.engine import synthesize  # noqa: PLC0415
    from tests.preflight.programs import write_program  # noqa: PLC0415
    from tests.preflight.public_programs import PROGRAMS  # noqa: PLC0415

    jobs: list[tuple[str, Path, str]] = [("template-dev", ROOT, "dev"), ("template-prod", ROOT, "prod")]
    for key, program in PROGRAMS.items():
        directory = write_program(
            work / key, program.main, name=program.name, config=program.config, files=program.files
        )
        jobs.append((f"public-{key}", directory, "dev"))
    jobs += [(f"generated-{size}", write_generated_program(work / f"gen{size}", size), "dev") for size in sizes]
    for name, directory, stack in jobs:
        graph = synthesize(directory, stack, timeout=300)
        (graphs / f"{name}.pkl").write_bytes(pickle.dumps((str(directory), graph)))
    return [name for name, _, _ in jobs]


def _run(tree: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree), "LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise SystemExit(f"bench/phases.py: the run in {tree} failed: {lines[-1:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="the other tree (e.g. the branch's start)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        mode, graphs, *names = options.child
        _child(mode, Path(graphs), names, options.repeat)
        return
    if options.against is None or not (options.against / "preflight").is_dir():
        print(f"bench/phases.py: --against {options.against}: not a checkout of this project", file=sys.stderr)
        raise SystemExit(2)
    trees = {"this": ROOT, "other": options.against.resolve()}
    with tempfile.TemporaryDirectory() as scratch:
        graphs = Path(scratch) / "graphs"
        graphs.mkdir()
        names = _synthesise(graphs, options.sizes, Path(scratch) / "programs")
        dumps = {label: _run(tree, "dump", str(graphs), *names) for label, tree in trees.items()}
        differ = [name for name in names if dumps["this"][name] != dumps["other"][name]]
        findings = sum(len(d["findings"]) for d in dumps["this"].values())
        print(f"{len(names)} graphs, {findings} findings: " + (f"DIFFERENT in {differ}" if differ else "identical"))
        timed = [n for n in names if n.startswith(("template-", "generated-"))]
        print(
            f"CPU seconds per run (mean of {options.repeat}), {time.strftime('%H:%M')}, load {os.getloadavg()[0]:.1f}"
        )
        for round_ in (1, 2):
            for label, tree in trees.items():
                cpu = _run(tree, "time", str(graphs), *timed, "--repeat", str(options.repeat))
                row = ", ".join(f"{n} {v['policies']:.3f} / {v['export']:.3f}" for n, v in cpu.items())
                print(f"  round {round_} {label:<5} (policies / export): {row}")
        if differ:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
