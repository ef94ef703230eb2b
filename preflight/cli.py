"""The `preflight` command line: one subcommand per module in `preflight/commands/`.

Errors a person can fix (bad usage, bad config, a failing program) print one line on stderr and
exit 2; policy verdicts use 0 (pass) and 1 (mandatory violations).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from policies.errors import PackFileError
from preflight.errors import PreflightError

#: Subcommand modules under `preflight.commands`, in help order. Each exposes `register(subparsers)`.
COMMANDS = ("plan", "check", "export_tfplan", "policies", "cost")

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Run a Pulumi Python program offline and gate what it would deploy.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"preflight.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"preflight.commands.{name}":
                raise
            continue  # a command not built yet is simply not offered
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (PreflightError, PackFileError) as exc:  # a pack data file (the price table) is input too
        print(f"preflight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left


def run() -> None:
    """Console entry point: `main()`, then leave without tearing the interpreter down.

    Finalising the tens of thousands of objects the Pulumi SDKs load takes about a second, a third of
    a typical gate run; like mypy's `hard_exit`, flush the output and end the process directly.
    """
    argv = sys.argv[1:]
    if argv[:1] == ["check"] and not {"--no-checkov", "-h", "--help"} & set(argv):
        # checkov's start-up is most of its run: begin it before this process's own imports (bench/gate.py).
        from preflight import checkov_runner  # noqa: PLC0415

        checkov_runner.prestart()
    try:
        code = main()
    finally:
        if "preflight.checkov_runner" in sys.modules:
            sys.modules["preflight.checkov_runner"].discard_prestarted()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
