"""What the session says about today's dose, in the routine's language (gettext catalogues):
the introduction's "Fourteen pumps each set today, two more than last week.", the closing, the
stop message, and the note a render's tags carry. Pure: a routine and a Dose in, text out."""

from __future__ import annotations

from voice_coach.lang import capitalized, words_for
from voice_coach.lang.words import Words
from voice_coach.routine import Routine, Text

from .dose import Dose


def dose_sentence(language: str, dose: Dose) -> str:
    """'Fourteen pumps each set today, two more than last week.' in `language`."""
    words = words_for(language)
    t = words.t
    if dose.unit == "pumps":
        today = words.format(t.npgettext("dose", "{reps:word} pump each set today",
                                         "{reps:word} pumps each set today", dose.reps),
                             {"reps": dose.reps})
    else:
        today = words.format(t.npgettext("dose", "{reps:word} repetition each set today",
                                         "{reps:word} repetitions each set today", dose.reps),
                             {"reps": dose.reps})
    change = _change(words, dose)
    if change:
        text = words.format(t.pgettext("dose", "{today}, {change}."),
                            {"today": today, "change": change})
    else:
        text = words.format(t.pgettext("dose", "{today}."), {"today": today})
    return capitalized(text)


def _change(words: Words, dose: Dose) -> str:
    t = words.t
    if dose.change in ("first", "pinned"):
        return ""
    diff = dose.reps - dose.week_ago_reps
    if diff > 0:
        return words.format(t.npgettext("dose", "{n:word} more than last week",
                                        "{n:word} more than last week", diff), {"n": diff})
    if diff < 0:
        return words.format(t.npgettext("dose", "{n:word} fewer than last week",
                                        "{n:word} fewer than last week", -diff), {"n": -diff})
    return t.pgettext("dose", "the same as last week")


def stop_message(language: str) -> str:
    """The guide's own rule, in `language`."""
    return words_for(language).t.pgettext(
        "dose", "You noted severe pain or heavier legs. Stop, and ask a health professional "
        "before you go on.")


def intro_words(language: str, dose: Dose) -> str:
    """What the introduction says about the dose: the stop message or the step back first."""
    t = words_for(language).t
    head = ""
    if dose.stop:  # no dose to do today
        return stop_message(language)
    if dose.change == "back":
        head = t.pgettext("dose", "One step back today, after the pain you noted.")
    return words_for(language).join([head, dose_sentence(language, dose)])


def closing_words(language: str, dose: Dose) -> str:
    """What the closing says: 'Well done. Fourteen pumps each set today, …' (or the stop)."""
    words = words_for(language)
    if dose.stop:
        return stop_message(language)
    return words.format(words.t.pgettext("dose", "Well done. {dose}"),
                        {"dose": dose_sentence(language, dose)})


def spoken_intro(routine: Routine, dose: Dose) -> Text:
    return _joined(routine.intro, intro_words(routine.language, dose), routine)


def spoken_closing(routine: Routine, dose: Dose) -> Text:
    return _joined(routine.outro, closing_words(routine.language, dose), routine)


def dose_note(language: str, dose: Dose) -> str:
    """The note a render's comment tag carries."""
    return intro_words(language, dose)


def _joined(text: Text | None, extra: str, routine: Routine) -> Text:
    """The routine's own text (its placeholders kept) followed by `extra` (braces doubled, so
    nothing in it is taken for a placeholder)."""
    safe = extra.replace("{", "{{").replace("}", "}}")
    if text is None:
        from voice_coach.routine import Pos

        return Text(safe, Pos(routine.path, 1, 1))
    return Text(words_for(routine.language).join([text.value, safe]), text.pos)
