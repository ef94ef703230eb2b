"""Errors the preflight engine reports as one clear line and exit code 2 (never a traceback)."""

from __future__ import annotations


class PreflightError(Exception):
    """Bad usage, bad configuration or a failing program: reported as one line, exit code 2."""


class ConfigError(PreflightError):
    """A stack file or a configuration value is wrong; the message names the file and the key."""


class ProgramError(PreflightError):
    """The Pulumi program raised; the message carries the program's file and line."""
