"""Jupyter server configuration for the galata UI tests (never use it in production)."""

import os
import sys
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 -- `c` is injected by Jupyter's config loader

c.ServerApp.port = 8899  # noqa: F821 -- away from a developer's own Lab on 8888
c.ServerApp.allow_root = True  # noqa: F821 -- CI machines run as root
# The embedded companion keeps its store in a throw-away directory.
c.ConveyorApp.data_dir = mkdtemp(prefix="conveyor-galata-")  # noqa: F821
# The companion's admin config (CONVEYOR_CONFIG): the built-in profiles plus a pricey one and a tiny
# budget for the project "galata-budget", which only resources-budget.spec.ts submits to.
os.environ.setdefault(
    "CONVEYOR_CONFIG", os.path.join(os.path.dirname(os.path.abspath(__file__)), "conveyor_budget_config.json")
)
# Users named per browser context by a cookie (galata_identity.py), the OS account without it:
# workspaces.spec.ts opens a share link as a second user.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
c.ServerApp.identity_provider_class = "galata_identity.GalataIdentityProvider"  # noqa: F821
