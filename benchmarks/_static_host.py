"""Serve a folder as a static host does (for ``pages_bench.py``): gzip and cache headers.

``python -m http.server`` sends neither, so a page measured behind it looks slower than the
published book: GitHub Pages (and most static hosts) gzip text files and send
``Cache-Control: max-age=600`` with an ``ETag``. This server does the same, on 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import http.server
import mimetypes
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml",
                "application/xml")
MAX_AGE = 600


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    cache: dict[Path, tuple[bytes, bytes, str]]

    def log_message(self, *args: object) -> None:
        pass

    def _file(self) -> Path | None:
        path = unquote(urlparse(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        target = self._file()
        if target is None:
            self.send_error(404)
            return
        if target not in self.cache:
            raw = target.read_bytes()
            self.cache[target] = (raw, gzip.compress(raw, 6), hashlib.sha1(raw).hexdigest()[:16])
        raw, packed, etag = self.cache[target]
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        if self.headers.get("If-None-Match") == f'"{etag}"':
            self.send_response(304)
            self.send_header("ETag", f'"{etag}"')
            self.end_headers()
            return
        use_gzip = "gzip" in self.headers.get("Accept-Encoding", "") and ctype.startswith(
            COMPRESSIBLE)
        body = packed if use_gzip else raw
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", f"max-age={MAX_AGE}")
        self.send_header("ETag", f'"{etag}"')
        self.send_header("Last-Modified", email.utils.formatdate(target.stat().st_mtime,
                                                                 usegmt=True))
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path) -> tuple[str, Callable[[], None]]:
    """Serve ``root`` on 127.0.0.1 at a free port; return (base URL, stop)."""
    handler = type("Handler", (_Handler,), {"root": Path(root).resolve(), "cache": {}})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://{host}:{port}", stop
