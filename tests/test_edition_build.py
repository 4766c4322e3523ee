"""`paiban build EDITION`: every output, the same bytes in one process, a process pool and a Dask
cluster, the cache (no-op and incremental rebuilds), --strict, and SIGTERM halfway."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import ROOT

ARTICLES = ROOT / "layouts" / "articles"
SRC = str(ROOT / "src")

LAYOUT_HEAD = """page: {size: a4, margins: {top: 25mm, bottom: 15mm}}
grid: {body_size: 小五, columns: 4, column_chars: 12, line_pitch: 14pt}
"""

SPREAD = LAYOUT_HEAD + f"""pages:
  - page: 1
    regions:
      - {{name: port-head, kind: headline, columns: [1, 4], lines: [1, 8]}}
      - {{name: port-body, columns: [1, 4], lines: [9, 14]}}
  - page: 2
    regions:
      - {{name: port-cont, columns: [1, 2], lines: [1, 40]}}
      - {{name: brief-head, kind: headline, columns: [3, 4], lines: [1, 6]}}
      - {{name: brief-body, columns: [3, 4], lines: [7, 50]}}
stories:
  - {{name: port, article: {ARTICLES}/sample-port.txt, headline: port-head, thread: [port-body, port-cont]}}
  - {{name: brief, article: {ARTICLES}/sample-brief.txt, headline: brief-head, thread: [brief-body]}}
"""

SINGLE = LAYOUT_HEAD + """pages:
  - page: 1
    regions:
      - {name: culture-head, kind: headline, columns: [1, 4], lines: [1, 6]}
      - {name: culture-body, columns: [1, 4], lines: [7, 30]}
stories:
  - {name: culture, article: ARTICLE, headline: culture-head, thread: [culture-body]}
"""

EDITION = """edition_name: small
title: 示例报 测试版
edition: {paper: 示例报, date: 2024-01-05, sections: {1: 要闻, 2: 要闻, 3: 文化}}
layouts:
  - spread.yaml
  - single.yaml
previews: {dpi: 40, thumb_width: 60, columns: 3}
"""


def paiban(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=180)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def make_edition(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    article = folder / "culture.txt"
    shutil.copy(ARTICLES / "sample-culture.txt", article)
    for name in ("sample-port.txt", "sample-brief.txt"):  # every file inside the edition's folder, its root
        shutil.copy(ARTICLES / name, folder / name)
    (folder / "spread.yaml").write_text(SPREAD.replace(f"{ARTICLES}/", ""), encoding="utf-8")
    (folder / "single.yaml").write_text(SINGLE.replace("ARTICLE", str(article)), encoding="utf-8")
    path = folder / "small.yaml"
    path.write_text(EDITION, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """The small edition, built once with one process: (edition file, output folder)."""
    folder = tmp_path_factory.mktemp("small")
    path = make_edition(folder / "src")
    out = folder / "out-1"
    paiban("build", str(path), "-o", str(out), "--jobs", "1", check=True)
    return path, out


def report(out: Path, name: str = "small") -> dict:
    return json.loads((out / f"{name}-report.json").read_text(encoding="utf-8"))


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.suffix in (".pdf", ".png")}


def test_an_edition_build_writes_pages_edition_previews_contact_sheet_and_report(small):
    _, out = small
    names = sorted(outputs(out))
    assert names == ["small-01.pdf", "small-01.png", "small-02.pdf", "small-02.png", "small-03.pdf",
                     "small-03.png", "small-contact.png", "small.pdf"]
    combined = pdfium.PdfDocument(out / "small.pdf")
    assert len(combined) == 3
    first = pdfium.PdfDocument(out / "small-01.pdf")
    assert len(first) == 1 and "（下转第二版）" in first[0].get_textpage().get_text_range()
    third = pdfium.PdfDocument(out / "small-03.pdf")[0].get_textpage().get_text_range()
    assert "第三版" in third and "文化" in third  # (page_numerals: chinese) the single layout's page 1 is the edition's page 3
    data = report(out)
    assert data["status"] == "built" and data["exit_status"] == 0 and data["schema"] == 1
    assert [p["page"] for p in data["pages"]] == [1, 2, 3]
    assert [(p["layout_page"], p["pdf"], p["preview"]) for p in data["pages"]] == [
        (1, "small-01.pdf", "small-01.png"), (2, "small-02.pdf", "small-02.png"), (1, "small-03.pdf", "small-03.png")]
    assert data["pages"][1]["stories"] == ["port", "brief"]
    assert all(p["rendered"] and p["render_seconds"] > 0 for p in data["pages"])
    assert data["totals"]["pages_rendered"] == 3 and data["totals"]["overset"] == 0
    assert data["outputs"] == {"combined": "small.pdf", "contact_sheet": "small-contact.png",
                               "report": "small-report.json"}
    assert {"prepare", "compose", "render", "total"} <= set(data["timings"])
    assert not list(out.rglob("*.part"))


def test_jobs_2_and_a_dask_cluster_give_the_same_bytes_as_one_process(small, tmp_path):
    path, single = small
    expected = outputs(single)
    pool = tmp_path / "pool"
    paiban("build", str(path), "-o", str(pool), "--jobs", "2", check=True)
    assert report(pool)["executor"] == "2 local worker processes"
    assert outputs(pool) == expected
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:  # dashboard on any free port: 8787 may be taken
        dask_out = tmp_path / "dask"
        paiban("build", str(path), "-o", str(dask_out), "--scheduler", cluster.scheduler_address, check=True)
    assert report(dask_out)["executor"].startswith("Dask scheduler")
    assert outputs(dask_out) == expected


def test_a_second_build_renders_nothing_and_an_edit_rerenders_only_what_changed(small, tmp_path):
    path, _ = small
    folder = tmp_path / "src"
    shutil.copytree(path.parent, folder)
    edition = folder / "small.yaml"
    (folder / "single.yaml").write_text(SINGLE.replace("ARTICLE", str(folder / "culture.txt")), encoding="utf-8")
    out = tmp_path / "out"
    start = time.perf_counter()
    paiban("build", str(edition), "-o", str(out), check=True)
    first = time.perf_counter() - start
    before = {name: (out / name).stat().st_mtime_ns for name in outputs(out)}
    start = time.perf_counter()
    again = paiban("build", str(edition), "-o", str(out), "--json", check=True)
    second = time.perf_counter() - start
    data = json.loads(again.stdout)
    assert data["totals"]["pages_rendered"] == 0 and data["totals"]["layouts_composed"] == 0
    assert {name: (out / name).stat().st_mtime_ns for name in outputs(out)} == before  # not even rewritten
    # the no-op path: only the up-to-date check ran (nothing was loaded, composed or keyed); how
    # fast that is against a first build is the benchmark's to say (bench/edition_bench.py), but
    # it must not come near the first build's time, even on a busy machine
    assert set(data["timings"]) == {"up-to-date check", "total"}, data["timings"]
    assert second < first / 2, (first, second)
    # one more paragraph in the culture story, made of characters the edition has: only page 3 changes
    article = folder / "culture.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\n" + text.rstrip().rsplit("\n\n", 1)[-1] + "\n", encoding="utf-8")
    data = json.loads(paiban("build", str(edition), "-o", str(out), "--json", check=True).stdout)
    assert [layout["cached"] for layout in data["layouts"]] == [False, False]  # both composed again
    assert [p["rendered"] for p in data["pages"]] == [False, False, True]  # only what changed is rendered
    assert data["pages"][2]["lines"] > report(tmp_path / "out")["pages"][2]["lines"] - 1
    changed = {name for name, mtime in before.items() if (out / name).stat().st_mtime_ns != mtime}
    assert changed == {"small-03.pdf", "small-03.png", "small.pdf", "small-contact.png"}


def test_strict_fails_on_overset_with_a_report_and_no_pdf(small, tmp_path):
    path, _ = small
    folder = tmp_path / "src"
    shutil.copytree(path.parent, folder)
    spread = (folder / "spread.yaml").read_text(encoding="utf-8")
    (folder / "spread.yaml").write_text(spread.replace("lines: [1, 40]", "lines: [1, 2]"), encoding="utf-8")
    (folder / "single.yaml").write_text(SINGLE.replace("ARTICLE", str(folder / "culture.txt")), encoding="utf-8")
    out = tmp_path / "out"
    result = paiban("build", str(folder / "small.yaml"), "-o", str(out), "--strict", "--json")
    assert result.returncode == 1, result.stderr
    assert "overset" in result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "strict-failed" and data["exit_status"] == 1
    assert data["pages"][1]["overset"] > 0 and data["problems"]
    assert not list(out.glob("*.pdf")) and not list(out.glob("*.png"))
    assert report(out)["status"] == "strict-failed"


def test_edition_options_are_refused_for_a_layout(tmp_path):
    result = paiban("build", str(ROOT / "layouts" / "demo.yaml"), "-o", str(tmp_path), "--no-previews")
    assert result.returncode == 2 and "--no-previews is for edition files" in result.stderr


def test_the_sample_editions_build_and_sigterm_halfway_leaves_no_partial_file(tmp_path):
    city = ROOT / "layouts" / "editions" / "city.yaml"
    out = tmp_path / "out"
    paiban("build", str(city), "-o", str(out), "--no-previews", check=True)
    data = report(out, "city")
    assert data["totals"]["pages"] == 16 and data["totals"]["overset"] == 0
    assert len(list(out.glob("city-[0-9][0-9].pdf"))) == 16 and (out / "city.pdf").is_file()
    # the same build again, from scratch, with SIGTERM once the first page is rendered
    killed = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "paiban", "build", str(city), "-o", str(killed), "--jobs", "2",
                             "--progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("paiban: rendering page"):
            proc.send_signal(signal.SIGTERM)
            break
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 143, "".join(seen) + rest
    assert "SIGTERM" in rest or "interrupted" in rest
    assert not list(killed.glob("*.pdf")) and not list(killed.glob("*.png"))  # nothing published
    assert not list(killed.rglob("*.part"))
    for pdf in killed.rglob("*.pdf"):  # the cache holds whole files only
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), pdf


def test_a_page_is_rendered_again_when_the_codes_of_its_rare_characters_change(tmp_path):
    """Characters beyond U+FFFF take codes in the order of all such characters in the edition:
    removing one from page 2 moves page 1's, so page 1 must not come from the cache."""
    from paiban.fonts.registry import FontRegistry

    rare1, rare2 = "\U0002081D", "\U00020000"  # 𠠝 on page 1, 𠀀 on page 2
    registry = FontRegistry()
    if any(registry.face_for("song", c) is None for c in (rare1, rare2)):
        pytest.skip("no installed face draws U+2081D and U+20000")
    layout = """page: {size: a4, margins: {top: 25mm, bottom: 15mm}}
grid: {body_size: 小五, columns: 4, column_chars: 12, line_pitch: 14pt}
pages:
  - page: 1
    regions: [{name: body, columns: [1, 4], lines: [1, 30]}]
stories:
  - {name: s, article: ARTICLE, thread: [body]}
"""
    for n, rare in ((1, rare1), (2, rare2)):
        (tmp_path / f"a{n}.txt").write_text(f"---\nheadline: 第{n}篇\n---\n\n正文有{rare}字。\n", encoding="utf-8")
        (tmp_path / f"l{n}.yaml").write_text(layout.replace("ARTICLE", f"a{n}.txt"), encoding="utf-8")
    (tmp_path / "ed.yaml").write_text("edition_name: ed\ntitle: 测试\nedition: {paper: 示例报, date: 2024-01-05}\n"
                                      "layouts: [l1.yaml, l2.yaml]\n", encoding="utf-8")
    paiban("build", str(tmp_path / "ed.yaml"), "-o", str(tmp_path / "inc"), "--no-previews", check=True)
    article = tmp_path / "a2.txt"
    article.write_text(article.read_text(encoding="utf-8").replace(rare2, "正"), encoding="utf-8")
    paiban("build", str(tmp_path / "ed.yaml"), "-o", str(tmp_path / "inc"), "--no-previews", check=True)
    paiban("build", str(tmp_path / "ed.yaml"), "-o", str(tmp_path / "fresh"), "--no-previews", check=True)
    for name in ("ed-01.pdf", "ed-02.pdf", "ed.pdf"):
        assert (tmp_path / "inc" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


def test_the_cache_holds_only_published_bytes_and_a_trace_build_gives_the_same_files(small, tmp_path):
    """Nothing in the build cache is loaded as objects: it holds the rendered files (PDF, PNG),
    the JSON state of the last build. A build that also writes a trace (the lines are then kept and composed in this process) gives
    the same files as one without."""
    path, single = small
    out = tmp_path / "out"
    paiban("build", str(path), "-o", str(out), "--no-previews", check=True)
    cache = out / ".paiban-cache"
    kinds = {p.suffix for p in cache.rglob("*") if p.is_file() and p.name not in ("lock", "CACHEDIR.TAG")}
    assert kinds == {".pdf", ".json"}, kinds
    for state in cache.glob("state-*.json"):
        assert json.loads(state.read_text(encoding="utf-8"))["report"]["edition"] == "small"
    data = json.loads(paiban("build", str(path), "-o", str(out), "--trace", str(tmp_path / "traced.txt"), "--json",
                             check=True).stdout)
    assert data["totals"]["pages_rendered"] == 3  # the previews are new
    assert outputs(out) == outputs(single)
    paiban("build", str(path), "-o", str(tmp_path / "fresh"), "--trace", str(tmp_path / "fresh.txt"), "-j", "1",
           check=True)
    trace = (tmp_path / "traced.txt").read_text(encoding="utf-8")
    assert trace == (tmp_path / "fresh.txt").read_text(encoding="utf-8") and "（下转第二版）" in trace
