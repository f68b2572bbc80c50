"""What the serve tests share: `library`, one rendered library of the minimal routine per test
module (tests/serve_fixture.py makes it; servers are started by each module, as each needs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve_fixture import make_library


@pytest.fixture(scope="module")
def library(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Named after the module: test_http.py's is in http-library, rendered with http-render-data."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return make_library(tmp_path_factory.mktemp(f"{name}-library"),
                        tmp_path_factory.mktemp(f"{name}-render-data"))
