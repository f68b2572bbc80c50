"""serve/page.py's parts, as the phone page shows them: a session's card word for word, today's
sets and marks, what is still being prepared, the empty library and the certificate offer."""

from __future__ import annotations

from voice_coach.serve import page
from voice_coach.serve.library import Entry, Rendered

CARD = """\
<li class="session" id="k&amp;1" lang="de-AT" data-key="k&amp;1" data-title="Ankle &amp; co" \
data-size="1260000" data-audio="media/a%20b.mp3" data-chapters="media/a%20b.json" \
data-transcript="media/a%20b.vtt" data-language="de-AT">
  <h3 id="k&amp;1-title">Ankle &amp; co</h3>
  <p class="meta" lang="en">1 min 02 s · German · 1 set</p>
  <p class="about">For &lt;evenings&gt;.</p>
  <p class="about dose" lang="de-AT">Zwölf &amp; mehr</p>
  <p class="actions" lang="en"><button type="button" class="play" \
aria-describedby="k&amp;1-title">Play</button> <a href="media/a%20b.mp3" \
download="Ankle &amp; co.mp3" aria-describedby="k&amp;1-title">Download</a> \
<button type="button" class="keep" aria-describedby="k&amp;1-title" hidden>\
Keep for offline (1.3 MB)</button></p>
  <p class="kept" lang="en" role="status" aria-live="polite"></p>
</li>"""


def rendered(**changes) -> Rendered:
    fields = dict(audio="a b.mp3", chapters="a b.json", transcript="a b.vtt",
                  render_key="k" * 64, size_bytes=1_260_000, sha256="0" * 64,
                  duration_ms=61_500, title="Ankle & co", about="For <evenings>.",
                  description="D.", language="de-AT", voice="de", sets=1,
                  rendered_at="2026-12-01T20:00:00+00:00", dose="Zwölf & mehr")
    return Rendered(**{**fields, **changes})


def episode(**changes) -> page.Episode:
    return page.Episode(Entry("k&1", "ankle-pumps", True, rendered=rendered(**changes)))


def html(episodes=(), today=None, **kwargs) -> str:
    return page.render_page(list(episodes), today or page.Today(0, (), "library"),
                            feed_url="http://h/feed.xml", **kwargs)


def test_a_card_word_for_word() -> None:
    """61.5 s rounds to 1 min 02 s; 1260000 bytes are 1.3 MB; de-AT is German; one set."""
    assert CARD in html([episode()])


def test_a_card_without_about_or_dose_and_with_sets() -> None:
    card = html([episode(about="", dose="", sets=3, language="en", duration_ms=3_725_000)])
    assert '<p class="meta" lang="en">1 h 02 min · English · 3 sets</p>\n  \n' in card
    assert 'class="about' not in card


def test_today_counts_and_marks() -> None:
    from voice_coach.serve.done import DoneMark

    marks = (DoneMark("k", "r", "A & B", 1, "2026-12-01T07:05:00+01:00"),
             DoneMark("k", "r", "C", 2, "not a time"))
    page_html = html(today=page.Today(2, marks, "library"))
    assert '<p id="today" role="status">Today: 2 sets done.</p>' in page_html
    assert ('<ul id="today-list" class="today-list"><li>A &amp; B, 1 set, at 07:05</li>'
            "<li>C, 2 sets, at not a time</li></ul>") in page_html
    assert ('</p>\n  <ul id="today-list" class="today-list" hidden></ul>\n  <p id="preparing"'
            in html())
    assert page.today_text(page.Today(1, (), "library")) == "Today: 1 set done."
    assert page.today_text(page.Today(0, (), "library")) == "Today: no sets done yet."
    assert page.today_text(page.Today(0, (), "practice", goal=2)) == "Today: 0 of 2 sets"
    assert page.today_text(page.Today(4, (), "practice", goal=1)) == "Today: 4 of 1 set"


def test_what_is_still_being_prepared() -> None:
    progress = {"running": True, "pending": ["a", "b"], "current": {"title": "X & Y",
                                                                   "fraction": 0.456}}
    assert page.preparing_text(progress) == (
        "Preparing 2 more sessions: now X & Y (46%). Each appears here when ready.")
    one = {"running": True, "pending": ["a"], "current": None}
    assert page.preparing_text(one) == "Preparing 1 more session. Each appears here when ready."
    for idle in (None, {}, {"running": False, "pending": ["a"]}, {"running": True,
                                                                 "pending": []}):
        assert page.preparing_text(idle) == ""
    nearly = {**progress, "current": {"title": "Z", "fraction": 0.9}}
    assert "now Z (90%)." in page.preparing_text(nearly)
    busy = html(progress=progress)
    assert ('<p id="preparing" class="preparing" role="status" aria-live="polite">Preparing 2 '
            "more sessions: now X &amp; Y (46%). Each appears here when ready.</p>") in busy
    # nothing rendered yet, but coming
    assert '<p id="storage" class="storage" hidden></p>\n  <ul class="sessions"></ul>\n' in busy
    idle = html()
    assert ('<p id="preparing" class="preparing" role="status" aria-live="polite" hidden></p>'
            in idle)
    assert ('<p id="storage" class="storage" hidden></p>\n  <p>No sessions yet. Add one on the '
            "computer with <code>voice-coach library add ROUTINE</code>, then start <code>"
            "voice-coach serve</code> again.</p>\n</section>") in idle


def test_the_ratings_and_the_certificate_offer() -> None:
    plain = html([episode()])
    options = "".join(f'<option value="{n}">{n}</option>' for n in range(11))
    assert plain.count(options) == 2  # effort and pain, 0 to 10
    assert '<option value="11">' not in plain
    assert 'href="ca.crt"' not in plain and "<footer>\n  \n  <p>Served" in plain
    offer = html([episode()], certificate=True)
    assert ('<footer>\n  <p class="certificate">New phone? <a href="ca.crt">Install this '
            "computer's certificate</a> once, so the page opens without a warning and keeps "
            "sessions for offline use (steps in docs/phone.md).</p>\n  <p>Served") in offer
    assert '<ul class="sessions">\n<li class="session"' in offer
    two = html([episode(), episode(size_bytes=1_050_000)])
    assert "</li>\n<li class=\"session\"" in two and "</li>\n</ul>\n</section>" in two
    assert "Keep for offline (1.1 MB)" in two  # 1.05 MB, to one decimal
    assert 'value="http://h/feed.xml"' in offer
