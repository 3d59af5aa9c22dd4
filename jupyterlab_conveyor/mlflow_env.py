"""Point the ``mlflow`` client in JupyterLab's kernels and terminals at Conveyor.

Kernels and terminals inherit the Jupyter server's environment, so the extension sets
``MLFLOW_TRACKING_URI`` (``<jupyter url>/conveyor/mlflow``, the proxy to the companion's MLflow
REST API) and, when Jupyter has a token, ``MLFLOW_TRACKING_TOKEN`` (the client sends it as
``Authorization: Bearer``, which Jupyter accepts and which exempts the request from the XSRF
check). Values the user set are left alone.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "*"})  # noqa: S104 - names, not a bind


def tracking_uri(serverapp: Any) -> str | None:
    """``http(s)://<host>:<port><base_url>conveyor/mlflow`` of a bound server, or None (unix socket)."""
    if getattr(serverapp, "sock", "") or not serverapp.port:
        return None
    host = serverapp.ip or "127.0.0.1"
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if getattr(serverapp, "certfile", "") else "http"
    base = "/" + serverapp.base_url.strip("/")
    base = "" if base == "/" else base
    return f"{scheme}://{host}:{serverapp.port}{base}/conveyor/mlflow"


def jupyter_token(serverapp: Any) -> str:
    """The token Jupyter accepts, or "" (password-only or no auth)."""
    provider = getattr(serverapp, "identity_provider", None)
    token = getattr(provider, "token", "") if provider is not None else ""
    return token if isinstance(token, str) else ""


def export_mlflow_env(serverapp: Any, environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """Set the MLflow variables the user did not set; returns what was set."""
    uri = tracking_uri(serverapp)
    if uri is None or environ.get("MLFLOW_TRACKING_URI"):
        return {}
    values = {"MLFLOW_TRACKING_URI": uri}
    token = jupyter_token(serverapp)
    if token and not environ.get("MLFLOW_TRACKING_TOKEN"):
        values["MLFLOW_TRACKING_TOKEN"] = token
    environ.update(values)
    return values
