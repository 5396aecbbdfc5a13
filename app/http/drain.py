"""SIGTERM: `/ready` answers 503 from the signal on while requests in flight finish
(docs/behaviour.md §7).

The server's own handler (uvicorn's: stop accepting, finish what is in flight, exit) runs
`SHUTDOWN_DRAIN_SECONDS` after the signal. Meanwhile the process serves as before, so a
load balancer that polls `/ready` stops sending it requests before its port closes,
rather than finding it closed (or, with several workers, open and unanswered).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger("downloads_api")


class Drain:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False

    @contextmanager
    def on_sigterm(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        """Starts the drain on SIGTERM while the app runs in the main thread, as under
        uvicorn (a test's client runs it in another, where signals cannot be caught)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGTERM)

        def hand_over() -> None:
            signal.signal(signal.SIGTERM, previous)
            signal.raise_signal(signal.SIGTERM)

        def start(_: int, __: FrameType | None) -> None:
            if not self.draining:
                self.draining = True
                logger.info("SIGTERM: draining for %g s before stopping", self.seconds)
                loop.call_soon_threadsafe(loop.call_later, self.seconds, hand_over)

        signal.signal(signal.SIGTERM, start)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)
