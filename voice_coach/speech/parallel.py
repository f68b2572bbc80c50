"""Cold-cache synthesis fanned out over worker processes, one speech engine in each.

Engines are process-global C state and not thread-safe, so parallel means processes (spawned,
never forked from a parent that may hold engine threads or locks), each with its own pipe: a
worker that dies is seen at once, never waited for. It only synthesises: the caller owns the
cache, the order of results and the progress report.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

import numpy as np

from voice_coach import errors

# Misses below which starting workers costs more than it saves. Measured on 2 cores: a spawned
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
Crew = list[tuple[BaseProcess, Connection]]

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
    context = multiprocessing.get_context("spawn")
    crew = []
    try:
        for _ in range(n_workers):
            ours, theirs = context.Pipe()
            proc = context.Process(target=_worker_main, args=(theirs, engine_name), daemon=True)
            proc.start()
            theirs.close()
            crew.append((proc, ours))
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


def _dispatch(
    chunks: list[Chunk], crew: Crew, engine_name: str
) -> Iterator[tuple[int, list[np.ndarray]]]:
    """(chunk index, clips) in chunk order, each idle worker given the next chunk."""
    todo = list(reversed(chunks))
    busy: dict[Connection, BaseProcess] = {}
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
        ready = wait([*busy, *(proc.sentinel for proc in busy.values())])
        for conn in [c for c in busy if c in ready]:
            index, outcome = _receive(conn, engine_name)
            done[index] = _clips_or_raise(outcome)
            if todo:
                conn.send(todo.pop())
            else:
                del busy[conn]
        if any(proc.sentinel in ready for proc in busy.values()):
            raise _died(engine_name)


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


def _worker_main(conn: Connection, engine_name: str) -> None:
    """A worker: chunks in, clips out, until the parent closes its end of the pipe. The engine
    (and a Piper model) is opened once, on the first chunk, and kept for the next ones."""
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
            conn.send((index, outcome))
    finally:
        if engine is not None:
            engine.close()  # the pyttsx3 engine has a worker process and a temp dir
