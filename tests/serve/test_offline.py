"""The page on a plane, in Debian's chromium through the DevTools protocol: a session kept with
"Keep for offline", then the server stopped and the network switched off
(Network.emulateNetworkConditions): the page opens, plays the kept session with its chapters,
the cue being said and the lock-screen metadata; a Done made offline waits on the phone and
arrives exactly once when the server is back. 127.0.0.1 is a secure context, so the service
worker runs as it would over https.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.serve.test_page import CHROMEDRIVER, CHROMIUM, browser, screenshot, wait_for
from tests.serve_fixture import make_library, start_server

__all__ = ["browser"]  # the fixture, shared with the page's other tests

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver")


def offline(driver, off: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": off, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def history(data: Path) -> list:
    from voice_coach.practice.store import Store

    old = os.environ.get("VOICE_COACH_DATA_DIR")
    os.environ["VOICE_COACH_DATA_DIR"] = str(data)
    try:
        with Store.open(write=False) as store:
            return store.sessions()
    finally:
        if old is None:
            os.environ.pop("VOICE_COACH_DATA_DIR", None)
        else:
            os.environ["VOICE_COACH_DATA_DIR"] = old


def test_kept_session_plays_offline_and_done_arrives_once(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    server = start_server(library, data)
    port = server.port
    try:
        browser.get(server.url)
        assert browser.execute_script("return window.isSecureContext") is True
        wait_for(lambda: browser.execute_script(
            "return navigator.serviceWorker.controller !== null"), timeout_s=30,
            what="the service worker to take the page")
        assert not browser.find_element(By.ID, "offline-note").is_displayed()
        card = browser.find_element(By.CSS_SELECTOR, ".session")
        keep = card.find_element(By.CSS_SELECTOR, "button.keep")
        size_mb = (next((library / "media").glob("*.mp3")).stat().st_size) / 1e6
        assert keep.text == f"Keep for offline ({size_mb:.1f} MB)"
        keep.click()
        wait_for(lambda: card.find_element(By.CLASS_NAME, "kept").text.startswith(
            "Kept on this phone"), timeout_s=30, what="the session to be kept")
        assert f"({size_mb:.1f} MB)" in card.find_element(By.CLASS_NAME, "kept").text
        storage = wait_for(lambda: browser.find_element(By.ID, "storage").text,
                           what="the space kept sessions take")
        assert storage.startswith(f"Kept sessions take {size_mb:.1f} MB on this phone")
    finally:
        server.stop()
    assert history(data) == []

    # On the plane: no server, no network.
    offline(browser, True)
    browser.refresh()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".session button.play"),
             what="the page to open offline")
    assert browser.execute_script("return navigator.onLine") is False
    browser.find_element(By.CSS_SELECTOR, ".session button.play").click()
    audio = browser.find_element(By.ID, "audio")
    wait_for(lambda: browser.execute_script("return arguments[0].currentTime", audio) > 0.5,
             what="the kept session to play offline")
    chapters = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#chapters button"),
                        what="the chapters, offline")
    assert chapters[0].text.startswith("Set 1 of 3")
    assert wait_for(lambda: browser.find_element(By.ID, "cue").text.strip(),
                    what="the cue being said, offline")
    meta = browser.execute_script(
        "var m = navigator.mediaSession.metadata; return [m.title, m.album];")
    assert meta == ["Minimal", "voice-coach"]
    handlers_ok = browser.execute_script("""
        try { navigator.mediaSession.setActionHandler('nexttrack', null); return true; }
        catch (e) { return false; }""")
    assert handlers_ok
    # Set 1 heard (at 16 times the speed), then Done, twice: kept on the phone.
    spans = json.loads((library / "library.json").read_text())["entries"][0]["rendered"][
        "set_spans_ms"]
    browser.execute_script("arguments[0].playbackRate = 16", audio)
    wait_for(lambda: browser.execute_script("return arguments[0].currentTime", audio)
             >= spans[0][1] / 1000, timeout_s=60, what="set 1 to be heard")
    browser.execute_script("arguments[0].pause()", audio)
    browser.find_element(By.ID, "effort").send_keys("5")
    for _ in range(2):
        browser.find_element(By.ID, "done").click()
        wait_for(lambda: browser.find_element(By.ID, "done-status").text.startswith(
            "Kept on this phone"), what="Done to be kept offline")
    assert browser.execute_script(
        "return JSON.parse(localStorage.getItem('voice-coach-done-queue')).length") == 1
    assert browser.find_element(By.ID, "pending-note").text == (
        "1 Done is kept on this phone and sent when the computer is reachable.")
    screenshot(browser, "phone-page-offline.png")

    # Back home: the server again (same port, same token), the network on.
    server = start_server(library, data, "--port", str(port))
    try:
        offline(browser, False)
        browser.execute_script("window.dispatchEvent(new Event('online'))")
        wait_for(lambda: browser.execute_script(
            "return JSON.parse(localStorage.getItem('voice-coach-done-queue')).length") == 0,
            timeout_s=30, what="the kept Done to be sent")
        browser.execute_script("return window.vcOffline.flush()")  # and once more: nothing
        records = history(data)
        assert [(r.done_sets, r.planned_sets, r.effort, r.source) for r in records] == [
            (1, 3, 5, "done")]
        marks = json.loads((library / "done.json").read_text())["done"]
        assert [(m["key"], m["sets"]) for m in marks] == [("minimal", 1)]
        assert browser.find_element(By.ID, "today").text == "Today: 1 of 3 sets"
        assert not browser.find_element(By.ID, "pending-note").is_displayed()
    finally:
        server.stop()
    shutil.rmtree(tmp_path / "library", ignore_errors=True)
