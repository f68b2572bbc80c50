"""The first hour: after scripts/setup (or scripts/demo) `voice-coach` is the next command to
type; `pipx install .` gives a working command too; `--version` answers."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import voice_coach

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _setup(tmp_path: Path, path: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PATH": path}
    env.pop("VOICE_COACH_BIN_DIR", None)
    return subprocess.run([str(REPO / "scripts" / "setup"), *args], env=env, capture_output=True,
                          text=True, timeout=600)


def test_setup_links_the_command_into_local_bin_and_says_what_to_run(tmp_path: Path) -> None:
    local_bin = tmp_path / "home" / ".local" / "bin"
    proc = _setup(tmp_path, f"{local_bin}{os.pathsep}{os.environ['PATH']}")
    assert proc.returncode == 0, proc.stderr
    link = local_bin / "voice-coach"
    assert link.is_symlink()
    assert link.resolve() == (REPO / ".venv" / "bin" / "voice-coach").resolve()
    said = [line for line in proc.stderr.splitlines() if not line.startswith("WARNING")]
    assert said[-1] == "==> voice-coach is ready: run 'voice-coach check ankle-pumps'"
    assert not any("not on your PATH" in line for line in said)
    # Typed next, by name, from any folder: the command works.
    run = subprocess.run("voice-coach --version", shell=True, cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, "PATH": f"{local_bin}:/usr/bin:/bin"})
    assert run.stdout == f"voice-coach {voice_coach.__version__}\n", run.stderr


def test_setup_notes_in_one_line_when_local_bin_is_not_on_path(tmp_path: Path) -> None:
    local_bin = tmp_path / "home" / ".local" / "bin"
    proc = _setup(tmp_path, os.environ["PATH"])
    assert proc.returncode == 0, proc.stderr
    assert (local_bin / "voice-coach").is_symlink()
    said = [line for line in proc.stderr.splitlines() if not line.startswith("WARNING")]
    venv_command = REPO / ".venv" / "bin" / "voice-coach"
    assert said[-2:] == [
        f"==> note: {local_bin} is not on your PATH: add it (export PATH=\"{local_bin}:$PATH\" in "
        f"~/.bashrc), or run {venv_command}",
        f"==> voice-coach is ready: run '{venv_command} check ankle-pumps'",
    ]


def test_setup_leaves_a_file_it_did_not_make_and_refuses_unknown_options(tmp_path: Path) -> None:
    local_bin = tmp_path / "home" / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (local_bin / "voice-coach").write_text("#!/bin/sh\necho mine\n")
    proc = _setup(tmp_path, f"{local_bin}{os.pathsep}{os.environ['PATH']}")
    assert proc.returncode == 0, proc.stderr
    assert (local_bin / "voice-coach").read_text() == "#!/bin/sh\necho mine\n"
    assert "is not a link made by setup: left as it is" in proc.stderr
    bad = _setup(tmp_path, os.environ["PATH"], "--voise", "x")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: unknown option '--voise'\n  hint: scripts/setup [--voice")
    empty = _setup(tmp_path, os.environ["PATH"], "--voice")
    assert empty.returncode == 2 and "--voice needs a voice name" in empty.stderr


def test_setup_voice_option_installs_nothing_twice(tmp_path: Path) -> None:
    """`--voice NAME` for a voice already installed is a no-op (the joe voice comes with setup)."""
    local_bin = tmp_path / "home" / ".local" / "bin"
    proc = _setup(tmp_path, f"{local_bin}{os.pathsep}{os.environ['PATH']}",
                  "--voice", "en_US-joe-medium")
    assert proc.returncode == 0, proc.stderr
    assert "installing the voice" not in proc.stderr


def test_version_option() -> None:
    for flag in ("--version", "-V"):
        proc = subprocess.run([str(BIN / "voice-coach"), flag], capture_output=True, text=True)
        assert (proc.returncode, proc.stdout, proc.stderr) == (
            0, f"voice-coach {voice_coach.__version__}\n", "")
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'\nversion = "{voice_coach.__version__}"\n' in pyproject
    helped = subprocess.run([str(BIN / "voice-coach"), "--help"], capture_output=True, text=True)
    assert "--version" in helped.stdout


def test_pipx_style_install_gives_a_working_command(tmp_path: Path) -> None:
    """What `pipx install .` does, offline: build the wheel, install it in a fresh venv, run the
    command from the venv's bin. (The dependencies come from this venv through a .pth file:
    no index is reached.)"""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=300)
    if build.returncode != 0 and "hatchling" in build.stderr:  # isolated, from the local index
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
             str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("voice_coach-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(["voice-coach", "--version"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, f"voice-coach {voice_coach.__version__}\n"), \
        proc.stderr
    assert (venv / "bin" / "voice-coach").read_text().startswith(f"#!{venv}")
    # The installed package is the wheel's copy, not this clone's.
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import voice_coach; print(voice_coach.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    assert (site / "voice_coach" / "py.typed").exists()
