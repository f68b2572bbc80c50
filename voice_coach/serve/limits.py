"""The bounds on what a client may send `serve`, and the HTTP protocol that enforces the size of
a request's head (request line plus headers) while it is still arriving.

uvicorn's httptools protocol reads a head of any size (a 150 MB header once stalled every
other client for a minute); h11 stops at h11_max_incomplete_event_size. Both get the same bound
here. The rest (header count, body size, JSON depth, Host) is guard.py's, in the application.
"""

from __future__ import annotations

MAX_HEAD_BYTES = 32 * 1024  # request line + headers (nginx: 4 x 8 KiB; h11's default: 16 KiB)
MAX_HEADERS = 100  # header lines per request (Apache's LimitRequestFields)
MAX_BODY_BYTES = 64 * 1024  # any request body; /api/done itself takes 4 KiB
MAX_JSON_DEPTH = 32  # nested arrays/objects in a JSON body
_SLICE = 4096  # a head is fed to the parser in pieces this size, so it is counted as it grows

_HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                   b"content-type: text/plain; charset=utf-8\r\ncontent-length: 30\r\n"
                   b"connection: close\r\n\r\nRequest header is too large.\r\n")


def uvicorn_http_options() -> dict:
    """uvicorn.Config keywords that bound the request head: the httptools protocol below when
    httptools is installed (uvicorn's own choice), else h11 with the same limit."""
    try:
        import httptools  # noqa: F401 - only whether it is there
    except ImportError:
        return {"http": "h11", "h11_max_incomplete_event_size": MAX_HEAD_BYTES}
    return {"http": bounded_httptools_protocol(),
            "h11_max_incomplete_event_size": MAX_HEAD_BYTES}


def bounded_httptools_protocol() -> type:
    """uvicorn's HttpToolsProtocol that answers 431 and closes the connection when a request's
    head is not complete after MAX_HEAD_BYTES bytes."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHeadProtocol(HttpToolsProtocol):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._in_head = True
            self._head_bytes = 0

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._in_head, self._head_bytes = True, 0

        def data_received(self, data: bytes) -> None:
            while data:
                if not self._in_head:
                    super().data_received(data)
                    return
                piece, data = data[:_SLICE], data[_SLICE:]
                self._head_bytes += len(piece)
                super().data_received(piece)
                if self.transport is None or self.transport.is_closing():
                    return
                if self._in_head and self._head_bytes > MAX_HEAD_BYTES:
                    self.transport.write(_HEAD_TOO_LARGE)
                    self.transport.close()
                    return

    return BoundedHeadProtocol
