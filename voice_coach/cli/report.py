"""The `report` command: the practice record of a date range as a one-page report for a
therapist, written as PDF or HTML. The page is made by practice.therapist.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from voice_coach import UsageError
from voice_coach.cli.app import app, funnel
from voice_coach.cli.usage import examples


def _day(option: str, text: str, today):
    from voice_coach.practice import SINCE_HINT, parse_since

    try:
        return parse_since(text, today)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc}", SINCE_HINT) from None


@app.command(epilog=examples(
    "report",
    "voice-coach report                               # the last 4 weeks, as report.pdf",
    "voice-coach report --since 2026-11-01 --until 2026-11-30 -o november.pdf",
    "voice-coach report -o report.html --language de",
))
@funnel
def report(
    output: Annotated[Path, typer.Option(
        "-o", "--output", metavar="FILE", help="The report to write: .pdf or .html.")]
    = Path("report.pdf"),
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE", help="First day: 2026-11-01, yesterday, 7d, 4w (default: "
        "4 weeks before --until).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", help="Last day (default: today).")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", metavar="CODE", help="The report's language (default: the config's "
        "[voice] language, else en).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the report.")] = False,
) -> None:
    """A one-page practice report for your therapist: adherence, pain and effort, notes."""
    from voice_coach import write_bytes_atomic
    from voice_coach.practice import (
        REPORT_DAYS,
        ReportWords,
        Store,
        build_html,
        check_range,
        html_to_pdf,
        load_config,
        person_language,
        practice_day,
        report_format,
        system_clock,
    )

    fmt = report_format(output.name)
    if output.exists() and not force:
        raise UsageError(f"{output} already exists", "use --force to overwrite it")
    config, now = load_config(), system_clock().now()
    words = ReportWords(language or person_language(config))
    rollover, goal = config["practice.rollover_hour"], config["practice.daily_goal"]
    today = practice_day(now, rollover)
    last = _day("--until", until, today) if until else today
    first = _day("--since", since, last) if since else last - timedelta(days=REPORT_DAYS - 1)
    check_range(first, last, today)
    with Store.open(write=False) as store:
        records = store.sessions(since=first - timedelta(days=1))
    html = build_html(records, first, last, goal, rollover, today, words)
    data = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    write_bytes_atomic(output, data, force=force)
    typer.echo(f"Wrote {output} ({first.isoformat()} to {last.isoformat()}).")
