"""The HTTP proxy, through a real Jupyter server to the real companion (embedded mode)."""

from __future__ import annotations

import uuid

import requests
from servers import JupyterServer, assert_conveyor_error, wait_until

from jupyterlab_conveyor.handlers.base import owner_name

STATUS = "/conveyor/api/v1/status"
TOKENS = "/conveyor/api/v1/tokens"


def test_token_authenticated_status_comes_from_the_companion(jupyter: JupyterServer) -> None:
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    status = r.json()
    assert status["server"]["apiVersion"] == "v1"
    assert status["server"]["mode"] == "embedded"
    assert status["server"]["version"]
    # The default token login has anonymous random users: the proxy vouches for the owner.
    assert status["user"]["name"] == owner_name()


def test_unauthenticated_request_is_refused_by_jupyter_and_never_reaches_the_companion(
    jupyter: JupyterServer,
) -> None:
    refused, control = uuid.uuid4().hex, uuid.uuid4().hex
    r = requests.get(jupyter.url(f"{STATUS}?probe={refused}"), timeout=30)
    assert r.status_code == 403
    assert "error" not in r.json()  # Jupyter's answer, not the companion's
    ok = requests.get(jupyter.url(f"{STATUS}?probe={control}"), headers=jupyter.auth, timeout=60)
    assert ok.status_code == 200
    # The companion logs every request it serves: the control shows up, the refused one never.
    wait_until(
        lambda: any(control in line for line in jupyter.companion_lines()), 10, "the companion's request log"
    )
    assert not any(refused in line for line in jupyter.companion_lines())


def test_jupyter_token_in_the_query_is_not_passed_to_the_companion(jupyter: JupyterServer) -> None:
    marker = uuid.uuid4().hex
    r = requests.get(jupyter.url(f"{STATUS}?token={jupyter.token}&probe={marker}"), timeout=60)
    assert r.status_code == 200
    line = wait_until(
        lambda: next((ln for ln in jupyter.companion_lines() if marker in ln), None), 10, "the request log"
    )
    assert jupyter.token not in line


def _cookie_session(jupyter: JupyterServer) -> requests.Session:
    """A browser-like session: log in with the token on /login, keep the cookies."""
    session = requests.Session()
    session.get(jupyter.url("/login"), timeout=30)
    xsrf = session.cookies.get("_xsrf")
    assert xsrf, "Jupyter did not set an _xsrf cookie on /login"
    r = session.post(
        jupyter.url("/login"),
        data={"password": jupyter.token, "_xsrf": xsrf},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code in (302, 303), r.text
    assert requests.get(jupyter.url("/api/me"), cookies=session.cookies, timeout=30).status_code == 200
    return session


def test_cookie_post_without_xsrf_token_is_refused(jupyter: JupyterServer) -> None:
    session = _cookie_session(jupyter)
    r = session.post(jupyter.url(TOKENS), json={"name": "no-xsrf"}, timeout=30)
    assert r.status_code == 403
    assert "error" not in r.json()  # refused by Jupyter's XSRF check
    # Tornado closes a connection whose request body it refused unread; a browser retries an
    # idempotent request on a new one, so this check opens a new connection too.
    session.close()
    listed = session.get(jupyter.url(TOKENS), timeout=30).json()
    assert "no-xsrf" not in str(listed)


def test_cookie_post_with_xsrf_token_reaches_the_companion(jupyter: JupyterServer) -> None:
    session = _cookie_session(jupyter)
    headers = {"X-XSRFToken": session.cookies["_xsrf"]}
    r = session.post(jupyter.url(TOKENS), json={"name": "with-xsrf"}, headers=headers, timeout=30)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["token"]["name"] == "with-xsrf" and created["secret"]
    bad = session.post(jupyter.url(TOKENS), json={"name": ""}, headers=headers, timeout=30)
    assert bad.status_code == 400
    assert_conveyor_error(bad.json())


def test_delete_and_not_found_are_relayed(jupyter: JupyterServer) -> None:
    created = requests.post(
        jupyter.url(TOKENS), json={"name": "short-lived"}, headers=jupyter.auth, timeout=30
    )
    assert created.status_code == 201
    token_id = created.json()["token"]["id"]
    gone = requests.delete(jupyter.url(f"{TOKENS}/{token_id}"), headers=jupyter.auth, timeout=30)
    assert gone.status_code in (200, 204), gone.text
    missing = requests.get(jupyter.url("/conveyor/api/v1/no-such-route"), headers=jupyter.auth, timeout=30)
    assert missing.status_code == 404
    assert_conveyor_error(missing.json(), "not_found")


def test_companion_response_headers_are_filtered(jupyter: JupyterServer) -> None:
    r = requests.get(jupyter.url(STATUS), headers={**jupyter.auth, "X-Request-Id": "probe-123"}, timeout=30)
    assert r.headers.get("X-Request-Id") == "probe-123"  # an allowed header crosses
    assert "Keep-Alive" not in r.headers and "X-Powered-By" not in r.headers
