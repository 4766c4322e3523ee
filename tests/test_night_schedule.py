"""How the night orders its jobs (`paiban.edition.night`), driven through a pool that only
records what it is given:

* every composition goes before any other job, whichever edition it is for: a composition left
  for the end of the night (the longest kind of job) would end it on one worker alone;
* an edition's contact sheet is a job of the pool, queued once its previews are made, and the
  edition is finished (report, publishing) only once that job is done;
* while the build's process finishes an edition, the pool is given work beyond its usual limit,
  so that the workers are not idle meanwhile;
* a composition's previews are one job (one rendition of its pages), but the night's last ones,
  which go in smaller jobs so that the workers end together.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from paiban.edition import render_pool
from paiban.edition.compose import compose_job
from paiban.edition.edition_loader import PreviewSpec
from paiban.edition.night import (COMPOSE, CONTACT, FINISH_BACKLOG, RENDER, EditionWork, Night, render_pages)


class RecordingPool:
    """A pool that runs nothing: it keeps what it was given, in order."""

    forked = True
    local_files = True
    description = "recording"

    def __init__(self) -> None:
        self.submitted: list[tuple] = []
        self.released = False

    def submit(self, function, *args):
        self.submitted.append((function, args))
        return object()

    def release(self) -> None:
        self.released = True


def night_with_pool(jobs: int = 2, limit: int = 100) -> tuple[Night, RecordingPool]:
    options = SimpleNamespace(scheduler=None, jobs=jobs, trace=None, previews=True, force=False, proof=False)
    night = Night(options, progress=lambda line: None, at_least=jobs)
    pool = night.pool = RecordingPool()
    night.local_compose, night.limit = False, limit
    night.cache = SimpleNamespace(has_render=lambda key, suffixes: False,
                                  render_path=lambda key, suffix: Path("/cache") / f"{key}{suffix}")
    night.store = "/cache"
    return night, pool


def an_edition(name: str, pages: int) -> EditionWork:
    spec = SimpleNamespace(name=name, title=f"{name} title", previews=PreviewSpec(), variables={"date": "2024-01-05"})
    work = EditionWork(Path(f"{name}.yaml"), spec, [])
    work.keys = {n: f"{name}-pdf-{n}" for n in range(1, pages + 1)}
    work.previews = {n: f"{name}-png-{n}" for n in range(1, pages + 1)}
    work.phase = "rendering"
    return work


def test_a_later_editions_composition_goes_before_an_earlier_editions_pages():
    night, pool = night_with_pool()
    night._push(0, RENDER, render_pages, ((),), (RENDER, ("first-edition-page",)))
    layout = SimpleNamespace(pages=(1, 2, 3))
    night.distinct["late"] = SimpleNamespace(layout=layout, job=lambda: "the composition's job")
    night.rank["late"], night.parts["late"] = 2, []  # first used by the third edition
    night.held.append("late")
    night._submit_composes()
    night._fill()
    assert [function for function, _ in pool.submitted] == [compose_job, render_pages]
    assert pool.submitted[0][1][0] == "the composition's job"


def test_the_contact_sheet_is_a_job_once_the_previews_are_made_and_the_edition_waits_for_it():
    night, pool = night_with_pool()
    finished: list[str] = []
    night.finish = lambda work, status, results, executor: finished.append(status)
    work = an_edition("city", 2)
    night.editions = [work]
    night._want_contact(work)
    work.waiting |= set(work.previews.values())
    work.waiting.discard("city-png-1")
    night._check(work)
    assert not night.queue and not finished  # a preview is still to come
    work.waiting.discard("city-png-2")
    night._check(work)
    assert not finished
    ((_, kind, _, function, args, node),) = night.queue
    assert (kind, function, node) == (CONTACT, render_pool.contact_job, (CONTACT, work.contact))
    key, thumbs, preview, title, store = args
    assert key == work.contact and store == "/cache" and preview == PreviewSpec()
    assert thumbs == (("1", "/cache/city-png-1.thumb.png"), ("2", "/cache/city-png-2.thumb.png"))
    assert title == "city 2024-01-05 - 2 pages"
    night.queue.clear()
    night._done(node, render_pool.RenderResult(work.contact, "contact sheet", 0.01, "worker", ()))
    assert finished == ["built"] and work.phase == "done"


def test_the_workers_get_more_to_do_while_an_edition_is_finished():
    night, pool = night_with_pool(jobs=2, limit=2)
    given: list[int] = []
    night.finish = lambda work, status, results, executor: given.append(len(pool.submitted))
    done, later = an_edition("city", 1), an_edition("coast", 1)
    night.editions = [done, later]
    for n in range(10):  # the next edition's pages, ready
        night._push(1, RENDER, render_pages, ((),), (RENDER, (f"coast-{n}",)))
    night._check(done)
    assert given == [2 + FINISH_BACKLOG * 2]  # the limit, and the backlog of each of the two workers
    assert not pool.released


def _previews_wanted(night: Night, composition: str, pages: int) -> None:
    page_job = render_pool.RenderJob("pdf", "page 1", "title", (), (), (), None, "/cache")
    night.previews_wanted[composition] = [(0, render_pool.PreviewJob(f"png-{n}", page_job, PreviewSpec(), "/cache"))
                                          for n in range(1, pages + 1)]


def test_a_compositions_previews_are_one_job_while_the_night_has_more_to_do():
    night, _ = night_with_pool()
    night.distinct = {"a": object(), "b": object()}
    night.infos = {"a": object()}  # "b" is still to be composed
    _previews_wanted(night, "a", 8)
    night._queue_previews()
    assert [len(item[4][0]) for item in night.queue] == [8]


def test_the_nights_last_previews_go_in_smaller_jobs_so_that_the_workers_end_together():
    night, _ = night_with_pool()
    night.distinct = night.infos = {"a": object()}  # every composition composed, every page PDF made
    _previews_wanted(night, "a", 8)
    night._queue_previews()
    assert [len(item[4][0]) for item in night.queue] == [4, 4]
    assert [key for item in night.queue for key in item[5][1]] == [f"png-{n}" for n in range(1, 9)]
