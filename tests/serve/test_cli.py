"""`voice-coach library add/list/remove` and `serve` from the command line: what they print, exit
codes and exact error text for bad input, the built-ins rendered when missing, a broken routine
that does not stop the others, and the message when the serve extra is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.serve_fixture import MINIMAL, REPO, start_server
from voice_coach.cli import app

runner = CliRunner()


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(data))
    return data


def invoke(*args: str):
    return runner.invoke(app, list(args))


def keys(output: str) -> list[str]:
    lines = output.splitlines()
    assert lines[0].split() == ["key", "title", "length", "language", "voice", "source"]
    return [line.split()[0] for line in lines[1:]]


def test_a_new_library_holds_the_built_ins(data_dir: Path) -> None:
    result = invoke("library", "list")
    assert result.exit_code == 0, result.output
    assert keys(result.stdout) == ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump",
                                   "flight", "tv-break", "bedtime", "morning"]
    first = result.stdout.splitlines()[1].split("  ")
    assert [c.strip() for c in first if c.strip()] == [
        "ankle-pumps", "Ankle pumps, seated", "not rendered yet", "en", "en", "built-in"]
    assert not (data_dir / "library").exists()  # listing writes nothing


def test_add_list_and_remove(data_dir: Path, tmp_path: Path) -> None:
    library = data_dir / "library"
    result = invoke("library", "add", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Added minimal (Minimal) to the library {library}.\n"
                             "voice-coach serve renders it when it next starts, and offers "
                             "it to your phone.\n")
    assert invoke("library", "add", str(MINIMAL)).stdout == (
        f"minimal (Minimal) is already in the library {library}.\n")
    result = invoke("library", "add", str(MINIMAL), "--voice", "en-us")
    assert result.stdout.startswith("Updated minimal (Minimal, voice en-us) in the library")
    # The same file name from another folder is another routine.
    other = tmp_path / "elsewhere" / "minimal.yaml"
    other.parent.mkdir()
    shutil.copy(MINIMAL, other)
    assert invoke("library", "add", str(other)).stdout.startswith("Added minimal-2 (Minimal)")
    listed = invoke("library", "list").stdout
    assert keys(listed)[-2:] == ["minimal", "minimal-2"]
    # A routine file shows as the user would type it (relative under the working folder).
    assert listed.splitlines()[-2].endswith(f"en-us  {os.path.relpath(MINIMAL)}")
    result = invoke("library", "remove", "flight", "bedtime", str(other))
    assert result.exit_code == 0
    assert result.stdout == ("Removed flight from the library.\nRemoved bedtime from the "
                             "library.\nRemoved minimal-2 from the library.\n")
    assert "flight" not in keys(invoke("library", "list").stdout)
    assert invoke("library", "add", "flight").stdout.startswith("Added flight (In-flight")
    result = invoke("library", "add", "ankle-pumps", "--language", "de")
    assert result.stdout.startswith("Added ankle-pumps-de (Fußgelenkpumpen im Sitzen) to the")
    assert "ankle-pumps-de     Fußgelenkpumpen im Sitzen" in invoke("library", "list").stdout
    index = json.loads((library / "library.json").read_text())
    assert [e["key"] for e in index["entries"]][-3:] == ["minimal", "flight", "ankle-pumps-de"]
    assert index["entries"][-1]["language"] == "de"
    assert index["version"] == 1


@pytest.mark.parametrize("args, exit_code, message", [
    (["add", "fligth"], 2, "error: 'fligth' is neither a routine file nor a built-in routine\n"
                           "  hint: did you mean 'flight'?\n"),
    (["add", "ankle-pumps", "--voice", "xx-nope"], 2,
     "error: unknown voice 'xx-nope'\n  hint: no close match; run 'voice-coach voices' to list "
     "them\n"),
    (["add", "ankle-pumps", "--language", "xx"], 2,
     "error: unknown or unsupported language 'xx'\n  hint: languages: en (English), de "),
    (["add", "tests/bad-routines/typo.yaml"], 2, "tests/bad-routines/typo.yaml:5:5: error: "),
    (["remove", "ankle-pumps", "nope"], 2,
     "error: 'nope' is not in the library\n  hint: see what it holds: voice-coach library "
     "list\n"),
    (["remove", "ankle-pump"], 2,
     "error: 'ankle-pump' is not in the library\n  hint: did you mean 'ankle-pumps'?\n"),
])
def test_bad_input_is_refused_with_a_clear_message(data_dir: Path, monkeypatch, args, exit_code,
                                                   message) -> None:
    monkeypatch.chdir(REPO)
    before = invoke("library", "list").stdout
    result = invoke("library", *args)
    assert result.exit_code == exit_code
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output
    assert invoke("library", "list").stdout == before  # nothing changed, nothing removed


def test_a_damaged_index_says_what_to_do(data_dir: Path) -> None:
    library = data_dir / "library"
    library.mkdir(parents=True)
    (library / "library.json").write_text('{"version": 1, "entries": [')
    result = invoke("library", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {library / 'library.json'} is damaged (")
    assert "hint: move library.json aside and run the command again" in result.stderr
    (library / "library.json").write_text('{"version": 7, "library_id": "x", "entries": []}')
    result = invoke("library", "list")
    assert result.exit_code == 1
    assert "was written by a newer voice-coach (format 7)" in result.stderr


def test_library_option_must_be_a_folder(data_dir: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = invoke("library", "add", "flight", "--library", str(a_file))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {a_file} is not a folder\n"
                             "  hint: give --library a folder (it is made if missing)\n")


def test_serve_without_the_extra_says_what_to_install(data_dir: Path, monkeypatch) -> None:
    import voice_coach.serve

    monkeypatch.setattr(voice_coach.serve, "missing_packages", lambda: ["starlette", "uvicorn"])
    result = invoke("serve")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: voice-coach serve needs starlette, uvicorn, which are not installed\n"
        "  hint: install the serve extra: pip install 'voice-coach[serve]' (./scripts/setup "
        "does)\n")


def test_serve_refuses_a_busy_port_before_rendering(data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "voice_coach", "serve", "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == (f"error: port {port} on 127.0.0.1 is already in use\n"
                           f"  hint: another server runs there; choose another: --port "
                           f"{port + 1}, or --port 0 for any free one\n")
    assert proc.stdout == ""
    assert not (data_dir / "library" / "media").exists() or \
        not any((data_dir / "library" / "media").iterdir())


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "error: --port must be from 0 to 65535, got 70000\n"),
    (["--host", "no.such.host.invalid"], "error: --host 'no.such.host.invalid' is not an "
                                         "address of this computer"),
])
def test_serve_bad_options(data_dir: Path, args: list[str], message: str) -> None:
    result = invoke("serve", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_serve_renders_the_built_ins_that_are_missing(data_dir: Path, tmp_path: Path) -> None:
    """A fresh library is every built-in; here all but one are taken out to keep it short."""
    from voice_coach.routine import builtin_names

    assert invoke("library", "remove", *[n for n in builtin_names() if n != "morning"]
                  ).exit_code == 0
    broken = tmp_path / "broken.yaml"
    shutil.copy(MINIMAL, broken)
    assert invoke("library", "add", str(broken)).exit_code == 0
    broken.write_text("title: Broken\nsteps: 7\n")  # spoilt after it was added
    server = start_server(data_dir / "library", data_dir, wait_rendered=False)
    try:
        # It answers before anything is rendered: the page says what it is preparing.
        assert "Serving 0 sessions from " + str(data_dir / "library") in server.output
        assert ("Rendering 1 more in the background: each appears on the page and in the "
                "feed when ready.") in server.output
        status, _, body = server.get("api/progress")
        first = json.loads(body)
        assert status == 200 and first["total"] == 1
        assert first["ready"] + len(first["pending"]) >= 1
        for _ in range(3000):  # a bound, not a timing: rendering takes what it takes
            if not json.loads(server.get("api/progress")[2])["running"]:
                break
            time.sleep(0.2)
        done = json.loads(server.get("api/progress")[2])
        assert (done["ready"], done["pending"], done["done"]) == (1, [], 1)
        status, _, feed = server.get("feed.xml")
        assert status == 200 and b"<title>Morning wake-up pumps</title>" in feed
        assert b"Broken" not in feed
    finally:
        assert server.stop() == 130
    assert "Rendering 1 of 1: morning" in server.output
    assert any(re.fullmatch(r"  Morning wake-up pumps, 2 min \d\d s: on the page now", line)
               for line in server.output)
    assert "All sessions are ready: 1 on the page and in the feed." in server.output
    errors = "\n".join(server.output)
    assert "warning: broken: left out of the feed until it is fixed" in errors
    assert f"{broken}:2:8: error: " in errors
    listed = invoke("library", "list").stdout.splitlines()
    assert listed[1].split()[:5] == ["morning", "Morning", "wake-up", "pumps", "2"]
    assert "problem:" in listed[2]


def test_readme_shows_what_serve_lan_prints(data_dir: Path) -> None:
    """docs/serve.md's sample of `serve --lan` output is what it prints (addresses, the token,
    paths and the QR code's blocks set aside)."""
    import re

    from voice_coach.routine import builtin_names
    from voice_coach.serve.network import lan_addresses

    if len(lan_addresses()) != 1:
        pytest.skip("the README's sample shows a computer with one network address")
    readme = (REPO / "docs" / "serve.md").read_text()
    sample = re.search(r"This is what `serve --lan` prints.*?\n```\n(.*?)```", readme,
                       flags=re.S).group(1).splitlines()
    invoke("library", "remove", *[n for n in builtin_names()
                                  if n not in ("ankle-pumps", "morning")])
    server = start_server(data_dir / "library", data_dir, "--lan")
    server.stop()

    def normal(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            if re.search("[\u2580\u2584\u2588]", line) or line.startswith("(a QR code"):
                continue
            line = re.sub(r"http://[^/\s]+/[A-Za-z0-9_-]{32}/", "http://HOST/TOKEN/", line)
            line = re.sub(r"(Open http://)[^/\s]+ (.*the code) [A-Z0-9]{3} [A-Z0-9]{3}$",
                          r"\1HOST \2 CODE", line)
            line = re.sub(r"(, \d+ min )\d\d( s: on the page now)$", r"\1SS\2", line)
            line = re.sub(r"(Serving \d+ sessions from ).*", r"\1LIBRARY", line)
            line = re.sub(r"(Requests are logged to ).*", r"\1LOG", line)
            if line not in ("interrupted",):
                out.append(line)
        return out

    assert normal(server.output) == normal(sample)
