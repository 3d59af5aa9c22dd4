"""What crosses the proxy: the allowlists in jupyterlab_conveyor.handlers.headers."""

from __future__ import annotations

from tornado.httputil import HTTPHeaders

from jupyterlab_conveyor.handlers.headers import (
    client_response_headers,
    upstream_query,
    upstream_request_headers,
)


def test_browser_credentials_never_reach_the_companion() -> None:
    client = HTTPHeaders(
        {
            "Cookie": "username-127-0-0-1-8888=secret",
            "Authorization": "token jupyter-token",
            "X-XSRFToken": "xsrf",
            "X-Conveyor-Secret": "forged",
            "X-Conveyor-User": "admin",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
    )
    out = dict(upstream_request_headers(client).get_all())
    assert out == {"Content-Type": "application/json", "Accept": "application/json"}


def test_hop_by_hop_and_connection_named_headers_are_dropped() -> None:
    upstream = HTTPHeaders()
    for name, value in [
        ("Content-Type", "text/plain"),
        ("Connection", "keep-alive, X-Request-Id"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("X-Request-Id", "named-in-connection"),
        ("Set-Cookie", "session=evil"),
        ("Access-Control-Allow-Origin", "*"),
        ("ETag", '"abc"'),
    ]:
        upstream.add(name, value)
    assert client_response_headers(upstream) == [("Content-Type", "text/plain"), ("Etag", '"abc"')]


def test_jupyter_token_and_xsrf_are_removed_from_the_query() -> None:
    assert upstream_query("token=t&limit=5&_xsrf=x") == "limit=5"
    assert upstream_query("a=1&b=%2F") == "a=1&b=%2F"
    assert upstream_query("") == ""
