"""Rendering while serving: the server answers at once with what is already rendered, and a
background thread renders the rest; each finished session lands in the index, which the
server re-reads, so it appears on the page and in the feed when ready. Progress is kept for the
page (/api/progress). Prints nothing: callers pass callbacks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .build import Outcome, Plan, render_missing
from .library import Entry, Library


@dataclass
class RenderProgress:
    """What the background renderer is doing, safe to read from the server's threads."""

    running: bool = False
    total: int = 0  # sessions to render in this run (known once the plan is made)
    done: int = 0
    current_key: str = ""
    current_title: str = ""
    fraction: float = 0.0  # of the current session, 0..1
    pending: list[str] = field(default_factory=list)  # keys still to render, current first
    titles: dict[str, str] = field(default_factory=dict)
    failed: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"running": self.running, "total": self.total, "done": self.done,
                    "current": ({"key": self.current_key, "title": self.current_title,
                                 "fraction": round(self.fraction, 3)}
                                if self.current_key else None),
                    "pending": [{"key": k, "title": self.titles.get(k, k)}
                                for k in self.pending],
                    "failed": list(self.failed)}


def start_rendering(library: Library, plan: Plan, progress: RenderProgress, *,
                    on_start: Callable[[Entry, int, int], None] | None = None,
                    on_done: Callable[[Outcome], None] | None = None,
                    on_finished: Callable[[list[Outcome]], None] | None = None,
                    on_crash: Callable[[BaseException], None] | None = None
                    ) -> threading.Thread:
    """Starts a daemon thread that renders what `plan` (build.plan_missing) found missing;
    returns it. The callbacks run on that thread; on_crash(exc) is told of an unexpected error
    (a bug), after which the server goes on serving what is rendered."""
    titles = {entry.key: title for entry, title in plan.titles}
    with progress.lock:
        progress.running = bool(plan.to_render)
        progress.total = len(plan.to_render)
        progress.pending, progress.titles = list(titles), dict(titles)

    def started(entry: Entry, number: int, total: int) -> None:
        with progress.lock:
            progress.current_key, progress.fraction = entry.key, 0.0
            progress.current_title = titles.get(entry.key, entry.key)
        if on_start is not None:
            on_start(entry, number, total)

    def finished(outcome: Outcome) -> None:
        with progress.lock:
            progress.done += 1
            progress.pending = [k for k in progress.pending if k != outcome.key]
            progress.current_key, progress.current_title = "", ""
            if outcome.status == "failed" and outcome.error is not None:
                progress.failed.append({"key": outcome.key, "problem": outcome.error.message})
        if on_done is not None:
            on_done(outcome)

    def frames(done: int, total: int) -> None:
        with progress.lock:
            progress.fraction = done / total if total else 0.0

    def run() -> None:
        outcomes: list[Outcome] = []
        crash: BaseException | None = None
        try:
            outcomes = render_missing(library, plan=plan, on_start=started, on_done=finished,
                                      progress=frames)
        except Exception as exc:  # noqa: BLE001 - a bug: reported, serving goes on
            crash = exc
        with progress.lock:
            if crash is not None:
                progress.failed.append({"key": progress.current_key or "",
                                        "problem": f"rendering stopped: {crash}"})
            progress.running = False
            progress.pending, progress.current_key = [], ""
        if crash is not None and on_crash is not None:
            on_crash(crash)
        elif crash is None and on_finished is not None:
            on_finished(outcomes)

    thread = threading.Thread(target=run, name="voice-coach-render", daemon=True)
    thread.start()
    return thread
