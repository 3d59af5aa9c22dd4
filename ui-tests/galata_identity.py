"""Galata's users: one per browser context, named by a cookie (never use this in production).

jupyter_server with galata's configuration (no token, no password) calls every browser an
anonymous user of the one person running the server, and Conveyor's proxy then vouches for that
person (the OS account) whatever the browser: two contexts are the same Conveyor user. Specs that
need a second user (workspaces.spec.ts: opening a share link) set the cookie ``conveyor-galata-user``
in their browser context; without it, the user is the OS account as before, so the other specs
are unchanged.
"""

from __future__ import annotations

import re

from jupyter_server.auth.identity import IdentityProvider, User

from jupyterlab_conveyor.handlers.base import owner_name

COOKIE = "conveyor-galata-user"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class GalataIdentityProvider(IdentityProvider):
    """Names the user by the ``conveyor-galata-user`` cookie, else the OS account."""

    def get_user(self, handler):  # type: ignore[no-untyped-def]
        name = handler.get_cookie(COOKIE) or ""
        if not _NAME.match(name):
            name = owner_name()
        return User(username=name, name=name, display_name=name)
