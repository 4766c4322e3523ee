"""The previews of pages of one composition are made together (`render_pool.preview_jobs`): one
preview rendition of all the pages, read by PDFium once. Each page's PNG and thumbnail have the
very bytes the page's rendition alone gives (the same fonts: made for the same characters), each
is written under its own key, and the job's time is shared out between the pages. The night
queues one preview job for an edition's pages of a composition, once their PDFs are all made,
not one a page; a page whose preview is cached is not previewed again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from paiban import cli, pipeline
from paiban.edition import render_pool
from paiban.edition.edition_loader import PreviewSpec

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "layouts" / "demo.yaml"


@pytest.fixture(scope="module")
def jobs():
    """A preview job for each of the demo's pages, their fonts made for the characters of all."""
    loaded = pipeline.load(DEMO)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout), None)
    pages = [future.result() for future in pipeline.compose_pages(flowed, False)]
    assert len(pages) >= 2
    chars: dict[str, set[str]] = {}
    for page in pages:
        for key, text in page.encoded.chars.items():
            chars.setdefault(key, set()).update(text)
    made = []
    for page in pages:
        used = sorted(page.encoded.chars)
        render = render_pool.RenderJob(f"k{page.encoded.number}", "page", "demo", (page.encoded,),
                                       tuple(page.faces[k] for k in used),
                                       tuple((k, "".join(sorted(chars[k]))) for k in used), None, None)
        made.append(render_pool.PreviewJob(f"p{page.encoded.number}", render, PreviewSpec(), None))
    return tuple(made)


def test_pages_previewed_together_have_the_bytes_of_each_alone(jobs):
    together = render_pool.preview_jobs(jobs)
    alone = [render_pool.preview_jobs((job,))[0] for job in jobs]
    assert [r.key for r in together] == [job.key for job in jobs]
    assert [r.files for r in together] == [r.files for r in alone]
    assert len({r.files[0][1] for r in together}) == len(jobs)  # each page its own preview
    assert len({r.seconds for r in together}) == 1 and together[0].seconds > 0  # the time shared out


def test_previews_together_are_written_under_each_key(jobs, tmp_path):
    results = render_pool.preview_jobs(tuple(replace(job, store=str(tmp_path)) for job in jobs))
    alone = render_pool.preview_jobs(jobs)
    assert all(r.files == () for r in results)
    for job, expected in zip(jobs, alone):
        for suffix, data in expected.files:
            assert (tmp_path / f"{job.key}{suffix}").read_bytes() == data


def test_the_night_previews_a_composition_s_pages_in_few_jobs(tmp_path, monkeypatch):
    calls = []
    original = render_pool.preview_jobs

    def counted(jobs):
        calls.append(len(jobs))
        return original(jobs)

    monkeypatch.setattr(render_pool, "preview_jobs", counted)
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "cache"))
    edition = ROOT / "layouts" / "editions" / "city.yaml"
    assert cli.main(["build", str(edition), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    pages = len(list((tmp_path / "out").glob("*-[0-9]*.png")))
    assert sum(calls) == pages > len(calls) and min(calls) > 1  # the city's compositions: 2 pages each
    calls.clear()
    assert cli.main(["build", str(edition), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    assert calls == []  # cached previews are not made again
