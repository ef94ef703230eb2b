"""Lambda runtime code for agentic-platform.

One sub-package per handler (``ingest``, ``router``, ``decide``, ``deliver``) plus ``shared``
(constants, event contracts, prompt templates, settings). Each handler module is the Lambda
entry point ``functions.<name>.handler.lambda_handler``.
"""
