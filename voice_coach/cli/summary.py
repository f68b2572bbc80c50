"""The `check` summary: what the session holds, in the routine's language (labels aligned by
their width on a terminal, so wide characters line up too)."""

from __future__ import annotations

import unicodedata


def text_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def summary(session) -> str:
    """The lines `voice-coach check` prints for a session that passed."""
    from voice_coach import Exercise, words_for
    from voice_coach.speech.voices import default_engine_name

    r, tl = session.routine, session.timeline
    words = words_for(r.language)
    t = words.t
    voice = session.voice or r.voice
    engine = default_engine_name() if voice.engine == "auto" else voice.engine
    rows: list[tuple[str, str]] = [
        (t.pgettext("check", "length"), f"{words.length(tl.duration_ms)} ({tl.duration_ms} ms)")]
    for step in r.steps:
        if isinstance(step, Exercise):
            style = (t.pgettext("style", "pump") if step.style == "pump"
                     else t.pgettext("style", "hold"))
            if step.sets == 1:  # no rest happens
                how = style
            elif step.rest_ms == 0:
                how = words.format(t.pgettext("check", "{style}, no rest"), {"style": style})
            else:
                how = words.format(t.pgettext("check", "{style}, rest {rest}"),
                                   {"style": style, "rest": words.seconds(step.rest_ms / 1000)})
            rows.append((t.pgettext("check", "sets"), words.format(t.npgettext(
                "check", "{sets} x {reps} rep of {name} ({how})",
                "{sets} x {reps} reps of {name} ({how})", step.reps),
                {"sets": step.sets, "reps": step.reps, "name": step.name, "how": how})))
    speech = tl.speech()
    n_cues, n_phrases = len(speech), len({e.text for e in speech})
    cues = words.format(t.npgettext("check", "{n} cue", "{n} cues", n_cues), {"n": n_cues})
    distinct = words.format(t.npgettext("check", "{n} distinct phrase", "{n} distinct phrases",
                                        n_phrases), {"n": n_phrases})
    rows += [
        (t.pgettext("check", "spoken"),
         words.format(t.pgettext("check", "{cues} ({phrases})"),
                      {"cues": cues, "phrases": distinct})),
        (t.pgettext("check", "tones"), str(len(tl.tones()))),
        (t.pgettext("check", "chapters"), str(len(tl.chapters))),
        (t.pgettext("check", "voice"),
         words.format(t.pgettext("check", "{engine}, {voice}, {rate} wpm"),
                      {"engine": engine, "voice": voice.voice, "rate": voice.rate_wpm})),
    ]
    width = max(8, *(text_width(label) for label, _ in rows))
    head = words.format(t.pgettext("check", "{name}: {title}: OK"),
                        {"name": r.name, "title": r.title})
    return "\n".join([head] + [f"  {label}{' ' * (width - text_width(label) + 1)}{value}"
                               for label, value in rows])


def counts(timeline, language: str) -> dict[str, str]:
    """The session's counts as `plan` and `render` say them, in the routine's language:
    {"length", "length_label", "cues", "tones", "chapters"} ("4 min 50 s", "length",
    "61 spoken cues", "63 tones", "7 chapters" in English)."""
    from voice_coach import counted, words_for

    words = words_for(language)
    t = words.t
    n_cues, n_tones, n_chapters = (len(timeline.speech()), len(timeline.tones()),
                                   len(timeline.chapters))
    if language == "en":
        tones = counted(n_tones, "{n} tone", "{n} tones")
    else:  # the check summary's label after the number
        tones = f"{n_tones} {t.pgettext('check', 'tones')}"
    return {
        "length": words.length(timeline.duration_ms),
        "length_label": t.pgettext("check", "length"),
        "cues": words.format(t.npgettext("comment", "{n} spoken cue", "{n} spoken cues",
                                         n_cues), {"n": n_cues}),
        "tones": tones,
        "chapters": words.format(t.npgettext("comment", "{n} chapter", "{n} chapters",
                                             n_chapters), {"n": n_chapters}),
    }
