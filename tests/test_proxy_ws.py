"""The websocket proxy: authenticated, origin-checked, relaying the companion's events."""

from __future__ import annotations

import json
import os
import signal

import pytest
import requests
import websocket
from servers import JupyterServer

WS = "/conveyor/api/v1/ws"


def _handshake_status(excinfo: pytest.ExceptionInfo[websocket.WebSocketBadStatusException]) -> int:
    return int(excinfo.value.status_code)


def test_websocket_without_credentials_is_refused(jupyter: JupyterServer) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as excinfo:
        websocket.create_connection(jupyter.ws_url(WS), timeout=30)
    assert _handshake_status(excinfo) == 403


def test_websocket_with_token_receives_hello_from_the_companion(jupyter: JupyterServer) -> None:
    ws = websocket.create_connection(
        jupyter.ws_url(WS), header=[f"Authorization: token {jupyter.token}"], timeout=60
    )
    try:
        hello = json.loads(ws.recv())
        assert hello["type"] == "hello"
        assert hello["version"]
    finally:
        ws.close()


def _login_cookie(jupyter: JupyterServer) -> str:
    session = requests.Session()
    session.get(jupyter.url("/login"), timeout=30)
    session.post(
        jupyter.url("/login"),
        data={"password": jupyter.token, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=30,
    )
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def test_cookie_websocket_from_another_origin_is_refused(jupyter: JupyterServer) -> None:
    # A login cookie is ambient (a hostile page's browser sends it), so Jupyter checks Origin;
    # a token is not, and Jupyter skips the check for token-authenticated requests.
    cookie = _login_cookie(jupyter)
    with pytest.raises(websocket.WebSocketBadStatusException) as excinfo:
        websocket.create_connection(
            jupyter.ws_url(WS), cookie=cookie, origin="http://evil.example", timeout=30
        )
    assert _handshake_status(excinfo) == 403
    ws = websocket.create_connection(jupyter.ws_url(WS), cookie=cookie, origin=jupyter.base, timeout=60)
    try:
        assert json.loads(ws.recv())["type"] == "hello"
    finally:
        ws.close()


def test_websocket_with_token_in_query_works_like_jupyter_kernels(jupyter: JupyterServer) -> None:
    ws = websocket.create_connection(jupyter.ws_url(f"{WS}?token={jupyter.token}"), timeout=60)
    try:
        assert json.loads(ws.recv())["type"] == "hello"
    finally:
        ws.close()


def test_websocket_is_closed_when_the_companion_goes_away(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter()
    ws = websocket.create_connection(
        jupyter.ws_url(WS), header=[f"Authorization: token {jupyter.token}"], timeout=60
    )
    try:
        assert json.loads(ws.recv())["type"] == "hello"
        os.kill(jupyter.companion_info()["pid"], signal.SIGKILL)
        ws.settimeout(15)
        opcode, frame = ws.recv_data_frame(control_frame=True)
        while opcode != websocket.ABNF.OPCODE_CLOSE:  # status events may still be in flight
            opcode, frame = ws.recv_data_frame(control_frame=True)
        code = int.from_bytes(frame.data[:2], "big")
        assert code == 1011, frame.data
    finally:
        ws.close()
