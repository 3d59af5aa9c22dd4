"""The one error the proxy raises when it cannot reach the companion server."""

from __future__ import annotations


class CompanionUnavailable(Exception):
    """The companion server cannot answer now (not started, starting too long, exited, unreachable).

    Handlers turn it into ``503 {"error": {"code": "companion_unavailable", "message": ...}}``, the
    error shape of the Conveyor API (``schema/api/error.json``).
    """

    code = "companion_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
