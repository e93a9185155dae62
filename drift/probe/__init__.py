"""The WebSocket handshake probe: targets and URLs, `${VAR}` expansion, ID tokens, the client
and its verdicts, and probing what a live read found. Import the submodule you need: only
`client` loads websockets."""
