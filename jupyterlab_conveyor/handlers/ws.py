"""Websocket proxy: ``<base_url>/conveyor/api/v1/ws`` ↔ ``<companion>/conveyor/api/v1/ws``.

Jupyter authenticates the upgrade request (``ws_authenticated``) and checks its Origin the way it
does for kernels (``WebSocketMixin.check_origin``); only then does the proxy open the upstream
connection, with the headers that vouch for the user, and relay messages both ways. When one side
closes, the other is closed with the same code.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.routing import PathMatches, Rule
from tornado.websocket import (
    WebSocketClientConnection,
    WebSocketClosedError,
    WebSocketHandler,
    websocket_connect,
)

from ..errors import CompanionUnavailable
from .base import ConveyorHandlerMixin, error_body
from .headers import upstream_query

WS_PATH = "/conveyor/api/v1/ws"
# Close codes that may be sent on the wire (1005, 1006 and 1015 are reserved for "no code").
_SENDABLE_CLOSE = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})
_LOST = (1011, "Conveyor companion connection lost")
# Kernel outputs (images, large dataframes) travel on workspace websockets.
_MAX_MESSAGE = 256 * 1024 * 1024


def _close_args(code: int | None, reason: str | None) -> tuple[int, str | None]:
    if code is not None and (code in _SENDABLE_CLOSE or 3000 <= code <= 4999):
        return code, reason
    return _LOST


class ConveyorWebSocketHandler(ConveyorHandlerMixin, WebSocketMixin, WebSocketHandler, JupyterHandler):
    """The companion's event stream, behind Jupyter's login and origin check."""

    upstream: WebSocketClientConnection | None = None
    # What the Jupyter authorizer is asked for on the "conveyor" resource.
    auth_action = "read"
    _pump: asyncio.Task[None] | None = None

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        user = self.current_user
        if not self.authorizer.is_authorized(self, user, self.auth_action, self.auth_resource):
            raise web.HTTPError(403, f"{self.conveyor_username()} may not use Conveyor")
        # Check Origin before opening anything upstream (tornado checks it again on upgrade).
        origin = self.request.headers.get("Origin") or self.request.headers.get("Sec-Websocket-Origin")
        if origin is not None and not self.check_origin(origin):
            raise web.HTTPError(403, "Cross origin websockets not allowed")
        try:
            upstream = await self.conveyor.upstream()
            request = HTTPRequest(
                upstream.url(self.upstream_path(*args), upstream_query(self.request.query), websocket=True),
                headers=upstream.auth_headers(self.conveyor_username()),
                connect_timeout=10.0,
                request_timeout=10.0,
            )
            self.upstream = await websocket_connect(
                request, subprotocols=self.offered_subprotocols(), max_message_size=_MAX_MESSAGE
            )
        except CompanionUnavailable as e:
            self._refuse(503, e.code, e.message)
            return
        except (OSError, HTTPClientError) as e:
            code = getattr(e, "code", 502)
            status = code if isinstance(code, int) and 400 <= code < 600 and code != 599 else 502
            self._refuse(status, "companion_unreachable", f"The companion refused the websocket: {e}.")
            return
        try:
            await super().get(*args, **kwargs)
        finally:
            if self.ws_connection is None:  # the upgrade failed (not a websocket request, …)
                self._close_upstream(*_LOST)

    def upstream_path(self, *args: Any) -> str:
        """The companion's websocket this one is relayed to."""
        return WS_PATH

    def offered_subprotocols(self) -> list[str] | None:
        """The subprotocols offered upstream (the client's, for a workspace's JupyterLab)."""
        return None

    def _refuse(self, status: int, code: str, message: str) -> None:
        self.log.warning("Conveyor websocket refused: %s", message)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(error_body(code, message))

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        self._pump = asyncio.ensure_future(self._relay_upstream())

    async def _relay_upstream(self) -> None:
        upstream = self.upstream
        assert upstream is not None
        while True:
            message = await upstream.read_message()
            if message is None:
                break
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except WebSocketClosedError:
                return
        if self.ws_connection is not None:
            self.close(*_close_args(upstream.close_code, upstream.close_reason))

    async def on_message(self, message: str | bytes) -> None:
        if self.upstream is None:
            return
        try:
            await self.upstream.write_message(message, binary=isinstance(message, bytes))
        except WebSocketClosedError:
            self.close(*_LOST)

    def on_close(self) -> None:
        self._close_upstream(*_close_args(self.close_code, self.close_reason))

    def _close_upstream(self, code: int, reason: str | None) -> None:
        upstream, self.upstream = self.upstream, None
        if upstream is not None:
            upstream.close(code, reason)


class ConveyorWorkspaceSocketHandler(ConveyorWebSocketHandler):
    """A managed workspace's websockets (kernels, terminals, events): ``/conveyor/workspaces/<id>/…``.

    Relayed like the event stream, to the companion's workspace proxy, which decides who may open
    which (a view link holder gets the event stream only). The subprotocol JupyterLab asks for
    (``v1.kernel.websocket.jupyter.org``) is offered upstream and the inner server's choice kept.
    """

    # Kernels and terminals run code: the authorizer is asked for "execute".
    auth_action = "execute"

    def upstream_path(self, *args: Any) -> str:
        return "/conveyor/" + quote(str(args[0]), safe="/:@!$&'()*+,;=~")

    def offered_subprotocols(self) -> list[str] | None:
        header = self.request.headers.get("Sec-WebSocket-Protocol", "")
        offered = [p.strip() for p in header.split(",") if p.strip()]
        return offered or None

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        chosen = self.upstream.selected_subprotocol if self.upstream is not None else None
        return chosen if chosen in subprotocols else None


class _WebSocketUpgrade(PathMatches):
    """Matches the path only for websocket upgrades (plain requests go to the HTTP proxy)."""

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return None
        return super().match(request)


def workspace_socket_rule(base_url: str) -> Rule:
    """The route of :class:`ConveyorWorkspaceSocketHandler` under Jupyter's ``base_url``."""
    pattern = url_path_join(base_url, r"/conveyor/(workspaces/[^/]+/.*)")
    return Rule(_WebSocketUpgrade(pattern), ConveyorWorkspaceSocketHandler)
