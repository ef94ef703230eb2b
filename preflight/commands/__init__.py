"""One module per `preflight` subcommand; each exposes `register(subparsers)`."""
