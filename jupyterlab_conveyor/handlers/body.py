"""Request bodies streamed through the proxy: a bounded queue between tornado's ``data_received``
and the upstream request's ``body_producer``, so a large upload (an MLflow artifact PUT) never
sits in Jupyter's memory whole and reaches the companion while it is still arriving."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# Chunks held between the client and the companion (tornado reads 64 KiB at a time).
_QUEUE_CHUNKS = 16


class BodyStream:
    """Chunks from the client, handed on in order to one consumer; ``None`` marks the end."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=_QUEUE_CHUNKS)
        self.started = False
        self.closed = False

    def put(self, chunk: bytes) -> Awaitable[None] | None:
        """Queue a chunk; the awaitable (tornado waits for it) is the back-pressure on the client."""
        if self.closed:
            return None  # the upstream request is over: drain what the client still sends
        return self._queue.put(chunk)

    async def end(self) -> None:
        """The client sent everything."""
        if not self.closed:
            await self._queue.put(None)

    def close(self) -> None:
        """The exchange is over (answered, or the client went away): later chunks are dropped,
        and a producer still waiting for one stops with an error (the upstream request is cut)."""
        if self.closed:
            return
        self.closed = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def produce(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        """The ``body_producer`` of the upstream request."""
        self.started = True
        while True:
            chunk = await self._queue.get()
            if chunk is None:
                if self.closed:
                    raise ConnectionAbortedError("the client went away during the upload")
                return
            await write(chunk)
