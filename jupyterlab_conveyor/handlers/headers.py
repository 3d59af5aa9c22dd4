"""What crosses the proxy, in each direction: headers and query parameters.

Headers use allowlists both ways: the companion never sees the browser's cookies, its
``Authorization`` header, Jupyter's XSRF token or a ``?token=`` query parameter, and the browser
never gets cookies, CORS or hop-by-hop headers from the companion. The identity the companion
trusts comes only from the proxy (``X-Conveyor-User`` with the secret, or the team API token).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from tornado.httputil import HTTPHeaders

# RFC 9110 §7.6.1 plus the legacy ones proxies strip.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-language",
        "content-type",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "range",
        "x-request-id",
    }
)

RESPONSE_HEADERS = frozenset(
    {
        "accept-ranges",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-range",
        "content-type",
        "etag",
        "expires",
        "last-modified",
        "location",
        "retry-after",
        "vary",
        "x-request-id",
    }
)


# Query parameters Jupyter reads for authentication.
JUPYTER_QUERY_PARAMS = frozenset({"token", "_xsrf"})


def _connection_tokens(headers: HTTPHeaders) -> set[str]:
    """Header names a ``Connection`` header declares hop-by-hop."""
    names: set[str] = set()
    for value in headers.get_list("Connection"):
        names.update(token.strip().lower() for token in value.split(",") if token.strip())
    return names


def _select(headers: HTTPHeaders, allowed: frozenset[str]) -> Iterable[tuple[str, str]]:
    dropped = HOP_BY_HOP | _connection_tokens(headers)
    for name, value in headers.get_all():
        lower = name.lower()
        if lower in allowed and lower not in dropped:
            yield name, value


def upstream_request_headers(client: HTTPHeaders) -> HTTPHeaders:
    """The client's headers the companion may see (never cookies, Authorization or XSRF)."""
    out = HTTPHeaders()
    for name, value in _select(client, REQUEST_HEADERS):
        out.add(name, value)
    return out


def client_response_headers(upstream: HTTPHeaders) -> list[tuple[str, str]]:
    """The companion's response headers the browser may see."""
    return list(_select(upstream, RESPONSE_HEADERS))


def upstream_query(query: str) -> str:
    """The query string without Jupyter's credentials (``token``, ``_xsrf``)."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k not in JUPYTER_QUERY_PARAMS]
    return query if len(kept) == len(pairs) else urlencode(kept)
