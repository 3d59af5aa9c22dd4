"""An identity provider that names its users, as JupyterHub's does (used by test_identity.py)."""

from jupyter_server.auth.identity import IdentityProvider, User


class NamedIdentityProvider(IdentityProvider):
    def generate_anonymous_user(self, handler):  # type: ignore[no-untyped-def]
        return User(username="ada", name="Ada Lovelace")
