"""``connections``: the WebSocket API's ``$connect`` authorizer and its ``$connect``/``$disconnect`` routes."""
