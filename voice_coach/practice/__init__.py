"""A daily practice: the history of sessions (SQLite), day rules and streaks, stats and the
calendar picture, reminders (iCalendar, systemd timers) and the config file.

This package is the practice's public facade: the CLI imports the names below from here, never
from the modules. Each is imported on first use (PEP 562), so importing the facade stays cheap:
the store is loaded by every `play`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voice_coach.basics.lazy import lazy_getattr

# name -> "module" (the same name there) or "module:name"
_EXPORTS = {
    # days and times
    "AT_HINT": "voice_coach.practice.days",
    "DATE_HINT": "voice_coach.practice.days",
    "SINCE_HINT": "voice_coach.practice.days",
    "parse_at": "voice_coach.practice.days",
    "parse_since": "voice_coach.practice.days",
    "practice_day": "voice_coach.practice.days",
    "system_clock": "voice_coach.practice.days",
    "week_start": "voice_coach.practice.days",
    # the history store and its records
    "ENV_DATA_DIR": "voice_coach.practice.store",
    "Store": "voice_coach.practice.store",
    "store_path": "voice_coach.practice.store",
    "Recorder": "voice_coach.practice.recorder",
    "done_record": "voice_coach.practice.recorder",
    "NOTE_MAX_CHARS": "voice_coach.practice.records",
    "clock_text": "voice_coach.practice.records",
    "legs_value": "voice_coach.practice.records",
    "read_export": "voice_coach.practice.import_file",
    "history_csv": "voice_coach.practice.history:to_csv",
    "history_json": "voice_coach.practice.history:to_json",
    "history_table": "voice_coach.practice.history:table",
    # the coach: dose and check-ins
    "DOSE_HINT": "voice_coach.practice.coach",
    "dosed": "voice_coach.practice.coach",
    "parse_pin": "voice_coach.practice.coach",
    "settings_from": "voice_coach.practice.coach",
    "todays_dose": "voice_coach.practice.coach",
    "apply_dose": "voice_coach.practice.dose",
    "dose_series": "voice_coach.practice.dose",
    "growing": "voice_coach.practice.dose",
    "unit_of": "voice_coach.practice.dose",
    "RECENT_CHECKINS": "voice_coach.practice.changes:RECENT_SESSIONS",
    "change_lines": "voice_coach.practice.changes",
    "legs_summary": "voice_coach.practice.changes",
    "pain_summary": "voice_coach.practice.changes",
    "weekly_changes": "voice_coach.practice.changes",
    "RECENT_SESSIONS": "voice_coach.practice.wellbeing",
    "wellbeing_lines": "voice_coach.practice.wellbeing",
    # stats, the calendar and the therapist's report
    "Totals": "voice_coach.practice.status",
    "count_sittings": "voice_coach.practice.status",
    "goal_words": "voice_coach.practice.status",
    "stats_lines": "voice_coach.practice.status",
    "today_lines": "voice_coach.practice.status",
    "ReportWords": "voice_coach.practice.report_words",
    "Calendar": "voice_coach.practice.heatmap",
    "heatmap_lines": "voice_coach.practice.heatmap:terminal",
    "PICTURE_SUFFIXES": "voice_coach.practice.picture:SUFFIXES",
    "calendar_picture": "voice_coach.practice.picture",
    "person_language": "voice_coach.practice.picture",
    "REPORT_DAYS": "voice_coach.practice.therapist:DEFAULT_DAYS",
    "build_html": "voice_coach.practice.therapist",
    "check_range": "voice_coach.practice.therapist",
    "html_to_pdf": "voice_coach.practice.therapist",
    "report_format": "voice_coach.practice.therapist",
    # reminders: the calendar file, systemd timers, the desktop notification
    "SCHEDULE_AT_HINT": "voice_coach.practice.schedule:AT_HINT",
    "RoutineInfo": "voice_coach.practice.schedule",
    "parse_slots": "voice_coach.practice.schedule",
    "schedule_ics": "voice_coach.practice.schedule:ics",
    "schedule_units": "voice_coach.practice.schedule:units",
    "write_units": "voice_coach.practice.schedule",
    "enable_units": "voice_coach.practice.schedule:enable",
    "remove_units": "voice_coach.practice.schedule:remove",
    "systemctl": "voice_coach.practice.schedule",
    "user_unit_dir": "voice_coach.practice.schedule",
    "MAX_SNOOZES": "voice_coach.practice.reminder_timing",
    "late_words": "voice_coach.practice.reminder_timing",
    "latest_due": "voice_coach.practice.reminder_timing",
    "play_command": "voice_coach.practice.reminder_timing",
    "ask_on_desktop": "voice_coach.practice.notify:ask",
    "notify_problem": "voice_coach.practice.notify:problem",
    # the config file
    "ENV_CONFIG": "voice_coach.practice.config",
    "config_path": "voice_coach.practice.config",
    "load_config": "voice_coach.practice.config",
    "load_configured": "voice_coach.practice.config",
    "CONFIG_KEYS": "voice_coach.practice.config_keys:KEYS",
    "init_text": "voice_coach.practice.config_keys",
}

__all__ = [
    "apply_dose", "ask_on_desktop", "AT_HINT", "build_html", "Calendar", "calendar_picture",
    "change_lines", "check_range", "clock_text", "CONFIG_KEYS", "config_path", "count_sittings",
    "DATE_HINT", "done_record", "DOSE_HINT", "dose_series", "dosed", "enable_units",
    "ENV_CONFIG", "ENV_DATA_DIR", "goal_words", "growing", "heatmap_lines", "history_csv",
    "history_json", "history_table", "html_to_pdf", "init_text", "late_words", "latest_due",
    "legs_summary", "legs_value", "load_config", "load_configured", "MAX_SNOOZES",
    "NOTE_MAX_CHARS", "notify_problem", "pain_summary", "parse_at", "parse_pin", "parse_since",
    "parse_slots", "person_language", "PICTURE_SUFFIXES", "play_command", "practice_day",
    "read_export", "RECENT_CHECKINS", "RECENT_SESSIONS", "Recorder", "remove_units",
    "REPORT_DAYS", "report_format", "ReportWords", "RoutineInfo", "SCHEDULE_AT_HINT",
    "schedule_ics", "schedule_units", "settings_from", "SINCE_HINT", "stats_lines", "Store",
    "store_path", "system_clock", "systemctl", "today_lines", "todays_dose", "Totals",
    "unit_of", "user_unit_dir", "week_start", "weekly_changes", "wellbeing_lines", "write_units",
]
__getattr__ = lazy_getattr(__name__, _EXPORTS)

if TYPE_CHECKING:
    from voice_coach.practice.changes import RECENT_SESSIONS as RECENT_CHECKINS
    from voice_coach.practice.changes import (
        change_lines,
        legs_summary,
        pain_summary,
        weekly_changes,
    )
    from voice_coach.practice.coach import DOSE_HINT, dosed, parse_pin, settings_from, todays_dose
    from voice_coach.practice.config import ENV_CONFIG, config_path, load_config, load_configured
    from voice_coach.practice.config_keys import KEYS as CONFIG_KEYS
    from voice_coach.practice.config_keys import init_text
    from voice_coach.practice.days import (
        AT_HINT,
        DATE_HINT,
        SINCE_HINT,
        parse_at,
        parse_since,
        practice_day,
        system_clock,
        week_start,
    )
    from voice_coach.practice.dose import apply_dose, dose_series, growing, unit_of
    from voice_coach.practice.heatmap import Calendar
    from voice_coach.practice.heatmap import terminal as heatmap_lines
    from voice_coach.practice.history import table as history_table
    from voice_coach.practice.history import to_csv as history_csv
    from voice_coach.practice.history import to_json as history_json
    from voice_coach.practice.import_file import read_export
    from voice_coach.practice.notify import ask as ask_on_desktop
    from voice_coach.practice.notify import problem as notify_problem
    from voice_coach.practice.picture import SUFFIXES as PICTURE_SUFFIXES
    from voice_coach.practice.picture import (
        calendar_picture,
        person_language,
    )
    from voice_coach.practice.recorder import Recorder, done_record
    from voice_coach.practice.records import NOTE_MAX_CHARS, clock_text, legs_value
    from voice_coach.practice.reminder_timing import (
        MAX_SNOOZES,
        late_words,
        latest_due,
        play_command,
    )
    from voice_coach.practice.report_words import ReportWords
    from voice_coach.practice.schedule import AT_HINT as SCHEDULE_AT_HINT
    from voice_coach.practice.schedule import (
        RoutineInfo,
        parse_slots,
        systemctl,
        user_unit_dir,
        write_units,
    )
    from voice_coach.practice.schedule import enable as enable_units
    from voice_coach.practice.schedule import ics as schedule_ics
    from voice_coach.practice.schedule import remove as remove_units
    from voice_coach.practice.schedule import units as schedule_units
    from voice_coach.practice.status import (
        Totals,
        count_sittings,
        goal_words,
        stats_lines,
        today_lines,
    )
    from voice_coach.practice.store import ENV_DATA_DIR, Store, store_path
    from voice_coach.practice.therapist import DEFAULT_DAYS as REPORT_DAYS
    from voice_coach.practice.therapist import (
        build_html,
        check_range,
        html_to_pdf,
        report_format,
    )
    from voice_coach.practice.wellbeing import RECENT_SESSIONS, wellbeing_lines
