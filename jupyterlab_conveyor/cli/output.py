"""Terminal output: a live status line on terminals, plain lines everywhere else; tables; times."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any, TextIO

SYMBOLS = {
    "pending": "·",
    "queued": "…",
    "running": "▶",
    "succeeded": "✓",
    "failed": "✗",
    "cancelled": "⊘",
    "skipped": "-",
}
ASCII_SYMBOLS = {"pending": ".", "queued": "~", "running": ">", "succeeded": "+", "failed": "x",
                 "cancelled": "/", "skipped": "-"}  # fmt: skip


class Printer:
    """Prints lines; on a terminal keeps one status line at the bottom, redrawn in place."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.live = bool(getattr(self.out, "isatty", lambda: False)())
        encoding = (getattr(self.out, "encoding", None) or "").lower().replace("-", "")
        self.symbols = SYMBOLS if encoding in ("utf8", "utf8mb4") else ASCII_SYMBOLS
        self._status = ""

    def line(self, text: str) -> None:
        if self.live and self._status:
            self.out.write("\r\x1b[K")
        self.out.write(text + "\n")
        if self.live and self._status:
            self.out.write(self._status)
        self.out.flush()

    def status(self, text: str) -> None:
        if not self.live:
            return
        self._status = text
        self.out.write("\r\x1b[K" + text)
        self.out.flush()

    def clear_status(self) -> None:
        if self.live and self._status:
            self.out.write("\r\x1b[K")
            self.out.flush()
        self._status = ""

    def symbol(self, status: str) -> str:
        return self.symbols.get(status, "?")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(start: Any, end: Any = None) -> str:
    """``1.2s``, ``3m04s``, ``1h02m``; the time since ``start`` while ``end`` is unset."""
    begin = parse_time(start)
    if begin is None:
        return ""
    finish = parse_time(end) or datetime.now(timezone.utc)
    return format_seconds((finish - begin).total_seconds())


def format_seconds(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def local_time(value: Any) -> str:
    when = parse_time(value)
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if when else ""


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]
    ]
    return "\n".join(lines)


def step_error_text(step: dict[str, Any]) -> str:
    """``cell 3: ValueError: bad input`` (a notebook error), else the error message and exit code."""
    error = step.get("error") or {}
    parts: list[str] = []
    if error.get("ename"):
        # cellIndex is 0-based; people count cells from 1 (as the run view and messages do)
        where = f"cell {error['cellIndex'] + 1}: " if error.get("cellIndex") is not None else ""
        parts.append(f"{where}{error['ename']}: {error.get('evalue', '')}".rstrip(": "))
    elif error.get("message"):
        parts.append(str(error["message"]))
    if step.get("oomKilled"):
        parts.append("killed: out of memory")
    if not parts and step.get("exitCode") not in (None, 0):
        parts.append(f"exit code {step['exitCode']}")
    return "; ".join(parts) or "failed"


def format_params(params: Any) -> str:
    if not isinstance(params, dict) or not params:
        return ""
    return ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in params.items())
