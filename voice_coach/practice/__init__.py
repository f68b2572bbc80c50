"""A daily practice: the history of sessions (SQLite), day rules and streaks, stats and the
calendar picture, reminders (iCalendar, systemd timers) and the config file.

Imports nothing heavy: the store is loaded by every `play`, so its import must stay cheap.
"""
