"""The edition PDF takes each page's compressed content stream from the page's render job
(`paiban.edition.build_cache.ContentStreams`) instead of compressing it again: the same bytes as
compressing it, a sealed entry per stream, and a damaged entry is a miss that is rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from paiban.cache_health import unseal
from paiban.edition.build_cache import STREAMS, BuildCache, ContentStreams
from paiban.model.placed import EncodedPage, Rect, Rule
from paiban.render.pdf_writer import deflate_page, pdf_bytes


def _page(number: int) -> EncodedPage:
    """A page whose content stream is long and its own (rules and tints, no fonts)."""
    rules = tuple(Rule(10.0 + i, 10.0, 10.0 + i, 200.0 + number, 0.5, (0, 0, 0, 1)) for i in range(300))
    return EncodedPage(number=number, width=400.0, height=300.0, text="", chars={}, rules=rules,
                       rects=(Rect(20, 20, 50 + number, 40, stroke=0, fill_cmyk=(0, 0.2, 0, 0)),))


class Counting:
    """`deflate_page`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, content: bytes) -> bytes:
        self.calls += 1
        return deflate_page(content)


def _render_dir(tmp_path: Path) -> Path:
    cache = BuildCache(tmp_path / "out")
    cache.create()
    return cache.render_dir


def test_the_edition_pdf_takes_the_pages_streams_and_is_the_same_bytes(tmp_path: Path) -> None:
    pages = [_page(1), _page(2)]
    render_dir = _render_dir(tmp_path)
    pages_deflate = Counting()
    singles = [pdf_bytes(f"p{p.number}", [p], {}, lambda face, char: 1.0,
                         compress=ContentStreams(render_dir, pages_deflate)) for p in pages]
    assert pages_deflate.calls == 2
    assert singles == [pdf_bytes(f"p{p.number}", [p], {}, lambda face, char: 1.0) for p in pages]
    streams = sorted((render_dir.parent / STREAMS).glob("*.flate"))
    assert len(streams) == 2 and not list(render_dir.glob("*.flate"))  # beside the render folder's entries
    edition_deflate = Counting()
    edition = pdf_bytes("edition", pages, {}, lambda face, char: 1.0,
                        compress=ContentStreams(render_dir, edition_deflate))
    assert edition_deflate.calls == 0  # both streams taken from the pages' jobs
    assert edition == pdf_bytes("edition", pages, {}, lambda face, char: 1.0)


@pytest.mark.parametrize("damage", ["truncate", "flip", "rename"])
def test_a_damaged_stream_is_compressed_again_and_rewritten(tmp_path: Path, damage: str) -> None:
    render_dir = _render_dir(tmp_path)
    content = b"0 0 m 100 100 l S\n" * 2000
    other = b"0 0 m 50 50 l S\n" * 2000
    streams = ContentStreams(render_dir, deflate_page)
    assert streams(content) == deflate_page(content)
    path, = (render_dir.parent / STREAMS).glob("*.flate")
    kept = path.read_bytes()
    entry, payload = unseal(kept, binary=True)
    assert payload == deflate_page(content)
    if damage == "truncate":
        path.write_bytes(kept[:-10])
    elif damage == "flip":
        path.write_bytes(kept[:-100] + bytes([kept[-100] ^ 0x01]) + kept[-99:])
    else:  # another stream's entry under this stream's name: sealed, but not this one
        streams(other)
        other_path, = [p for p in (render_dir.parent / STREAMS).glob("*.flate") if p != path]
        other_path.replace(path)
    counting = Counting()
    assert ContentStreams(render_dir, counting)(content) == deflate_page(content)
    assert counting.calls == 1
    assert path.read_bytes() == kept  # rewritten whole


def test_old_streams_are_pruned_with_the_render_entries(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "out")
    cache.create()
    ContentStreams(cache.render_dir, deflate_page)(b"0 0 m 1 1 l S\n" * 100)
    assert cache.prune(max_age_days=1) == 0
    assert cache.prune(max_age_days=-1) == 1
    assert not list((cache.render_dir.parent / STREAMS).iterdir())
