"""The code space of a night's editions: the characters beyond U+FFFF their articles draw are
searched once a run for each set of articles (editions that share a layout share its articles),
and those of each layout's own texts (page furniture, jump lines) for each use of the layout
(`compose._stories`, `pipeline.layout_texts`). Either kind puts the character in the code space
of every composition of the edition that draws it, and of no other edition's.
"""

from __future__ import annotations

from test_night_run import make_night

from paiban import pipeline
from paiban.edition.compose import prepare_editions
from paiban.edition.edition_loader import load_edition

ASTRAL = "𠮷"  # U+20BB7, beyond U+FFFF


def _spaces(per_edition) -> list[list[tuple[str, ...]]]:
    return [[item.space.astral for item in items] for items in per_edition]


def test_an_astral_character_of_shared_articles_is_in_each_edition_and_searched_for_once(tmp_path, monkeypatch):
    editions = make_night(tmp_path / "src")
    article = editions[0].parent / "sample-port.txt"  # the spread's, which both editions use
    article.write_text(article.read_text(encoding="utf-8").replace("。", f"。{ASTRAL}", 1), encoding="utf-8")
    searched: list[int] = []
    article_texts = pipeline.article_texts
    monkeypatch.setattr(pipeline, "article_texts", lambda articles: searched.append(1) or article_texts(articles))
    per_edition, distinct = prepare_editions([load_edition(path) for path in editions])
    # the spread's articles (in both editions) and each local layout's: three sets, one search each
    assert len(searched) == 3
    assert _spaces(per_edition) == [[(ASTRAL,), (ASTRAL,)], [(ASTRAL,), (ASTRAL,)]]
    assert per_edition[0][0] is per_edition[1][0] and len(distinct) == 3


def test_an_astral_character_of_the_page_furniture_is_in_its_edition_only(tmp_path):
    editions = make_night(tmp_path / "src")
    north = editions[0]
    # a section name prints in page 3's running head: a text of the layout, not of its articles
    north.write_text(north.read_text(encoding="utf-8").replace("3: 本地", f"3: 本地{ASTRAL}"), encoding="utf-8")
    per_edition, distinct = prepare_editions([load_edition(path) for path in editions])
    assert _spaces(per_edition) == [[(ASTRAL,), (ASTRAL,)], [(), ()]]
    # north's spread is keyed with north's code space: not the composition south uses
    assert per_edition[0][0].key != per_edition[1][0].key and len(distinct) == 4
