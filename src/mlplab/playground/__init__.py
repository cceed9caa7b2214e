"""The playground: a page in the browser where a network learns while you
watch, served from this process (``mlplab playground``).

Training runs here, with mlplab's engine, epoch by epoch; the page receives
frames (Server-Sent Events) and draws them. The server is the standard
library's ``http.server`` in threads: no extra dependency, nothing fetched
from the network, every script and style served from the installed package.

>>> pg = Playground(port=0).start()  # a free port, served in a thread
>>> pg.url.startswith("http://127.0.0.1:") and "token=" in pg.url
True
>>> pg.stop()

``serve()`` runs until Ctrl-C; ``show()`` embeds the page in a Jupyter
notebook. The page's element ids and the protocol are in
``docs/playground.md``.
"""

from __future__ import annotations

import errno
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from html import escape
from typing import Any

from threadpoolctl import threadpool_limits

from ._pageconfig import PageConfig
from ._server import DEFAULT_PORT, PlaygroundServer, options

__all__ = [
    "DEFAULT_PORT",
    "NotebookFrame",
    "PageConfig",
    "Playground",
    "options",
    "serve",
    "show",
]

_LOCAL = ("127.0.0.1", "localhost", "::1")


class Playground:
    """A playground server.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        The address to listen on. Anything but the local machine lets others
        on the network reach the page (they still need the token).
    port : int or None, default None
        ``None``: :data:`DEFAULT_PORT`, or a free port when that one is
        taken; ``0``: a free port; a number: that port (``OSError`` when it
        is taken).
    idle_timeout : float, default 900
        Seconds after which a session (a browser tab) that nobody watches
        is closed.
    token : str, optional
        The token every request must carry; a random one by default.
    quiet : bool, default True
        Do not log each request on stderr.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        idle_timeout: float = 900.0,
        token: str | None = None,
        quiet: bool = True,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise TypeError(f"host must be an address; received host={host!r}")
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < 65536
        ):
            raise ValueError(f"port must be 0 .. 65535 or None; received port={port!r}")
        if not isinstance(idle_timeout, int | float) or not idle_timeout > 0:
            raise ValueError(
                f"idle_timeout must be a positive number of seconds; received "
                f"idle_timeout={idle_timeout!r}"
            )
        kw: dict[str, Any] = {
            "token": token,
            "idle_timeout": float(idle_timeout),
            "quiet": quiet,
        }
        try:
            self.server = PlaygroundServer(
                host, DEFAULT_PORT if port is None else port, **kw
            )
        except OSError as exc:
            if port is not None or exc.errno != errno.EADDRINUSE:
                raise
            self.server = PlaygroundServer(host, 0, **kw)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address with its token."""
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def token(self) -> str:
        return self.server.token

    @property
    def running(self) -> bool:
        """Whether :meth:`start` serves it in a thread now."""
        return self._thread is not None

    def start(self) -> Playground:
        """Serve in a background thread; returns self.

        While it serves, BLAS runs on one thread in this process: the
        playground's products are small, and a second BLAS thread only
        competes with training for the cores (it halves the frame rate)."""
        if self._thread is None:
            self._blas = threadpool_limits(limits=1, user_api="blas")
            self._thread = threading.Thread(
                target=self.server.serve_forever,
                kwargs={"poll_interval": 0.2},
                name="mlplab-playground",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the sessions, remove the uploads."""
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
            self._thread = None
            self._blas.restore_original_limits()
        self.server.server_close()

    def __enter__(self) -> Playground:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    open_browser: bool = True,
    idle_timeout: float = 900.0,
    quiet: bool = True,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Serve the playground until Ctrl-C (or until ``stop()`` returns True):
    print the URL (with its token) and open it in the default browser unless
    ``open_browser=False``. The other parameters are those of
    :class:`Playground`."""
    pg = Playground(host, port, idle_timeout=idle_timeout, quiet=quiet)
    if host not in _LOCAL:
        print(
            f"warning: listening on {host}: other machines can reach the "
            "playground (they still need the token)",
            file=sys.stderr,
        )
    print(f"mlplab playground: {pg.url}", flush=True)
    print("press Ctrl-C to stop", flush=True)
    pg.start()
    if open_browser:
        webbrowser.open(pg.url)
    try:
        while not (stop is not None and stop()):
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        pg.stop()
        print("mlplab playground: stopped", flush=True)


class NotebookFrame:
    """The page in a notebook cell: an ``<iframe>`` (Jupyter shows
    ``_repr_html_``)."""

    def __init__(self, playground: Playground, width: int | str, height: int) -> None:
        self.playground, self.width, self.height = playground, width, height

    def _repr_html_(self) -> str:
        return (
            f'<iframe src="{escape(self.playground.url)}" '
            f'width="{escape(str(self.width))}" '
            f'height="{int(self.height)}" style="border:0"></iframe>'
        )

    def __repr__(self) -> str:
        return f"mlplab playground at {self.playground.url}"


_SHOWN: dict[str, Playground] = {}


def show(width: int | str = "100%", height: int = 820, **kwargs: Any) -> NotebookFrame:
    """The playground embedded in a Jupyter notebook (an ``<iframe>``),
    served in a background thread of the kernel; the same server for every
    call. ``kwargs`` go to :class:`Playground` on the first call."""
    pg = _SHOWN.get("playground")
    if pg is None or not pg.running:
        pg = _SHOWN["playground"] = Playground(**kwargs).start()
    return NotebookFrame(pg, width, height)
