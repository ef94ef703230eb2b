"""`python -m preflight`."""

from preflight.cli import main

raise SystemExit(main())
