"""Fuzzing the surfaces of issue 17: the history import, the config file, the voice catalogue
and HTTP requests to a real `serve` on 127.0.0.1 (strategies and properties:
tests/fuzz_surfaces.py). A fast slice runs in the suite; `scripts/fuzz` runs them at full size
after the routine fuzzer (python -m tests.test_fuzz_surfaces [SCALE]).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz_surfaces import (
    catalogue_file_texts,
    check_catalogue,
    check_config,
    check_http,
    check_import,
    config_file_texts,
    fill,
    history_texts,
    http_requests,
)

FAST_EXAMPLES = {"import": 40, "config": 80, "catalogue": 200, "http": 150}
FULL_EXAMPLES = {"import": 1_000, "config": 2_500, "catalogue": 5_000, "http": 3_000}
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")

examples_run: Counter[str] = Counter()
examples_accepted: Counter[str] = Counter()


def property_test(name: str, n_examples: int, server=None) -> Callable[[], None]:
    fuzz_settings = settings(max_examples=n_examples, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])
    if name == "http":
        @fuzz_settings
        @given(http_requests())
        def run_http(request: bytes) -> None:
            examples_run[name] += 1
            port, token = server.port, server.prefix.strip("/")
            status = check_http(port, fill(request, port, token))
            examples_accepted[name] += 200 <= status < 300
            assert server.proc.poll() is None, "the server died"

        return run_http
    strategy, check = {"import": (history_texts, check_import),
                       "config": (config_file_texts, check_config),
                       "catalogue": (catalogue_file_texts, check_catalogue)}[name]

    @fuzz_settings
    @given(strategy)
    def run(text: str) -> None:
        examples_run[name] += 1
        examples_accepted[name] += check(text)

    return run


def assert_server_log_clean(server) -> None:
    """After the requests: no traceback from the server, and an access log with no control
    character and no token in any form."""
    server.stop()
    output = "\n".join(server.output)
    assert "Traceback" not in output and "Exception in ASGI" not in output, output[-3000:]
    token = server.prefix.strip("/")
    log = server.log.read_text(encoding="utf-8")
    assert not CONTROL.search(log.replace("\n", "")), repr(CONTROL.search(log))
    assert token not in log and token[1:] not in log


# -- the fast slice in the suite ----------------------------------------------------------------

test_fuzz_history_import = property_test("import", FAST_EXAMPLES["import"])
test_fuzz_config_file = property_test("config", FAST_EXAMPLES["config"])
test_fuzz_voice_catalogue = property_test("catalogue", FAST_EXAMPLES["catalogue"])


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory: pytest.TempPathFactory):
    from tests.serve_fixture import make_library, start_server

    library = make_library(tmp_path_factory.mktemp("fuzz-library"),
                           tmp_path_factory.mktemp("fuzz-render-data"))
    server = start_server(library, tmp_path_factory.mktemp("fuzz-serve"), "--lan",
                          VOICE_COACH_NOW="2026-12-01 12:00")
    yield server
    if server.proc.poll() is None:
        server.stop()


def test_fuzz_http_requests(lan_server) -> None:
    property_test("http", FAST_EXAMPLES["http"], lan_server)()
    assert_server_log_clean(lan_server)


# -- scripts/fuzz -------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Runs each surface at FULL_EXAMPLES (scaled by argv[0]); prints the counts and failures."""
    import os

    from tests.serve_fixture import make_library, start_server

    scale = float(argv[0]) if argv else 1.0
    began = time.perf_counter()
    failures = []
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-") as tmp:
        os.environ["VOICE_COACH_CACHE_DIR"] = str(Path(tmp) / "cache")
        for name in ("catalogue", "config", "import"):
            failures += _run(name, max(1, round(FULL_EXAMPLES[name] * scale)))
        library = make_library(Path(tmp) / "library", Path(tmp) / "render-data")
        server = start_server(library, Path(tmp) / "serve", "--lan",
                              VOICE_COACH_NOW="2026-12-01 12:00")
        try:
            failures += _run("http", max(1, round(FULL_EXAMPLES["http"] * scale)), server)
        finally:
            try:
                assert_server_log_clean(server)
            except AssertionError as exc:
                failures.append(f"http server log: {exc}")
    total = sum(examples_run.values())
    print(f"{total:,} examples in {time.perf_counter() - began:.0f} s, "
          f"{len(failures)} failing propert{'y' if len(failures) == 1 else 'ies'}")
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


def _run(name: str, n_examples: int, server=None) -> list[str]:
    failures = []
    try:
        property_test(name, n_examples, server)()
    except Exception as exc:  # hypothesis has printed the falsifying example
        failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}")
    what = "2xx answers" if name == "http" else "accepted"
    print(f"{name:>9} {examples_run[name]:>6,} examples ({examples_accepted[name]:,} {what})",
          flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
