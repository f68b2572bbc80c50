"""Fixtures of the live tests: a PulseAudio null sink, a speech cache and the tiny routines
rendered into it, each once per test module (tests/live/player_run.py has the helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.player_run import Routine, make_routine
from tests.pulse_fixture import pulse_server


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    with pulse_server(tmp_path_factory.mktemp("pulse")) as server:
        yield server
    for proc in server.procs:  # everything the fixture started has stopped
        assert proc.poll() is not None, proc.args


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, cache_dir) -> Routine:
    return make_routine(tmp_path_factory.mktemp("routine"), cache_dir, sets=2)


@pytest.fixture(scope="module")
def tiny1(tmp_path_factory, cache_dir) -> Routine:
    return make_routine(tmp_path_factory.mktemp("routine1"), cache_dir, sets=1)
