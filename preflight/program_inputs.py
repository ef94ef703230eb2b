"""The files of a program's folder that decide the verdict, read before the program runs (review s7, finding 2).

The program is code run as the gate's user: while it runs it can write `policies/suppressions.yaml`, its level
file or `.checkov.yaml`, and the gate, which reads them after synthesis, would apply waivers that were never in
the reviewed tree. So the gate takes a snapshot of these files before it starts the program's child process
(`ProgramInputs.take`) and compares it after the child ended and again once the verdict's inputs were read
(`ProgramInputs.verify`): a file that was created, removed or changed in between is a ConfigError naming it
(exit code 2), never a verdict (P188: governance the program can switch off is none).

The child itself reads two of them, both before the program's first line runs (preflight/engine.py
`synthesize`: `load_stack_config`, `load_stack_references`), so the program cannot change what the engine read;
the graph's config is then checked against the parent's own reading (preflight/load.py `_same_config`).

What this does not do: the later phases read the files again (they are compared, not handed over), so a process
the program leaves running outside its process group (`setsid`) could change a file between the two comparisons
and restore it; nor does it stop a program that changes a file and changes it back before it ends, or that edits
files outside its folder (the gate's own checkout, the virtualenv) for later runs. README.md, "What the gate
trusts".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policies.profile import stack_part
from preflight.checkov_checks import EXTERNAL_CHECKS_DIR
from preflight.errors import ConfigError
from preflight.stackconfig import PROJECT_FILES, stack_file_or_default

#: `.checkov.yaml` as checkov_runner.CONFIG_FILE names it; the rest as stackconfig, policy_runner.config_path,
#: stack_references.references_path and gate.SUPPRESSIONS_FILE name them.
_FIXED = (*PROJECT_FILES, ".checkov.yaml", "policies/suppressions.yaml")


def input_paths(program_dir: Path, stack: str) -> list[Path]:
    """Every file the gate's verdict reads from `program_dir` for `stack`, present or not (a new one is a change)."""
    bare = stack_part(stack)
    paths = [program_dir / name for name in _FIXED]
    paths += [
        stack_file_or_default(program_dir, bare),
        program_dir / "policies" / "config" / f"{bare}.json",
        program_dir / "policies" / "config" / f"{bare}.stack-references.json",
    ]
    checks = program_dir / EXTERNAL_CHECKS_DIR
    if checks.is_dir():
        paths += sorted(p for p in checks.rglob("*") if p.is_file())
    return paths


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


@dataclass(frozen=True)
class ProgramInputs:
    """The bytes of each verdict input (None: absent) when the program had not yet run."""

    program_dir: Path | None
    stack: str
    files: dict[Path, bytes | None]

    @classmethod
    def none(cls) -> ProgramInputs:
        """A preview or export file: no program runs, nothing to compare."""
        return cls(None, "", {})

    @classmethod
    def take(cls, program_dir: str | Path, stack: str) -> ProgramInputs:
        folder = Path(program_dir)
        return cls(folder, stack, {path: _read(path) for path in input_paths(folder, stack)})

    def verify(self) -> None:
        """ConfigError naming the first input that differs from the snapshot (or is new under policies/checkov)."""
        if self.program_dir is None:
            return
        for path in sorted(set(self.files) | set(input_paths(self.program_dir, self.stack))):
            if _read(path) != self.files.get(path):
                raise ConfigError(
                    f"{path}: changed while the program ran (the gate judges only the files it read before; "
                    "a program must not write its own governance files)"
                )
