"""The embedded companion: start the Node server, know when it is ready, restart it, stop it.

Nothing here blocks Jupyter: :meth:`EmbeddedCompanion.start` only spawns the child; requests await
:meth:`EmbeddedCompanion.upstream`, which waits for readiness up to the startup timeout. A child
that exits (or never became ready) is started again by the next request, with a backoff between
failures: 0, 1, 2, 4 ... 30 seconds.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import math
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from tornado.httpclient import HTTPClientError, HTTPRequest

from .errors import CompanionUnavailable
from .process import CompanionProcess, write_private_json
from .upstream import SECRET_HEADER, HttpClientMixin, Upstream

HEALTH_PATH = "/conveyor/api/v1/health"
# A companion that ran this long before exiting was healthy: its exit starts a new backoff series.
_STABLE_AFTER = 60.0
_MAX_BACKOFF = 30.0
# Variables the extension sets itself (an inherited value must not leak in), the proxy's own team
# settings, and credentials of the Jupyter deployment the companion has no use for. Other
# CONVEYOR_* variables (CONVEYOR_LOG_LEVEL, ...) pass through.
_SCRUBBED_ENV = frozenset(
    {
        "CONVEYOR_MODE",
        "CONVEYOR_HOST",
        "CONVEYOR_PORT",
        "CONVEYOR_SECRET",
        "CONVEYOR_DATA_DIR",
        "CONVEYOR_DATABASE_URL",
        "CONVEYOR_EXIT_ON_STDIN_CLOSE",
        "CONVEYOR_WORKSPACE_DIR",
        "CONVEYOR_DEFAULT_IMAGE",
        "CONVEYOR_SERVER_URL",
        "CONVEYOR_TOKEN",
        "JUPYTER_TOKEN",
        "JPY_API_TOKEN",
        "JUPYTERHUB_API_TOKEN",
    }
)


@dataclass(frozen=True)
class CompanionConfig:
    node: str
    bundle: str
    data_dir: str
    database_url: str
    runtime_dir: str
    workspace_dir: str = ""
    default_image: str = ""
    startup_timeout: float = 30.0
    port: int = 0
    stop_timeout: float = 5.0


class EmbeddedCompanion(HttpClientMixin):
    """The Node companion run by this Jupyter server, reachable only with a per-run secret."""

    mode = "embedded"

    def __init__(self, config: CompanionConfig, log: logging.Logger) -> None:
        self.config = config
        self.log = log
        self.process: CompanionProcess | None = None
        self._secret = ""
        self._ready: Upstream | None = None
        self._failures = 0
        self._next_start = 0.0
        self._last_error = ""
        self._stopping = False
        # Port and pid of the running companion, for tools and tests; never the secret.
        self.info_path = Path(config.runtime_dir) / f"conveyor-companion-{os.getpid()}.json"
        atexit.register(self._terminate_at_exit)

    # ---- lifecycle

    def start(self) -> None:
        """Spawn the companion without waiting for it; failures are logged and retried later."""
        try:
            self._spawn()
        except CompanionUnavailable as e:
            self.log.error("Conveyor companion server not started: %s", e.message)

    async def upstream(self) -> Upstream:
        """The ready companion, after waiting up to the startup timeout; or CompanionUnavailable."""
        if self._stopping:
            raise CompanionUnavailable("Jupyter is shutting down.")
        self._reap()
        if self.process is None:
            wait = self._next_start - time.monotonic()
            if wait > 0:
                raise CompanionUnavailable(f"{self._last_error} Retrying in {math.ceil(wait)} s.")
            self._spawn()
        if self._ready is not None:
            return self._ready
        assert self.process is not None
        return await self._wait_ready(self.process)

    async def stop(self) -> None:
        """SIGTERM the companion, SIGKILL it after ``stop_timeout`` seconds."""
        self._stopping = True
        proc, self.process, self._ready = self.process, None, None
        if proc is not None and proc.alive():
            self.log.info("Stopping the Conveyor companion server (pid %s)", proc.pid)
            proc.signal(signal.SIGTERM)
            if not await _wait_exit(proc, self.config.stop_timeout):
                self.log.warning(
                    "Conveyor companion server (pid %s) ignored SIGTERM for %s s; killing it",
                    proc.pid,
                    self.config.stop_timeout,
                )
                proc.signal(getattr(signal, "SIGKILL", signal.SIGTERM))
                await _wait_exit(proc, 2.0)
        if proc is not None:
            proc.close_stdin()
        self._remove_info()
        self.close_http_client()

    # ---- internals

    def _spawn(self) -> None:
        config = self.config
        node = config.node
        if not node or not os.access(node, os.X_OK):
            raise self._failed(
                f"Node.js was not found ({node or 'no node on PATH'}). Install Node.js 20 or later,"
                " or set c.ConveyorApp.node to its path."
            )
        if not config.bundle or not os.path.isfile(config.bundle):
            raise self._failed(
                f"The companion server bundle is missing ({config.bundle or 'not found'}). Reinstall"
                " jupyterlab-conveyor, or build it with `npm --prefix server run build`."
            )
        os.makedirs(config.data_dir, mode=0o700, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env.update(
            CONVEYOR_MODE="embedded",
            CONVEYOR_HOST="127.0.0.1",
            CONVEYOR_PORT=str(config.port),
            CONVEYOR_SECRET=secret,
            CONVEYOR_DATA_DIR=config.data_dir,
            CONVEYOR_EXIT_ON_STDIN_CLOSE="1",
        )
        if config.database_url:
            env["CONVEYOR_DATABASE_URL"] = config.database_url
        if config.workspace_dir:
            env["CONVEYOR_WORKSPACE_DIR"] = os.path.abspath(config.workspace_dir)
        if config.default_image:
            env["CONVEYOR_DEFAULT_IMAGE"] = config.default_image
        try:
            proc = CompanionProcess([node, config.bundle, "serve"], env, secret, self.log)
        except OSError as e:
            raise self._failed(f"Could not start the companion server with {node}: {e}.") from e
        self.process, self._secret, self._ready = proc, secret, None
        self.log.info("Starting the Conveyor companion server (pid %s): %s", proc.pid, config.bundle)

    def _failed(self, reason: str) -> CompanionUnavailable:
        """Record a failure, schedule the next start attempt, and return the error to raise."""
        self._failures += 1
        delay = 0.0 if self._failures == 1 else min(2.0 ** (self._failures - 2), _MAX_BACKOFF)
        self._next_start = time.monotonic() + delay
        self._last_error = reason if reason.endswith(".") else reason + "."
        self.log.warning("Conveyor companion server unavailable: %s", self._last_error)
        return CompanionUnavailable(self._last_error)

    def _reap(self) -> None:
        """Notice a companion that exited since the last request."""
        proc = self.process
        if proc is None or proc.alive():
            return
        self.process, self._ready = None, None
        if time.monotonic() - proc.started_at > _STABLE_AFTER:
            self._failures = 0
        proc.close_stdin()
        self._remove_info()
        self._failed(proc.exit_reason())

    async def _wait_ready(self, proc: CompanionProcess) -> Upstream:
        deadline = proc.started_at + self.config.startup_timeout
        while True:
            if self.process is not proc:  # stopped, or replaced by a concurrent request
                return await self.upstream()
            if not proc.alive():
                self._reap()
                raise CompanionUnavailable(self._last_error)
            if proc.listening.is_set():
                upstream = Upstream(base_url=f"http://127.0.0.1:{proc.port}", secret=self._secret)
                if await self._healthy(upstream):
                    if self.process is proc and self._ready is None:
                        self._ready = upstream
                        self._write_info(proc)
                        self.log.info(
                            "Conveyor companion server ready on 127.0.0.1:%s (pid %s)", proc.port, proc.pid
                        )
                    return upstream
            if time.monotonic() > deadline:
                if self.process is proc:
                    self.process = None
                    proc.signal(getattr(signal, "SIGKILL", signal.SIGTERM))
                    proc.close_stdin()
                    self._failed(
                        f"The companion server did not become ready within {self.config.startup_timeout:g} s."
                    )
                raise CompanionUnavailable(self._last_error)
            await asyncio.sleep(0.05)

    async def _healthy(self, upstream: Upstream) -> bool:
        request = HTTPRequest(
            upstream.url(HEALTH_PATH),
            headers={SECRET_HEADER: upstream.secret},
            connect_timeout=2.0,
            request_timeout=5.0,
        )
        try:
            response = await self.http_client.fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as e:
            self.log.debug("Conveyor companion health check failed: %s", e)
            return False
        if response.code != 200:
            self.log.debug("Conveyor companion health check answered %s", response.code)
        return response.code == 200

    def _write_info(self, proc: CompanionProcess) -> None:
        info = {
            "pid": proc.pid,
            "port": proc.port,
            "url": f"http://127.0.0.1:{proc.port}",
            "jupyterPid": os.getpid(),
            "dataDir": self.config.data_dir,
        }
        try:
            write_private_json(self.info_path, info)
        except OSError as e:
            self.log.warning("Could not write %s: %s", self.info_path, e)

    def _remove_info(self) -> None:
        try:
            self.info_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            self.log.debug("Could not remove %s: %s", self.info_path, e)

    def _terminate_at_exit(self) -> None:
        proc = self.process
        if proc is not None and proc.alive():
            proc.terminate_blocking(grace=3.0)
        self._remove_info()


async def _wait_exit(proc: CompanionProcess, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while proc.alive():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True
