"""Reading a Pulumi project and its stack files the way the CLI does, with one-line errors."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from preflight.errors import ConfigError

#: What `secure:` values become offline: a placeholder, marked secret, never the ciphertext.
SECRET_PLACEHOLDER = "preflight-placeholder-secret"


@dataclass(frozen=True)
class ProjectFile:
    """The parts of `Pulumi.yaml` the engine needs."""

    path: Path
    name: str
    main: Path


@dataclass(frozen=True)
class StackConfig:
    """One stack's config as the SDK receives it: `namespace:key` -> string, plus the secret keys.

    `found` is False when the stack has no file: the CLI then reads an empty config (see `load_stack_config`).
    """

    path: Path
    stack: str
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()
    found: bool = True
    #: The Pulumi ESC environments the stack file imports (its `environment:` list), which offline are not opened.
    environments: tuple[str, ...] = ()


class _TextDatesLoader(yaml.SafeLoader):
    """Safe YAML with dates left as text, as the Pulumi CLI reads them (`2027-02-28` is a string)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}malformed YAML: {problem}") from None


def load_project(program_dir: Path) -> ProjectFile:
    path = project_file_path(program_dir)
    if path is None:
        raise ConfigError(f"{program_dir / 'Pulumi.yaml'}: no Pulumi project here (Pulumi.yaml not found)")
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ConfigError(f"{path}: 'name' is required and must be a string")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ConfigError(f"{path}: runtime is {runtime_name!r}; preflight runs Python programs only")
    main = program_dir / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise ConfigError(f"{path}: program entry point {main} not found")
    _stack_config_dir(path, data)  # refused here too, before the program runs
    return ProjectFile(path=path, name=data["name"], main=main)


def _stack_config_dir(path: Path, data: dict[str, Any]) -> str | None:
    """`stackConfigDir`, or `config: <dir>` moved there, as the CLI reads a project (pulumi/pulumi
    sdk/go/common/workspace/project.go `RewriteConfigPathIntoStackConfigDir`: both as text is an error)."""
    folder, legacy = data.get("stackConfigDir"), data.get("config")
    if isinstance(legacy, str):
        if "stackConfigDir" in data:  # the CLI checks the key, not its value
            raise ConfigError(f"{path}: use either 'config: <folder>' or 'stackConfigDir', not both")
        folder = legacy
    if folder is not None and not isinstance(folder, str):
        raise ConfigError(f"{path}: stackConfigDir must be a folder name, got {folder!r}")
    return folder or None


#: The project file's names, in the order the CLI looks for them (pulumi/pulumi sdk/go/common/workspace/paths.go
#: `findProjectInDir` over `encoding.Exts`). JSON is YAML to the reader here.
PROJECT_FILES = ("Pulumi.json", "Pulumi.yaml", "Pulumi.yml")


def project_file_path(program_dir: Path) -> Path | None:
    """The project file in `program_dir`, or None (not validated: `load_project` does that).

    More than one is refused: the CLI would run the one it finds first, and a reviewer reading the other would
    not see what deploys (review s9, finding 2)."""
    found = [program_dir / name for name in PROJECT_FILES if (program_dir / name).is_file()]
    if len(found) > 1:
        raise ConfigError(
            f"{program_dir}: more than one Pulumi project file ({', '.join(p.name for p in found)}); keep one"
        )
    return found[0] if found else None


def stack_file(program_dir: Path, stack: str) -> Path:
    """Where the CLI reads stack `stack`'s config: `Pulumi.<stack>` with the project file's extension, in the
    project's `stackConfigDir` when it sets one (pulumi/pulumi sdk/go/common/workspace/paths.go
    `ProjectStackPath`; `stack` is the bare name, as `split_stack` gives it). The one place that names it.

    The folder is joined as Go's `filepath.Join` joins it: an absolute `stackConfigDir` is still under the
    project's folder (`/stacks` is `<project>/stacks`), unlike Python's `/` (review s9, finding 1)."""
    path = project_file_path(program_dir)
    if path is None:
        return program_dir / f"Pulumi.{stack}.yaml"
    data = _load_yaml(path)
    folder = _stack_config_dir(path, data) if isinstance(data, dict) else None
    where = Path(os.path.normpath(program_dir / folder.lstrip("/"))) if folder else program_dir
    return where / f"Pulumi.{stack}{path.suffix}"


def stack_file_or_default(program_dir: Path, stack: str) -> Path:
    """`stack_file`, or `Pulumi.<stack>.yaml` beside the folder when the project file cannot be read (for what
    only names the file: the program's run fails on the project file with its own one-line error)."""
    try:
        return stack_file(program_dir, stack)
    except ConfigError:
        return program_dir / f"Pulumi.{stack}.yaml"


def stack_names(program_dir: Path) -> list[str]:
    """The stacks that have a file where the CLI reads them (`stack_file`'s folder and extension), sorted."""
    probe = stack_file_or_default(program_dir, "_")
    if not probe.parent.is_dir():
        return []
    names = (p.name[len("Pulumi.") : -len(probe.suffix)] for p in probe.parent.glob(f"Pulumi.*{probe.suffix}"))
    return sorted(name for name in names if name)


def _config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    # The CLI hands structured and scalar values to the SDK as JSON text.
    return json.dumps(value)


def _full_key(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _project_defaults(program_dir: Path, project: str) -> tuple[dict[str, str], list[str]]:
    """`config:` of Pulumi.yaml: the values a stack gets when its file does not set them, and the keys
    the project requires (its own namespace, no default). As the CLI merges them (pulumi/pulumi
    pkg/workspace/config.go `mergeConfig` L295-L340; shorthand values, workspace/project.go L499-L512):
    a plain value is a default for a project key and a value for another namespace's key (`aws:region`)."""
    path = project_file_path(program_dir)
    data = _load_yaml(path) if path is not None else None
    config = data.get("config") if isinstance(data, dict) else None
    if config is None or isinstance(config, str):  # a string is the stack files' folder (`_stack_config_dir`)
        return {}, []
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: 'config' must be a mapping of keys to types or values")
    defaults: dict[str, str] = {}
    required: list[str] = []
    for raw_key, spec in config.items():
        key = _full_key(str(raw_key), project)
        if isinstance(spec, dict):
            value = spec.get("default", spec.get("value"))
            if value is None:
                if key.startswith(f"{project}:"):
                    required.append(key)
                continue
        else:
            value = spec
        defaults[key] = _config_string(value)
    return defaults, required


def load_stack_config(program_dir: Path, project: str, stack: str) -> StackConfig:
    """Stack `stack`'s config with the project's defaults, as the CLI hands it to the program.

    A stack without a file has an empty config, not an error: the CLI reads a missing stack file as
    `ProjectStack{Config: {}}` (pulumi/pulumi sdk/go/common/workspace/loaders.go `LoadProjectStack`), as for a
    stack made by `pulumi stack init` and never configured. The result says so (`found`), and the report too.
    """
    path = stack_file(program_dir, stack)
    found = path.is_file()
    if not found and (others := [name for name in stack_names(program_dir) if name != stack]):
        raise ConfigError(
            f"{path}: stack file not found, and the program keeps stack files for {', '.join(others)}: a stack "
            "without a file is judged only in a program that keeps none (a mistyped --stack must not pass); "
            f"create {path.name} (it may be empty) for a new stack"
        )
    data = (_load_yaml(path) if found else None) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: 'config' must be a mapping of keys to values")
    values: dict[str, str] = {}
    secrets: list[str] = []
    for raw_key, value in config.items():
        full_key = _full_key(str(raw_key), project)
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full_key] = SECRET_PLACEHOLDER
            secrets.append(full_key)
            continue
        values[full_key] = _config_string(value)
    defaults, required = _project_defaults(program_dir, project)
    missing = [key for key in required if key not in values]
    if missing:
        raise ConfigError(f"{path}: missing required configuration {', '.join(missing)} (declared in Pulumi.yaml)")
    values = {**{k: v for k, v in defaults.items() if k not in values}, **values}
    return StackConfig(
        path=path,
        stack=stack,
        values=values,
        secret_keys=tuple(secrets),
        found=found,
        environments=_environments(data.get("environment")),
    )


def _environments(value: Any) -> tuple[str, ...]:
    """The ESC environments a stack file's `environment:` block imports, in order ("The environment block in your
    stack configuration file (Pulumi.<stack>.yaml) lists the environments the stack imports",
    https://www.pulumi.com/docs/esc/guides/pulumi-iac/). One name alone, or a block of another shape, still counts:
    it is named as written, so the report never says the stack imports nothing when its file says otherwise."""
    if value is None or value == []:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return (json.dumps(value, sort_keys=True, default=str),)


def missing_stack_file_note(config: StackConfig, program_dir: Path) -> str | None:
    """The report's line for a stack judged without a stack file (None when it has one), naming where it was
    looked for, relative to the program's folder."""
    if config.found:
        return None
    where = os.path.relpath(config.path, program_dir)
    return (
        f"stack file: {where} not found, so stack {config.stack!r} is judged with an empty config plus "
        "the project's defaults, as the Pulumi CLI runs a stack that has no file (check the stack name if it "
        "should have one)"
    )


def environments_note(config: StackConfig) -> str | None:
    """The report's line for a stack file that imports ESC environments (None when it imports none): `pulumi
    preview` opens them and merges their `pulumiConfig` values into the stack's config (and their
    `environmentVariables` into the program's environment); offline they are not opened, so a key only they set
    reads as unset and the program's default for it is what was judged."""
    if not config.environments:
        return None
    where = config.path.name
    return (
        f"stack environments: {where} imports ESC environment(s) {', '.join(config.environments)}; they are not "
        "opened offline, so configuration (pulumiConfig) and environment variables they would set are not read, and "
        "the program's defaults stand in for them (state such keys in the stack file of a scratch copy, or judge "
        "`pulumi preview --json` with --from-preview)"
    )


def split_stack(value: str) -> tuple[str, str | None]:
    """(stack, project) of a `--stack` value: `stack`, `project/stack` or `org/project/stack`.

    The CLI accepts all three (`pulumi stack select acme/shop/prod`); URNs, stack files
    (`Pulumi.<stack>.yaml`) and policy configs (`policies/config/<stack>.json`) use the bare stack,
    so this is the one place that decides which part is which. The project is None when not given.
    """
    parts = value.split("/")
    if len(parts) > 3 or not all(parts):
        raise ConfigError(f"--stack {value!r}: expected STACK, PROJECT/STACK or ORG/PROJECT/STACK")
    return parts[-1], (parts[-2] if len(parts) >= 2 else None)


def stack_organization(value: str) -> str | None:
    """The organization of a fully qualified `--stack` (`acme/shop/prod` -> `acme`), else None."""
    parts = value.split("/")
    return parts[0] if len(parts) == 3 and all(parts) else None
