"""Which user the proxy vouches for in X-Conveyor-User."""

from __future__ import annotations

import requests

STATUS = "/conveyor/api/v1/status"


def test_a_named_jupyter_user_is_the_companion_user(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(
        extra={"ServerApp": {"identity_provider_class": "named_identity.NamedIdentityProvider"}}
    )
    me = requests.get(jupyter.url("/api/me"), headers=jupyter.auth, timeout=30).json()
    assert me["identity"]["username"] == "ada"
    status = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert status.status_code == 200, status.text
    assert status.json()["user"]["name"] == "ada"


def test_user_name_setting_overrides_the_jupyter_user(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(conveyor={"user_name": "ml-team"})
    status = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert status.status_code == 200, status.text
    assert status.json()["user"]["name"] == "ml-team"
