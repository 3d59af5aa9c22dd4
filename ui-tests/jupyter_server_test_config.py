"""Jupyter server configuration for the galata UI tests (never use it in production)."""

from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 -- `c` is injected by Jupyter's config loader

c.ServerApp.port = 8899  # noqa: F821 -- away from a developer's own Lab on 8888
c.ServerApp.allow_root = True  # noqa: F821 -- CI machines run as root
# The embedded companion keeps its store in a throw-away directory.
c.ConveyorApp.data_dir = mkdtemp(prefix="conveyor-galata-")  # noqa: F821
