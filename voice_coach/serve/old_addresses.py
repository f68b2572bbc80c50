"""Answers for media addresses that are not served: an episode's old address (before its audio
changed) redirects to its file as it is now, a session taken out of the library is gone (410,
with a link to the page), anything else gets a page that says what to do, never a bare 404.
"""

from __future__ import annotations

from urllib.parse import quote


def gone_or_moved(request, current: str | None, name: str):
    """An old address: 308 to the episode's file as it is now; 410 with a link to the page
    for a session that left the library; else a page that says what to do."""
    from starlette.responses import RedirectResponse

    from .sidecars import kind_of

    root = request.scope.get("root_path", "")
    if current is not None:
        return RedirectResponse(f"{root}/media/{quote(current)}", status_code=308,
                                headers={"cache-control": "no-cache"})
    if kind_of(name) is not None:
        return help_page(410, "This session is no longer here",
                         "It was re-rendered or taken out of the library on the computer. "
                         "The sessions there now are on the page.", f"{root}/")
    return help_page(404, "Nothing at this address",
                     "Check the address, or open the page with the sessions.", f"{root}/")


def help_page(status: int, title: str, text: str, link: str):
    from html import escape

    from starlette.responses import HTMLResponse

    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
            f"<p>{escape(text)}</p><p><a href=\"{escape(link)}\">Open the sessions page</a>"
            f"</p></body></html>")
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-cache"})
