"""`UIServer`: the local web page's HTTP server (stdlib `ThreadingHTTPServer` + SSE).

The stdlib server is enough for a page a few local tabs open: no dependency, no import
cost, and an event stream is a response without Content-Length the handler thread keeps
writing to. Handlers stay small and call plain functions (`_data`, `_runs`), so moving to
an ASGI stack later would be mechanical.

Security: it binds 127.0.0.1 unless told otherwise, answers only requests whose `Host`
names the bound address (DNS rebinding), and every POST needs the per-process token of
`GET /api/session` in `X-Liteflow-Token` (and a same-origin `Origin` when one is sent).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import mimetypes
import queue
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..checkpoint import Checkpointer
from ..core.errors import LiteflowError, UIError
from ..core.messages import CATALOG, current_language, normalize_language, text, use_language
from ._data import state_at, steps_of, thread_detail, threads_json
from ._hub import Hub, Tail
from ._load import load_module
from ._runs import Runs, flow_json, flows_of

__all__ = ["UIServer"]

STATIC = Path(__file__).resolve().parent / "static"
_PING = 15.0  # seconds between keep-alive comments on an idle event stream
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".json": "application/json; charset=utf-8", ".png": "image/png"}
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class UIServer:
    """The local page of `liteflow ui`: threads, graphs, timelines, diffs, live updates.

    ```python
    server = UIServer("flows.py", checkpointer="sqlite:///runs.db").start()
    print(server.url)      # http://127.0.0.1:<port>/
    server.stop()
    ```

    With a module (a path or an imported module) it can start, resume and fork runs of
    its flows; with only a checkpointer it is read-only. `port=0` picks a free port.
    """

    def __init__(self, module: ModuleType | str | Path | None = None, checkpointer: Any = None,
                 host: str = "127.0.0.1", port: int = 0, language: str | None = None,
                 poll_interval: float = 0.2) -> None:
        from ..engine.durable import open_store

        self.module = load_module(module) if isinstance(module, str | Path) else module
        self.module_path = str(module) if isinstance(module, str | Path) else (
            getattr(module, "__file__", None) if module is not None else None)
        self.store: Checkpointer = open_store(
            checkpointer if checkpointer is not None else "sqlite:///liteflow-runs.db")
        self.host = host
        self.port = port
        self.language = normalize_language(language)
        self.token = secrets.token_urlsafe(24)
        self.flows = flows_of(self.module)
        self.readonly = self.module is None
        self.hub = Hub()
        # Store reads go through a few long-lived threads: a SQLite store keeps one
        # connection per thread, and request threads come and go.
        self._pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="liteflow-ui-store")
        self.runs = Runs(self.flows, self.store, self.hub)
        self.tail = Tail(self.store, self.hub, self.db, poll_interval)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> UIServer:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"app": self})
        try:
            httpd = ThreadingHTTPServer((self.host, self.port), handler)
        except OSError as error:
            raise UIError("ui.cannot_bind", host=self.host, port=self.port,
                          error=str(error)) from None
        httpd.daemon_threads = True
        try:
            self.tail.prime()
        except BaseException:
            httpd.server_close()
            raise
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.tail.start()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="liteflow-ui-http", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        """`http://host:port/` of the page (after `start`)."""
        return f"http://{_netloc(self.host, self.port)}/"

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach the page (a loopback address)."""
        return _is_loopback(self.host)

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """`Host` header values this server answers."""
        names = {self.host}
        if _is_loopback(self.host):
            names |= {"localhost", "127.0.0.1"}
        return frozenset(_netloc(n, self.port) for n in names)

    def stop(self) -> None:
        """Stop serving: end event streams, close the socket, wait briefly for runs."""
        httpd, self._httpd = self._httpd, None
        self.tail.stop()
        self.hub.close()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.runs.join(1.0)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> UIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for handlers ------------------------------------------------------------

    def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` on a store thread and return its result."""
        language = current_language()

        def call() -> Any:
            with use_language(language):
                return fn(*args)

        return self._pool.submit(call).result()

    def texts(self, language: str | None) -> dict[str, str]:
        """Every page text of the catalog in `language`, as templates (`{step}` kept:
        the page fills the fields)."""
        prefix = "ui.page."
        zh = normalize_language(language) == "zh"
        return {k[len(prefix):]: (m.zh if zh else m.en) for k, m in CATALOG.items()
                if k.startswith(prefix)}

    def plan_for(self, flow: str) -> Any:
        found = self.flows.get(flow)
        return found.plan if found is not None else None


class _Handler(BaseHTTPRequestHandler):
    app: UIServer
    server_version = "liteflow-ui"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a local tool: no access log on the terminal

    # -- dispatch ------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        app = self.app
        with use_language(app.language):
            try:
                self._check_host()
                parts = urlsplit(self.path)
                segments = [unquote(s) for s in parts.path.split("/")[1:]]
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if method == "POST":
                    self._check_post()
                    self._post(segments, self._body())
                else:
                    self._get(segments, query)
            except _Refused as refused:
                self._json({"error": refused.message, "id": refused.msg_id}, refused.status)
            except LiteflowError as error:
                status = (HTTPStatus.NOT_FOUND if error.msg_id in ("ui.thread_unknown",
                          "checkpoint.thread_unknown", "ui.flow_unknown")
                          else HTTPStatus.CONFLICT if error.msg_id == "ui.thread_busy"
                          else HTTPStatus.BAD_REQUEST)
                self._json({"error": str(error), "id": error.msg_id}, status)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def _check_host(self) -> None:
        host = self.headers.get("Host", "")
        if host not in self.app.allowed_hosts:
            raise _Refused(HTTPStatus.FORBIDDEN, "ui.bad_host", host=host,
                           expected=_netloc(self.app.host, self.app.port))

    def _check_post(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in self.app.allowed_hosts:
            raise _Refused(HTTPStatus.FORBIDDEN, "ui.bad_origin", origin=origin,
                           expected=self.app.url.rstrip("/"))
        token = self.headers.get("X-Liteflow-Token", "")
        if not hmac.compare_digest(token.encode(), self.app.token.encode()):
            raise _Refused(HTTPStatus.FORBIDDEN, "ui.bad_token")
        if self.app.readonly:
            raise _Refused(HTTPStatus.FORBIDDEN, "ui.readonly")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_json", error=str(error)) from None
        if not isinstance(body, dict):
            raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_json",
                           error=type(body).__name__)
        return body

    # -- GET -----------------------------------------------------------------------------

    def _get(self, seg: list[str], query: dict[str, str]) -> None:
        app = self.app
        if seg in ([""], ["index.html"]):
            return self._file(STATIC / "index.html")
        if seg[0] == "static" and len(seg) > 1:
            return self._static(seg[1:])
        if seg[0] != "api" or len(seg) < 2:
            raise _Refused(HTTPStatus.NOT_FOUND, "ui.not_found", path=self.path)
        name, rest = seg[1], seg[2:]
        if name == "session" and not rest:
            lang = normalize_language(query.get("lang")) or app.language or current_language()
            return self._json({"token": app.token, "language": lang,
                               "readonly": app.readonly, "module": app.module_path,
                               "texts": app.texts(lang)})
        if name == "flows" and not rest:
            return self._json([flow_json(f) for f in app.flows.values()])
        if name == "events" and not rest:
            return self._events(query.get("thread"))
        if name == "threads":
            return self._thread_get(rest, query)
        raise _Refused(HTTPStatus.NOT_FOUND, "ui.not_found", path=self.path)

    def _thread_get(self, rest: list[str], query: dict[str, str]) -> None:
        app = self.app
        if not rest:
            return self._json(app.db(threads_json, app.store))
        tid = rest[0]
        if len(rest) == 1:
            infos = [t for t in app.db(threads_json, app.store) if t["thread_id"] == tid]
            if not infos:
                raise UIError("ui.thread_unknown", thread=tid)
            detail = app.db(thread_detail, app.store, tid, app.plan_for(infos[0]["flow"]),
                            app.runs.live(tid))
            return self._json(detail)
        if rest[1:] == ["steps"]:
            return self._json(app.db(steps_of, app.store, tid, query.get("branch") or None))
        if rest[1:] == ["state"]:
            step = query.get("step")
            if step is not None and not step.lstrip("-").isdigit():
                raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_field", field="step",
                               reason=step)
            return self._json(app.db(state_at, app.store, tid,
                                     None if step is None else int(step),
                                     query.get("branch") or None,
                                     query.get("full") in ("1", "true")))
        raise _Refused(HTTPStatus.NOT_FOUND, "ui.not_found", path=self.path)

    # -- POST ----------------------------------------------------------------------------

    def _post(self, seg: list[str], body: dict[str, Any]) -> None:
        app = self.app
        if len(seg) == 4 and seg[:2] == ["api", "flows"] and seg[3] == "runs":
            inputs = body.get("inputs", {})
            if not isinstance(inputs, dict):
                raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_field", field="inputs",
                               reason="not an object")
            thread_id = body.get("thread_id") or None
            if thread_id is not None and not isinstance(thread_id, str):
                raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_field", field="thread_id",
                               reason="not a string")
            return self._json(app.db(app.runs.start, seg[2], inputs, thread_id),
                              HTTPStatus.ACCEPTED)
        if len(seg) == 4 and seg[:2] == ["api", "threads"] and seg[3] == "resume":
            return self._json(app.db(app.runs.resume, seg[2], body.get("value"),
                                     "value" in body), HTTPStatus.ACCEPTED)
        if len(seg) == 4 and seg[:2] == ["api", "threads"] and seg[3] == "fork":
            step = body.get("step")
            if not isinstance(step, int) or isinstance(step, bool):
                raise _Refused(HTTPStatus.BAD_REQUEST, "ui.bad_field", field="step",
                               reason=repr(step))
            return self._json(app.db(app.runs.fork, seg[2], step), HTTPStatus.ACCEPTED)
        raise _Refused(HTTPStatus.NOT_FOUND, "ui.not_found", path=self.path)

    # -- responses -----------------------------------------------------------------------

    def _json(self, data: Any, status: int = HTTPStatus.OK) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _static(self, parts: list[str]) -> None:
        target = (STATIC / "/".join(parts)).resolve()
        if STATIC not in target.parents or not target.is_file():
            raise _Refused(HTTPStatus.NOT_FOUND, "ui.not_found", path=self.path)
        self._file(target)

    def _file(self, path: Path) -> None:
        body = path.read_bytes()
        kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or \
            "application/octet-stream"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def _events(self, thread: str | None) -> None:
        sub = self.app.hub.subscribe(thread or None)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n: connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    message = sub.events.get(timeout=_PING)
                except queue.Empty:
                    message = ": ping\n\n"
                if message is None:
                    break
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            pass  # the tab went away
        finally:
            self.app.hub.unsubscribe(sub)
            self.close_connection = True


class _Refused(Exception):
    """A request answered with an error status and a catalog message."""

    def __init__(self, status: int, msg_id: str, **fields: Any) -> None:
        super().__init__(msg_id)
        self.status = status
        self.msg_id = msg_id
        self.message = text(msg_id, **fields)
