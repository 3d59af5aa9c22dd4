"""``ConveyorApp``: the Jupyter server extension.

Embedded mode (default): spawns the Node companion on 127.0.0.1 with a per-run secret and proxies
``<base_url>/conveyor/`` to it. Team mode (``server_url`` set): proxies to a Conveyor server run
by an admin, with the user's API token. Either way Jupyter does the authentication.
Workspace mode (``workspace_id`` set, by the engine as ``$CONVEYOR_WORKSPACE_ID``): this Jupyter
runs inside a managed workspace; the Conveyor server in front of it answers the labextension's
``<base_url>/conveyor/`` requests itself, so nothing is spawned or proxied here (no Node needed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop
from traitlets import Bool, Float, Integer, Unicode, default

from .companion import CompanionConfig, EmbeddedCompanion
from .handlers import ConveyorProxyHandler, ConveyorWebSocketHandler
from .handlers.base import owner_name
from .handlers.ws import WS_PATH, workspace_socket_rule
from .mlflow_env import export_mlflow_env
from .upstream import TeamServer, UpstreamSource

HERE = Path(__file__).parent
BUNDLE_NAME = "conveyor-server.js"


def find_bundle() -> str:
    """The companion bundle shipped in the wheel, or the one built in a source checkout."""
    for candidate in (HERE / "companion" / BUNDLE_NAME, HERE.parent / "server" / "dist" / BUNDLE_NAME):
        if candidate.is_file():
            return str(candidate)
    return ""


class ConveyorApp(ExtensionApp):
    """Runs the Conveyor companion server and proxies ``/conveyor/`` to it."""

    name = "jupyterlab_conveyor"
    load_other_extensions = True

    server_url = Unicode(
        config=True,
        help="""URL of a Conveyor server in team mode (e.g. https://conveyor.example.com).
        Empty (default): start the embedded companion server. Default: $CONVEYOR_SERVER_URL.""",
    )
    token = Unicode(
        config=True,
        help="""Team mode: the API token sent as 'Authorization: Bearer'. Default: $CONVEYOR_TOKEN.""",
    )
    node = Unicode(config=True, help="Path to the Node.js (>= 20) executable. Default: node on PATH.")
    companion_path = Unicode(
        config=True, help="Path to the companion bundle conveyor-server.js. Default: the shipped one."
    )
    data_dir = Unicode(
        config=True,
        help="Where the embedded companion keeps its store. Default: <jupyter data dir>/conveyor.",
    )
    database_url = Unicode(
        "",
        config=True,
        help="CONVEYOR_DATABASE_URL for the embedded companion: sqlite:<path> or postgres://…",
    )
    user_name = Unicode(
        "",
        config=True,
        help="""Embedded mode: the user name vouched for to the companion. Default: the Jupyter
        username, or the OS account running Jupyter when Jupyter authenticates a shared token or
        password (its users are then random anonymous ids of that one person).""",
    )
    default_image = Unicode(
        "conveyor/base:dev",
        config=True,
        help="Image of pipeline steps that name none (CONVEYOR_DEFAULT_IMAGE for the embedded companion).",
    )
    port = Integer(0, config=True, help="Port of the embedded companion on 127.0.0.1 (0: any free port).")
    startup_timeout = Float(
        30.0, config=True, help="Seconds a request waits for the companion to become ready."
    )
    request_timeout = Float(300.0, config=True, help="Seconds before a proxied request times out.")
    set_mlflow_env = Bool(
        True,
        config=True,
        help="""Set MLFLOW_TRACKING_URI (<jupyter url>/conveyor/mlflow) and MLFLOW_TRACKING_TOKEN (the
        Jupyter token) for kernels and terminals, unless already set, so mlflow logs to Conveyor.""",
    )

    workspace_id = Unicode(
        config=True,
        help="""Workspace mode: the id of the managed workspace this Jupyter runs in. The Conveyor
        server in front of it answers <base_url>/conveyor/ itself: no companion is spawned, no route
        is added. Default: $CONVEYOR_WORKSPACE_ID.""",
    )

    @default("workspace_id")
    def _default_workspace_id(self) -> str:
        return os.environ.get("CONVEYOR_WORKSPACE_ID", "")

    @default("server_url")
    def _default_server_url(self) -> str:
        return os.environ.get("CONVEYOR_SERVER_URL", "")

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("CONVEYOR_TOKEN", "")

    @default("node")
    def _default_node(self) -> str:
        return shutil.which("node") or ""

    @default("companion_path")
    def _default_companion_path(self) -> str:
        return find_bundle()

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return os.path.join(jupyter_data_dir(), "conveyor")

    conveyor: UpstreamSource | None = None

    def initialize_settings(self) -> None:
        if self.workspace_id:
            # The requests never reach this server (the outer Conveyor answers them), and the
            # kernels here cannot reach it either: no MLflow variables pointing at a missing route.
            self.log.info("Conveyor: workspace mode (workspace %s), no companion", self.workspace_id)
            return
        if self.server_url:
            self.conveyor = TeamServer(self.server_url, self.token)
            self.log.info("Conveyor: team mode, proxying to %s", self.server_url)
        else:
            assert self.serverapp is not None
            companion = EmbeddedCompanion(
                CompanionConfig(
                    node=self.node,
                    bundle=self.companion_path,
                    data_dir=self.data_dir,
                    database_url=self.database_url,
                    runtime_dir=self.serverapp.runtime_dir,
                    # Notebook and pipeline paths in the API are relative to Jupyter's root.
                    workspace_dir=os.path.abspath(os.path.expanduser(self.serverapp.root_dir)),
                    default_image=self.default_image,
                    startup_timeout=self.startup_timeout,
                    port=self.port,
                ),
                self.log,
            )
            companion.start()
            self.conveyor = companion
        if self.set_mlflow_env:
            # Once the loop runs the server is bound (its final port is known), before any kernel starts.
            IOLoop.current().add_callback(self._export_mlflow_env)
        self.settings.update(
            conveyor_upstream=self.conveyor,
            conveyor_request_timeout=self.request_timeout,
            conveyor_user_name=self.user_name,
            conveyor_owner_name=owner_name(),
        )

    def _export_mlflow_env(self) -> None:
        values = export_mlflow_env(self.serverapp)
        if values:
            self.log.info(
                "Conveyor: MLFLOW_TRACKING_URI=%s for kernels and terminals", values["MLFLOW_TRACKING_URI"]
            )

    def initialize_handlers(self) -> None:
        if self.workspace_id:
            return
        # The websocket route first: the catch-all would match it too.
        self.handlers.extend(
            [
                (WS_PATH, ConveyorWebSocketHandler),
                (r"/conveyor/(.*)", ConveyorProxyHandler),
            ]
        )
        # A workspace's websockets (kernels, terminals) share their paths with the catch-all: a rule
        # on the Upgrade header, added ahead of this extension's handlers.
        self.serverapp.web_app.add_handlers(".*$", [workspace_socket_rule(self.serverapp.base_url)])

    async def stop_extension(self) -> None:
        if self.conveyor is not None:
            await self.conveyor.stop()
