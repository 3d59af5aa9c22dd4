"""Where the proxy sends requests: the embedded companion or a team server.

Both sources answer ``await source.upstream()`` with an :class:`Upstream` (base URL and the headers
that authenticate the proxy), or raise :class:`~jupyterlab_conveyor.errors.CompanionUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from tornado.httpclient import AsyncHTTPClient

SECRET_HEADER = "X-Conveyor-Secret"
USER_HEADER = "X-Conveyor-User"

# One client per source, created on first use so it binds to the running event loop. Proxied
# requests can be long (downloads), so allow more than tornado's default of 10 at once.
_MAX_CLIENTS = 64


@dataclass(frozen=True)
class Upstream:
    """A reachable Conveyor server: ``base_url`` like ``http://127.0.0.1:4123``."""

    base_url: str
    secret: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def url(self, path: str, query: str = "", *, websocket: bool = False) -> str:
        """The upstream URL of ``path`` (starting with ``/conveyor/``) and ``query``."""
        parts = urlsplit(self.base_url)
        scheme = parts.scheme
        if websocket:
            scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        prefix = parts.path.rstrip("/")
        return urlunsplit((scheme, parts.netloc, prefix + path, query, ""))

    def auth_headers(self, username: str) -> dict[str, str]:
        """The headers that vouch for ``username`` (embedded) or carry the API token (team)."""
        if self.secret:
            return {SECRET_HEADER: self.secret, USER_HEADER: username}
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}


class UpstreamSource(Protocol):
    """What the handlers need from the embedded companion or a team server."""

    mode: str

    @property
    def http_client(self) -> AsyncHTTPClient: ...

    async def upstream(self) -> Upstream: ...

    async def stop(self) -> None: ...


class HttpClientMixin:
    _http_client: AsyncHTTPClient | None = None

    @property
    def http_client(self) -> AsyncHTTPClient:
        if self._http_client is None:
            self._http_client = AsyncHTTPClient(force_instance=True, max_clients=_MAX_CLIENTS)
        return self._http_client

    def close_http_client(self) -> None:
        if self._http_client is not None:
            self._http_client.close()
            self._http_client = None


class TeamServer(HttpClientMixin):
    """A Conveyor server run by an admin (``CONVEYOR_MODE=team``); requests carry an API token."""

    mode = "team"

    def __init__(self, server_url: str, token: str) -> None:
        if urlsplit(server_url).scheme not in ("http", "https"):
            raise ValueError(f"ConveyorApp.server_url must be an http(s) URL, not {server_url!r}")
        self._upstream = Upstream(base_url=server_url.rstrip("/"), token=token)

    async def upstream(self) -> Upstream:
        return self._upstream

    async def stop(self) -> None:
        self.close_http_client()
