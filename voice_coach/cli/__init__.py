"""The `voice-coach` command line: verbs over the pipeline, and the one funnel to exit codes.

app.py holds the Typer app, the error funnel and the options every command shares; each other
module adds one group of commands, in the order `--help` lists them. Nothing below this package
prints or exits.
"""

import importlib

from voice_coach.cli.app import app, main

COMMAND_MODULES = ("routines", "render", "live", "practice", "config", "report", "schedule",
                   "voices", "serve")
for _module in COMMAND_MODULES:
    importlib.import_module(f"voice_coach.cli.{_module}")

__all__ = ["app", "main"]
