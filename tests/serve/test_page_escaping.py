"""serve/page.py escapes every value it fills into the phone page: a routine's title, about
and dose, the language, today's marks and the feed address come back as text, never as markup.
Parsed with the standard HTML parser, the page with hostile values has the same elements as the
page with plain ones."""

from __future__ import annotations

from html.parser import HTMLParser

from voice_coach.serve import page
from voice_coach.serve.library import Entry, Rendered

HOSTILE = '<script>alert("t")</script><img src=x onerror=alert(1)> & "q" \'s\''


class Parsed(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data) -> None:
        self.texts.append(data)


def episode(title: str, about: str = "For evenings.", dose: str = "") -> page.Episode:
    rendered = Rendered(
        audio="a.0123456789ab.mp3", chapters="a.0123456789ab.json",
        transcript="a.0123456789ab.vtt", render_key="k" * 64, size_bytes=1_234_000,
        sha256="0" * 64, duration_ms=61_500, title=title, about=about, description="D.",
        language="en", voice="en", sets=3, rendered_at="2026-12-01T20:00:00+00:00", dose=dose)
    return page.Episode(Entry("ankle", "ankle-pumps", True, rendered=rendered))


def render(title: str, about: str = "For evenings.", dose: str = "",
           feed_url: str = "http://h/feed.xml") -> str:
    today = page.Today(1, (), "library")
    return page.render_page([episode(title, about, dose)], today, feed_url=feed_url)


def test_a_hostile_title_is_text_on_the_card_and_in_its_attribute() -> None:
    html = render(HOSTILE)
    assert "<script>alert" not in html and "<img src=x" not in html
    title = "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert f'<h3 id="ankle-title">{title} &amp; &quot;q&quot; &#x27;s&#x27;</h3>' in html
    parsed = Parsed(html)
    assert ("data-title", HOSTILE) in parsed.attributes
    assert HOSTILE in parsed.texts
    plain = Parsed(render("Ankle pumps"))
    assert parsed.tags == plain.tags  # nothing broke out: the same elements, in order


def test_about_dose_and_feed_address_are_escaped() -> None:
    about, dose = "</p><script>document.title='x'</script><p>", "<b>Twelve</b> & more"
    html = render("Ankle pumps", about, dose, feed_url='http://h/f.xml"><script>x</script>')
    assert "<script>document" not in html and "<b>Twelve" not in html
    assert "><script>x" not in html
    parsed = Parsed(html)
    assert about in parsed.texts and dose in parsed.texts
    assert parsed.tags == Parsed(render("Ankle pumps", "Plain.", "Twelve.")).tags


def test_the_download_name_is_an_escaped_attribute() -> None:
    parsed = Parsed(render('A "quoted" <title>'))
    assert ("download", "A quoted title.mp3") in parsed.attributes  # no quote or bracket in it
