"""A managed workspace through the whole chain, as a browser reaches it: a real Jupyter at
``/user/ada/`` → the Python proxy → the companion's workspace proxy → the workspace container
(``conveyor/workspace:dev``, built by scripts/setup.sh).

Checks what broke in a browser before: the page's scripts (the API policy ``default-src 'none'``
blocked them), the page naming the inner base instead of ``/user/ada/…``, the inner server's
cookies shadowing the outer ``_xsrf``, and kernel websockets (not relayed at all).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import websocket
from conftest import require
from servers import JupyterServer

IMAGE = "conveyor/workspace:dev"
BASE = "/user/ada/"
USER = f"wsproxy-{os.getpid()}"


def _docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True, timeout=60).stdout


class Workspace:
    def __init__(self, jupyter: JupyterServer, wid: str) -> None:
        self.jupyter, self.id = jupyter, wid
        self.path = f"/conveyor/workspaces/{wid}/"  # under the Jupyter base
        info = json.loads(
            _docker("inspect", _docker("ps", "-q", "--filter", f"label=io.conveyor.workspace={wid}").strip())
        )[0]
        self.ip = next(iter(info["NetworkSettings"]["Networks"].values()))["IPAddress"]
        env = dict(e.split("=", 1) for e in info["Config"]["Env"])
        self.token = env["JUPYTER_TOKEN"]

    def url(self, rest: str) -> str:
        return self.jupyter.url(self.path + rest)

    def direct(self, rest: str) -> requests.Response:
        """The container itself, with its own token (what the companion's proxy sees)."""
        return requests.get(
            f"http://{self.ip}:8888{self.path}{rest}",
            headers={"Authorization": f"token {self.token}"},
            timeout=60,
        )


@pytest.fixture(scope="module")
def workspace(bundle: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    require(
        subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True).returncode == 0,
        f"{IMAGE} not built",
    )
    jupyter = JupyterServer(
        tmp_path_factory.mktemp("jupyter"),
        conveyor={"user_name": USER},
        extra={"ServerApp": {"base_url": BASE}},
    )
    api = jupyter.url("/conveyor/api/v1/workspaces")
    wid = ""
    try:
        created = requests.post(
            api, headers=jupyter.auth, json={"name": "chain", "image": IMAGE, "profile": "small"}, timeout=120
        )
        assert created.status_code == 201, created.text
        wid = created.json()["id"]
        deadline = time.monotonic() + 90
        while requests.get(f"{api}/{wid}", headers=jupyter.auth, timeout=30).json()["status"] != "running":
            assert time.monotonic() < deadline, "the workspace did not start"
            time.sleep(0.25)
        yield Workspace(jupyter, wid)
    finally:
        if wid:
            requests.delete(f"{api}/{wid}?volume=true", headers=jupyter.auth, timeout=120)
        jupyter.stop()


def _browser(jupyter: JupyterServer) -> requests.Session:
    """A browser's session: logged in with the token on /login, the outer JupyterLab page visited."""
    session = requests.Session()
    session.get(jupyter.url("/login"), timeout=30)
    r = session.post(
        jupyter.url("/login"),
        data={"password": jupyter.token, "_xsrf": session.cookies.get("_xsrf")},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code in (302, 303), r.text
    assert session.cookies.get("_xsrf"), "no outer _xsrf cookie"
    return session


def _page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


def test_lab_page_and_bundles_reach_a_browser_under_the_base_url(workspace: Workspace) -> None:
    browser = _browser(workspace.jupyter)
    landing = browser.get(workspace.url(""), allow_redirects=False, timeout=60)
    assert landing.status_code == 302
    assert landing.headers["Location"] == f"{BASE}conveyor/workspaces/{workspace.id}/lab"
    page = browser.get(workspace.url("lab"), headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200, page.text[:300]
    # Scripts may run: the page policy, not the API one.
    assert "default-src 'none'" not in page.headers["Content-Security-Policy"]
    # Only the outer Jupyter's cookies: none scoped to the workspace's path.
    assert "conveyor/workspaces" not in page.headers.get("Set-Cookie", "")
    config = _page_config(page.text)
    outer = f"{BASE}conveyor/workspaces/{workspace.id}/"
    assert config["baseUrl"] == outer
    assert config["fullStaticUrl"].startswith(outer)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    assert scripts and all(s.startswith(outer) for s in scripts), scripts
    # The main bundle: the same bytes as the container serves directly.
    for src in scripts:
        via = browser.get(f"http://127.0.0.1:{workspace.jupyter.port}{src}", timeout=60)
        direct = workspace.direct(src[len(outer) :])
        assert via.status_code == direct.status_code == 200
        assert via.headers["Content-Type"] == direct.headers["Content-Type"]
        assert len(via.content) > 100_000 and via.content == direct.content
        # A browser's revalidation: 304 with no body, through the chain too.
        since = {"If-Modified-Since": via.headers["Last-Modified"]}
        again = browser.get(f"http://127.0.0.1:{workspace.jupyter.port}{src}", headers=since, timeout=60)
        assert (again.status_code, again.content) == (304, b"")
    # Kernelspecs name their logos by URL: under the base too.
    specs = browser.get(workspace.url("api/kernelspecs"), timeout=60).json()
    logo = specs["kernelspecs"]["python3"]["resources"]["logo-svg"]
    assert logo.startswith(outer)
    assert browser.get(f"http://127.0.0.1:{workspace.jupyter.port}{logo}", timeout=60).status_code == 200


def test_a_browser_without_a_session_goes_to_the_login_page(workspace: Workspace) -> None:
    html = {"Accept": "text/html"}
    page = requests.get(workspace.url("lab"), headers=html, allow_redirects=False, timeout=60)
    assert page.status_code == 302
    assert page.headers["Location"].startswith(f"{BASE}login?next=")
    # An API call without credentials is refused, not redirected.
    assert requests.get(workspace.url("api/contents"), allow_redirects=False, timeout=60).status_code == 403


def test_a_write_with_the_outer_xsrf_token_goes_through(workspace: Workspace) -> None:
    browser = _browser(workspace.jupyter)
    browser.get(workspace.url("lab"), headers={"Accept": "text/html"}, timeout=60)
    xsrf = browser.cookies.get("_xsrf")
    name = f"made-{uuid.uuid4().hex[:8]}.ipynb"
    created = browser.put(
        workspace.url(f"api/contents/{name}"),
        json={"type": "notebook"},
        headers={"X-XSRFToken": xsrf},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    assert workspace.direct(f"api/contents/{name}").json()["type"] == "notebook"
    untitled = browser.post(
        workspace.url("api/contents"), json={"type": "notebook"}, headers={"X-XSRFToken": xsrf}, timeout=60
    )
    assert untitled.status_code == 201, untitled.text
    assert workspace.direct(f"api/contents/{untitled.json()['path']}").status_code == 200
    # Without the token the outer Jupyter refuses it (the check happens there, not inside).
    browser.close()
    refused = browser.post(workspace.url("api/contents"), json={"type": "notebook"}, timeout=60)
    assert refused.status_code == 403


def test_kernel_websocket_runs_code_through_the_chain(workspace: Workspace) -> None:
    jupyter = workspace.jupyter
    kernel = requests.post(
        workspace.url("api/kernels"), headers=jupyter.auth, json={"name": "python3"}, timeout=60
    )
    assert kernel.status_code == 201, kernel.text
    channels = jupyter.ws_url(
        f"/conveyor/workspaces/{workspace.id}/api/kernels/{kernel.json()['id']}/channels"
    )
    auth = [f"Authorization: token {jupyter.token}"]
    # JupyterLab asks for the v1 protocol: the inner server's choice comes back.
    v1 = websocket.create_connection(
        channels, header=auth, subprotocols=["v1.kernel.websocket.jupyter.org"], timeout=60
    )
    try:
        assert v1.getsubprotocol() == "v1.kernel.websocket.jupyter.org"
    finally:
        v1.close()
    ws = websocket.create_connection(channels, header=auth, timeout=60)
    try:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "t",
            "session": uuid.uuid4().hex,
            "version": "5.3",
        }
        content = {"code": "6*7", "silent": False, "store_history": False}
        ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                }
            )
        )
        result = None
        while result is None:
            message = json.loads(ws.recv())
            if message["msg_type"] == "execute_result" and message["parent_header"].get("msg_id") == msg_id:
                result = message["content"]["data"]["text/plain"]
        assert result == "42"
    finally:
        ws.close()
    # A path that is no workspace's: the companion's 404, relayed as the websocket's refusal.
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(
            jupyter.ws_url("/conveyor/workspaces/000000000000/api/events/subscribe"), header=auth, timeout=60
        )
    assert refused.value.status_code == 404
