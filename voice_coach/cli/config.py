"""The `config` command: the settings in force and where each came from, and --init to write a
config file with every setting to edit. The file itself is read in voice_coach.practice.config.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from voice_coach import UsageError, escape_controls
from voice_coach.cli.app import app, funnel, out
from voice_coach.cli.usage import examples


@app.command(epilog=examples(
    "config",
    "voice-coach config",
    "voice-coach config --init              # a config.toml to edit",
))
@funnel
def config(
    init: Annotated[bool, typer.Option(
        "--init", help="Write a config file with every setting, commented out, to edit.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="With --init: overwrite it.")] = False,
) -> None:
    """Show the settings in force and where each came from (config.toml or the default)."""
    from voice_coach import write_bytes_atomic
    from voice_coach.practice import (
        CONFIG_KEYS,
        ENV_DATA_DIR,
        config_path,
        init_text,
        load_config,
        store_path,
    )

    if init:
        path = config_path()
        if path.exists() and not force:
            raise UsageError(f"{path} already exists", "use --force to overwrite it")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, init_text().encode(), force=True)
        typer.echo(f"Wrote {path}. Edit it, then check it with: voice-coach config")
        return
    cfg = load_config()
    width = max(len(f"{s}.{k}") for s, keys in CONFIG_KEYS.items() for k in keys)
    shown = {name: escape_controls(_shown(value), one_line=True)
             for name, value in cfg.values.items()}
    value_width = max(map(len, shown.values()))
    for name, text in shown.items():
        out(f"{name:<{width}}  {text:<{value_width}}  {cfg.origins[name]}")
    state = "" if cfg.found else " (not there: every setting is the default)"
    out(f"config file  {cfg.path}{state}")
    data_from = ENV_DATA_DIR if os.environ.get(ENV_DATA_DIR) else "default"
    out(f"history      {store_path()} ({data_from})")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None or value == "":
        return "(the routine's)"
    return str(value)
