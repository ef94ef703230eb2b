"""``deliver``: push outcomes to the requester's WebSocket connection."""
