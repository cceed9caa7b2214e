"""The playground's HTTP server: the standard library's threading server,
one thread per request, with the checks every request passes first.

* The ``Host`` header must name the server itself and an ``Origin`` header,
  when sent, must be the server's own: a page elsewhere cannot drive it, not
  even through a DNS name rebound to 127.0.0.1.
* The token of the printed URL must come with every request (query ``token``
  or header ``X-Mlplab-Token``); else 403.
* A bad request is answered 4xx with ``{"error": message}``; nothing the
  page sends can stop the server.

The routes are listed in ``docs/playground.md``.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .. import activations, losses
from ..exceptions import DivergenceError
from ._pageconfig import FEATURES, LIMITS, OPTIMIZERS, PageConfig, dataset_choices
from ._session import Session
from ._uploads import Uploads

__all__ = ["DEFAULT_PORT", "PlaygroundServer", "options"]

DEFAULT_PORT = 8745
MAX_SESSIONS = 32
MAX_JSON_BYTES = 1 << 20
KEEPALIVE = 15.0  # seconds between comments on a quiet event stream
UNWATCHED_PAUSE = 20.0  # seconds before a session nobody watches is paused
_STATIC = {
    "playground.js": "text/javascript; charset=utf-8",
    "playground.css": "text/css; charset=utf-8",
}
_SESSION_PATH = re.compile(
    r"^/api/sessions/([0-9a-f]{16})(?:/([a-z]+)(?:/([a-z]+))?)?$"
)


class RequestError(Exception):
    """A request the server refuses: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def options() -> dict[str, Any]:
    """The choices the page offers (``GET /api/options``)."""
    hidden = [n for n in activations.names() if n != "softmax"]
    return {
        "datasets": dataset_choices(),
        "activations": hidden,
        "output_activations": activations.names(),
        "losses": {
            "classification": [
                "binary_crossentropy",
                "categorical_crossentropy",
                "mse",
            ],
            "regression": [n for n in ("mse", "mae", "huber") if n in losses.names()],
        },
        "optimizers": list(OPTIMIZERS),
        "features": list(FEATURES),
        "limits": dict(LIMITS),
        "defaults": PageConfig().to_json(),
    }


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


class PlaygroundServer(ThreadingHTTPServer):
    """The server of one ``mlplab playground``: its token, sessions and
    uploads."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(
        self,
        host: str,
        port: int,
        *,
        token: str | None = None,
        idle_timeout: float = 900.0,
        quiet: bool = True,
    ) -> None:
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()
        self.uploads = Uploads()
        self.stopping = threading.Event()
        super().__init__((host, port), Handler)  # closes the above if it fails
        self.host = host
        self.port = int(self.server_address[1])
        self.token = token or secrets.token_urlsafe(24)
        self.idle_timeout = idle_timeout
        self.quiet = quiet
        names = {
            "127.0.0.1",
            "localhost",
            "[::1]",
            host if ":" not in host else f"[{host}]",
        }
        self.hosts = {f"{n}:{self.port}" for n in names}
        self._reaper = threading.Thread(target=self._reap, daemon=True)
        self._reaper.start()

    @property
    def url(self) -> str:
        """The page's address, token included."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/?token={self.token}"

    # -- sessions ----------------------------------------------------------------
    def new_session(self, page: PageConfig) -> Session:
        with self.sessions_lock:
            if len(self.sessions) >= MAX_SESSIONS:
                raise RequestError(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"{MAX_SESSIONS} sessions are open; close a tab and reload",
                )
        session = Session(secrets.token_hex(8), page, self.uploads.get(page.upload))
        with self.sessions_lock:
            self.sessions[session.id] = session
        return session

    def session(self, sid: str) -> Session:
        with self.sessions_lock:
            found = self.sessions.get(sid)
        if found is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, "this session has ended; reload the page"
            )
        found.last_seen = time.monotonic()
        return found

    def close_session(self, sid: str) -> None:
        with self.sessions_lock:
            found = self.sessions.pop(sid, None)
        if found is not None:
            found.close()

    def _reap(self) -> None:
        """Close the sessions nobody has watched or used for ``idle_timeout``."""
        while not self.stopping.wait(min(10.0, self.idle_timeout / 4)):
            now = time.monotonic()
            with self.sessions_lock:
                unwatched = [s for s in self.sessions.values() if s.listeners == 0]
            for s in unwatched:
                if now - s.last_seen > self.idle_timeout:
                    self.close_session(s.id)
                elif s.running and now - s.last_seen > UNWATCHED_PAUSE:
                    s.pause()  # a tab gone without a word: stop using the CPU

    def server_close(self) -> None:
        self.stopping.set()
        for sid in list(self.sessions):
            self.close_session(sid)
        self.uploads.close()
        super().server_close()


class Handler(BaseHTTPRequestHandler):
    """One request: checked, routed, answered."""

    server: PlaygroundServer
    server_version = "mlplab-playground"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- checks and answers ---------------------------------------------------------
    def _handle(self, method: str) -> None:
        try:
            url = urlsplit(self.path)
            self.query = parse_qs(url.query)
            self._check_request()
            self._route(method, url.path)
        except RequestError as exc:
            self._json({"error": exc.message}, exc.status)
        except (ValueError, TypeError, DivergenceError) as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # a bug must not stop the server
            self.log_error("%s", traceback.format_exc())
            message = f"internal error ({type(exc).__name__}: {exc})"
            self._json({"error": message}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _check_request(self) -> None:
        server = self.server
        host = (self.headers.get("Host") or "").lower()
        if host not in server.hosts:
            raise RequestError(HTTPStatus.FORBIDDEN, f"unknown Host header {host!r}")
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in {
            f"http://{h}" for h in server.hosts
        }:
            raise RequestError(HTTPStatus.FORBIDDEN, f"foreign Origin {origin!r}")
        given = self.headers.get("X-Mlplab-Token") or self.query.get("token", [""])[0]
        if not secrets.compare_digest(given.encode(), server.token.encode()):
            raise RequestError(
                HTTPStatus.FORBIDDEN,
                "missing or wrong token: open the URL mlplab playground printed",
            )

    def _send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = HTTPStatus.OK) -> None:
        body = json.dumps(value, allow_nan=False).encode()
        self._send(status, "application/json", body)

    def _body(self, limit: int) -> bytes:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length")
        if int(length) > limit:
            raise RequestError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request has {int(length) / 2**20:.1f} MB; the limit is "
                f"{limit / 2**20:.0f} MB",
            )
        return self.rfile.read(int(length))

    def _json_body(self) -> Any:
        raw = self._body(MAX_JSON_BYTES)
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"not JSON: {exc}") from None

    # -- routes ------------------------------------------------------------------------
    def _route(self, method: str, path: str) -> None:
        # Read every request's body before answering: a body left unread
        # makes the closing socket reset the connection under the answer.
        upload = method == "POST" and path == "/api/upload"
        self.body = None if upload or method == "GET" else self._json_body()
        if method == "GET" and path in ("/", "/index.html"):
            html = _static("index.html").replace(
                b"{{TOKEN}}", self.server.token.encode()
            )
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", html)
        if method == "GET" and path.startswith("/static/"):
            name = path.removeprefix("/static/")
            if name not in _STATIC:
                raise RequestError(HTTPStatus.NOT_FOUND, f"no file {name!r}")
            return self._send(HTTPStatus.OK, _STATIC[name], _static(name))
        if method == "GET" and path == "/api/options":
            return self._json(options())
        if method == "POST" and path == "/api/sessions":
            page = PageConfig.from_json(self.body)
            return self._json(self.server.new_session(page).info())
        if method == "POST" and path == "/api/upload":
            name = self.query.get("name", [""])[0]
            content = self._body(LIMITS["max_upload_bytes"])
            return self._json(self.server.uploads.add(name, content).to_json())
        match = _SESSION_PATH.match(path)
        if match is None:
            raise RequestError(HTTPStatus.NOT_FOUND, f"no such page: {path}")
        return self._session_route(method, *match.groups())

    def _session_route(
        self, method: str, sid: str, action: str | None, what: str | None
    ) -> None:
        if method == "DELETE" and action is None:
            self.server.close_session(sid)
            return self._json({"ok": True})
        session = self.server.session(sid)
        if method == "GET" and action == "events":
            return self._events(session)
        if method == "GET" and action == "export" and what is not None:
            filename, ctype, body = session.export(what)
            disposition = f'attachment; filename="{filename}"'
            return self._send(
                HTTPStatus.OK, ctype, body, Content_Disposition=disposition
            )
        if method != "POST" or what is not None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, f"no such request: {method} {self.path}"
            )
        return self._json(self._command(session, action))

    def _command(self, session: Session, action: str | None) -> Any:
        if action == "config":
            page = PageConfig.from_json(self.body)
            return session.configure(page, self.server.uploads.get(page.upload))
        if action == "play":
            session.play()
            return {"ok": True}
        if action == "pause":
            return {"ok": True, "epoch": session.pause()}
        if action == "step":
            return {"ok": True, "epoch": session.step()}
        if action == "reset":
            return session.reset()
        if action == "explain":
            body = self.body
            indices = body.get("indices") if isinstance(body, dict) else body
            return {"html": session.explain(indices)}
        raise RequestError(HTTPStatus.NOT_FOUND, f"no such request: {action!r}")

    def _events(self, session: Session) -> None:
        """Stream the session's frames (Server-Sent Events) until the page
        leaves or the server stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        session.watch(+1)
        seen, quiet_since = -1, time.monotonic()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not (session.closed or self.server.stopping.is_set()):
                version, data = session.wait_frame(seen, timeout=1.0)
                if version != seen:
                    self.wfile.write(b"event: frame\ndata: " + data + b"\n\n")
                    seen, quiet_since = version, time.monotonic()
                elif time.monotonic() - quiet_since > KEEPALIVE:
                    self.wfile.write(b": keep-alive\n\n")
                    quiet_since = time.monotonic()
                else:
                    continue
                self.wfile.flush()
        finally:
            session.watch(-1)
