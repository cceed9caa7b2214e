"""Ctrl-C and SIGTERM without losing work: the first signal asks training to
stop at the end of the current epoch (a consistent state to save and resume
from); a second Ctrl-C stops at once."""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

from .callbacks import Callback

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Interrupted(Exception):
    """Training stopped on a signal; what was done is saved.

    Attributes
    ----------
    signum : int
        The signal (``signal.SIGINT`` or ``signal.SIGTERM``).
    message : str
        What was saved and how to resume.
    """

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.signum, self.message = signum, message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(signal.Signals(self.signum), 130)


class GracefulInterrupt:
    """A context manager catching SIGINT and SIGTERM in the main thread: a
    signal sets ``signum``; a second SIGINT raises ``KeyboardInterrupt``.
    Outside the main thread it does nothing (signals go there only)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.signum = signum

    def __enter__(self) -> GracefulInterrupt:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old.clear()


class StopOnSignal(Callback):
    """Ends ``fit`` after the epoch in which a signal arrived (with the
    compiled engine, after the piece of epochs it arrived in, a few
    milliseconds at most: see :class:`mlplab.callbacks.Callback`)."""

    reads_logs_only = True

    def __init__(self, interrupt: GracefulInterrupt) -> None:
        super().__init__()
        self.interrupt = interrupt

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.interrupt.requested:
            assert self.model is not None
            self.model.stop_training = True
