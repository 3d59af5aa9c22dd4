"""What both proxy handlers share: the upstream source and the Conveyor error shape."""

from __future__ import annotations

import getpass
import json
import re

from jupyter_server.auth.identity import IdentityProvider, LegacyIdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import JupyterHandler

from ..upstream import UpstreamSource

# The resource name Jupyter authorizers see (``Authorizer.is_authorized(handler, user, action, "conveyor")``).
AUTH_RESOURCE = "conveyor"

# jupyter_server's own providers authenticate one shared token or password: the users they
# report are random ids ("Anonymous Io", a new one per browser or per token request) of the one
# person who runs the server. Vouching for those ids would scatter that person's data in the
# companion, so the proxy names the server's owner instead. Any other provider (JupyterHub, a
# deployment's own) identifies real users, and their usernames are sent as they are.
SHARED_SECRET_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._@-]+")


def owner_name() -> str:
    """The OS account running Jupyter, as a companion user name (``[A-Za-z0-9][A-Za-z0-9._@-]*``)."""
    try:
        raw = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        raw = ""
    name = _NOT_IN_NAME.sub("-", raw).lstrip("._@-")[:64]
    return name or "local"


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
        """The name the proxy vouches for in ``X-Conveyor-User`` (see SHARED_SECRET_PROVIDERS)."""
        fixed = self.settings.get("conveyor_user_name")
        if fixed:
            return str(fixed)
        if type(self.identity_provider) in SHARED_SECRET_PROVIDERS:
            return str(self.settings.get("conveyor_owner_name") or owner_name())
        user = self.current_user
        return getattr(user, "username", None) or str(user)


def error_body(code: str, message: str) -> str:
    """A body in the Conveyor API error shape (``schema/api/error.json``)."""
    return json.dumps({"error": {"code": code, "message": message}})
