"""Conveyor: ML pipelines in JupyterLab.

This package is both the JupyterLab extension (the prebuilt frontend in ``labextension/``) and the
Jupyter server extension that runs the Node companion server and proxies ``/conveyor/`` to it with
Jupyter's authentication.
"""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only in a source checkout that was never installed
    import warnings

    warnings.warn("Importing 'jupyterlab_conveyor' outside a proper installation.", stacklevel=2)
    __version__ = "dev"

__all__ = ["ConveyorApp", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the `conveyor` CLI imports this package and must not pay for
    # jupyter_server (about 1.5 s) on every call.
    if name == "ConveyorApp":
        from .app import ConveyorApp

        return ConveyorApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-conveyor"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import ConveyorApp

    return [{"module": "jupyterlab_conveyor", "app": ConveyorApp}]
