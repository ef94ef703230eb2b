"""Run checkov on a resource graph (a Terraform plan and an aws-native template) and map findings back to Pulumi.

checkov lives in its own virtual environment (`.venv-checkov`, made by `make install`) because its
dependencies conflict with pulumi's. The binary is found, in order, from:

1. the `checkov_bin` argument;
2. the environment variable `PREFLIGHT_CHECKOV` (a path to a checkov executable);
3. `<repo>/.venv-checkov/bin/checkov`.

checkov runs with `--framework terraform_plan` on the exported plan and, when the program declares
aws-native resources of types checkov checks, `cloudformation` on their template (`preflight.cfn`) in
the same run (one start-up, one JSON list of reports), with the program's
`.checkov.yaml` (`--config-file`) and the custom checks of `policies/checkov`
(`--external-checks-dir`), offline (`--skip-download`) and with `--compact` JSON output.

The pack's custom checks (CKV_AGP_*) always run; a program's own `policies/checkov/` data checks are added to
them, never substituted (checkov takes `--external-checks-dir` more than once: "Can be repeated",
checkov/common/util/ext_argument_parser.py), from a copy in the scratch folder; its Python checks are refused,
each a finding (`preflight.checkov_checks` says why), and so is a given data check the warm worker says checkov
did not load or that reported on none of the scanned resources of its types (`ProgramChecks.not_run`). The
template's `.checkov.yaml`, whose skips give reasons of this template, applies only to programs inside this
repository (the template and its bootstrap); any other program is judged by its own file, or by none (review
finding F6).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from preflight.cfn.convert import CfnTemplate, graph_to_cfn
from preflight.checkov_checks import EXTERNAL_CHECKS_DIR, ProgramChecks, program_checks
from preflight.checkov_config import CheckovConfig, load_checkov_config
from preflight.checkov_stream import CHUNK, PlanStream
from preflight.checkov_worker import EXTERNAL_LINE
from preflight.errors import PreflightError
from preflight.findings import CheckovFinding, CheckovResult
from preflight.graph import ResourceGraph
from preflight.tfplan import TfPlan, graph_to_tfplan

#: Environment variable naming the checkov executable to run (overrides the repository's .venv-checkov).
CHECKOV_ENV_VAR = "PREFLIGHT_CHECKOV"
CONFIG_FILE = ".checkov.yaml"
#: A checkov run over a few hundred resources takes seconds; this only stops a hung process.
TIMEOUT_SECONDS = 600

REPO_ROOT = Path(__file__).resolve().parent.parent


def find_checkov(checkov_bin: str | Path | None = None) -> Path:
    """The checkov executable to run, or a one-line PreflightError saying how to install it."""
    candidate = checkov_bin or os.environ.get(CHECKOV_ENV_VAR) or REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
    path = Path(candidate)
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise PreflightError(
        f"checkov not found at {path}: run `make install` (it builds .venv-checkov), "
        f"or set {CHECKOV_ENV_VAR} to a checkov executable"
    )


def is_template_program(program_dir: Path) -> bool:
    """The template itself or a program inside its repository (bootstrap/), reviewed with the pack."""
    program = program_dir.resolve()
    return program == REPO_ROOT or REPO_ROOT in program.parents


def config_file_for(program_dir: Path) -> Path | None:
    """The program's own `.checkov.yaml`; for the template's own programs the repository's; else none."""
    own = (program_dir / CONFIG_FILE).resolve()
    if own.is_file():
        return own
    pack = REPO_ROOT / CONFIG_FILE
    return pack if is_template_program(program_dir) and pack.is_file() else None


PACK_CHECKS_DIR = (REPO_ROOT / EXTERNAL_CHECKS_DIR).resolve()


def checks_dirs_for(program_dir: Path, scratch: Path) -> list[Path]:
    """The pack's custom checks, then a copy in `scratch` of the program's own data checks when it has any."""
    return [PACK_CHECKS_DIR, *program_checks(program_dir, PACK_CHECKS_DIR).stage(scratch)]


def skipped_checks(config_file: Path | None) -> list[dict[str, str]]:
    """The `skip-check` entries of a checkov config, each with its reason, origin and whether it is honoured."""
    return [skip.to_dict() for skip in load_checkov_config(config_file).all_skips]


def checkov_command(
    checkov: Path,
    plan_file: Path,
    config_file: Path | None,
    checks_dirs: Sequence[Path] = (),
    template_file: Path | None = None,
    *,
    quiet: bool = True,
) -> list[str]:
    """The command line; with `template_file` checkov also runs its CloudFormation framework on it, in one run.

    Each framework reads only the files of its kind: the plan has no `Resources`, the template no
    `terraform_version` (checkov 3.3.30 checkov/cloudformation/cfn_utils.py, checkov/terraform/plan_utils.py).
    `quiet` (the gate's) leaves passed checks out of the report.
    """
    files = ["-f", str(plan_file)] + (["-f", str(template_file)] if template_file is not None else [])
    frameworks = ["terraform_plan"] + (["cloudformation"] if template_file is not None else [])
    command = [str(checkov), *files, "--framework", *frameworks, "-o", "json"]
    command += ["--skip-download", "--compact", *(["--quiet"] if quiet else [])]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    for checks_dir in checks_dirs:
        command += ["--external-checks-dir", str(checks_dir)]
    return command


def _reports(stdout: str) -> list[Mapping[str, Any]]:
    """checkov's JSON: one report object, or a list of them when several frameworks ran."""
    text = stdout.strip()
    if not text:
        return []
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        raise ValueError("no JSON in checkov output")
    data = json.loads(text[min(starts) :])
    return [r for r in (data if isinstance(data, list) else [data]) if isinstance(r, Mapping)]


def _listed_in_template(reports: list[Mapping[str, Any]], file_name: str = "") -> set[str]:
    """The resources checkov's report names (passed, failed or skipped) under one file (default: the template)."""
    file_name = file_name or TEMPLATE_FILE
    listed: set[str] = set()
    for report in reports:
        results = report.get("results")
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            checks = results.get(key) if isinstance(results, Mapping) else None
            for check in checks if isinstance(checks, list) else []:
                if isinstance(check, Mapping) and Path(str(check.get("file_path", ""))).name == file_name:
                    listed.add(str(check.get("resource", "")))
    return listed


def _counted_in_template(reports: list[Mapping[str, Any]], check_type: str = "cloudformation") -> int:
    """How many resources checkov's report of one framework counted (`summary.resource_count`; each framework is
    given one file, so they are the template's, or with `terraform_plan` the plan's)."""
    counted = 0
    for report in reports:
        summary = report.get("summary")
        if report.get("check_type") == check_type and isinstance(summary, Mapping):
            counted += int(summary.get("resource_count") or 0)
    return counted


def _unseen_in_plan(reports: list[Mapping[str, Any]], tfplan: TfPlan, exported: set[str]) -> list[str]:
    """The plan's resources of a type checkov checks that its plan report does not account for, when it has one:
    it counted fewer resources than the plan holds (`resource_count`: one per resource vertex of the parsed plan,
    checkov 3.3.30 checkov/terraform/plan_runner.py `Runner.run`) and does not name them. Without a plan report
    (none in the output) nothing is decided: the plan is taken as seen, as before."""
    if not any(r.get("check_type") == "terraform_plan" for r in reports):
        return []
    if _counted_in_template(reports, "terraform_plan") >= len(tfplan.addresses):
        return []
    listed, unchecked = _listed_in_template(reports, PLAN_FILE), set(tfplan.no_checks_resources)
    return [
        entry.urn
        for address, entry in sorted(tfplan.addresses.items())
        if address not in listed and entry.urn not in unchecked and entry.urn not in exported
    ]


def parse_report(
    stdout: str,
    tfplan: TfPlan,
    template: CfnTemplate | None = None,
    runs: Callable[[str], bool] = lambda check_id: True,
) -> CheckovResult:
    """checkov's JSON report as a CheckovResult, failed checks mapped back to URN, logical name and type.

    A finding's `resource` is a Terraform address (`aws_s3_bucket.data`) or, from the CloudFormation
    framework, `<Type>.<LogicalId>` (`AWS::S3::Bucket.data`); both tables map it to the same Pulumi URN.
    What checkov did not check is decided per resource (issue 11 §3, review gate #6), in three kinds: `no_checks`,
    a resource whose type checkov has no checks for (a plan resource whose Terraform type no check reads, an
    aws-native one of a type no CloudFormation check reports on, or whose checks the config skips:
    `CfnTemplate.no_checks`; `runs` tells which checks the effective config runs); `not_seen`, an exported
    aws-native resource checkov's report does not account for (`CfnTemplate.seen_by`: seen when checkov's graph
    counted every resource of the template, or the report names it); `not_mapped`, one neither the plan nor the
    template carries (a gap of the bridge). A resource in the plan of a type checkov checks is seen unless
    checkov's plan report counted fewer resources than the plan holds and does not name it (`_unseen_in_plan`).
    An exported type leaves `not_scanned` only when every resource of it was seen, so a template checkov failed
    to parse, or one resource it left out, still shows in "checkov did not see".
    """
    try:
        reports = _reports(stdout)
    except (ValueError, json.JSONDecodeError):
        first = stdout.strip().splitlines()[0] if stdout.strip() else "no output"
        raise PreflightError(f"checkov printed no JSON report: {first[:200]}") from None
    addresses = {
        **tfplan.provider_addresses,
        **tfplan.addresses,
        **(template.addresses if template is not None else {}),
    }
    entries = list(template.addresses.values()) if template is not None else []
    listed, counted = _listed_in_template(reports), _counted_in_template(reports)
    seen = template.seen_by(listed, counted, runs) if template is not None else set()
    scanned = {e.type for e in entries} - {e.type for e in entries if e.urn not in seen}
    exported = {e.urn for e in entries}
    # A resource both in the plan and exported (a Cloud Control wrapper's declared resources): the template decides.
    no_checks = (set(tfplan.no_checks_resources) - exported) | (
        template.no_checks(runs) if template is not None else set()
    )
    unseen = [urn for urn in tfplan.not_scanned_resources if urn not in seen and urn not in no_checks]
    result = CheckovResult(
        not_scanned=sorted(t for t in tfplan.not_scanned if t not in scanned),
        not_seen=[urn for urn in unseen if urn in exported] + _unseen_in_plan(reports, tfplan, exported),
        no_checks=sorted(no_checks),
        not_mapped=[urn for urn in unseen if urn not in exported],
    )
    for report in reports:
        summary = report.get("summary") or {}
        result.passed_count += int(summary.get("passed", 0) or 0)
        for check in (report.get("results") or {}).get("failed_checks") or []:
            address = str(check.get("resource", ""))
            entry = addresses.get(address)
            result.failed.append(
                CheckovFinding(
                    check_id=str(check.get("check_id", "")),
                    check_name=str(check.get("check_name", "")),
                    address=address,
                    urn=entry.urn if entry else "",
                    name=entry.name if entry else address.split(".", 1)[-1],
                    type=entry.type if entry else "",
                    guideline=str(check.get("guideline") or ""),
                )
            )
    result.failed.sort(key=lambda f: (f.check_id, f.address))
    return result


#: What a warm checkov process runs: checkov's imports (most of its start-up) happen at once, then it takes
#: parts of the plan and finally its arguments on stdin (preflight/checkov_worker.py, run by checkov's python).
WORKER = Path(__file__).resolve().with_name("checkov_worker.py")
#: The whole plan's file name in the scratch folder; checkov reports it as `/tfplan.json`.
PLAN_FILE = "tfplan.json"
#: The aws-native template's file name beside it; checkov reports it as `/template.json`.
TEMPLATE_FILE = "template.json"


def worker_command(python: Path) -> list[str]:
    """The warm worker under checkov's interpreter."""
    return [str(python), str(WORKER)]


class WarmCheckov:
    """A checkov process started ahead of the plan: it loads its checks while the program is synthesised.

    checkov spends most of its run importing itself and its check registries; starting it before
    synthesis overlaps that with the engine's work (see bench/gate.py). The process gets its
    arguments, including the plan file, on stdin once the plan exists.
    """

    def __init__(self, checkov_bin: str | Path | None = None) -> None:
        self.checkov = find_checkov(checkov_bin)
        self._scratch = tempfile.TemporaryDirectory(prefix="preflight-checkov-")
        self.scratch = Path(self._scratch.name)
        self.started = time.monotonic()
        python = self.checkov.parent / "python"
        # checkov also reads a `.checkov.yaml` from the user's home (checkov 3.3.30 common/util/config_utils.py
        # `get_default_config_paths`: the scanned directory, the working directory, then `Path.home()`), after the
        # program has run: a file left in the runner's home, or written there by the program, would narrow or
        # skip checks unseen (review s7-2 finding 1). Its home is an empty folder of its own scratch directory.
        home = self.scratch / "home"
        home.mkdir()
        env = {
            **os.environ,
            "HOME": str(home),
            "LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore",
            "BC_SKIP_MAPPING": "TRUE",
        }
        # A console script beside its interpreter can be warmed; anything else runs as a plain command.
        self._process: subprocess.Popen[str] | None = None
        if python.is_file():
            self._process = subprocess.Popen(
                worker_command(python),
                cwd=self.scratch,  # so checkov picks up no stray .checkov.yaml from the caller's directory
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        self._env = env
        self._command: list[str] = []
        self._reader: threading.Thread | None = None
        self._output: tuple[str, str] = ("", "")
        self._failure: subprocess.TimeoutExpired | OSError | None = None
        self._stream: PlanStream | None = None

    def stream(self, chunk: int = CHUNK) -> PlanStream | None:
        """A stream feeding this worker parts of the plan (`chunk` resources each) while the program runs;
        None for a plain command."""
        if self._process is None or self._process.stdin is None or self._reader is not None:
            return None
        if self._stream is None:
            parts = self.scratch / "parts"
            parts.mkdir(exist_ok=True)
            self._stream = PlanStream(self._send, parts, f"/{PLAN_FILE}", chunk=chunk)
        return self._stream

    def _send(self, message: dict[str, Any]) -> bool:
        """One message to the worker; False when it can take none (it ended or its stdin is closed)."""
        process = self._process
        if process is None or process.stdin is None or self._reader is not None:
            return False
        try:
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
        except (OSError, ValueError):
            return False
        return True

    def submit(self, command: list[str]) -> None:
        """Hand checkov its arguments (as for the console script) and return at once: it scans meanwhile.

        The warm worker gets them as one message on stdin, after any parts of the plan it was streamed;
        without one, checkov starts here as a plain command. A thread reads its output as it comes (so a
        full pipe never stalls the scan) and `wait` collects the result.
        """
        self._command = command
        request: str | None = None
        try:
            if self._process is None:
                self._process = subprocess.Popen(
                    command,
                    cwd=self.scratch,
                    env=self._env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            else:
                if self._stream is not None:
                    self._stream.stop()
                request = json.dumps({"run": command[1:]}) + "\n"
        except OSError as exc:
            raise PreflightError(f"cannot run checkov at {self.checkov}: {exc.strerror}") from None
        self._reader = threading.Thread(target=self._collect, args=(self._process, request), daemon=True)
        self._reader.start()

    def _collect(self, process: subprocess.Popen[str], request: str | None) -> None:
        try:
            self._output = process.communicate(request, timeout=TIMEOUT_SECONDS)
        except (subprocess.TimeoutExpired, OSError) as exc:
            self._failure = exc

    def wait(self) -> subprocess.CompletedProcess[str]:
        """The submitted scan's exit code and output, once checkov has finished (at most TIMEOUT_SECONDS)."""
        if self._reader is None or self._process is None:
            raise PreflightError("checkov was never given a plan to scan")
        self._reader.join()
        if isinstance(self._failure, subprocess.TimeoutExpired):
            raise PreflightError(f"checkov did not finish within {TIMEOUT_SECONDS} s")
        if self._failure is not None:
            raise PreflightError(f"cannot run checkov at {self.checkov}: {self._failure.strerror}")
        stdout, stderr = self._output
        return subprocess.CompletedProcess(self._command, self._process.returncode, stdout, stderr)

    def scan(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """Run checkov with `command` (as for the console script) and wait for it."""
        self.submit(command)
        return self.wait()

    def close(self) -> None:
        """Stop the process if it is still waiting (e.g. the program failed) and remove the scratch folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            if self._reader is None:
                self._process.communicate()
        if self._reader is not None:
            self._reader.join()  # its communicate() ends with the process; only one thread reads the pipes
        self._scratch.cleanup()


_PRESTARTED: list[WarmCheckov] = []


def prestart(checkov_bin: str | Path | None = None) -> None:
    """Start checkov now, before the gate's own imports, so they too are hidden under checkov's start-up.

    The CLI calls this first thing for `preflight check`; `take_prestarted` hands the process to the
    gate. A missing checkov is not reported here: the gate reports it the usual way.
    """
    try:
        _PRESTARTED.append(WarmCheckov(checkov_bin))
    except PreflightError:
        return


def take_prestarted() -> WarmCheckov | None:
    """The process `prestart` started, once; None when there is none."""
    return _PRESTARTED.pop() if _PRESTARTED else None


def discard_prestarted() -> None:
    """Stop a prestarted process nobody took (the command failed before the scan)."""
    while _PRESTARTED:
        _PRESTARTED.pop().close()


def _external_checks(stderr: str) -> dict[str, Any] | None:
    """What the warm worker says of the external graph checks checkov loaded and reported (its `EXTERNAL_LINE`);
    None without that line (a plain checkov command says nothing of them)."""
    for line in reversed((stderr or "").splitlines()):
        if line.startswith(EXTERNAL_LINE):
            try:
                data = json.loads(line[len(EXTERNAL_LINE) :])
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
    return None


class CheckovScan:
    """A scan handed to checkov and running in its own process; `result()` waits for it and reads the report.

    Splitting the hand-over from the wait lets the gate run the CrossGuard policies while checkov
    scans (the machine's second core), instead of after it.
    """

    def __init__(
        self,
        process: WarmCheckov,
        tfplan: TfPlan,
        config: CheckovConfig,
        checks_dirs: Sequence[Path] = (),
        template: CfnTemplate | None = None,
        *,
        own_checks: ProgramChecks | None = None,
    ) -> None:
        self.process = process
        self.tfplan = tfplan
        self.template = template
        self.config = config
        self.checks_dirs = list(checks_dirs)
        self.own_checks = own_checks or ProgramChecks(folder=None)

    def result(self) -> CheckovResult:
        """checkov's findings, mapped back to Pulumi; a one-line PreflightError when checkov failed."""
        try:
            completed = self.process.wait()
            duration = time.monotonic() - self.process.started
        finally:
            self.process.close()
        # checkov exits 0 (all passed) or 1 (some failed); anything else is checkov itself failing.
        if completed.returncode not in (0, 1):
            lines = [ln for ln in (completed.stderr or completed.stdout).strip().splitlines() if ln.strip()]
            raise PreflightError(
                f"checkov failed (exit {completed.returncode}): {lines[-1][:200] if lines else 'no output'}"
            )
        result = parse_report(completed.stdout, self.tfplan, self.template, self.config.runs)
        result.skipped = [skip.to_dict() for skip in self.config.all_skips]
        own = self.own_checks
        addresses = [*self.tfplan.addresses, *(self.template.addresses if self.template is not None else [])]
        not_run = own.not_run(
            _external_checks(completed.stderr), {a.split(".", 1)[0] for a in addresses}, self.config.runs
        )
        missed = {r.file for r in not_run}
        ran = [r for r in own.accepted if self.config.runs(own.ids[r]) and str(EXTERNAL_CHECKS_DIR / r) not in missed]
        added = f"checkov also ran {len(ran)} of the program's own data checks from {own.folder}"
        result.notes = self.config.notes() + ([f"{added} (added to the pack's)"] if own.accepted else [])
        result.refused_checks = [{"file": r.file, "reason": r.reason} for r in [*own.refused, *not_run]]
        result.duration_seconds = round(duration, 3)
        return result

    def close(self) -> None:
        """Stop checkov without reading its result (the gate failed before it needed it)."""
        self.process.close()


def start_checkov(
    graph: ResourceGraph,
    program_dir: str | Path = ".",
    *,
    checkov_bin: str | Path | None = None,
    keep_plan: str | Path | None = None,
    warm: WarmCheckov | None = None,
) -> CheckovScan:
    """Export the graph as a Terraform plan and hand it to checkov, without waiting for the scan.

    Pass `warm` (a `WarmCheckov` started before synthesis) to overlap checkov's start-up with the
    engine. The process is closed by `CheckovScan.result()` or `close()`, or here if handing over fails.
    """
    process = warm or WarmCheckov(checkov_bin)
    try:
        program = Path(program_dir).resolve()
        config = load_checkov_config(config_file_for(program))
        effective = process.scratch / "checkov-config.yaml"
        effective.write_text(yaml.safe_dump(config.effective(), sort_keys=False), encoding="utf-8")
        own_checks = program_checks(program, PACK_CHECKS_DIR)
        checks_dirs = [PACK_CHECKS_DIR, *own_checks.stage(process.scratch)]
        # checkov judges the plaintext of secrets, as the pack does (ResourceNode.secret_inputs), from its
        # scratch folder only: a private temporary directory removed when the scan ends (WarmCheckov.close).
        # A kept plan is the redacted one, like every artefact; the addresses are the same in both.
        judged = graph.judged()
        tfplan = graph_to_tfplan(judged)
        text = tfplan.to_json()
        plan_file = process.scratch / PLAN_FILE
        plan_file.write_text(text, encoding="utf-8")
        if keep_plan:
            kept = text if judged is graph else graph_to_tfplan(graph).to_json()
            Path(keep_plan).write_text(kept, encoding="utf-8")
        template = graph_to_cfn(judged)
        template_file = None if template.empty else process.scratch / TEMPLATE_FILE
        if template_file is not None:
            template_file.write_text(template.to_json(), encoding="utf-8")
        process.submit(checkov_command(process.checkov, plan_file, effective, checks_dirs, template_file))
    except BaseException:
        process.close()
        raise
    return CheckovScan(process, tfplan, config, checks_dirs, template, own_checks=own_checks)


def run_checkov(
    graph: ResourceGraph,
    program_dir: str | Path = ".",
    *,
    checkov_bin: str | Path | None = None,
    keep_plan: str | Path | None = None,
    warm: WarmCheckov | None = None,
) -> CheckovResult:
    """Export the graph as a Terraform plan and scan it with checkov (`start_checkov`, then its result).

    Pass `warm` (a `WarmCheckov` started before synthesis) to overlap checkov's start-up with the
    engine; it is closed here either way.
    Raises PreflightError (one line) when checkov is not installed, fails, or prints no report.

    Examples
    --------
    >>> from preflight.engine import synthesize
    >>> result = run_checkov(synthesize(".", "dev"), ".")
    >>> result.ran
    True
    """
    return start_checkov(graph, program_dir, checkov_bin=checkov_bin, keep_plan=keep_plan, warm=warm).result()
