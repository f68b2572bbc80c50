"""The fuzzer's strategies and properties for the surfaces issue 17 hardened: the history import
(`history --import`, then reading the history back), the config file (load_config and
`voice-coach config`), the voice catalogue (parse_catalog) and HTTP requests to a real `serve`.

The promise under each: never a traceback or a 5xx; every refusal is a clear message (located
where there is a file), and nothing printed or logged holds a control character.
"""

from __future__ import annotations

import json
import re
import socket
import tempfile
from pathlib import Path

from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.fuzz_hostile import CONTROLS, has_control, numbers_any_length
from voice_coach.basics.errors import SpecError, UsageError
from voice_coach.cli import app
from voice_coach.practice.config import KEYS, load_config
from voice_coach.practice.records import COLUMNS
from voice_coach.speech.voice_index import CatalogError, is_voice_id, parse_catalog

HOSTILE = ["", " ", "=HYPERLINK(\"http://x\")", "+cmd|'/C calc'!A0", "@SUM(1+1)", "-1",
           "9" * 40, "1e400", "nan", "\"", "'", ",", "\n", "\r\n", "\\", "%s%n", "{0}", "null",
           *CONTROLS]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30),
                         st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE),
                                   st.text(max_size=10)))

# -- the history import ------------------------------------------------------------------------

GOOD_ROW = {
    "id": "ac259dbff4fc485aa33e74ed4f9ae572", "routine": "flight",
    "title": "In-flight ankle pumps", "routine_hash": "53c61b7e0a1c62fe", "language": "en",
    "voice": "espeak:en-us", "started": "2026-11-30T10:54:59+00:00",
    "ended": "2026-11-30T10:57:14+00:00", "time_zone": "Etc/UTC", "planned_sets": "2",
    "done_sets": "2", "planned_reps": "20", "done_reps": "20", "status": "completed",
    "source": "done", "effort": "", "pain": "", "note": "fine"}
DATES = ["2026-11-30T10:54:59+00:00", "0202-12-01T21:30:00+00:00", "0900-01-01T00:00:00",
         "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "garbage", "",
         "2026-02-30T10:00:00", "2026-11-30 10:54", "1969-12-31T23:59:59Z", "2026-11-30"]


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\r\n]', value) else value


@st.composite
def history_csvs(draw: st.DrawFn) -> str:
    """A history CSV of the export's shape, with cells replaced by hostile values, dates of any
    year, and now and then a header changed."""
    columns = list(COLUMNS)
    if draw(st.integers(0, 9)) == 0:
        columns = draw(st.permutations(columns))[:draw(st.integers(0, len(columns)))]
    if draw(st.integers(0, 14)) == 0:
        columns.append(draw(st.sampled_from(["extra", "ID", "routine"])))
    rows = []
    for n in range(draw(st.integers(0, 4))):
        row = {**GOOD_ROW, "id": f"{n:032x}"}
        for column in draw(st.lists(st.sampled_from(list(COLUMNS)), max_size=4)):
            row[column] = draw(st.one_of(hostile_text, st.sampled_from(DATES),
                                         numbers_any_length))
        rows.append(",".join(_csv_cell(str(row.get(c, ""))) for c in columns))
    return "\n".join([",".join(columns), *rows]) + draw(st.sampled_from(["\n", "", "\n\n,"]))


history_texts = st.one_of(history_csvs(), st.text(max_size=200))


def check_import(text: str) -> bool:
    """`history --import FILE` exits 0, or 2 with error lines; then `history`, `history --csv`
    and `today` still work on what was stored. Returns whether the import was accepted."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-") as tmp_dir:
        path = Path(tmp_dir) / "import.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        env = {"VOICE_COACH_DATA_DIR": str(Path(tmp_dir) / "data"),
               "VOICE_COACH_CONFIG": str(Path(tmp_dir) / "none.toml"),
               "VOICE_COACH_NOW": "2026-12-01 12:00"}
        (Path(tmp_dir) / "none.toml").write_text("")
        result = _cli(["history", "--import", str(path)], env)
        assert result.exit_code in (0, 2), (result.exit_code, result.output)
        for command in (["history"], ["history", "--csv"], ["today"]):
            after = _cli(command, env)
            assert after.exit_code == 0, (command, after.output)
    return result.exit_code == 0


def _cli(args: list[str], env: dict[str, str]):
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r} from {args}")
    assert "Traceback" not in result.output
    shown = result.stdout if "--csv" not in args and "--json" not in args else ""
    assert not has_control(shown + result.stderr), repr(result.output[:400])
    return result


# -- the config file ----------------------------------------------------------------------------

ROUTINE_VALUES = ["/dev/stdin", "/dev/zero", "/dev/null", "/", ".", "ankle-pumps", "flight",
                  "missing.yaml", "/etc/hostname"]


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string (\u escapes included)


toml_values = st.recursive(
    st.one_of(st.integers(-10**30, 10**30).map(str), st.floats(allow_nan=True).map(repr),
              st.booleans().map(lambda b: "true" if b else "false"),
              hostile_text.map(_toml_string), st.sampled_from(ROUTINE_VALUES).map(_toml_string),
              st.sampled_from(["1979-05-27", "07:32:00", "inf", "nan", "0x10", "1_000",
                               "'''a\nb'''", '"""x"""', "'lit'"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda v: "[" + ", ".join(v) + "]"),
                            st.lists(inner, max_size=2).map(
                                lambda v: "{" + ", ".join(f"k{i} = {x}" for i, x in
                                                          enumerate(v)) + "}")),
    max_leaves=8)
SECTIONS = [*KEYS, "unknown", "practice.sub"]
KEY_NAMES = sorted({k for keys in KEYS.values() for k in keys} | {"rolover_hour", "x", ""})


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    lines = []
    for section in draw(st.lists(st.sampled_from(SECTIONS), max_size=3)):
        lines.append(f"[{section}]")
        for key in draw(st.lists(st.sampled_from(KEY_NAMES), max_size=4)):
            name = key or '""'
            lines.append(f"{name} = {draw(toml_values)}")
    if draw(st.integers(0, 7)) == 0:
        opening, closing = draw(st.sampled_from([("[", "]"), ("{a = ", "}")]))
        depth = draw(st.sampled_from([30, 33, 200, 5000]))
        lines.append("[practice]")
        lines.append("daily_goal = " + opening * depth + "1" + closing * depth)
    return "\n".join(lines) + "\n"


def _typed_value(draw: st.DrawFn, section: str, key: str) -> str:
    """A value of the key's own kind, in range or just outside it, or hostile text."""
    spec = KEYS[section][key]
    if spec.kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if spec.kind in ("int", "number"):
        low, high = int(spec.low), int(spec.high)
        return str(draw(st.integers(low - 1, high + 1)))
    if spec.kind == "routine":
        return _toml_string(draw(st.sampled_from(ROUTINE_VALUES)))
    return _toml_string(draw(st.one_of(st.sampled_from(["en-us", "de", "piper:x"]),
                                       hostile_text)))


@st.composite
def typed_configs(draw: st.DrawFn) -> str:
    """Configs of the real sections and keys with values of the right kind (mostly valid)."""
    lines = []
    for section in draw(st.lists(st.sampled_from(list(KEYS)), max_size=3, unique=True)):
        lines.append(f"[{section}]")
        for key in draw(st.lists(st.sampled_from(list(KEYS[section])), max_size=4,
                                 unique=True)):
            lines.append(f"{key} = {_typed_value(draw, section, key)}")
    return "\n".join(lines) + "\n"


config_file_texts = st.one_of(typed_configs(), config_texts(), st.text(max_size=200))


def check_config(text: str) -> bool:
    """load_config gives a Config, or a SpecError located in the file, or a UsageError; and
    `voice-coach config` exits 0 or 2 printing no control character. Returns whether valid."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-") as tmp_dir:
        path = Path(tmp_dir) / "config.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            load_config(path)
            valid = True
        except SpecError as exc:
            for diag in exc.diagnostics:
                assert diag.path == str(path) and diag.line >= 1 and diag.col >= 1, diag
            valid = False
        except UsageError as exc:
            assert exc.message and "\n" not in exc.message
            valid = False
        result = _cli(["config"], {"VOICE_COACH_CONFIG": str(path),
                                   "VOICE_COACH_DATA_DIR": str(Path(tmp_dir) / "data")})
        assert result.exit_code == (0 if valid else 2), result.output
    return valid


# -- the voice catalogue ------------------------------------------------------------------------

IDS = ["en_US-lessac-medium", "de_DE-thorsten_emotional-medium", "zh_CN-huayan-x_low", ".",
       "..", "../x", "a/b", "", ".hidden-low", "en_US-lessac-medium/..", "en_US-x-ultra",
       "en_US-\x1b[2J-low", "EN_us-a-low"]
PATHS = ["en/en_US/x/low/{id}.onnx", "../{id}.onnx", "/{id}.onnx", "a//{id}.onnx",
         "a\\{id}.onnx", "{id}.onnx", "a/../{id}.onnx.json", "en/{id}.onnx.json", "MODEL_CARD"]


@st.composite
def catalogue_texts(draw: st.DrawFn) -> str:
    voices = {}
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.one_of(st.sampled_from(IDS), st.text(max_size=12)))
        files = {}
        for template in draw(st.lists(st.sampled_from(PATHS), max_size=4)):
            files[template.format(id=key)] = {
                "size_bytes": draw(st.one_of(st.integers(-5, 10**20), hostile_text)),
                "md5_digest": draw(st.one_of(st.just("0" * 32), hostile_text))}
        entry = {"key": key, "language": {"code": draw(st.sampled_from(["en_US", "", "x"]))},
                 "quality": "low", "files": files,
                 "aliases": draw(st.lists(st.sampled_from(IDS), max_size=2))}
        voices[key] = draw(st.one_of(st.just(entry), hostile_text, st.just([])))
    for n in range(draw(st.integers(0, 3))):
        good = draw(st.sampled_from(IDS[:3])) if n == 0 else f"en_US-v{n}-low"
        voices[good] = {"key": good, "language": {"code": good.split("-")[0]}, "quality": "low",
                        "files": {f"en/x/{good}{ext}": {"size_bytes": draw(st.integers(0, 99)),
                                                         "md5_digest": "0" * 32}
                                  for ext in (".onnx", ".onnx.json")},
                        "aliases": draw(st.lists(st.sampled_from(IDS), max_size=2))}
    text = json.dumps(voices)
    if draw(st.integers(0, 9)) == 0:
        depth = draw(st.sampled_from([100, 5000, 100_000]))
        text = "[" * depth + "]" * depth
    return text


catalogue_file_texts = st.one_of(catalogue_texts(), st.text(max_size=100))


def check_catalogue(text: str) -> bool:
    """parse_catalog gives voices whose ids are Piper's naming and whose file paths stay inside
    the repository, or a CatalogError of one line. Returns whether it parsed."""
    try:
        voices = parse_catalog(text)
    except CatalogError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return False
    for key, voice in voices.items():
        assert is_voice_id(key) and voice.id == key, key
        for f in voice.files:
            parts = f.path.split("/")
            assert ".." not in parts and all(parts) and not f.path.startswith("/"), f.path
    return True


# -- HTTP requests to a real server -------------------------------------------------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW", "G\x01T"]
TARGETS = ["/", "/feed.xml", "/cover.png", "/api/done", "/api/today", "/api/sessions",
           "/static/app.js", "/media/", "/media/../library.json", "/%2e%2e/%2e%2e/etc/passwd",
           "//etc/passwd", "/{token}/", "/{token}/feed.xml", "/{token}/api/done",
           "/%{hex}{rest}/api/today", "/{token}%2fapi/today", "*", "http://evil/"]


@st.composite
def _plain_requests(draw: st.DrawFn) -> bytes:
    """Requests a phone sends (most answered 2xx), with a drawn path, key and query."""
    method = draw(st.sampled_from(["GET", "GET", "HEAD", "POST"]))
    path = draw(st.sampled_from(["", "feed.xml", "api/today", "api/sessions", "static/app.js",
                                 "cover.png", "api/done", "media/x.mp3"]))
    query = draw(st.sampled_from(["", "?t=1", "?" + "q" * 50]))
    body = b""
    headers = [("Host", draw(st.sampled_from(["127.0.0.1:{port}", "localhost:{port}"])))]
    if method == "POST":
        key = draw(st.one_of(st.just("minimal"), st.text(max_size=10)))
        body = json.dumps({"key": key}).encode()
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                    ("Origin", "http://127.0.0.1:{port}")]
    headers.append(("Connection", "close"))
    head = f"{method} /{{token}}/{path}{query} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return head.encode() + body


def http_requests() -> st.SearchStrategy[bytes]:
    """Requests a phone sends and hostile ones, half and half."""
    return st.one_of(_plain_requests(), _hostile_requests())


@st.composite
def _hostile_requests(draw: st.DrawFn) -> bytes:
    """Raw request bytes: method, target (the token now and then, percent-encoded or not),
    headers of any kind and number, and a body (JSON of any depth, or bytes)."""
    method = draw(st.sampled_from(["GET", "POST", *METHODS]))
    target = draw(st.one_of(st.sampled_from(TARGETS), st.sampled_from(TARGETS[11:15]),
                            st.text(min_size=1, max_size=40).map(
                                lambda t: "/" + "".join(f"%{b:02X}" if b < 0x21 or b > 0x7e
                                                        else chr(b) for b in t.encode()))))
    target += draw(st.sampled_from(["", "?x=1", "?" + "a" * 100, "#frag"]))
    host = draw(st.sampled_from(["127.0.0.1:{port}", "127.0.0.1:{port}", "localhost:{port}",
                                 "evil.example:{port}",
                                 "127.0.0.1", "[::1]:{port}", "", None, "a" * 300]))
    headers = [] if host is None else [("Host", host)]
    body = draw(st.one_of(
        st.just(b""),
        st.integers(1, 3000).map(lambda d: b"[" * d + b"]" * d),
        st.sampled_from([b'{"key": "minimal"}', b'{"key": null}', b"not json",
                         b'{"key": "' + b"k" * 5000 + b'"}']),
        st.binary(max_size=300)))
    kind = draw(st.sampled_from(["application/json", "text/plain", "application/json; x=1",
                                 None]))
    if kind:
        headers.append(("Content-Type", kind))
    length = draw(st.sampled_from(["exact", "exact", "none", "huge", "negative", "junk", "less"]))
    if length != "none":
        headers.append(("Content-Length", {
            "exact": str(len(body)), "huge": "400000000", "negative": "-1", "junk": "1x",
            "less": str(max(0, len(body) - 1))}[length]))
    if draw(st.booleans()):
        headers.append(("Origin", draw(st.sampled_from(
            ["http://127.0.0.1:{port}", "http://evil.example", "null", "http://localhost:{port}"]))))
    for _ in range(draw(st.sampled_from([0, 0, 3, 101, 150]))):
        headers.append((f"X-{draw(st.integers(0, 999))}", "v"))
    headers.append(("User-Agent", draw(st.one_of(
        st.sampled_from(["fuzz", "evil\x9b31m", "\x9d0;x\x9c", "a" * 2000]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xff), max_size=20)))))
    if draw(st.integers(0, 19)) == 0:
        headers.append(("X-Big", "b" * draw(st.sampled_from([20_000, 40_000, 200_000]))))
    headers.append(("Connection", "close"))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return head.encode("latin-1", "replace") + body


def fill(request: bytes, port: int, token: str) -> bytes:
    """Puts the server's port and token into a drawn request."""
    rest = token[1:]
    return (request.replace(b"{port}", str(port).encode()).replace(b"{token}", token.encode())
            .replace(b"{hex}", f"{ord(token[0]):02X}".encode()).replace(b"{rest}", rest.encode()))


STATUS_LINE = re.compile(rb"^HTTP/1\.1 (\d{3}) ")


def check_http(port: int, request: bytes) -> int:
    """Sends one raw request and reads the answer: a status under 500 (or the connection
    closed on a request that was never complete). Returns the status (0: closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        try:
            conn.sendall(request)
        except OSError:
            pass  # the server may answer (413, 431) and close before it all went out
        answer = _read_until_closed(conn)
    if not answer:
        return 0
    status = STATUS_LINE.match(answer)
    assert status, answer[:200]
    code = int(status.group(1))
    assert code < 500, answer[:400]
    return code


def _read_until_closed(conn: socket.socket) -> bytes:
    """What the server sends until it closes. A request the server still waits on (a body
    shorter than its Content-Length) is ended by closing our side after a quiet spell: a hang
    guard, not a measure."""
    answer = b""
    conn.settimeout(5)
    while len(answer) < 1 << 20:
        try:
            block = conn.recv(65536)
        except TimeoutError:
            if answer:
                break
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(30)
            continue
        except ConnectionResetError:
            break
        if not block:
            break
        answer += block
    return answer
