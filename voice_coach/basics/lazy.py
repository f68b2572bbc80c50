"""Names imported on first use (PEP 562): a facade lists each public name with the module that
defines it, so importing the facade loads nothing until a name is looked up.

A target is "module" (the same name there) or "module:name" (the facade renames it); the name
may be a submodule of that module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(facade: str, table: dict[str, str],
                 cache: dict[str, Any] | None = None) -> Callable[[str], Any]:
    """The facade's module `__getattr__`: looks `name` up in the module `table` gives for it.

    With `cache` (the facade's globals()) the value is kept, so the next lookup is a plain
    attribute; without, every lookup reads the defining module (a test's monkeypatch holds).
    """

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {facade!r} has no attribute {name!r}")
        module, _, attr = target.partition(":")
        try:
            value = getattr(importlib.import_module(module), attr or name)
        except AttributeError:
            value = importlib.import_module(f"{module}.{attr or name}")
        if cache is not None:
            cache[name] = value
        return value

    return __getattr__
