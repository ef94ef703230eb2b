"""Generate the action group's OpenAPI schema from the resolver: ``python -m functions.actions.schema``.

Bedrock reads the schema from the action group (``api_schema.payload``); the deploy-time program
(``components/platform.py``) reads the committed ``openapi.json`` next to this module, so deploying
needs neither Powertools nor this code. ``tests/functions/test_actions.py`` fails when the committed
file differs from what the resolver generates: after changing an operation, run this module again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("openapi.json")
TITLE = "agentic-platform agent actions"
DESCRIPTION = "Operations the user-facing agent may call; work reaches the back end only as bus events."


def generate() -> str:
    """The schema as canonical JSON text (sorted keys, two-space indent, final newline).

    Uses ``BedrockAgentResolver.get_openapi_json_schema``, which emits OpenAPI 3.0.x, the version
    Bedrock agents accept (aws_lambda_powertools/event_handler/bedrock_agent.py, 3.37.0).
    """
    from functions.actions.handler import app  # noqa: PLC0415  # Powertools only where it runs

    schema = json.loads(app.get_openapi_json_schema(title=TITLE, version="1.0.0", description=DESCRIPTION))
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write :data:`SCHEMA_FILE`; with ``--check``, only report whether it is current (exit 1 if not)."""
    args = sys.argv[1:] if argv is None else argv
    text = generate()
    if "--check" in args:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is stale: run python -m functions.actions.schema", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
