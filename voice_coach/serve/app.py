"""The web application (Starlette): the phone page, the feed, the cover, the library's rendered
files and the "Done" button, all under the private token when one is set.

Serves only files the library's index names (plus the page's own two), never a listing, never a
path from the request. Writes nothing but Done marks and the access log it is given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import Any

from .done import record_done, sets_heard, today
from .feed import Episode, build_feed
from .files import not_modified, serve_file
from .guard import RequestGuard
from .installable import ca_certificate, icon, manifest, service_worker
from .library import Library
from .listening import listening_from_json
from .log_line import access_line
from .old_addresses import gone_or_moved
from .page import STATIC_FILES, page_dir, render_page, today_text
from .sidecars import download_name

MEDIA_CACHE = "private, max-age=604800"  # names change when the content does
PAGE_CACHE = "no-cache"
FEED_CACHE_LIMIT = 16  # feeds kept per address the library is reached by
MAX_BODY_BYTES = 4096
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token must not leak through Referer
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
     b"base-uri 'none'; frame-ancestors 'none'"),
]


@dataclass
class ServeState:
    """What the server offers: the library's rendered episodes. When library.json changes
    while it serves (a `library remove` beside it), refresh() takes the new index."""

    library: Library
    library_id: str
    episodes: list[Episode]
    token: str | None = None
    host_name: str = ""
    feeds: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    index_stamp: tuple[int, int] = (0, 0)
    progress: Any = None  # background.RenderProgress while serve renders beside serving
    ca_der: bytes | None = None  # the local authority's certificate, with `serve --tls`

    def refresh(self) -> None:
        stamp = _stamp(self.library)
        if stamp != self.index_stamp:
            fresh = load_state(self.library, token=self.token, host_name=self.host_name)
            self.library_id, self.episodes = fresh.library_id, fresh.episodes
            self.index_stamp, self.feeds = fresh.index_stamp, {}

    def episode(self, key: str) -> Episode | None:
        return next((e for e in self.episodes if e.key == key), None)

    def media_files(self) -> dict[str, str]:
        """File name in media/ -> its strong validator."""
        out = {}
        for e in self.episodes:
            r = e.entry.rendered
            if r is not None:
                out.update(dict.fromkeys(r.files(), ""))
                out[r.audio] = r.sha256[:32]
        return out

    def moved(self, name: str) -> str | None:
        """The current name of the file an old address `name` was for (the same episode's
        file of the same kind, since re-rendered), or None."""
        from .sidecars import kind_of

        found = kind_of(name)
        episode = self.episode(found[0]) if found else None
        r = episode.entry.rendered if episode else None
        if r is None or found is None:
            return None
        current = getattr(r, found[1], "")
        return current if current and current != name else None

    def download_name(self, name: str) -> str | None:
        """The readable name of the audio file `name` ("Ankle pumps, seated.mp3")."""
        from .sidecars import download_name

        for e in self.episodes:
            r = e.entry.rendered
            if r is not None and r.audio == name:
                return download_name(r.title)
        return None


def load_state(library: Library, *, token: str | None = None, host_name: str = "") -> ServeState:
    """The state for the library as it is now (rendered entries only, chapters read)."""
    stamp = _stamp(library)
    index = library.read()
    episodes = []
    for entry in index.entries:
        if entry.rendered is not None:
            episodes.append(Episode(entry, _chapters(library.media_path(entry.rendered.chapters))))
    return ServeState(library, index.library_id, episodes, token, host_name, index_stamp=stamp)


def _stamp(library: Library) -> tuple[int, int]:
    try:
        info = library.index_path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def _chapters(path: Path) -> tuple[tuple[int, str], ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return tuple((round(float(c["startTime"]) * 1000), str(c["title"]))
                     for c in data["chapters"] if c.get("toc", True))
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def create_app(state: ServeState, access_log: Callable[[str], None] | None = None,
               public=None):
    """The ASGI application: routes behind the token gate, with an access line per request.
    public: the ASGI app for requests without the token (pairing.Pairing), else a bare 404."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    routes = [
        Route("/", partial(_page, state=state)),
        Route("/feed.xml", partial(_feed, state=state)),
        Route("/cover.png", partial(_cover, state=state)),
        Route("/media/{name}", partial(_media, state=state)),
        Route("/static/{name}", _static),
        Route("/sw.js", service_worker),
        Route("/ca.crt", partial(ca_certificate, ca_der=lambda: state.ca_der)),
        Route("/manifest.webmanifest", manifest),
        Route("/icon-{size:int}.png", icon),
        Route("/api/sessions", partial(_sessions, state=state)),
        Route("/api/today", partial(_today, state=state)),
        Route("/api/done", partial(_done, state=state), methods=["POST"]),
        Route("/api/progress", partial(_progress, state=state)),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    return AccessLog(RequestGuard(TokenGate(app, state.token, public)), access_log, state.token)


async def _page(request, state: ServeState):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse

    state.refresh()
    now = await run_in_threadpool(today, state.library)
    html = render_page(state.episodes, now, feed_url=f"{request.base_url}feed.xml",
                       progress=state.progress.snapshot() if state.progress else None,
                       certificate=state.ca_der is not None)
    return HTMLResponse(html, headers={"cache-control": PAGE_CACHE})


async def _feed(request, state: ServeState):
    from starlette.responses import Response

    state.refresh()
    base = str(request.base_url)
    cached = state.feeds.get(base)
    if cached is None:
        xml = build_feed(state.episodes, base, library_id=state.library_id,
                         host_name=state.host_name)
        cached = (xml, f'"{hashlib.sha256(xml).hexdigest()[:32]}"')
        if len(state.feeds) >= FEED_CACHE_LIMIT:
            state.feeds.clear()
        state.feeds[base] = cached
    xml, etag = cached
    changed_s = _last_change_s(state)
    headers = {"cache-control": PAGE_CACHE, "etag": etag,
               "last-modified": formatdate(changed_s, usegmt=True)}
    if not_modified(request.headers, etag, changed_s):
        return Response(status_code=304, headers=headers)
    return Response(xml, media_type="application/rss+xml; charset=utf-8", headers=headers)


def _last_change_s(state: ServeState) -> float:
    """When the library last changed, as the feed's Last-Modified: its index file's time."""
    return state.index_stamp[0] / 1e9


async def _cover(request, state: ServeState):
    return serve_file(request, state.library.cover_path, state.library.root,
                      cache_control=MEDIA_CACHE)


async def _media(request, state: ServeState):
    from .sidecars import content_disposition

    state.refresh()
    name = request.path_params["name"]
    files = state.media_files()
    if name not in files:
        return gone_or_moved(request, state.moved(name), name)
    readable = state.download_name(name)
    extra = {"content-disposition": content_disposition(readable)} if readable else {}
    return serve_file(request, state.library.media_path(name), state.library.root,
                      cache_control=MEDIA_CACHE, etag=files[name], headers=extra)


async def _not_found(request, exc):
    """Any other address under the page: a page that says where to go, not a bare 404."""
    from .old_addresses import help_page

    return help_page(404, "Nothing at this address",
                     "Check the address, or open the page with the sessions.",
                     request.scope.get("root_path", "") + "/")


async def _static(request):
    from starlette.responses import PlainTextResponse

    name = request.path_params["name"]
    if name not in STATIC_FILES:
        return PlainTextResponse("Not Found", status_code=404)
    folder = Path(str(page_dir()))
    return serve_file(request, folder / name, folder, cache_control=PAGE_CACHE)


def _session_json(episode: Episode) -> dict[str, Any]:
    r = episode.entry.rendered
    if r is None:  # load_state keeps rendered entries only
        return {"key": episode.key}
    return {"key": episode.key, "title": r.title, "about": r.about,
            "duration_ms": r.duration_ms, "language": r.language, "sets": r.sets,
            "audio": f"media/{r.audio}", "chapters_url": f"media/{r.chapters}",
            "transcript": f"media/{r.transcript}",
            "transcript_json": f"media/{r.transcript_json}" if r.transcript_json else None,
            "download_name": download_name(r.title),
            "chapters": [{"start_ms": s, "title": t} for s, t in episode.chapters]}


def _today_json(now) -> dict[str, Any]:
    return {"sets": now.sets, "goal": now.goal, "text": today_text(now), "kept_by": now.kept_by,
            "problem": now.problem,
            "sessions": [{"title": m.title, "sets": m.sets, "at": m.at} for m in now.marks]}


async def _sessions(request, state: ServeState):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    state.refresh()
    now = await run_in_threadpool(today, state.library)
    return JSONResponse({"sessions": [_session_json(e) for e in state.episodes],
                         "today": _today_json(now)}, headers={"cache-control": PAGE_CACHE})


async def _today(request, state: ServeState):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    now = await run_in_threadpool(today, state.library)
    return JSONResponse(_today_json(now), headers={"cache-control": PAGE_CACHE})


async def _progress(request, state: ServeState):
    """What serve is rendering in the background, and how many sessions are ready."""
    from starlette.responses import JSONResponse

    state.refresh()
    snapshot = state.progress.snapshot() if state.progress is not None else {
        "running": False, "total": 0, "done": 0, "current": None, "pending": [], "failed": []}
    return JSONResponse({**snapshot, "ready": len(state.episodes)},
                        headers={"cache-control": "no-store"})


async def _done(request, state: ServeState):
    """POST {"key": KEY, "listening_id": ID, "started": ISO, "played": [[s, e], ...],
    "effort": 0-10, "pain": 0-10} as JSON from the page itself: records the sets heard in that
    listening, once (a repeat answers "repeat": true and changes nothing)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    def refuse(status: int, message: str):
        return JSONResponse({"error": message}, status_code=status)

    # A JSON content type makes a cross-site form unable to post here without a preflight,
    # which this server never grants; a foreign Origin is refused outright.
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return refuse(415, "send JSON")
    origin = request.headers.get("origin")
    allowed = request.scope.get("allowed_origins") or {
        f"{request.url.scheme}://{request.url.netloc}"}  # without RequestGuard: tests in-process
    if origin and origin not in allowed:
        return refuse(403, "not from this page")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return refuse(413, "too long")
    try:
        data = json.loads(body)
        key = data["key"]
        listening = listening_from_json(data, key)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        detail = str(exc) if isinstance(exc, ValueError) and str(exc).startswith("'") else ""
        return refuse(400, detail or 'send {"key": SESSION, "listening_id": ID, "started": '
                      'ISO 8601, "played": [[START_S, END_S], ...]}, with "legs" (lighter, '
                      'same, heavier), "pain" and "effort" (0-10) if you like')
    episode = state.episode(key) if isinstance(key, str) else None
    if episode is None:
        return refuse(404, "no such session")
    r = episode.entry.rendered
    planned = r.sets if r is not None else 1
    heard = planned if listening.played_s is None or r is None else min(planned, sets_heard(
        listening.played_s, r.set_spans_ms, r.duration_ms))
    if not heard:
        return refuse(422, "no set heard yet: play a set, then press Done")
    now = await run_in_threadpool(record_done, state.library, episode.entry, None, listening)
    return JSONResponse({"recorded": episode.key, "repeat": now.repeat, "sets": heard,
                         "planned_sets": planned, "today": _today_json(now)})


class TokenGate:
    """Lets through only requests whose path starts with /TOKEN/ (when a token is set), with
    the token moved to root_path; everything else goes to `public` (or a bare 404)."""

    def __init__(self, app, token: str | None, public=None) -> None:
        self.app, self.token, self.public = app, token, public

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.token:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        first, slash, _ = path[1:].partition("/")
        if not hmac.compare_digest(first.encode(), self.token.encode()):
            if self.public is not None:  # the code form, which says what to do
                await self.public(scope, receive, send)
                return
            await _bare(send, 404, b"Not Found")
            return
        if not slash:  # /TOKEN -> /TOKEN/, so the page's relative links work
            await _bare(send, 308, b"", [(b"location", f"/{self.token}/".encode())])
            return
        scope = {**scope, "root_path": scope.get("root_path", "") + "/" + self.token}
        await self.app(scope, receive, send)


async def _bare(send, status: int, body: bytes, extra: list | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One line per request (the token shown as <token>), and the security headers."""

    def __init__(self, app, write: Callable[[str], None] | None, token: str | None) -> None:
        self.app, self.write, self.token = app, write, token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"status": 0, "bytes": 0}

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  *SECURITY_HEADERS]}
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if self.write is not None:
                self.write(self._line(scope, seen, time.perf_counter() - started))

    def _line(self, scope, seen: dict[str, int], elapsed_s: float) -> str:
        return access_line(scope, seen["status"] or 500, seen["bytes"], elapsed_s, self.token)
