"""Team mode: Jupyter proxies to a standalone Conveyor server with the user's API token."""

from __future__ import annotations

import json

import requests
import websocket
from servers import TeamCompanion, assert_conveyor_error

STATUS = "/conveyor/api/v1/status"


def test_team_mode_proxies_with_the_bearer_token(team_companion: TeamCompanion, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(conveyor={"server_url": team_companion.url, "token": team_companion.token})
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert r.status_code == 200, r.text
    status = r.json()
    assert status["server"]["mode"] == "team"
    assert status["user"]["name"] == "alice"
    # No embedded companion was started.
    assert not jupyter.info_path.exists()
    assert "Starting the Conveyor companion server" not in jupyter.log_text()
    # Jupyter's login still comes first.
    assert requests.get(jupyter.url(STATUS), timeout=30).status_code == 403
    ws = websocket.create_connection(
        jupyter.ws_url("/conveyor/api/v1/ws"), header=[f"Authorization: token {jupyter.token}"], timeout=60
    )
    try:
        assert json.loads(ws.recv())["type"] == "hello"
    finally:
        ws.close()


def test_team_mode_without_a_token_gets_the_servers_401(team_companion: TeamCompanion, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(conveyor={"server_url": team_companion.url})
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert r.status_code == 401
    assert_conveyor_error(r.json(), "unauthenticated")
