"""One run of the Node companion: the child process, its output and the port it listens on."""

from __future__ import annotations

import collections
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

# pino levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
_PINO_WARN = 40
_PINO_ERROR = 50
_STDERR_TAIL = 20


def _json_object(line: str) -> dict | None:
    """The line as a JSON object, or None when it is not one."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class CompanionProcess:
    """``node <bundle> serve`` with the embedded-mode environment.

    Two daemon threads read the child's stdout and stderr: stdout carries the one
    ``{"event": "listening", "port": N}`` line; stderr the pino JSON logs (forwarded to the Jupyter
    log at the matching level: info and below at debug) and whatever Node prints when it crashes
    (kept for the 503 message and logged as warnings). Every line is redacted of the secret before it is logged.
    """

    def __init__(self, argv: list[str], env: dict[str, str], secret: str, log: logging.Logger) -> None:
        self._secret = secret
        self._log = log
        self.port: int | None = None
        self.listening = threading.Event()
        self.started_at = time.monotonic()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        posix = os.name == "posix"
        # stdin stays an open pipe for the child's whole life: with CONVEYOR_EXIT_ON_STDIN_CLOSE=1
        # the companion exits when it closes, i.e. when this process dies, even by SIGKILL.
        # A new session keeps a terminal's Ctrl+C away from the child: Jupyter decides when it stops.
        self.popen = subprocess.Popen(  # noqa: S603 - argv is [node, bundle, "serve"]
            argv,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=posix,
            close_fds=True,
        )
        self.pid = self.popen.pid
        for name, stream, reader in (
            ("stdout", self.popen.stdout, self._on_stdout),
            ("stderr", self.popen.stderr, self._on_stderr),
        ):
            thread = threading.Thread(
                target=self._read, args=(stream, reader), name=f"conveyor-companion-{name}", daemon=True
            )
            thread.start()

    # ---- state

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def exit_reason(self) -> str:
        """A one-line account of why the child is gone, for the 503 message and the log."""
        code = self.popen.poll()
        if code is None:
            return "the companion server is running"
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        last = next((line for line in reversed(self._stderr) if line.strip()), "")
        return f"the companion server {how}" + (f": {last[:300]}" if last else "")

    # ---- output

    def _read(self, stream, on_line) -> None:  # type: ignore[no-untyped-def]
        try:
            for raw in iter(stream.readline, b""):
                on_line(self._redact(raw.decode("utf-8", "replace").rstrip("\r\n")))
        except (OSError, ValueError):  # closed under us at shutdown
            pass

    def _redact(self, line: str) -> str:
        return line.replace(self._secret, "[secret]") if self._secret else line

    def _on_stdout(self, line: str) -> None:
        if not line:
            return
        record = _json_object(line)
        if record is None:
            self._log.debug("[conveyor-server] %s", line)
            return
        if record.get("event") == "listening" and isinstance(record.get("port"), int):
            self.port = record["port"]
            self.listening.set()
            return
        self._log_record(line, record)

    def _on_stderr(self, line: str) -> None:
        """The companion's pino logs: JSON lines mapped to Jupyter's levels; anything else
        (what Node prints when it crashes) is kept for the 503 message and logged as a warning."""
        if not line:
            return
        record = _json_object(line)
        if record is not None and isinstance(record.get("level"), int):
            self._log_record(line, record)
            return
        self._stderr.append(line)
        self._log.warning("[conveyor-server] %s", line)

    def _log_record(self, line: str, record: dict) -> None:
        level = record.get("level")
        if isinstance(level, int) and level >= _PINO_ERROR:
            self._log.error("[conveyor-server] %s", line)
        elif isinstance(level, int) and level >= _PINO_WARN:
            self._log.warning("[conveyor-server] %s", line)
        else:
            self._log.debug("[conveyor-server] %s", line)

    # ---- stopping

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the child's process group (the child and anything it started)."""
        if not self.alive():
            return
        try:
            if os.name == "posix":
                os.killpg(self.pid, sig)
            elif sig == getattr(signal, "SIGKILL", None):  # pragma: no cover - Windows
                self.popen.kill()
            else:  # pragma: no cover - Windows
                self.popen.terminate()
        except ProcessLookupError:
            pass

    def close_stdin(self) -> None:
        try:
            if self.popen.stdin:
                self.popen.stdin.close()
        except OSError:
            pass

    def terminate_blocking(self, grace: float) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; for ``atexit``, when no event loop runs."""
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.signal(getattr(signal, "SIGKILL", signal.SIGTERM))
            self.popen.wait(grace)
        self.close_stdin()


def write_private_json(path: Path, data: Mapping[str, object]) -> None:
    """Write ``data`` to ``path`` readable by the owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    if sys.platform != "win32":
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)
