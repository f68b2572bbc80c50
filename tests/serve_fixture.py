"""A real `voice-coach serve` on 127.0.0.1 for the tests: a library rendered once per run (the
tiny tests/routines/minimal.yaml, not every built-in), and servers started as separate processes
that the tests talk to over HTTP and stop with a signal. Nothing here touches another address.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "routines" / "minimal.yaml"
URL_LINE = re.compile(r"(https?://127\.0\.0\.1:\d+/\S*)")


def make_library(root: Path, data_dir: Path) -> Path:
    """A library holding only minimal.yaml, rendered (through the library API, as serve does)."""
    from voice_coach.routine import builtin_names
    from voice_coach.serve.build import ensure_cover, render_missing
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add, remove

    old = os.environ.get("VOICE_COACH_DATA_DIR")
    os.environ["VOICE_COACH_DATA_DIR"] = str(data_dir)
    try:
        library = Library(root)
        add(library, str(MINIMAL))
        remove(library, builtin_names())
        outcomes = render_missing(library)
        assert [o.status for o in outcomes] == ["rendered"], outcomes
        ensure_cover(library)
    finally:
        if old is None:
            os.environ.pop("VOICE_COACH_DATA_DIR", None)
        else:
            os.environ["VOICE_COACH_DATA_DIR"] = old
    return root


@dataclass
class Served:
    """A running `voice-coach serve` process and what it printed."""

    proc: subprocess.Popen
    url: str  # the page's address on 127.0.0.1, ending in "/"
    data_dir: Path
    library: Path
    log: Path
    output: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def prefix(self) -> str:
        """The path every URL starts with: "/TOKEN/" or "/"."""
        return urlsplit(self.url).path

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) for a raw request path."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None):
        """GET a path under the token prefix (path without leading "/")."""
        return self.request("GET", self.prefix + path, headers)

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        out, err = self.proc.communicate(timeout=10)
        self.output += ((out or b"").decode("utf-8", "replace").splitlines()
                        + (err or b"").decode("utf-8", "replace").splitlines())
        return self.proc.returncode


def start_server(library: Path, data_dir: Path, *args: str, timeout_s: float = 600,
                 wait_rendered: bool = True, **extra_env: str) -> Served:
    """Starts `voice-coach serve --library LIBRARY --port 0 ARGS...` (with extra_env added to
    its environment) and waits for its address, and (wait_rendered) until what it renders in
    the background is ready."""
    log = data_dir / "access.log"
    env = {**os.environ, "VOICE_COACH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
           **extra_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "serve", "--library", str(library), "--port", "0",
         "--access-log", str(log), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env, cwd=REPO)
    # Unbuffered bytes, read a line at a time: nothing read ahead is lost to communicate().
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    url = None
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode("utf-8", "replace")
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if url is None and ("On this computer" in line):
            url = URL_LINE.search(line).group(1)  # type: ignore[union-attr]
        if line.startswith("Press Ctrl-C to stop."):
            rendering = any(" in the background" in seen for seen in lines)
            if not (wait_rendered and rendering):
                break
        if line.startswith("All sessions are ready"):
            break
    if url is None:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError("serve did not start:\n" + "\n".join(lines)
                             + (out or b"").decode("utf-8", "replace")
                             + (err or b"").decode("utf-8", "replace"))
    return Served(proc, url, data_dir, library, log, lines)
