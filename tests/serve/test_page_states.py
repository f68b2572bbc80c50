"""The phone page in states a person meets: while serve still renders (progress, then the new
session appearing by itself), on a plain-http LAN address (no secure context: it says what to
do instead), a long cue (the chapters stay in view), and a wrong address (the code page).
Debian's chromium through selenium, against real servers on this computer."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.serve.test_page import (
    CHROMEDRIVER,
    CHROMIUM,
    PHONE,
    browser,
    screenshot,
    wait_for,
)
from tests.serve_fixture import MINIMAL, make_library, start_server

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver")


def test_the_page_shows_progress_and_the_new_session_appears(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add

    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    second = tmp_path / "second.yaml"
    shutil.copy(MINIMAL, second)
    second.write_text(MINIMAL.read_text().replace("title: Minimal", "title: Second"))
    os.environ["VOICE_COACH_DATA_DIR"] = str(data)
    try:
        add(Library(library), str(second))
    finally:
        os.environ.pop("VOICE_COACH_DATA_DIR", None)
    server = start_server(library, data, wait_rendered=False)
    try:
        browser.get(server.url)
        titles, note = browser.execute_script("""
            return [Array.from(document.querySelectorAll('.session h3'), h => h.textContent),
                    document.getElementById('preparing').textContent];""")
        if titles == ["Minimal"] and note:  # still rendering when the page was made: it says so
            assert note.startswith("Preparing 1 more session: now Second ("), note
            assert note.endswith("Each appears here when ready."), note
            screenshot(browser, "phone-page-preparing.png")
        # the page reloads itself when the session is ready: read the titles in one script, so
        # no element found before a reload is used after it
        wait_for(lambda: browser.execute_script(
            "return Array.from(document.querySelectorAll('.session h3'), h => h.textContent)")
            == ["Minimal", "Second"], timeout_s=300, what="the new session to appear")
        assert not browser.find_element(By.ID, "preparing").is_displayed()
        progress = json.loads(server.get("api/progress")[2])
        assert (progress["running"], progress["ready"], progress["pending"]) == (False, 2, [])
    finally:
        server.stop()


def test_a_long_cue_keeps_the_chapters_in_view(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    server = start_server(library, data)
    try:
        browser.get(server.url)
        browser.find_element(By.CSS_SELECTOR, ".session button.play").click()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#chapters button"),
                 what="the chapter list")
        introduction = ("Welcome. Sit tall near the front of a steady chair, both feet flat on "
                        "the floor, hands resting on your thighs. We will do three sets of slow "
                        "ankle pumps: toes up towards you, hold, then point them away, hold. "
                        "Move only at the ankles, breathe easily, and stop if anything hurts. "
                        "Between the sets you rest for half a minute.")
        browser.execute_script("""
            var cue = document.getElementById('cue');
            cue.textContent = arguments[0];
            cue.classList.toggle('long', arguments[0].length > 90);""", introduction)
        top = browser.execute_script(
            "return document.querySelector('#chapters button').getBoundingClientRect().top")
        assert top < PHONE["height"] - 60, top  # the first chapter is on the first screen
        scrolls = browser.execute_script(
            "var c = document.getElementById('cue'); return c.scrollHeight > c.clientHeight")
        assert scrolls  # the rest of the cue scrolls inside its box
        screenshot(browser, "phone-page-long-cue.png")
    finally:
        server.stop()


def test_plain_http_on_the_lan_says_what_to_do_and_a_wrong_address_asks_for_the_code(
        tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    from voice_coach.serve.network import lan_addresses

    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this computer has no network address but loopback")
    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    server = start_server(library, data, "--lan")
    try:
        lan_url = server.url.replace("127.0.0.1", addresses[0])
        browser.get(lan_url)
        assert browser.execute_script("return window.isSecureContext") is False
        note = wait_for(lambda: browser.find_element(By.ID, "offline-note").text,
                        what="the note on offline use")
        assert "needs a secure (https) address" in note and "Download" in note
        assert "serve --lan --tls" in note
        assert not browser.find_element(By.CSS_SELECTOR, "button.keep").is_displayed()
        screenshot(browser, "phone-page-plain-http.png")
        browser.get(lan_url.rsplit("/", 2)[0] + "/wrong-token/")  # a typo in the address
        assert browser.find_element(By.TAG_NAME, "h1").text == "This address is not complete"
        line = next(x for x in server.output if "enter the code" in x)
        browser.find_element(By.ID, "code").send_keys(line.rsplit(" ", 2)[-2].lower() + "-"
                                                      + line.rsplit(" ", 1)[-1])
        screenshot(browser, "phone-page-code.png")
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        wait_for(lambda: browser.current_url == lan_url, what="the code to open the page")
        assert browser.find_elements(By.CSS_SELECTOR, ".session")
    finally:
        server.stop()
