"""Cold-cache synthesis fanned out over worker processes, one speech engine in each.

Engines are process-global C state and not thread-safe, so parallel means processes: fresh
interpreters (never forked from a parent that may hold engine threads or locks) that run this
module's worker and nothing else, so the caller's script is never imported again (no
`if __name__ == "__main__"` guard needed, and `python -c` or a script on stdin work: the spawn
start method of multiprocessing re-imports the caller's __main__). Each worker has its own
socket pair: a worker that dies is seen at once (end of file), never waited for. It only
synthesises: the caller owns the cache, the order of results and the progress report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path

import numpy as np

from voice_coach.basics import errors

# Misses below which starting workers costs more than it saves. Measured on 2 cores: a started
# worker takes ~0.2 s to start (~0.4 s with pyttsx3's own worker, ~1-2 s with a Piper model to
# load); espeak then takes about 5 ms of CPU a phrase (each made in a freshly forked process, see
# espeak_zygote.py; 1-3 ms before that), pyttsx3 ~15 ms, Piper ~0.05-2 s. Two workers pay from
# about 120 espeak phrases, and from 4 Piper phrases.
MIN_MISSES = {"espeak": 150, "pyttsx3": 100, "piper": 4}
CHUNKS_PER_WORKER = 4
MIN_CHUNK = 8
# Piper phrases cost 0.05-2 s each: one per chunk, longest first, keeps both cores busy to the
# end (a chunk of short phrases after a long one would leave one core idle).
ONE_BY_ONE = {"piper"}
JOIN_TIMEOUT_S = 10.0  # a worker finishing its last chunk after the work is done

Chunk = tuple[int, list[str], str, int, float]  # (index, texts, voice id, rate_wpm, volume)
Crew = list[tuple["Worker", Connection]]

# Crews kept between calls while a workers_kept() scope is open: {engine name: crew}.
_kept: dict[str, Crew] | None = None


@contextlib.contextmanager
def workers_kept() -> Iterator[None]:
    """Within this scope, worker processes (and the models they loaded) stay up from one
    synthesize_parallel call to the next: for commands that prepare many routines (`routines`,
    `render --all`), so a Piper model is loaded once per worker, not once per routine."""
    global _kept
    if _kept is not None:  # nested: the outer scope owns the crews
        yield
        return
    _kept = {}
    try:
        yield
    finally:
        crews, _kept = _kept, None
        for crew in crews.values():
            _stop(crew)


class Worker:
    """One worker process: a fresh interpreter running worker_main on its end of a socket pair."""

    def __init__(self, engine_name: str) -> None:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        code = ("import sys; from voice_coach.speech.parallel import worker_main; "
                "worker_main(int(sys.argv[1]), sys.argv[2])")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(theirs.fileno()), engine_name],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the worker's end lives in the worker only: its death is our EOF
        self.pid = self.process.pid
        self.conn = Connection(ours.detach())

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            self.process.kill()

    def join(self, timeout_s: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout_s)


_running: dict[int, Worker] = {}  # pid → worker, while it runs (for running_workers)


def running_workers() -> list[int]:
    """Process ids of the worker processes that are up (for tests and diagnostics)."""
    for pid in [pid for pid, w in _running.items() if not w.is_alive()]:
        _running[pid].join()
        del _running[pid]
    return sorted(_running)


def cpu_count() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def worth_it(engine_name: str, n_misses: int, workers: int | None) -> bool:
    """Whether to synthesise n_misses phrases in worker processes rather than in this one.

    workers: None = decide from MIN_MISSES and the cores; 1 = never; more = whenever > 1 miss.
    """
    if os.name != "posix":  # workers inherit their socket by fd (pass_fds): POSIX only
        return False
    if workers is not None:
        return workers > 1 and n_misses > 1
    return cpu_count() > 1 and n_misses >= MIN_MISSES.get(engine_name, n_misses + 1)


def synthesize_parallel(
    texts: list[str],
    engine_name: str,
    voice_id: str,
    rate_wpm: int,
    volume: float,
    workers: int | None = None,
) -> Iterator[tuple[str, np.ndarray]]:
    """(text, clip) for every text, synthesised by `workers` processes (None = cores); in order,
    except for one-by-one engines (Piper), whose texts are handed out longest first.

    Each worker opens its own `engine_name` engine. Errors an engine raises (EngineError,
    UsageError) are raised here as they are; a worker that dies raises EngineError. On any
    exception (Ctrl-C included) the workers are killed; otherwise they exit when done, or wait
    for the next call inside workers_kept().
    """
    n_workers = max(1, min(workers or cpu_count(), len(texts)))
    size = max(MIN_CHUNK, -(-len(texts) // (n_workers * CHUNKS_PER_WORKER)))
    if engine_name in ONE_BY_ONE:
        texts, size = sorted(texts, key=len, reverse=True), 1
    chunks = [(i, texts[start : start + size], voice_id, rate_wpm, volume)
              for i, start in enumerate(range(0, len(texts), size))]
    crew = _crew(engine_name, n_workers)
    finished = False
    try:
        for index, clips in _dispatch(chunks, crew, engine_name):
            yield from zip(chunks[index][1], clips, strict=True)
        finished = True
    except BaseException:
        for proc, _ in crew:
            proc.kill()
        raise
    finally:
        if not (finished and _kept is not None and _kept.get(engine_name) is crew):
            if _kept is not None and _kept.get(engine_name) is crew:
                del _kept[engine_name]
            _stop(crew)


def _crew(engine_name: str, n_workers: int) -> Crew:
    """The kept crew for engine_name if it is whole and the right size, else a new one (kept
    too inside workers_kept())."""
    if _kept is not None:
        crew = _kept.pop(engine_name, None)
        if crew is not None:
            if len(crew) == n_workers and all(proc.is_alive() for proc, _ in crew):
                _kept[engine_name] = crew
                return crew
            _stop(crew)
    crew = []
    try:
        for _ in range(n_workers):
            worker = Worker(engine_name)
            _running[worker.pid] = worker
            crew.append((worker, worker.conn))
    except BaseException:
        _stop(crew)
        raise
    if _kept is not None:
        _kept[engine_name] = crew
    return crew


def _stop(crew: Crew) -> None:
    """Closes the crew's pipes (each worker reads EOF and exits) and reaps it; kills stragglers."""
    for _, conn in crew:
        conn.close()
    for proc, _ in crew:
        proc.join(JOIN_TIMEOUT_S)
        if proc.is_alive():
            proc.kill()
            proc.join()
        _running.pop(proc.pid, None)


def _dispatch(
    chunks: list[Chunk], crew: Crew, engine_name: str
) -> Iterator[tuple[int, list[np.ndarray]]]:
    """(chunk index, clips) in chunk order, each idle worker given the next chunk."""
    todo = list(reversed(chunks))
    busy: dict[Connection, Worker] = {}
    done: dict[int, list[np.ndarray]] = {}
    for proc, conn in crew:
        if todo:
            conn.send(todo.pop())
            busy[conn] = proc
    next_index = 0
    while next_index < len(chunks):
        while next_index in done:
            yield next_index, done.pop(next_index)
            next_index += 1
        if next_index == len(chunks):
            return
        ready = wait(list(busy))  # a worker that dies closes its end: EOF, seen at once
        for conn in [c for c in busy if c in ready]:
            index, outcome = _receive(conn, engine_name)
            done[index] = _clips_or_raise(outcome)
            if todo:
                conn.send(todo.pop())
            else:
                del busy[conn]


def _receive(conn: Connection, engine_name: str) -> tuple[int, tuple]:
    try:
        return conn.recv()
    except (EOFError, OSError):
        raise _died(engine_name) from None


def _died(engine_name: str) -> errors.EngineError:
    return errors.EngineError(
        f"a {engine_name} speech worker process died",
        hint="try again; if it keeps happening, report it with the routine file",
    )


def _clips_or_raise(outcome: tuple) -> list[np.ndarray]:
    if outcome[0] == "ok":
        return outcome[1]
    _, kind, message, hint = outcome
    raise getattr(errors, kind, errors.EngineError)(message, hint)


def worker_main(fd: int, engine_name: str) -> None:
    """A worker process's body: chunks in, clips out on socket `fd`, until the parent closes its
    end. The engine (and a Piper model) is opened once, on the first chunk, and kept."""
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(fd)
    engine = None
    try:
        while True:
            try:
                index, texts, voice_id, rate_wpm, volume = conn.recv()
            except EOFError:
                return
            try:
                if engine is None:
                    from voice_coach.speech import open_engine

                    engine = open_engine(engine_name)
                outcome: tuple = (
                    "ok",
                    [engine.synthesize(t, voice_id, rate_wpm, volume) for t in texts],
                )
            except errors.VoiceCoachError as exc:  # picklable: our errors, by name
                outcome = ("error", type(exc).__name__, exc.message, exc.hint)
            try:
                conn.send((index, outcome))
            except OSError:  # the parent is gone
                return
    finally:
        if engine is not None:
            engine.close()  # the pyttsx3 engine has a worker process and a temp dir
