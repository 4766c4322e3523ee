"""The night: several editions in one `paiban build ED1 ED2 …` run.

Two small editions share a two-page spread (the same articles and edition variables) and each
has a two-page local layout of its own (other articles, other characters). Built together, each
edition's files are byte for byte those of building it alone (one process, two workers, a Dask
cluster); a shared page is rendered once and published as one file; an edit to one local
article re-renders only that edition's pages it affects; --strict fails one edition, not the
night; progress names editions and pages.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_edition_build import ARTICLES, LAYOUT_HEAD, SPREAD, paiban

LOCAL = LAYOUT_HEAD + """pages:
  - page: 1
    regions:
      - {name: one-head, kind: headline, columns: [1, 4], lines: [1, 6]}
      - {name: one-body, columns: [1, 4], lines: [7, 40]}
  - page: 2
    regions:
      - {name: two-head, kind: headline, columns: [1, 4], lines: [1, 6]}
      - {name: two-body, columns: [1, 4], lines: [7, 40]}
stories:
  - {name: one, article: ONE, headline: one-head, thread: [one-body]}
  - {name: two, article: TWO, headline: two-head, thread: [two-body]}
"""

EDITION = """edition_name: NAME
title: 示例报 NAME版
edition: {paper: 示例报, date: 2024-01-05, sections: {1: 要闻, 2: 要闻, 3: 本地, 4: 本地}}
layouts:
  - spread.yaml
  - local-NAME.yaml
previews: {dpi: 40, thumb_width: 60, columns: 4}
"""

#: each edition's local articles (page 3, page 4): other texts, so other characters
LOCAL_ARTICLES = {"north": ("sample-culture.txt", "sample-weather.txt"),
                  "south": ("sample-night-market.txt", "sample-volunteers.txt")}


def make_night(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sample-port.txt", "sample-brief.txt", *(a for pair in LOCAL_ARTICLES.values() for a in pair)):
        shutil.copy(ARTICLES / name, folder / name)
    (folder / "spread.yaml").write_text(SPREAD.replace(f"{ARTICLES}/", ""), encoding="utf-8")
    paths = []
    for name, (one, two) in LOCAL_ARTICLES.items():
        (folder / f"local-{name}.yaml").write_text(LOCAL.replace("ONE", one).replace("TWO", two), encoding="utf-8")
        path = folder / f"{name}.yaml"
        path.write_text(EDITION.replace("NAME", name), encoding="utf-8")
        paths.append(path)
    return paths


def files(out: Path, name: str) -> dict[str, bytes]:
    """The edition's published PDFs and PNGs (links followed) by name."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.name.startswith(name) and p.suffix in (".pdf", ".png")}


def report(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}-report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> tuple[list[Path], Path, dict[str, Path]]:
    """(the edition files, the night built with two workers, each edition built alone with one process)."""
    folder = tmp_path_factory.mktemp("night")
    editions = make_night(folder / "src")
    out = folder / "night"
    done = paiban("build", *map(str, editions), "-o", str(out), "--jobs", "2", "--json", "--progress", check=True)
    (folder / "night.json").write_text(done.stdout, encoding="utf-8")
    (folder / "night.err").write_text(done.stderr, encoding="utf-8")
    alone = {}
    for path in editions:
        alone[path.stem] = folder / f"alone-{path.stem}"
        paiban("build", str(path), "-o", str(alone[path.stem]), "--jobs", "1", check=True)
    return editions, out, alone


def test_each_edition_of_a_night_is_byte_for_byte_the_edition_built_alone(night):
    editions, out, alone = night
    for path in editions:
        made = files(out, path.stem)
        assert len(made) == 4 + 4 + 2  # page PDFs, previews, edition PDF, contact sheet
        assert made == files(alone[path.stem], path.stem), path.stem
    # the local pages differ, and so do the editions' characters: their edition PDFs differ
    assert files(out, "north")["north.pdf"] != files(out, "south")["south.pdf"]


def test_a_shared_page_is_rendered_once_and_published_as_one_file(night):
    editions, out, _ = night
    data = json.loads((out.parent / "night.json").read_text(encoding="utf-8"))
    assert data["status"] == "built" and data["exit_status"] == 0
    assert [e["edition"] for e in data["editions"]] == ["north", "south"]
    north, south = ({p["page"]: p for p in e["pages"]} for e in data["editions"])
    for page in (1, 2):  # the spread: the same composition, the same page file
        assert north[page]["key"] == south[page]["key"] and north[page]["rendered"]
        assert north[page]["worker"] == south[page]["worker"]  # one render job made it
        assert os.stat(out / f"north-0{page}.pdf").st_ino == os.stat(out / f"south-0{page}.pdf").st_ino
    for page in (3, 4):
        assert north[page]["key"] != south[page]["key"]
    assert data["night"] == {"editions": 2, "pages": 8, "distinct_pages": 6, "distinct_pages_rendered": 6}
    # the shared layout composed once: its time is reported by both editions, the same number
    spread = [[layout for layout in e["layouts"] if layout["file"].endswith("spread.yaml")][0]
              for e in data["editions"]]
    assert spread[0]["compose_seconds"] == spread[1]["compose_seconds"] > 0
    progress = (out.parent / "night.err").read_text(encoding="utf-8")
    assert "rendering page" in progress and "editions done 2/2" in progress and "published south" in progress


def test_an_edit_to_one_local_article_rerenders_only_that_editions_pages_it_affects(night, tmp_path):
    editions, built, _ = night
    src = tmp_path / "src"
    shutil.copytree(editions[0].parent, src)
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    paths = [src / p.name for p in editions]
    before = {name: (out / name).stat().st_mtime_ns for path in paths for name in files(out, path.stem)}
    # one more paragraph of north's page 4 story, made of characters its layout already sets
    article = src / LOCAL_ARTICLES["north"][1]
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\n" + text.rstrip().rsplit("\n\n", 1)[-1] + "\n", encoding="utf-8")
    data = json.loads(paiban("build", *map(str, paths), "-o", str(out), "--json", check=True).stdout)
    north, south = data["editions"]
    assert [p["rendered"] for p in north["pages"]] == [False, False, False, True]
    assert not any(p["rendered"] for p in south["pages"])  # south did not change at all
    changed = {name for name, mtime in before.items() if (out / name).stat().st_mtime_ns != mtime}
    assert changed == {"north-04.pdf", "north-04.png", "north.pdf", "north-contact.png"}
    # a character no page of north's local layout had: both its pages embed it in their fonts
    # (a page's fonts are prepared for its composition's characters), the shared pages do not
    article.write_text(text.replace("。", "。鑫", 1), encoding="utf-8")
    data = json.loads(paiban("build", *map(str, paths), "-o", str(out), "--json", check=True).stdout)
    north, south = data["editions"]
    assert [p["rendered"] for p in north["pages"]] == [False, False, True, True]
    assert set(south["timings"]) == {"up-to-date check", "total"}  # nothing it reads changed
    for path in paths:  # and the files are those of a build from scratch
        fresh = tmp_path / f"fresh-{path.stem}"
        paiban("build", str(path), "-o", str(fresh), check=True)
        assert files(out, path.stem) == files(fresh, path.stem)


def test_the_night_on_a_dask_cluster_gives_the_same_files(night, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    editions, _, _ = night
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:  # dashboard on any free port: 8787 may be taken
        out = tmp_path / "dask"
        paiban("build", *map(str, editions), "-o", str(out), "--scheduler", cluster.scheduler_address, check=True)
    for path in editions:  # (built now: other work on the tree may change paiban's output meanwhile)
        alone = tmp_path / f"alone-{path.stem}"
        paiban("build", str(path), "-o", str(alone), "--jobs", "1", check=True)
        assert report(out, path.stem)["executor"].startswith("Dask scheduler")
        assert files(out, path.stem) == files(alone, path.stem)


def test_strict_fails_one_edition_of_the_night_and_builds_the_others(night, tmp_path):
    editions, _, _ = night
    src = tmp_path / "src"
    shutil.copytree(editions[0].parent, src)
    local = src / "local-south.yaml"
    local.write_text(local.read_text(encoding="utf-8").replace("lines: [7, 40]", "lines: [7, 9]", 1),
                     encoding="utf-8")
    out = tmp_path / "out"
    result = paiban("build", str(src / "north.yaml"), str(src / "south.yaml"), "-o", str(out), "--strict", "--json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert [(e["edition"], e["status"]) for e in data["editions"]] == [("north", "built"), ("south", "strict-failed")]
    assert data["exit_status"] == 1 and data["status"] == "strict-failed"
    paiban("build", str(src / "north.yaml"), "-o", str(tmp_path / "alone"), "--jobs", "1", check=True)
    assert files(out, "north") == files(tmp_path / "alone", "north")
    assert files(out, "south") == {} and report(out, "south")["status"] == "strict-failed"


def test_several_files_must_be_editions_of_their_own_names(night, tmp_path):
    editions, _, _ = night
    layout = editions[0].parent / "spread.yaml"
    result = paiban("build", str(editions[0]), str(layout), "-o", str(tmp_path / "a"))
    assert result.returncode == 2 and "each is an edition file" in result.stderr
    twin = editions[0].parent / "twin.yaml"
    twin.write_text(editions[0].read_text(encoding="utf-8"), encoding="utf-8")
    result = paiban("build", str(editions[0]), str(twin), "-o", str(tmp_path / "b"))
    assert result.returncode == 2 and "edition_name 'north'" in result.stderr
    assert not (tmp_path / "b").exists()  # nothing written


def test_a_change_of_press_settings_alone_rerenders_the_pages(night, tmp_path):
    """`press:` changes only what the renderer adds (marks, slug, boxes): the pages' compositions
    are the same, their PDFs are not, and none may come from the cache."""
    editions, built, _ = night
    src = tmp_path / "src"
    shutil.copytree(editions[0].parent, src)
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    north = src / "north.yaml"
    north.write_text(north.read_text(encoding="utf-8") + "press: {marks: false}\n", encoding="utf-8")
    data = json.loads(paiban("build", str(north), "-o", str(out), "--json", check=True).stdout)
    assert all(p["rendered"] for p in data["pages"])
    fresh = tmp_path / "fresh"
    paiban("build", str(north), "-o", str(fresh), check=True)
    assert files(out, "north") == files(fresh, "north")
    assert files(out, "north")["north-01.pdf"] != files(built, "north")["north-01.pdf"]
