"""Options shared by the subcommands, and writing results to stdout or a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from preflight.errors import PreflightError
from preflight.limits import DEFAULT_TIMEOUT, TIMEOUT_ENV, configured_timeout, parse_seconds


def add_program_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--program", default=".", metavar="DIR", help="Pulumi Python program directory (default: .)")
    parser.add_argument("--stack", default="dev", metavar="NAME", help="stack name; reads DIR/Pulumi.NAME.yaml")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        help=f"end the program after SECONDS, exit 2 (default: ${TIMEOUT_ENV}, else {DEFAULT_TIMEOUT:g}; 0: no limit)",
    )


def program_timeout(args: argparse.Namespace) -> float | None:
    """The time limit for this run: `--timeout`, else the configured one (preflight.limits)."""
    if getattr(args, "timeout", None) is None:
        return configured_timeout()
    return parse_seconds(args.timeout, "--timeout")


def add_format_option(parser: argparse.ArgumentParser, choices: tuple[str, ...]) -> None:
    parser.add_argument("--format", default=choices[0], choices=choices, help=f"output format (default: {choices[0]})")


def write_output(text: str, output: str | None) -> None:
    """Print `text`, or write it to `output` (creating folders); nothing is lost on a bad path."""
    if not output:
        print(text)
        return
    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise PreflightError(f"{output}: cannot write: {exc.strerror}") from None
