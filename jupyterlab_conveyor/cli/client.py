"""Finding the Conveyor API and calling it: ``urllib`` only, errors as :class:`CliError`."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

API_PATH = "/conveyor/api/v1"
# Team-mode API tokens carry this prefix (server/src/tokens/secret.ts): they go as Bearer tokens.
TEAM_TOKEN_PREFIX = "cvy_"


class CliError(Exception):
    """A failure the user can act on: printed as ``conveyor: <message>``, exit ``code``."""

    def __init__(self, message: str, code: int = 2, details: Any = None, error_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
        self.error_code = error_code


@dataclass(frozen=True)
class Connection:
    """Where the API is and how to authenticate; ``root_dir`` is the workspace when known."""

    url: str
    token: str
    root_dir: str | None
    source: str

    @property
    def api(self) -> str:
        return self.url.rstrip("/") + API_PATH

    @property
    def authorization(self) -> str | None:
        if not self.token:
            return None
        scheme = "Bearer" if self.token.startswith(TEAM_TOKEN_PREFIX) else "token"
        return f"{scheme} {self.token}"


def running_servers(runtime_dir: str | None = None) -> list[dict[str, Any]]:
    """The Jupyter servers of this user, newest first (by the age of their info files)."""
    from jupyter_core.paths import jupyter_runtime_dir
    from jupyter_server.serverapp import list_running_servers

    runtime = runtime_dir or jupyter_runtime_dir()
    servers = []
    for info in list_running_servers(runtime):
        info_file = Path(runtime) / f"jpserver-{info.get('pid')}.json"
        try:
            info["_mtime"] = info_file.stat().st_mtime
        except OSError:
            info["_mtime"] = 0.0
        servers.append(info)
    servers.sort(key=lambda s: s["_mtime"], reverse=True)
    return servers


def _contains(root: str, path: Path) -> bool:
    try:
        path.relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def discover(url: str | None, token: str | None, workspace: str | None = None) -> Connection:
    """``--url/--token``, else ``CONVEYOR_URL``/``CONVEYOR_TOKEN``, else a running Jupyter server:
    the one whose root_dir holds the current directory (the deepest), else the newest."""
    url = url or os.environ.get("CONVEYOR_URL") or None
    token = token if token is not None else os.environ.get("CONVEYOR_TOKEN")
    cwd = Path.cwd().resolve()
    if url and workspace is not None and token is not None:
        # Nothing to look up: skip importing jupyter_server (seconds on a busy machine).
        return Connection(url.rstrip("/"), token, workspace, "--url/CONVEYOR_URL")
    servers = running_servers()
    if url:
        root = workspace
        if root is None:
            # A Jupyter server of this user at that URL tells us its root_dir.
            wanted = url.rstrip("/") + "/"
            for info in servers:
                if info.get("url", "").rstrip("/") + "/" == wanted:
                    root = info.get("root_dir")
                    if token is None:
                        token = info.get("token") or ""
                    break
        return Connection(url.rstrip("/"), token or "", root, "--url/CONVEYOR_URL")
    if not servers:
        raise CliError(
            "no running Jupyter server found (start JupyterLab, or pass --url and --token,"
            " or set CONVEYOR_URL and CONVEYOR_TOKEN)"
        )
    containing = [s for s in servers if s.get("root_dir") and _contains(s["root_dir"], cwd)]
    if containing:
        chosen = max(containing, key=lambda s: (len(Path(s["root_dir"]).resolve().parts), s["_mtime"]))
    else:
        chosen = servers[0]
    return Connection(
        url=str(chosen["url"]).rstrip("/"),
        token=token if token is not None else (chosen.get("token") or ""),
        root_dir=workspace or chosen.get("root_dir"),
        source=f"Jupyter server pid {chosen.get('pid')}",
    )


class Api:
    """JSON calls to ``<url>/conveyor/api/v1``."""

    def __init__(self, connection: Connection, timeout: float = 60.0) -> None:
        self.connection = connection
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = self.connection.api + path
        if query:
            clean = {k: v for k, v in query.items() if v is not None}
            if clean:
                url += "?" + urllib.parse.urlencode(clean)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        auth = self.connection.authorization
        if auth:
            req.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raise _http_error(e, self.connection) from None
        except urllib.error.URLError as e:
            raise CliError(
                f"cannot reach {self.connection.url} ({self.connection.source}): {e.reason}"
            ) from None
        except (TimeoutError, ConnectionError) as e:
            raise CliError(f"cannot reach {self.connection.url} ({self.connection.source}): {e}") from None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise CliError(f"{method} {path}: the server answered something that is not JSON") from None

    def get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, query=query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})


def _http_error(e: urllib.error.HTTPError, connection: Connection) -> CliError:
    raw = e.read() or b""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return CliError(
            str(error.get("message") or error.get("code") or e.reason),
            details=error.get("details"),
            error_code=str(error.get("code") or ""),
        )
    if e.code in (401, 403):
        return CliError(
            f"{connection.url} refused the credentials (HTTP {e.code}): pass --token or set CONVEYOR_TOKEN"
        )
    if e.code == 404:
        return CliError(
            f"{connection.url} has no Conveyor API (HTTP 404): is jupyterlab-conveyor installed and enabled?"
        )
    text = raw.decode(errors="replace").strip().splitlines()
    return CliError(f"HTTP {e.code} {e.reason}" + (f": {text[0][:200]}" if text else ""))
