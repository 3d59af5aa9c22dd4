"""Tornado handlers that proxy ``<base_url>/conveyor/`` to the companion server."""

from __future__ import annotations

from .http import ConveyorProxyHandler
from .ws import ConveyorWebSocketHandler

__all__ = ["ConveyorProxyHandler", "ConveyorWebSocketHandler"]
