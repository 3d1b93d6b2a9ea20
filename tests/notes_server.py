"""A real HTTP server on loopback that serves notes the way GitHub and Google Docs do.

Each path is given a list of responses, served in turn (the last one repeats), so a test can
script "good doc, then sign-in page, then timeout". ETag and If-None-Match work like a real CDN.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.loopback import Loopback


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/markdown; charset=utf-8"
    delay: float = 0.0
    etag: bool = True


class NotesServer(Loopback):
    def __init__(self) -> None:
        self.routes: dict[str, list[Response]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append((self.path, dict(self.headers)))
                queue = server.routes.get(self.path.split("?")[0]) or server.routes.get(self.path)
                if not queue:
                    self.send_error(404, "Not Found")
                    return
                response = queue.pop(0) if len(queue) > 1 else queue[0]
                if response.delay:
                    time.sleep(response.delay)
                tag = '"' + hashlib.sha1(response.body).hexdigest() + '"'
                if response.etag and response.status == 200 and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                if response.etag:
                    self.send_header("ETag", tag)
                self.end_headers()
                try:
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing left to send

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)


    def serve(self, path: str, *responses: Response) -> str:
        self.routes[path] = list(responses)
        return self.base + path

