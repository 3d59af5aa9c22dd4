"""The extension's routes live under Jupyter's base_url, as on JupyterHub (/user/<name>/)."""

from __future__ import annotations

import json

import requests
import websocket


def test_proxy_and_websocket_live_under_the_base_url(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(extra={"ServerApp": {"base_url": "/user/ada/"}})
    assert jupyter.url("/x").endswith("/user/ada/x")
    status = requests.get(jupyter.url("/conveyor/api/v1/status"), headers=jupyter.auth, timeout=60)
    assert status.status_code == 200, status.text
    assert status.json()["server"]["mode"] == "embedded"
    ws = websocket.create_connection(
        jupyter.ws_url("/conveyor/api/v1/ws"),
        header=[f"Authorization: token {jupyter.token}"],
        timeout=60,
    )
    try:
        assert json.loads(ws.recv())["type"] == "hello"
    finally:
        ws.close()
    # Without the prefix there is no Conveyor route.
    bare = f"http://127.0.0.1:{jupyter.port}/conveyor/api/v1/status"
    assert requests.get(bare, headers=jupyter.auth, timeout=30).status_code == 404
