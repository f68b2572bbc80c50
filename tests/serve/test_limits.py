"""`serve` under hostile requests, over real HTTP on 127.0.0.1: Host names it never announced
(DNS rebinding: 421), a head that never ends (431, while other clients are served), too many
headers, a 400 MB body (413 before it is read), JSON nested thousands deep (400, no
RecursionError), a percent-encoded token (never logged) and control bytes in the log.

Every loop here is bounded by a count of bytes, never by a clock.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.serve_fixture import Served, start_server
from voice_coach.serve.limits import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS
from voice_coach.serve.network import lan_addresses


@pytest.fixture(scope="module")
def lan(library: Path, tmp_path_factory: pytest.TempPathFactory):
    server = start_server(library, tmp_path_factory.mktemp("limits-lan"), "--lan",
                          VOICE_COACH_NOW="2026-12-01 12:00")
    yield server
    assert server.stop() == 130


@pytest.fixture(scope="module")
def local(library: Path, tmp_path_factory: pytest.TempPathFactory):
    server = start_server(library, tmp_path_factory.mktemp("limits-local"),
                          VOICE_COACH_NOW="2026-12-01 12:00")
    yield server
    assert server.stop() == 130


def raw_request(port: int, data: bytes, *, read_bytes: int = 1 << 16) -> bytes:
    """Sends `data` as it is and returns what the server answers (up to read_bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        try:
            conn.sendall(data)
        except OSError:  # the server may answer and close before it all went out
            pass
        return _read_answer(conn, read_bytes)


def _read_answer(conn: socket.socket, read_bytes: int) -> bytes:
    answer = b""
    while len(answer) < read_bytes:
        try:
            block = conn.recv(65536)
        except OSError:
            break
        if not block:
            break
        answer += block
        if b"\r\n\r\n" in answer and _complete(answer):
            break
    return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def rss_kb(served: Served) -> int:
    for line in Path(f"/proc/{served.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def wait_for_log(served: Served, needle: str) -> str:
    deadline = time.monotonic() + 10  # a hang guard, not a target
    while needle not in (log := served.log.read_text(encoding="utf-8")) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    return log


# -- Host names (DNS rebinding) -----------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example:{port}", "attacker.test", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "", "[::1"])
def test_a_host_name_the_server_did_not_announce_gets_421(local: Served, host: str) -> None:
    head = f"GET / HTTP/1.1\r\nHost: {host.format(port=local.port)}\r\n\r\n".encode()
    if not host:
        head = b"GET / HTTP/1.1\r\n\r\n"
    answer = raw_request(local.port, head)
    assert status_of(answer) in (421, 400), answer[:200]
    if host:
        assert status_of(answer) == 421
        assert b"Serving" not in answer and b"<html" not in answer.lower()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_loopback_names_are_served(local: Served, host: str) -> None:
    status, _, body = local.request("GET", "/api/today",
                                    {"Host": host.format(port=local.port)})
    assert status == 200 and "sets" in json.loads(body)


def test_a_rebound_page_cannot_record_a_session(local: Served) -> None:
    """The attacker's page at http://evil.example:PORT (its name now pointing at 127.0.0.1)
    posts Done: the Host is refused before anything is recorded."""
    before = (local.library / "done.json").read_text() if (local.library / "done.json").exists() \
        else ""
    status, _, _ = local.request(
        "POST", "/api/done",
        {"Host": f"evil.example:{local.port}", "Origin": f"http://evil.example:{local.port}",
         "Content-Type": "application/json"}, b'{"key": "minimal"}')
    assert status == 421
    after = (local.library / "done.json").read_text() if (local.library / "done.json").exists() \
        else ""
    assert after == before


def test_done_compares_origin_with_the_announced_hosts(local: Served) -> None:
    json_type = {"Content-Type": "application/json"}
    port = local.port
    status, _, _ = local.request("POST", "/api/done", {
        **json_type, "Host": f"127.0.0.1:{port}", "Origin": f"http://evil.example:{port}"},
        b'{"key": "nope"}')
    assert status == 403
    # a page served as localhost posting to 127.0.0.1: both names are this server's
    status, _, body = local.request("POST", "/api/done", {
        **json_type, "Host": f"127.0.0.1:{port}", "Origin": f"http://localhost:{port}"},
        b'{"key": "nope"}')
    assert status == 404 and json.loads(body) == {"error": "no such session"}


def test_lan_server_answers_its_lan_addresses_and_loopback_only(lan: Served) -> None:
    path = lan.prefix + "api/today"
    status, _, _ = lan.request("GET", path, {"Host": f"127.0.0.1:{lan.port}"})
    assert status == 200
    status, _, _ = lan.request("GET", path, {"Host": f"phone-trap.example:{lan.port}"})
    assert status == 421
    addresses = lan_addresses()
    if addresses:
        status, _, _ = lan.request("GET", path, {"Host": f"{addresses[0]}:{lan.port}"})
        assert status == 200


# -- sizes and depth ----------------------------------------------------------------------------


def test_a_head_that_never_ends_gets_431_and_others_are_served(local: Served) -> None:
    """A 150 MB header, sent as fast as the server takes it, while another client fetches the
    feed: the server stops reading after its bound, and the other client gets its answer."""
    result: dict[str, object] = {}

    def attack() -> None:
        sent = 0
        with socket.create_connection(("127.0.0.1", local.port), timeout=30) as conn:
            conn.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{local.port}\r\nX-Big: ".encode())
            block = b"a" * 65536
            try:
                while sent < 150 * 1024 * 1024:
                    conn.sendall(block)
                    sent += len(block)
            except OSError:
                pass
            result["sent"] = sent
            result["answer"] = _read_answer(conn, 4096)

    thread = threading.Thread(target=attack)
    thread.start()
    status, _, body = local.get("feed.xml")
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert status == 200 and b"<rss" in body
    assert status_of(result["answer"]) == 431  # type: ignore[arg-type]
    assert result["sent"] < 10 * 1024 * 1024  # type: ignore[operator]


def test_a_head_just_under_the_bound_is_served(local: Served) -> None:
    filler = "b" * (MAX_HEAD_BYTES - 1024)
    status, _, _ = local.request("GET", "/api/today", {"X-Filler": filler})
    assert status == 200


def test_too_many_header_lines_get_431(local: Served) -> None:
    headers = "".join(f"X-H{i}: {i}\r\n" for i in range(MAX_HEADERS + 1))
    answer = raw_request(local.port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{local.port}\r\n"
                                     f"{headers}\r\n".encode())
    assert status_of(answer) == 431


def test_a_400_mb_body_is_refused_before_it_is_read(local: Served) -> None:
    before_kb = rss_kb(local)
    head = (f"POST /api/done HTTP/1.1\r\nHost: 127.0.0.1:{local.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 400000000\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", local.port), timeout=30) as conn:
        conn.sendall(head + b"[" * 65536)
        answer = _read_answer(conn, 4096)
    assert status_of(answer) == 413 and b"limited to 65536 bytes" in answer
    assert rss_kb(local) - before_kb < 20_000


def test_a_chunked_body_is_cut_off_at_the_bound(local: Served) -> None:
    chunk = b"x" * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(16)) + b"0\r\n\r\n"
    answer = raw_request(local.port, (
        f"POST /api/done HTTP/1.1\r\nHost: 127.0.0.1:{local.port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode() + body)
    assert 16 * 8192 > MAX_BODY_BYTES
    assert status_of(answer) == 413


@pytest.mark.parametrize("depth", [33, 2040, 60000])
def test_deeply_nested_json_is_400_without_a_recursion_error(local: Served, depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    status, _, reply = local.request("POST", "/api/done", {"Content-Type": "application/json"},
                                     body)
    assert status in (400, 413), reply
    if len(body) <= MAX_BODY_BYTES:
        assert status == 400 and b"nested deeper than 32" in reply
    status, _, _ = local.request("POST", "/api/done", {"Content-Type": "application/json"},
                                 b'[[[{"key": "nope"}]]]')
    assert status == 400  # shallow nesting reaches the application (no "key" at the top)


def test_the_server_log_has_no_traceback_after_the_hostile_requests(local: Served,
                                                                  library: Path,
                                                                  tmp_path: Path) -> None:
    server = start_server(library, tmp_path)
    try:
        body = b"[" * 2040 + b"]" * 2040
        status, _, _ = server.request("POST", "/api/done", {"Content-Type": "application/json"},
                                      body)
        assert status == 400
    finally:
        server.stop()
    text = "\n".join(server.output)
    assert "RecursionError" not in text and "Traceback" not in text


# -- the token and the log ----------------------------------------------------------------------


def test_a_percent_encoded_token_is_never_logged(lan: Served) -> None:
    token = lan.prefix.strip("/")
    encoded = f"%{ord(token[0]):02X}{token[1:]}"
    twice = f"%25{ord(token[0]):02X}{token[1:]}"
    status, _, body = lan.request("GET", f"/{encoded}/feed.xml")
    assert status == 200 and b"<rss" in body  # compared after percent-decoding
    status, _, _ = lan.request("GET", f"/{twice}/feed.xml")
    assert status == 404  # decoded once, as every server does: not the token
    lan.request("GET", f"/{token.swapcase()}/done-marker")
    log = wait_for_log(lan, "done-marker")
    for form in (token, token[1:], token.lower(), token.upper()):
        assert form not in log
    assert '"GET /<token>/feed.xml HTTP/1.1" 200 ' in log


def test_control_bytes_in_the_request_are_escaped_in_the_log(lan: Served) -> None:
    # the HTTP parser refuses C0 bytes in a header (400); C1 bytes are "obs-text" and pass
    agent = b"evil\x9b31m\x9d0;PWNED\x9c\x852Jend"
    answer = raw_request(lan.port, b"GET /ctl-marker%1b%5b2J%9b HTTP/1.1\r\nHost: 127.0.0.1:"
                         + str(lan.port).encode() + b"\r\nUser-Agent: " + agent + b"\r\n\r\n")
    assert status_of(answer) == 404
    log = wait_for_log(lan, "ctl-marker")
    line = next(line for line in log.splitlines() if "ctl-marker" in line)
    assert not any(0x00 <= ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line), repr(line)
    assert "evil\\x9b31m\\x9d0;PWNED\\x9c\\x852Jend" in line
    assert "/ctl-marker%1B%5B2J%9B " in line


def test_the_head_bound_holds_with_either_http_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """httptools (uvicorn's choice when installed) gets the bounded protocol; without it, h11
    gets the same bound through uvicorn's own setting."""
    import sys

    from voice_coach.serve.limits import uvicorn_http_options

    options = uvicorn_http_options()
    assert options["http"].__name__ == "BoundedHeadProtocol"
    assert options["h11_max_incomplete_event_size"] == MAX_HEAD_BYTES
    monkeypatch.setitem(sys.modules, "httptools", None)  # as if it were not installed
    assert uvicorn_http_options() == {"http": "h11",
                                      "h11_max_incomplete_event_size": MAX_HEAD_BYTES}


def test_host_names_split_and_depth_units() -> None:
    from voice_coach.serve.guard import HostNames, json_depth, split_host

    names = HostNames.for_address("127.0.0.1", extra=["coach.local"])
    assert names.allows("LOCALHOST") and names.allows("::1") and names.allows("coach.local")
    assert not names.allows("evil.example") and not names.allows("127.0.0.1.evil.example")
    assert split_host("[::1]:8765", 80) == ("::1", 8765)
    assert split_host("localhost", 80) == ("localhost", 80)
    for bad in ("", ":80", "a:b", "[::1", "[::1]x", "a:999999"):
        assert split_host(bad, 80) is None, bad
    assert json_depth(b'["[[[[", {"a": [1, "]]]"]}]') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(b"[" * 40) == 40
