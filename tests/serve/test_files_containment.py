"""serve/files.py's containment: a file is served only when, with every symlink resolved, it
lies inside the served folder. A sibling folder whose name starts with the folder's name
(library-old/, library2/ beside library/) is outside: a string-prefix check would let it in."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.serve.files import inside


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "library"
    (root / "media" / "deep").mkdir(parents=True)
    (root / "media" / "own.mp3").write_bytes(b"public")
    (root / "media" / "deep" / "nested.json").write_bytes(b"{}")
    for sibling in ("library-old", "library2", "library.bak", "librar"):
        (tmp_path / sibling).mkdir()
        (tmp_path / sibling / "secret.mp3").write_bytes(b"private")
    return root, tmp_path


def test_files_inside_the_folder_are_served_resolved(folders: tuple[Path, Path]) -> None:
    root, _ = folders
    own = (root / "media" / "own.mp3").resolve()
    assert inside(root / "media" / "own.mp3", root) == own
    assert inside(root / "media" / "deep" / ".." / "own.mp3", root) == own
    assert inside(root / "media" / "deep" / "nested.json", root) == \
        (root / "media" / "deep" / "nested.json").resolve()
    (root / "media" / "alias.mp3").symlink_to(root / "media" / "own.mp3")
    assert inside(root / "media" / "alias.mp3", root) == own  # a link that stays inside


@pytest.mark.parametrize("sibling", ["library-old", "library2", "library.bak"])
def test_a_sibling_folder_sharing_the_name_as_prefix_is_outside(
        folders: tuple[Path, Path], sibling: str) -> None:
    root, parent = folders
    secret = parent / sibling / "secret.mp3"
    assert str(secret.resolve()).startswith(str(root.resolve()))  # the trap: a shared prefix
    assert inside(secret, root) is None
    assert inside(root / ".." / sibling / "secret.mp3", root) is None
    link = root / "media" / f"{sibling}.mp3"
    link.symlink_to(secret)
    assert inside(link, root) is None


def test_the_parent_a_shorter_name_a_folder_and_nothing_are_not_files_inside(
        folders: tuple[Path, Path]) -> None:
    root, parent = folders
    assert inside(parent / "librar" / "secret.mp3", root) is None
    assert inside(root, root) is None and inside(root / "media", root) is None
    assert inside(root / "media" / "missing.mp3", root) is None
    assert inside(root / "media" / "own.mp3\x00", root) is None  # ValueError, not a crash
    # a folder given through a symlink is resolved too
    (parent / "served").symlink_to(root)
    assert inside(root / "media" / "own.mp3", parent / "served") == \
        (root / "media" / "own.mp3").resolve()
    assert inside(parent / "library-old" / "secret.mp3", parent / "served") is None
