"""The phone page in a real browser: Debian's chromium driven by selenium (headless, a phone's
viewport) against a real `voice-coach serve` on 127.0.0.1. It loads the page, starts playback,
jumps to a chapter, reads the cue under the player, presses "Done", and saves screenshots in
tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.serve_fixture import make_library, start_server
from voice_coach.plan.timeline import format_length_ms

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PHONE = {"width": 390, "height": 844, "pixelRatio": 2.0}
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0 Mobile Safari/537.36")

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver "
                                       "(./scripts/setup installs them)")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("page-data")
    library = make_library(tmp_path_factory.mktemp("page-library"), data)
    # midday on a fixed day: "Done" and today's count fall on one practice day, whenever the
    # test runs (a session started just before the 4:00 rollover counts for the day before)
    server = start_server(library, data, "--lan", VOICE_COACH_NOW="2026-12-01 12:00")
    yield server
    server.stop()


@pytest.fixture()
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--autoplay-policy=no-user-gesture-required",
                "--mute-audio", f"--user-data-dir={tmp_path / 'profile'}",
                f"--window-size={PHONE['width']},{PHONE['height']}"):
        options.add_argument(arg)
    options.add_experimental_option("mobileEmulation",
                                    {"deviceMetrics": PHONE, "userAgent": PHONE_AGENT})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait_for(condition, timeout_s: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def screenshot(driver, name: str) -> Path:
    """A full-page screenshot in tests/artifacts/ (the page's whole height at phone width)."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE["width"], "height": int(height), "deviceScaleFactor": 1, "mobile": True})
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE["width"], "height": PHONE["height"],
        "deviceScaleFactor": PHONE["pixelRatio"], "mobile": True})
    return path


def test_play_jump_to_a_chapter_and_press_done(served, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url)
    assert browser.title == "voice-coach sessions"
    feed_link = browser.find_element(By.CSS_SELECTOR, 'link[rel="alternate"]')
    assert feed_link.get_attribute("type") == "application/rss+xml"
    assert feed_link.get_attribute("href") == served.url + "feed.xml"
    sessions = browser.find_elements(By.CSS_SELECTOR, ".session")
    assert [s.find_element(By.TAG_NAME, "h3").text for s in sessions] == ["Minimal"]
    index = json.loads((served.library / "library.json").read_text())
    length = format_length_ms(index["entries"][0]["rendered"]["duration_ms"])
    assert sessions[0].find_element(By.CLASS_NAME, "meta").text == f"{length} · English · 3 sets"
    assert browser.find_element(By.ID, "today").text == "Today: 0 of 3 sets"  # as `today`
    assert sessions[0].get_attribute("lang") == "en"
    download = sessions[0].find_element(By.LINK_TEXT, "Download")
    assert download.get_attribute("download") == "Minimal.mp3"

    sessions[0].find_element(By.CSS_SELECTOR, "button.play").click()
    audio = browser.find_element(By.ID, "audio")
    wait_for(lambda: browser.execute_script("return arguments[0].currentTime", audio) > 0.5,
             what="playback to start")
    assert not browser.execute_script("return arguments[0].paused", audio)
    # The read-along cue under the player is one of the WebVTT cues the server wrote.
    vtt = (served.library / "media" / _only(served.library, ".vtt")).read_text()
    spoken = {block.split("\n")[2] for block in vtt.strip().split("\n\n")[1:]}
    shown = wait_for(lambda: browser.find_element(By.ID, "cue").text.strip(),
                     what="a cue under the player")
    assert shown in spoken

    chapters = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#chapters button"),
                        what="the chapter list")
    expected = json.loads((served.library / "media" / _only(served.library, ".chapters.json"))
                          .read_text())["chapters"]
    assert [c.text for c in chapters] == [
        f"{c['title']} ({int(c['startTime']) // 60}:{int(c['startTime']) % 60:02d})"
        for c in expected]
    assert [c["title"] for c in expected] == ["Set 1 of 3", "Rest", "Set 2 of 3", "Rest",
                                              "Set 3 of 3", "Finish"][:len(expected)]
    set_2 = next(c for c in expected if c["title"] == "Set 2 of 3")
    next(c for c in chapters if c.text.startswith("Set 2 of 3")).click()
    position = wait_for(lambda: _position_after(browser, audio, set_2["startTime"]),
                        what="the jump to set 2")
    assert set_2["startTime"] <= position < set_2["startTime"] + 5
    wait_for(lambda: browser.find_element(By.ID, "chapter-now").text == "Chapter: Set 2 of 3",
             what="the current chapter to show")
    current = browser.find_element(By.CSS_SELECTOR, '#chapters button[aria-current="true"]')
    assert current.text.startswith("Set 2 of 3")
    # The lock screen shows the session and its chapter (Media Session API).
    meta = browser.execute_script(
        "var m = navigator.mediaSession.metadata; return [m.title, m.artist, m.album];")
    assert meta == ["Minimal", "Set 2 of 3", "voice-coach"]
    screenshot(browser, "phone-page-playing.png")

    # Set 2 heard to its end (at 16 times the speed), then Done: one set, once.
    index = json.loads((served.library / "library.json").read_text())
    set_2_end_s = index["entries"][0]["rendered"]["set_spans_ms"][1][1] / 1000
    browser.execute_script("arguments[0].playbackRate = 16", audio)
    wait_for(lambda: _position_after(browser, audio, set_2_end_s), timeout_s=60,
             what="set 2 to be heard")
    browser.execute_script("arguments[0].pause()", audio)
    browser.find_element(By.ID, "done").click()
    wait_for(lambda: browser.find_element(By.ID, "done-status").text.startswith("Recorded"),
             what="Done to be recorded")
    assert "Minimal, 1 of 3 sets heard." in browser.find_element(By.ID, "done-status").text
    assert browser.find_element(By.ID, "today").text == "Today: 1 of 3 sets"
    marks = json.loads((served.library / "done.json").read_text())["done"]
    assert [(m["key"], m["sets"], m["source"]) for m in marks] == [("minimal", 1, "phone")]
    screenshot(browser, "phone-page-done.png")
    browser.find_element(By.ID, "done").click()  # a second tap: the same listening
    wait_for(lambda: browser.find_element(By.ID, "done-status").text.startswith("Already"),
             what="the second tap to be answered")
    assert len(json.loads((served.library / "done.json").read_text())["done"]) == 1

    browser.refresh()  # the server's page shows today's sets too
    assert browser.find_element(By.ID, "today").text == "Today: 1 of 3 sets"
    assert "Minimal, 1 set, at" in browser.find_element(By.ID, "today-list").text


def test_page_reads_at_200_percent_text(served, browser) -> None:
    """At twice the text size nothing is wider than the phone, and every control is labelled."""
    from selenium.webdriver.common.by import By

    browser.get(served.url)
    browser.execute_script("document.documentElement.style.fontSize = '200%'")
    browser.find_element(By.CSS_SELECTOR, ".session button.play").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#chapters button"),
             what="the chapter list")
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    unlabelled = browser.execute_script("""
        return Array.from(document.querySelectorAll('button, a, input, audio'))
          .filter(e => !(e.innerText || '').trim() && !e.getAttribute('aria-label')
                       && !(e.labels && e.labels.length))
          .map(e => e.outerHTML.slice(0, 80));""")
    assert unlabelled == []
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    screenshot(browser, "phone-page-200-percent.png")


def _position_after(browser, audio, start_s: float) -> float | None:
    position = browser.execute_script("return arguments[0].currentTime", audio)
    return position if position >= start_s else None


def _only(library: Path, ending: str) -> str:
    (name,) = [p.name for p in (library / "media").iterdir()
               if p.name.endswith(ending) and not p.name.endswith(".transcript.json")]
    return name
