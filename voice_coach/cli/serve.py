"""Commands that put sessions on the phone: serve, and the library group (add, list, remove).

Errors go through the CLI's one funnel; only this module prints for them, voice_coach.serve
does the work.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from voice_coach import counted
from voice_coach.cli.app import app, funnel
from voice_coach.cli.usage import Group, examples

LibraryOption = Annotated[Path | None, typer.Option(
    "--library", metavar="DIR", help="The library folder (default: 'library' in the user's "
    "data folder; VOICE_COACH_DATA_DIR moves that).")]


library_app = typer.Typer(
    name="library", no_args_is_help=True, add_completion=False, cls=Group,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="What `voice-coach serve` offers: add, list and remove routines.",
    epilog=examples(
        "library",
        "voice-coach library add bedtime",
        "voice-coach library add my-routine.yaml --language de",
        "voice-coach library list",
        "voice-coach library remove bedtime",
    ))


def _library(folder: Path | None):
    from voice_coach.serve import Library, default_library_dir

    return Library(folder if folder is not None else default_library_dir())


@library_app.command(name="add")
@funnel
def library_add(
    routine: Annotated[str, typer.Argument(
        metavar="ROUTINE", help="A routine file, or the name of a built-in routine.")],
    language: Annotated[str | None, typer.Option(
        "--language", metavar="LANG", help="The language to render it in, e.g. en.")] = None,
    voice: Annotated[str | None, typer.Option(
        "--voice", metavar="VOICE", help="The voice to speak it with, e.g. en-us "
        "(see: voice-coach voices).")] = None,
    library: LibraryOption = None,
) -> None:
    """Add a routine to the library; `voice-coach serve` renders it and puts it in the feed.

    It is checked first as `voice-coach check` does. Adding it again with another --voice
    changes the voice (the engine follows it, as with `render --voice`); new audio is a new
    episode in the feed.
    """
    from voice_coach.cli.app import progress_bar as _progress
    from voice_coach.serve import add_to_library

    lib = _library(library)
    with _progress("speech") as progress:
        done = add_to_library(lib, routine, language=language, voice=voice, progress=progress)
    entry = done.entry
    if done.action == "unchanged":
        typer.echo(f"{entry.key} ({done.title}) is already in the library {lib.root}.")
        return
    what = "Added" if done.action == "added" else "Updated"
    voice_text = f", voice {entry.voice}" if entry.voice else ""
    where = "to" if done.action == "added" else "in"
    typer.echo(f"{what} {entry.key} ({done.title}{voice_text}) {where} the library {lib.root}.")
    typer.echo("voice-coach serve renders it when it next starts, and offers it to your phone.")


@library_app.command(name="list")
@funnel
def library_list(library: LibraryOption = None) -> None:
    """List the routines in the library: key, title, length, language, voice, source."""
    from voice_coach import format_length_ms
    from voice_coach.serve import statuses

    lib = _library(library)
    rows = statuses(lib)
    if not rows:
        typer.echo(f"The library {lib.root} is empty. Add a routine: "
                   "voice-coach library add ROUTINE")
        return
    table = [("key", "title", "length", "language", "voice", "source")]
    for s in rows:
        r = s.entry.rendered
        if s.state == "rendered" and r is not None:
            state = format_length_ms(r.duration_ms)
        else:
            state = {"new": "not rendered yet", "changed": "changed: serve re-renders it",
                     "failed": f"problem: {s.problem}"}.get(s.state, s.state)
        source = "built-in" if s.entry.builtin else _shown_path(s.entry.source)
        table.append((s.entry.key, s.title, state, s.language, s.voice, source))
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:5])]
        typer.echo("  ".join([*cells, row[5]]))


def _shown_path(path: str) -> str:
    """A routine file's path as the user would type it: relative under the working folder."""
    import os

    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


@library_app.command(name="remove")
@funnel
def library_remove(
    names: Annotated[list[str], typer.Argument(
        metavar="KEY...", help="What to take out: keys from `voice-coach library list`, "
        "built-in names or routine files.")],
    library: LibraryOption = None,
) -> None:
    """Take routines out of the library and delete their rendered files.

    A built-in routine comes back with `voice-coach library add NAME`.
    """
    from voice_coach.serve import remove_from_library

    for entry in remove_from_library(_library(library), names):
        typer.echo(f"Removed {entry.key} from the library.")


@app.command(name="serve", epilog=examples(
    "serve",
    "voice-coach serve                # this computer only: http://127.0.0.1:8765/",
    "voice-coach serve --lan          # phones on the same Wi-Fi (a private token in every URL)",
    "voice-coach serve --lan --tls    # https, so the page works offline (docs/phone.md)",
    "voice-coach serve --lan --new-token",
))
@funnel
def serve(
    host: Annotated[str | None, typer.Option(
        "--host", metavar="ADDRESS", help="The address to listen on (default 127.0.0.1: this "
        "computer only).")] = None,
    lan: Annotated[bool, typer.Option(
        "--lan", help="Listen on the home network, so phones on the same Wi-Fi can connect; "
        "every address then carries a private token.")] = False,
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="The port (0: any free "
                                      "one).")] = 8765,
    library: LibraryOption = None,
    new_token: Annotated[bool, typer.Option(
        "--new-token", help="Replace the private token: old addresses and subscriptions "
        "stop working.")] = False,
    access_log: Annotated[str | None, typer.Option(
        "--access-log", metavar="FILE", help="Where to write a line per request (default: "
        "serve-access.log in the data folder; - for the terminal).")] = None,
    tls: Annotated[bool, typer.Option(
        "--tls", help="Serve https with a certificate from a local certificate authority made "
        "once on this computer; phones install it from the page, and the page then works "
        "offline.")] = False,
) -> None:
    """Serve the library to phones (a page and a podcast feed), rendering what is missing.

    It answers at once with what is rendered and renders the rest in the background.
    Phones play the sessions on the page or subscribe to the feed. Stop it with Ctrl-C.
    A server for your home network: do not expose it to the internet.
    """
    from voice_coach import EngineError
    from voice_coach.serve import missing_packages

    missing = missing_packages()
    if missing:
        raise EngineError(f"voice-coach serve needs {', '.join(missing)}, which "
                          "are not installed",
                          "install the serve extra: pip install 'voice-coach[serve]' "
                          "(./scripts/setup does)")
    _run_serve(host=host, lan=lan, port=port, lib=_library(library), new_token=new_token,
               access_log=access_log, tls=tls)


def _run_serve(*, host: str | None, lan: bool, port: int, lib, new_token: bool,
               access_log: str | None, tls: bool = False) -> None:
    from voice_coach.serve import (
        LAN_HOST,
        Pairing,
        RenderProgress,
        ShortCode,
        bind,
        create_app,
        ensure_cover,
        is_loopback,
        load_state,
        load_token,
        plan_missing,
        run,
        start_rendering,
    )

    host = host or (LAN_HOST if lan else "127.0.0.1")
    private = not is_loopback(host)
    token = load_token(renew=new_token) if (private or new_token) else None
    sock = bind(host, port)  # a busy port is reported before anything else
    try:
        ensure_cover(lib)
        plan = plan_missing(lib)  # quick: what is rendered is served at once, the rest after
        state = load_state(lib, token=token if private else None, host_name=_host_name())
        state.progress = RenderProgress()
        certificates = _certificates(host) if tls else None
        if certificates is not None:
            from voice_coach.serve import ca_der

            state.ca_der = ca_der(certificates)
        log, log_name = _open_log(access_log)
        code = ShortCode() if private and token else None
        app = create_app(state, log, public=Pairing(token, code, state.ca_der)
                         if code and token else None)
        port = sock.getsockname()[1]

        def started() -> None:
            _banner(state, host, port, private, new_token, log_name, code,
                    rendering=len(plan.to_render), tls=certificates)
            _report_known(plan.known)
            start_rendering(lib, plan, state.progress, on_start=_starting, on_done=_rendered,
                            on_finished=_all_ready if plan.to_render else None,
                            on_crash=_render_crashed)

        run(app, sock, on_started=started, tls=(str(certificates.cert), str(certificates.key))
            if certificates is not None else None)
    finally:
        sock.close()


def _certificates(host: str):
    from voice_coach.serve import data_dir, ensure_tls, lan_addresses

    hosts = lan_addresses() if host in ("0.0.0.0", "::") else [host]
    return ensure_tls(data_dir() / "tls", hosts, _host_name())


def _starting(entry, number: int, total: int) -> None:
    typer.echo(f"Rendering {number} of {total}: {entry.key}")


def _rendered(outcome) -> None:
    from voice_coach import format_length_ms

    r = outcome.entry.rendered
    if outcome.status == "rendered" and r is not None:
        typer.echo(f"  {r.title}, {format_length_ms(r.duration_ms)}: on the page now")
    else:
        _report_known([outcome])


def _report_known(outcomes) -> None:
    for o in outcomes:
        if o.status == "failed" and o.error is not None:
            kept = ("serving its last rendered version" if o.entry.rendered is not None
                    else "left out of the feed until it is fixed")
            typer.echo(f"warning: {o.key}: {kept}", err=True)
            typer.echo("  " + o.error.format().replace("\n", "\n  "), err=True)


def _render_crashed(exc: BaseException) -> None:
    typer.echo(f"warning: rendering stopped ({type(exc).__name__}: {exc}); what is rendered "
               "is still served", err=True)
    typer.echo("  hint: this is a bug in voice-coach; please report it with this message",
               err=True)


def _all_ready(outcomes) -> None:
    ready = sum(1 for o in outcomes if o.status in ("rendered", "current"))
    typer.echo(f"All sessions are ready: {ready} on the page and in the feed.")


def _open_log(option: str | None):
    from voice_coach import OutputError
    from voice_coach.serve import data_dir

    if option == "-":
        return (lambda line: typer.echo(line, err=True)), "the terminal"
    path = Path(option) if option else data_dir() / "serve-access.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - open for the run
    except OSError as exc:
        raise OutputError(f"cannot write the access log {path}: {exc.strerror or exc}",
                          "give another file with --access-log, or - for the terminal") \
            from None
    return (lambda line: handle.write(line + "\n")), str(path)


def _host_name() -> str:
    import socket

    return socket.gethostname().split(".")[0]


def _banner(state, host: str, port: int, private: bool, new_token: bool, log_name: str,
            code=None, rendering: int = 0, tls=None) -> None:
    from voice_coach.serve import lan_addresses, url_host

    token_path = f"/{state.token}/" if state.token else "/"
    scheme = "https" if tls is not None else "http"
    n = len(state.episodes)
    typer.echo(counted(n, "Serving {n} session", "Serving {n} sessions")
               + f" from {state.library.root}")
    if rendering:
        typer.echo(f"Rendering {rendering} more in the background: each appears on the page "
                   "and in the feed when ready.")
    elif n == 0:
        typer.echo("The library has nothing rendered: voice-coach library add ROUTINE, then "
                   "start serve again.")
    if not private:
        url = f"{scheme}://{url_host(host)}:{port}{token_path}"
        typer.echo(f"On this computer only ({host}): {url}")
        typer.echo(f"Podcast feed: {url}feed.xml")
        typer.echo("For phones on your Wi-Fi: voice-coach serve --lan")
        if new_token:
            typer.echo("A new token is made: it takes effect with --lan.")
    else:
        if tls is None:
            typer.echo("This is an unencrypted server for your home network: anyone with the "
                       "address\ncan listen. Do not expose it to the internet.")
        else:
            typer.echo("This is an https server for your home network. Do not expose it to "
                       "the internet.")
        if new_token:
            typer.echo("New token: phones must scan the new code (old addresses stop working).")
        hosts = [host] if host not in ("0.0.0.0", "::") else lan_addresses()
        urls = [f"{scheme}://{url_host(h)}:{port}{token_path}" for h in hosts]
        if urls:
            typer.echo("Open this address on your phone (same Wi-Fi), or scan the code below:")
            for url in urls:
                typer.echo(f"  {url}")
            typer.echo("Podcast feed (AntennaPod: + then Add podcast by URL):")
            typer.echo(f"  {urls[0]}feed.xml")
            _qr(urls[0])
            bare = f"{scheme}://{url_host(hosts[0])}:{port}"
            if code is not None:
                typer.echo(f"Typing instead? Open {bare} on the phone and enter the code "
                           f"{code.shown}")
            if tls is not None:
                from voice_coach.serve import ca_fingerprint

                typer.echo(f"First time on a phone: install this computer's certificate from "
                           f"{bare}/ca.crt")
                typer.echo(f"  (steps in docs/phone.md; its SHA-256 starts "
                           f"{ca_fingerprint(tls)[:23]})")
        else:
            typer.echo("No network address found for this computer; is it on the Wi-Fi?")
        if host in ("0.0.0.0", "::"):
            typer.echo(f"On this computer: {scheme}://127.0.0.1:{port}{token_path}")
    typer.echo(f"Requests are logged to {log_name}.")
    typer.echo("Press Ctrl-C to stop.")


def _qr(url: str) -> None:
    """The address as a QR code of coloured text blocks (black on white with its quiet zone,
    so it reads on light and dark terminals); skipped where the output cannot show them."""
    from voice_coach.serve import terminal_qr

    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "\u2580".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return
    typer.echo(terminal_qr(url), nl=False)


app.add_typer(library_app, name="library")
