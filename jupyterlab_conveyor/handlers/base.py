"""What both proxy handlers share: the upstream source and the Conveyor error shape."""

from __future__ import annotations

import json

from jupyter_server.base.handlers import JupyterHandler

from ..upstream import UpstreamSource

# The resource name Jupyter authorizers see (``Authorizer.is_authorized(handler, user, action, "conveyor")``).
AUTH_RESOURCE = "conveyor"


class ConveyorHandlerMixin:
    """Needs to be mixed into a :class:`JupyterHandler`."""

    auth_resource = AUTH_RESOURCE

    @property
    def conveyor(self: JupyterHandler) -> UpstreamSource:  # type: ignore[misc]
        return self.settings["conveyor_upstream"]

    @property
    def conveyor_request_timeout(self: JupyterHandler) -> float:  # type: ignore[misc]
        return float(self.settings.get("conveyor_request_timeout", 300.0))

    def conveyor_username(self: JupyterHandler) -> str:  # type: ignore[misc]
        user = self.current_user
        return getattr(user, "username", None) or str(user)


def error_body(code: str, message: str) -> str:
    """A body in the Conveyor API error shape (``schema/api/error.json``)."""
    return json.dumps({"error": {"code": code, "message": message}})
