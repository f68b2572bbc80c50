"""Spoken progress in all eight languages, from the gettext catalogues: the introduction's dose
and change, the step back, the closing and the stop message; a German routine's session says
them in German."""

from __future__ import annotations

from datetime import date

import pytest

from voice_coach.practice.coach import dosed
from voice_coach.practice.dose import Dose
from voice_coach.practice.dose_words import closing_words, intro_words, stop_message
from voice_coach.routine import parse_routine

UP = Dose(date(2026, 12, 1), 14, 12, 12, 10, "up", "r", "pumps")
BACK = Dose(date(2026, 12, 1), 1, 3, 3, 1, "back", "r", "repetitions")

EXPECTED_UP = {
    "en": "Fourteen pumps each set today, two more than last week.",
    "de": "Heute vierzehn Pumpbewegungen in jedem Satz, zwei mehr als letzte Woche.",
    "fr": "Quatorze pompes à chaque série aujourd'hui, deux de plus que la semaine dernière.",
    "es": "Catorce bombeos en cada serie hoy, dos más que la semana pasada.",
    "it": "Quattordici pompate per serie oggi, due in più della settimana scorsa.",
    "pt": "Catorze bombeamentos em cada série hoje, dois a mais que na semana passada.",
    "nl": "Vandaag veertien pompbewegingen per set, twee meer dan vorige week.",
    "zh": "今天每组十四次，比上周多两次。",
}


@pytest.mark.parametrize("code", sorted(EXPECTED_UP))
def test_the_dose_and_the_change_in_each_language(code: str) -> None:
    assert intro_words(code, UP) == EXPECTED_UP[code]
    assert closing_words(code, UP).endswith(EXPECTED_UP[code])
    assert closing_words(code, UP) != EXPECTED_UP[code]  # "Well done." before it


@pytest.mark.parametrize("code", sorted(EXPECTED_UP))
def test_the_step_back_and_the_stop_are_translated(code: str) -> None:
    back = intro_words(code, BACK)
    stop = stop_message(code)
    if code != "en":
        assert "step back" not in back and "health professional" not in stop
    assert back.count(" ") >= 5 or code == "zh"


def test_singular_forms_agree() -> None:
    assert intro_words("de", BACK) == ("Heute ein Schritt zurück, wegen der notierten "
                                       "Schmerzen. Heute eine Wiederholung in jedem Satz, zwei "
                                       "weniger als letzte Woche.")
    assert intro_words("zh", BACK) == "由于您报告了疼痛，今天退后一步。今天每组一次，比上周少两次。"
    assert intro_words("en", BACK) == ("One step back today, after the pain you noted. One "
                                       "repetition each set today, two fewer than last week.")


def test_a_german_session_says_it_in_german_after_its_own_intro() -> None:
    routine = parse_routine("title: Knöchel\nlanguage: de\nintro: Willkommen zu {title}.\n"
                            "steps:\n  - exercise: Pumpen\n    style: pump\n    reps: 14\n"
                            "    progress:\n      reps: 10 to 30\n", "k.yaml")
    dose = Dose(date(2026, 12, 1), 14, 12, 12, 10, "up", "r", "pumps", ((0, 14),))
    out = dosed(routine, dose)
    assert out.intro.value == ("Willkommen zu {title}. Heute vierzehn Pumpbewegungen in jedem "
                               "Satz, zwei mehr als letzte Woche.")
    assert out.outro.value == ("Gut gemacht. Heute vierzehn Pumpbewegungen in jedem Satz, zwei "
                               "mehr als letzte Woche.")
    stopped = dosed(routine, Dose(date(2026, 12, 1), 12, 14, 12, 10, "stop", "r", "pumps",
                                  ((0, 12),)))
    assert stopped.intro.value.endswith(stop_message("de"))
    assert stopped.outro.value == stop_message("de")
