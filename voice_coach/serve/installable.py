"""What makes the page an installable web app that works offline: the service worker (served
from the page's root so its scope is the whole page), the manifest, its icons (the cover,
drawn at the sizes launchers want) and, with `serve --tls`, the local authority's certificate.
Reads only the page's own files; writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .files import serve_file
from .page import page_dir

MEDIA_CACHE = "private, max-age=604800"
PAGE_CACHE = "no-cache"
ICON_SIZES_PX = (192, 512)
_ICONS: dict[int, bytes] = {}


async def service_worker(request):
    """The service worker, from the page's own folder so its scope is the whole page."""
    folder = Path(str(page_dir()))
    response = serve_file(request, folder / "sw.js", folder, cache_control="no-cache")
    response.headers["service-worker-allowed"] = request.scope.get("root_path", "") + "/"
    return response


async def ca_certificate(request, ca_der: Callable[[], bytes | None]):
    """The local certificate authority, for the phone to install (only with --tls)."""
    from starlette.responses import PlainTextResponse, Response

    der = ca_der()
    if der is None:
        return PlainTextResponse("Not Found", status_code=404)
    return ca_response(der, Response)


def ca_response(der: bytes, response_class):
    return response_class(der, media_type="application/x-x509-ca-cert", headers={
        "content-disposition": 'attachment; filename="voice-coach-ca.crt"',
        "cache-control": "no-cache"})


async def manifest(request):
    from starlette.responses import JSONResponse

    start = request.scope.get("root_path", "") + "/"
    manifest = {
        "name": "voice-coach sessions", "short_name": "voice-coach", "id": start,
        "start_url": start, "scope": start, "display": "standalone",
        "background_color": "#f7f4ec", "theme_color": "#125868",
        "description": "Voice-guided exercise sessions, also on the plane.",
        "icons": [{"src": f"icon-{n}.png", "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any maskable"} for n in ICON_SIZES_PX]}
    return JSONResponse(manifest, media_type="application/manifest+json",
                        headers={"cache-control": PAGE_CACHE})


async def icon(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response

    from .cover import cover_png

    size = request.path_params["size"]
    if size not in ICON_SIZES_PX:
        return PlainTextResponse("Not Found", status_code=404)
    if size not in _ICONS:
        _ICONS[size] = await run_in_threadpool(cover_png, size)
    return Response(_ICONS[size], media_type="image/png",
                    headers={"cache-control": MEDIA_CACHE})
