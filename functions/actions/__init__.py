"""``actions``: the Bedrock agent's action group (OpenAPI operations served by one Lambda).

The agent (user-facing, AI-native orchestration) hands work to back-end automation only by putting
``RequestReceived`` on the bus; it never calls the workflow (P032-P034, P178).
"""
