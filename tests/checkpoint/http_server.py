"""A real HTTP server on localhost for the download tests (no internet needed): files served
from memory, requests counted, transfers that stop half way, addresses that never answer."""
import hashlib
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List

CUT = '/cut/'  # path prefix: announce the whole file, send half of it, close the connection


class CheckpointServer:
    """``http.server`` in a thread on an ephemeral port.

    ``files[name]`` is served at ``/name`` (and cut half way at ``/cut/name``); other paths
    answer 404. ``requests`` lists every path asked for.
    """

    def __init__(self) -> None:
        self.files: Dict[str, bytes] = {}
        self.requests: List[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                server.requests.append(self.path)
                cut = self.path.startswith(CUT)
                data = server.files.get(self.path[len(CUT) if cut else 1:])
                if data is None:
                    self.send_error(404, 'Not Found')
                    return
                self.send_response(200)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2] if cut else data)
                self.close_connection = True

            def log_message(self, *args) -> None:
                pass  # keep the test output clean

        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        # A short poll: shutting down waits for it.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02, ),
                                        daemon=True)

    def url(self, name: str, cut: bool = False) -> str:
        host, port = self._httpd.server_address[:2]
        return f'http://{host}:{port}{CUT if cut else "/"}{name}'

    def __enter__(self) -> 'CheckpointServer':
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def hashed_name(stem: str, data: bytes, suffix: str = '_20240101.pth') -> str:
    """``stem-<first 8 hex digits of sha256>`` + ``suffix``: mmpose's naming convention."""
    return f'{stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}'


def closed_port() -> int:
    """A localhost port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextmanager
def silent_port() -> Iterator[int]:
    """A localhost port that accepts connections (into the kernel's backlog) but never
    answers: a client waits until its timeout."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        sock.listen(4)
        yield sock.getsockname()[1]
