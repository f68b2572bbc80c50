"""How the command line reads: metavars (DURATION, FILE, LUFS) instead of type names, an example
in every command's help, and the parser's own errors (unknown option or command, a missing or
bad value) in the same `error:` / `hint:` form and exit status 2 as every other bad input.

Typer builds the click commands; `Group` adjusts them once, when they are built, and turns the
parser's exceptions into text. Nothing here knows about routines or audio.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

# The one private import, and why typer stays pinned (>=0.29,<0.30 in pyproject.toml): typer
# vendors click as typer._click (no public click to import since 0.26) and exports none of the
# parser's exception classes (NoSuchOption, MissingParameter, BadOptionUsage, NoArgsIsHelpError)
# nor get_current_context, which turning its errors into `error:` / `hint:` needs.
from typer._click import exceptions as parse_errors
from typer._click.globals import get_current_context
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer import _click as click

PROGRAM = "voice-coach"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
EXAMPLES: dict[str, tuple[str, ...]] = {}  # command name -> example lines, for help and hints


def examples(command: str, *lines: str) -> str:
    """The epilog of `command`'s help: its examples, one a line (a '#' starts a comment).

    They are kept for the parser's hints too ("missing option --every" shows one using it).
    """
    EXAMPLES[command] = tuple(line.split("  #")[0].strip() for line in lines)
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def no_color() -> bool:
    """NO_COLOR (https://no-color.org): set and not empty means no ANSI colour or styling."""
    return bool(os.environ.get("NO_COLOR"))


# ---------------------------------------------------------------------------------------------
# Help: a metavar for every value, no type names, plain usage lines.

_TYPE_METAVARS = {int: "N", float: "NUMBER", str: "TEXT", Path: "PATH"}


class _Option(TyperOption):
    """An option whose help shows its metavar (--loudness LUFS); a flag shows none."""

    def display_type_rich(self, ctx: click.Context) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        choices = self.type_descriptor.choices
        if choices:
            return "[" + "|".join(str(c) for c in choices) + "]"
        return _TYPE_METAVARS.get(self.type_descriptor.annotation, "VALUE")


class _Argument(TyperArgument):
    """An argument shown by its metavar alone: ROUTINE, or [ROUTINE] when it may be left out."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar or self.name.upper()

    def display_type_rich(self, ctx: click.Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return name if self.required else f"[{name}]"


class _Command(TyperCommand):
    """A command whose parser errors always carry their context (for the usage line)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _context_for_errors(ctx):
            return super().parse_args(ctx, args)


@contextlib.contextmanager
def _context_for_errors(ctx: click.Context) -> Iterator[None]:
    try:
        yield
    except parse_errors.UsageError as exc:
        if exc.ctx is None:
            exc.ctx, exc.cmd = ctx, ctx.command
        raise


def _plain(command: click.Command) -> None:
    """Our help and errors for a command, its parameters and (for a group) its commands."""
    if type(command) is TyperCommand:
        command.__class__ = _Command
    for param in command.params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    for sub in getattr(command, "commands", {}).values():
        _plain(sub)


# ---------------------------------------------------------------------------------------------
# Parser errors as `error:` / `hint:`.


class UnknownCommand(parse_errors.UsageError):
    def __init__(self, name: str, ctx: click.Context) -> None:
        super().__init__(f"unknown command {name!r}", ctx)
        self.name = name


class UnknownShell(parse_errors.UsageError):
    def __init__(self, name: str, ctx: click.Context) -> None:
        super().__init__(f"unknown shell {name!r}", ctx)
        self.name = name


def first_sentence(text: str) -> str:
    """A help text's first paragraph up to its first full stop (the one-line summary)."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[:end + 1]


class Group(TyperGroup):
    """The root command: plain help for every command, parser errors in our own form, NO_COLOR
    honoured, and `--show-completion SHELL` / `--install-completion SHELL` beside typer's
    shell-detecting forms."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _plain(self)
        for command in self.commands.values():
            _plain(command)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        for param in params:  # typer adds these two after __init__
            if param.name in _COMPLETION_HELP:
                param.help = _COMPLETION_HELP[param.name]
        return params

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with its whole first sentence, wrapped (click cuts it at ~45 columns,
        mid-phrase, with "...")."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, first_sentence(command.short_help or command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0]
        if self.get_command(ctx, name) is None and not ctx.resilient_parsing \
                and not name.startswith("-"):
            raise UnknownCommand(name, ctx)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _completion_for_named_shell(ctx, args)
        with _context_for_errors(ctx):
            return super().parse_args(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if no_color():
            extra.setdefault("color", False)  # click strips styling (typer's own messages too)
        try:
            code = super().main(args, prog_name or PROGRAM, complete_var,
                                standalone_mode=False, **extra)
        except parse_errors.NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            exc.show()
            code = exc.exit_code
        except parse_errors.ClickException as exc:
            if not standalone_mode:
                raise
            message, hint = explain(exc)
            typer.echo(f"error: {message}" + (f"\n  hint: {hint}" if hint else ""), err=True)
            code = exc.exit_code
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("error: aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


_COMPLETION_HELP = {
    "install_completion": "Install tab completion for your shell (detected, or named after it: "
                          "bash, zsh, fish, powershell).",
    "show_completion": "Print the tab-completion script for your shell (detected, or named "
                       "after it), to install it yourself.",
}


def _completion_for_named_shell(ctx: click.Context, args: list[str]) -> None:
    """`--show-completion bash` and `--install-completion zsh`: typer's own options take no
    value (they detect the shell), so a shell named after them is handled here."""
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            return  # the command: options after it are its own
        if arg not in ("--show-completion", "--install-completion") or i + 1 == len(args):
            continue
        shell = args[i + 1]
        if shell in SHELLS:
            from typer.completion import install_callback, show_callback

            callback = show_callback if arg == "--show-completion" else install_callback
            callback(ctx, None, shell)  # prints, then exits 0
        if not shell.startswith("-") and shell not in ctx.command.commands:  # type: ignore
            raise UnknownShell(shell, ctx)


def explain(exc: parse_errors.ClickException) -> tuple[str, str]:
    """(message, hint) for an exception of the parser, in the program's own words."""
    ctx: click.Context | None = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else PROGRAM
    if isinstance(exc, UnknownCommand):
        return _unknown_command(exc.name, ctx)
    if isinstance(exc, UnknownShell):
        return f"unknown shell {_quote(exc.name)}", "shells: " + ", ".join(SHELLS)
    if isinstance(exc, parse_errors.NoSuchOption):
        return _unknown_option(exc, ctx, command)
    if isinstance(exc, parse_errors.MissingParameter) and exc.param is not None:
        name = _name(exc.param)
        what = "argument" if isinstance(exc.param, TyperArgument) else "option"
        return f"missing {what} {name}", _example_hint(ctx, name) or _usage_hint(ctx)
    if isinstance(exc, parse_errors.BadParameter) and exc.param is not None:
        return _bad_value(exc)
    if isinstance(exc, parse_errors.BadOptionUsage):
        return _bad_option_usage(exc, ctx)
    text = exc.format_message()
    extra = re.fullmatch(r"Got unexpected extra argument\(s\) \((.*)\)", text, flags=re.S)
    if extra:
        word = "arguments" if " " in extra.group(1) else "argument"
        return f"unexpected {word} {_quote(extra.group(1))}", _usage_hint(ctx)
    if text == "Missing command." and ctx is not None:
        return "missing command", _commands_hint(ctx)
    message = text[:1].lower() + text[1:]
    return message.rstrip("."), _usage_hint(ctx) or f"see {command} --help"


def _unknown_command(name: str, ctx: click.Context | None) -> tuple[str, str]:
    names = list(ctx.command.commands) if ctx is not None else []  # type: ignore[attr-defined]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'?" if close else _commands_hint(ctx)
    return f"unknown command {_quote(name)}", hint


def _commands_hint(ctx: click.Context | None) -> str:
    names = list(ctx.command.commands) if ctx is not None else []  # type: ignore[attr-defined]
    return "commands: " + ", ".join(names) + f" (see {PROGRAM} --help)"


def _unknown_option(exc: parse_errors.NoSuchOption, ctx: click.Context | None,
                    command: str) -> tuple[str, str]:
    option = exc.option_name
    message = f"unknown option {_quote(option)}"
    if exc.possibilities:
        return message, f"did you mean '{sorted(exc.possibilities)[0]}'?"
    root = ctx.find_root() if ctx is not None else None
    if root is not None and ctx is not root:
        if any(option in p.opts for p in root.command.params):
            return message, f"{option} goes before the command: {PROGRAM} {option} " \
                            f"{ctx.info_name} ..."
    elif root is not None:
        owners = [name for name, cmd in root.command.commands.items()  # type: ignore[attr-defined]
                  if any(option in p.opts for p in cmd.params)]
        if owners:
            return message, f"{option} belongs to a command; put it after the command, e.g. " \
                            f"{PROGRAM} {owners[0]} ... {option}"
    return message, f"see {command} --help for its options"


def _bad_value(exc: parse_errors.BadParameter) -> tuple[str, str]:
    param = exc.param
    name = _name(param)
    value = _input_value(exc)
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    if choices:
        shown = [str(c) for c in choices]
        close = difflib.get_close_matches(str(value).lower(), shown, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"e.g. {name} {shown[0]}"
        return f"{name} must be one of {', '.join(shown)}; got {_quote(value)}", hint
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kind = {int: "a whole number", float: "a number"}.get(annotation)
    if kind is not None and value is not None:
        return f"{name} must be {kind}, got {_quote(value)}", _option_hint(param)
    return f"{name}: {_first_error(exc)}", _option_hint(param)


def _bad_option_usage(exc: parse_errors.BadOptionUsage, ctx: click.Context | None
                      ) -> tuple[str, str]:
    option = exc.option_name
    params = ctx.command.get_params(ctx) if ctx is not None else []
    param = next((p for p in params if option in p.opts or option in p.secondary_opts), None)
    if param is not None and getattr(param, "is_flag", False):
        return f"{option} takes no value", f"write {option} alone"
    if param is not None:
        return f"{option} needs a value", _option_hint(param)
    return exc.format_message().rstrip("."), _usage_hint(ctx)


def _name(param: click.Parameter) -> str:
    if isinstance(param, TyperArgument):
        return param.metavar or (param.name or "").upper()
    return max(param.opts, key=len) if param.opts else (param.name or "")


def _option_hint(param: Any) -> str:
    """'--bitrate KBPS: bitrate in kbps, from 8 to 320' from the option's own help."""
    if not isinstance(param, TyperOption) or not param.help:
        return ""
    metavar = param.display_type_rich(get_current_context(silent=True))  # type: ignore
    help_text = " ".join(param.help.split())
    return f"{_name(param)} {metavar or ''}".rstrip() + ": " + help_text[:1].lower() + \
        help_text[1:].rstrip(".")


def _example_hint(ctx: click.Context | None, needle: str) -> str:
    """An example of this command that uses `needle` (an option), else its first example."""
    lines = EXAMPLES.get(ctx.info_name or "", ()) if ctx is not None else ()
    using = [line for line in lines if needle in line.split()]
    chosen = (using or list(lines) or [""])[0]
    return f"e.g. {chosen}" if chosen else ""


def _usage_hint(ctx: click.Context | None) -> str:
    if ctx is None:
        return ""
    return "usage: " + ctx.get_usage().removeprefix("Usage: ").strip()


def _input_value(exc: Exception) -> Any:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        found = errors()
        if found and "input" in found[0]:
            return found[0]["input"]
    return None


def _first_error(exc: parse_errors.BadParameter) -> str:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors) and errors():
        return str(errors()[0].get("msg", exc.message)).removeprefix("Value error, ")
    return exc.message


def _quote(value: Any) -> str:
    """A value the user typed, quoted; escaped when it holds a control character."""
    text = str(value)
    return f"'{text}'" if text.isprintable() else repr(text)
