"""HTTP proxy: ``<base_url>/conveyor/<path>`` → ``<companion>/conveyor/<path>``.

Jupyter authenticates the caller (token or login cookie) and, for cookie-authenticated requests
that change state, checks the XSRF token (``APIHandler`` and tornado do it before the verb method
runs). The proxy then sends the request on with the headers that vouch for the Jupyter user, and
streams the companion's answer back.

Bodies of POST/PUT/PATCH stream too (``body.py``): authentication, XSRF and authorization are
decided in ``prepare`` before any byte of the body is read, then the upstream request starts and
takes the chunks as they arrive, so a large artifact upload never sits in memory whole.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.simple_httpclient import HTTPStreamClosedError

from ..errors import CompanionUnavailable
from ..upstream import Upstream
from .base import ConveyorHandlerMixin, error_body
from .body import BodyStream
from .headers import client_response_headers, upstream_query, upstream_request_headers

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A managed workspace's JupyterLab (``/conveyor/workspaces/<id>/…``): a web UI, not an API.
_WORKSPACE_UI = re.compile(r"^conveyor/workspaces/[^/]+/")
# The Jupyter base URL, so the companion can write it into the workspace's pages.
BASE_URL_HEADER = "X-Conveyor-Base-Url"
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# How long a request keeps retrying a companion that is exiting (see _proxy).
_RETRY_GRACE = 3.0


def _ignore_closed(future: Any) -> None:
    """Consume the error of a flush to a client that went away (reported by on_connection_close)."""
    if not future.cancelled():
        future.exception()


class _ResponseRelay:
    """Copies the companion's status, headers and body chunks to the Jupyter response."""

    def __init__(self, handler: ConveyorProxyHandler) -> None:
        self.handler = handler
        self.status: httputil.ResponseStartLine | None = None
        self.headers = httputil.HTTPHeaders()
        self.started = False
        self.content_type = "application/json"

    def on_header(self, line: str) -> None:
        if line.startswith("HTTP/"):  # a new response (e.g. after 100 Continue) resets everything
            self.status = httputil.parse_response_start_line(line.strip())
            self.headers = httputil.HTTPHeaders()
        elif line.strip():
            self.headers.parse_line(line)

    def on_chunk(self, chunk: bytes) -> None:
        self.start()
        if self.handler.client_gone:
            return
        self.handler.write(chunk)
        self.handler.flush().add_done_callback(_ignore_closed)

    def start(self) -> None:
        """Set status and headers once, before the first body byte."""
        if self.started or self.status is None:
            return
        self.started = True
        handler = self.handler
        handler.set_status(self.status.code, self.status.reason or None)
        for name, value in client_response_headers(self.headers):
            if (
                name.lower() == "location"
                and value.startswith("/")
                and not value.startswith(handler.base_url)
            ):
                value = url_path_join(handler.base_url, value)
            if name.lower() == "content-type":
                self.content_type = value
            handler.add_header(name, value)
        handler.set_header("Content-Type", self.content_type)


@web.stream_request_body
class ConveyorProxyHandler(ConveyorHandlerMixin, APIHandler):
    """``/conveyor/(.*)``: the REST API of the companion, behind Jupyter's login and XSRF check."""

    client_gone = False
    _body: BodyStream | None = None
    _upstream: asyncio.Future[_ResponseRelay | None] | None = None

    @property
    def workspace_ui(self) -> bool:
        """Whether this request is for a workspace's JupyterLab (pages, scripts, its own API)."""
        # From the request (the CSP header is set before the path is matched).
        path = self.request.path
        base = self.base_url
        return path.startswith(base) and bool(_WORKSPACE_UI.match(path[len(base) :]))

    @property
    def content_security_policy(self) -> str:
        # APIHandler adds ``default-src 'none'``: right for JSON, but it would stop the workspace's
        # JupyterLab page from running any of its scripts. Its pages get Jupyter's page policy.
        if self.workspace_ui:
            return JupyterHandler.content_security_policy.fget(self)  # type: ignore[attr-defined,no-any-return]
        return super().content_security_policy

    def get_login_url(self) -> str:
        # A browser opening a workspace page without a session goes to the login page; its API
        # calls (and everything else) keep APIHandler's 403.
        navigating = "text/html" in self.request.headers.get("Accept", "")
        if self.workspace_ui and navigating and (self.request.method or "GET") in ("GET", "HEAD"):
            return JupyterHandler.get_login_url(self)
        return super().get_login_url()

    def on_connection_close(self) -> None:
        self.client_gone = True
        if self._body is not None:
            self._body.close()
        super().on_connection_close()

    async def prepare(self) -> None:  # type: ignore[override]
        self._small: list[bytes] = []
        await super().prepare()  # authentication, then the XSRF check of cookie-authenticated writes
        method = self.request.method or "GET"
        if self._finished or method not in _BODY_METHODS:
            return
        # Who may send a body is decided before any of it is read.
        user = self.current_user
        if user is None:
            raise web.HTTPError(403)
        if not self.authorizer.is_authorized(
            self, user, HTTP_METHOD_TO_AUTH_ACTION[method], self.auth_resource
        ):
            raise web.HTTPError(403)
        self._body = BodyStream()
        self._upstream = asyncio.ensure_future(self._send(self.path_args[0]))
        # When the client goes away mid-upload nobody awaits it: consume its outcome here.
        self._upstream.add_done_callback(_ignore_closed)

    def data_received(self, chunk: bytes) -> Any:
        if self._body is not None:
            return self._body.put(chunk)
        self._small.append(chunk)  # a body on GET/DELETE: rare, small, bounded by max_body_size
        return None

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        await self._proxy(path)

    @web.authenticated
    @authorized
    async def post(self, path: str) -> None:
        await self._proxy(path)

    @web.authenticated
    @authorized
    async def put(self, path: str) -> None:
        await self._proxy(path)

    @web.authenticated
    @authorized
    async def patch(self, path: str) -> None:
        await self._proxy(path)

    @web.authenticated
    @authorized
    async def delete(self, path: str) -> None:
        await self._proxy(path)

    def _error(self, status: int, code: str, message: str) -> None:
        self.set_status(status)
        self.finish(error_body(code, message))

    def _upstream_request(self, upstream: Upstream, path: str, relay: _ResponseRelay) -> HTTPRequest:
        method = self.request.method or "GET"
        headers = upstream_request_headers(self.request.headers)
        headers.update(upstream.auth_headers(self.conveyor_username()))
        headers[BASE_URL_HEADER] = self.base_url
        body: bytes | None = None
        producer = None
        if self._body is not None:
            stream = self._body

            def producer(write: Callable[[bytes], None]) -> asyncio.Future[None]:
                # tornado's write returns a Future (typed as None): awaiting it is the back-pressure.
                return asyncio.ensure_future(stream.produce(cast(Callable[[bytes], Awaitable[None]], write)))

            length = self.request.headers.get("Content-Length")
            if length is not None:
                headers["Content-Length"] = length  # else: sent chunked
            # The companion may answer (413) before it has read the body; with "close" (tornado's
            # default) it would then close the socket under the rest of the upload.
            headers["Connection"] = "keep-alive"
        else:
            body = b"".join(self._small)
            if method not in _BODY_METHODS and not body:
                body = None
        return HTTPRequest(
            # tornado hands the path decoded: quote it again (file names with spaces, non-ASCII).
            upstream.url(
                "/conveyor/" + quote(path, safe="/:@!$&'()*+,;=~"), upstream_query(self.request.query)
            ),
            method=method,
            headers=headers,
            body=body,
            body_producer=producer,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            connect_timeout=10.0,
            request_timeout=self.conveyor_request_timeout,
            header_callback=relay.on_header,
            streaming_callback=relay.on_chunk,
        )

    async def _proxy(self, path: str) -> None:
        if self._upstream is not None:
            # The upload started in prepare(); the whole body has arrived now.
            assert self._body is not None
            await self._body.end()
            relay = await self._upstream
        else:
            relay = await self._send(path)
        if relay is None:
            return
        relay.start()
        if not self.client_gone and not self._finished:
            self.finish(set_content_type=relay.content_type)

    async def _send(self, path: str) -> _ResponseRelay | None:
        """Sends the request on; the relay of the answer, or None when an error answer was given."""
        retry_until = time.monotonic() + _RETRY_GRACE
        try:
            while True:
                try:
                    upstream = await self.conveyor.upstream()
                except CompanionUnavailable as e:
                    self._error(503, e.code, e.message)
                    return None
                relay = _ResponseRelay(self)
                try:
                    await self.conveyor.http_client.fetch(
                        self._upstream_request(upstream, path, relay), raise_error=False
                    )
                    return relay
                except (OSError, HTTPClientError) as e:
                    # A companion that is exiting refuses or resets connections. Retry while nothing
                    # came back, if the request cannot have been half-done: refused (nothing reached
                    # it), or reset on an idempotent method; never once a streamed body was taken.
                    # The next upstream() notices the exit and starts a new companion.
                    method = self.request.method or "GET"
                    retriable = (
                        not relay.started
                        and not (self._body is not None and self._body.started)
                        and (
                            isinstance(e, ConnectionRefusedError)
                            or (
                                method in _IDEMPOTENT
                                and isinstance(e, (ConnectionResetError, HTTPStreamClosedError))
                            )
                        )
                    )
                    if retriable and time.monotonic() < retry_until:
                        await asyncio.sleep(0.1)
                        continue
                    self._unreachable(path, relay, e)
                    return None
        finally:
            if self._body is not None:
                self._body.close()  # the answer is in (or failed): drop what the client still sends

    def _unreachable(self, path: str, relay: _ResponseRelay, error: Exception) -> None:
        self.log.warning("Conveyor proxy: %s %s failed: %s", self.request.method, path, error)
        if self.client_gone:
            return
        if not relay.started:
            self._error(502, "companion_unreachable", f"The companion server did not answer: {error}.")
        elif not self.client_gone:  # headers went out already: cut the response short
            self.finish(set_content_type=relay.content_type)
