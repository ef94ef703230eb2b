"""The platform stacks' own settings, as the bootstrap needs them: which tag keys each stack requires.

A platform stack may require more tags than the template's base set (`agentic-platform:requiredTagKeys` in
`Pulumi.<stack>.yaml`, components/settings.py). The deploy roles' `*`-only untags can be kept off a tag only by
naming its key (aws:TagKeys, permissions.py), so the bootstrap must know every key any stack requires: dev's
role must not strip prod of a tag prod alone requires. The files are read through the platform's own typed
loader (components.settings.load_settings), validated once here; a bad one stops the program with one line
naming the file and key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml

from components.settings import DEFAULT_REQUIRED_TAG_KEYS, PROJECT, StackConfigError, load_settings

#: The platform project's directory (its Pulumi.yaml and Pulumi.<stack>.yaml files): the bootstrap's parent.
PLATFORM_DIR = Path(__file__).resolve().parents[1]
#: What a `secure:` value stands for here: required tag keys are never secrets, so its value is never read.
_SECRET = "bootstrap-unread-secret"


def _as_config_text(value: Any) -> str:
    """A stack file value as the Pulumi CLI hands it to a program: text as is, anything else as JSON."""
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return _SECRET
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _stack_config(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise pulumi.RunError(f"{path.name}: file not found (a stack the bootstrap settings name)") from None
    except yaml.YAMLError as exc:
        raise pulumi.RunError(f"{path.name}: malformed YAML: {str(exc).splitlines()[0]}") from None
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        raise pulumi.RunError(f"{path.name}: config: expected a mapping of keys to values")
    return {str(key): _as_config_text(value) for key, value in config.items()}


def required_tag_keys(stack: str, platform_dir: Path = PLATFORM_DIR) -> tuple[str, ...]:
    """The tag keys one platform stack requires, read and validated from its `Pulumi.<stack>.yaml`."""
    try:
        settings = load_settings(_stack_config(platform_dir / f"Pulumi.{stack}.yaml"), stack, PROJECT)
    except StackConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    return tuple(settings.required_tag_keys)


def protected_tag_keys(stacks: Iterable[str], platform_dir: Path = PLATFORM_DIR) -> tuple[str, ...]:
    """Every tag key the base set or any of `stacks` requires: what no deploy role's `*` untag may remove.

    One list for all roles: a `*` grant reaches every stack's resources, so dev's role must keep off prod's
    extra keys as much as its own.
    """
    keys = list(DEFAULT_REQUIRED_TAG_KEYS)
    for stack in stacks:
        keys += required_tag_keys(stack, platform_dir)
    return tuple(dict.fromkeys(keys))
