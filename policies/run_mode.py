"""Whether the pack judges a preview or an update: decided once by whoever starts the pack, never read from the
environment while a rule runs.

The Pulumi engine tells a pack's own plugin process which operation it serves in `PULUMI_DRY_RUN` ("true" in
`pulumi preview`, "false" in `pulumi up`: pulumi/pulumi at 1b59498 sdk/go/common/resource/plugin/
analyzer_plugin.go L993; pkg/engine/update.go L1107-L1113). `policies/__main__.py`, which the CLI (and
`preflight.analyzer`) starts as that process, reads it there once, before any resource is judged. The
offline gate runs the pack in the same process as the program it judges (preflight.policy_runner), whose code,
like the caller's shell or CI job, can set that variable; so it never reads it and passes the mode
explicitly (always `up`, review4 #1). The default, for anyone importing the pack, is `up`.
"""

from __future__ import annotations

#: The variable the engine sets for a policy pack's process: "true" in a preview, "false" in an update.
DRY_RUN_ENV = "PULUMI_DRY_RUN"

_state = {"preview": False}


def previewing() -> bool:
    """Whether the pack judges `pulumi preview` (set by the pack's entry or the runner; `up` by default)."""
    return _state["preview"]


def set_preview(preview: bool) -> bool:
    """Judge as a preview (True) or an update (False) from now on; returns the previous mode."""
    previous = _state["preview"]
    _state["preview"] = bool(preview)
    return previous


def engine_dry_run(environ: dict[str, str] | None = None) -> bool:
    """The engine's PULUMI_DRY_RUN as pulumi_policy reads it (`== "true"`, policy.py L1421-L1441); only for the
    pack's own process entry."""
    import os  # noqa: PLC0415 (only the entry reads the environment)

    env = os.environ if environ is None else environ
    return env.get(DRY_RUN_ENV) == "true"
