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

from .app import ConveyorApp

__all__ = ["ConveyorApp", "__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-conveyor"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "jupyterlab_conveyor", "app": ConveyorApp}]
