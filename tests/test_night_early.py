"""The night starts composing early: a composition goes to the pool as soon as its own articles
are read, before the rest of its edition, keyed as if the edition drew no character beyond
U+FFFF (`compose.prepare_editions`, ``early``). Where the edition turns out to draw one, it
uses a composition keyed with its real code space, and its PDFs are still byte for byte those
of building it alone in one process.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_edition_build import paiban
from test_night_run import LOCAL_ARTICLES, files, make_night

from paiban.edition.compose import prepare_editions
from paiban.edition.edition_loader import load_edition

ASTRAL = "𠮷"  # U+20BB7, beyond U+FFFF


def _north_draws_an_astral_character(editions: list[Path]) -> None:
    article = editions[0].parent / LOCAL_ARTICLES["north"][0]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("。", f"。{ASTRAL}", 1), encoding="utf-8")


def test_compositions_go_early_and_every_one_an_edition_uses_is_handed_on(tmp_path):
    editions = make_night(tmp_path / "src")
    _north_draws_an_astral_character(editions)
    specs = [load_edition(path) for path in editions]
    handed: list[tuple[object, int]] = []
    per_edition, distinct = prepare_editions(specs, ready=lambda item, rank: handed.append((item, rank)), early=2)
    north, south = per_edition
    # north's spread went early, keyed without north's code space; north uses another composition
    # of it, keyed with the code space that holds 𠮷, composed after north was read
    early_spread = handed[0][0]
    assert early_spread.space.astral == () and early_spread is not north[0]
    assert north[0].space.astral == (ASTRAL,) and north[0].key != early_spread.key
    # south draws nothing beyond U+FFFF: it uses the composition that went early
    assert south[0] is early_spread and south[1].space.astral == ()
    # every composition an edition uses was handed on once, the very object it uses
    used = {id(item) for items in per_edition for item in items}
    assert used <= {id(item) for item, _ in handed}
    assert len(handed) == len({item.key for item, _ in handed}) == len(distinct) == 4
    assert {item.key: rank for item, rank in handed}[south[1].key] == 1


def test_without_early_hand_on_each_edition_is_handed_on_once_it_is_read(tmp_path):
    editions = make_night(tmp_path / "src")
    specs = [load_edition(path) for path in editions]
    handed: list[tuple[str, int]] = []
    per_edition, distinct = prepare_editions(specs, ready=lambda item, rank: handed.append((item.key, rank)))
    assert handed == [(key, 0 if key in {i.key for i in per_edition[0]} else 1) for key in distinct]
    assert len(distinct) == 3  # the spread once, each local layout


def test_a_night_whose_edition_draws_beyond_u_ffff_is_what_each_edition_alone_gives(tmp_path):
    editions = make_night(tmp_path / "src")
    _north_draws_an_astral_character(editions)
    out = tmp_path / "night"
    done = paiban("build", *map(str, editions), "-o", str(out), "--jobs", "2", "--no-previews", "--json", check=True)
    for path in editions:
        alone = tmp_path / f"alone-{path.stem}"
        paiban("build", str(path), "-o", str(alone), "--jobs", "1", "--no-previews", check=True)
        made = files(out, path.stem)
        assert len(made) == 4 + 1
        assert made == files(alone, path.stem), path.stem
    # the spread's pages were encoded in each edition's code space: two compositions, other keys
    north, south = ({p["page"]: p["key"] for p in e["pages"]} for e in json.loads(done.stdout)["editions"])
    assert north[1] != south[1] and north[2] != south[2]
