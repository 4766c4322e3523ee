"""Time an 8-page broadsheet edition of about 100,000 characters, and the same text set by Typst.

    python bench/edition_bench.py [--repeat N] [--jobs N] [--keep DIR]

The edition is the seed's paragraphs repeated to about 100,000 characters, one story threaded
through eight broadsheet pages of seven 15-character columns of 9 pt type (the layout of
bench/stage_times.py), built by an edition file with `paiban build EDITION`. Printed:

* stage times of a build into an empty output folder (from its JSON report): prepare, compose,
  render per page (PDF), previews per page (PNG) and the contact sheet;
* whole-process times (`paiban build …`, the console script, or `python -m paiban build …` when
  paiban is not installed; a fresh output folder each time, the font
  conversion cache warm as on any machine after its first build, paiban byte-compiled as an
  installed wheel is): the edition with ``--jobs`` workers and with one process, an unchanged
  rebuild (the cache's no-op path); the same 8 pages as one layout, one PDF (what Typst
  writes), with one process;
* when the `typst` package is installed (``pip install typst``): the same text in a Typst
  document written here (a 390 × 546 mm page, seven columns 15 em wide with 1 em gutters,
  9 pt Noto Serif CJK SC, justified, 2 em indent, 11 pt from baseline to baseline), compiled by a
  whole process (`python -c "import typst; typst.compile(...)"`) that finds fonts as Typst does
  (the system's font folders; `font_paths` only for folders it would not search, see
  `font_dirs`), stopping if Typst did not use Noto Serif CJK SC; and the ratio of the two.

Each whole-process time is the best of ``--repeat`` runs. Against Typst, runs go in turn
(`in_turn`): the one-PDF build, the edition without previews (its 8 page PDFs and the edition
PDF) and Typst, ``--repeat`` rounds, printed with the best and median of each, their ratios,
and the median of the ratios pair by pair with how many pairs paiban won; then the whole
edition (PDFs, a PNG of every page, the contact sheet) against Typst writing its PDF and a PNG
of every page at the edition's preview resolution, in turn, a third as many rounds. On a
machine whose CPUs are shared, speed drifts by 20 % and more from one minute to the next, and
only runs side by side see the same machine. The font cache is warm as on any machine that has
built these files before (converted font subsets and font metrics).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from stage_times import PAGES, edition_files  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
#: the `paiban` command as a user runs it: the console script beside this Python when paiban is
#: installed (it still imports this checkout's src/, first on PYTHONPATH), else ``python -m paiban``
_SCRIPT = Path(sys.executable).parent / "paiban"
PAIBAN = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "paiban"]


def interpreter() -> str:
    """The Python that runs paiban (and typst-py) here, by version and file: the same code runs
    ~15-20 % slower on a Python built with pyenv's defaults than on Debian's (README, "The night")."""
    path = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return f"Python {sys.version.split()[0]} ({path})"


def edition_file(folder: Path) -> Path:
    """The benchmark layout (bench/stage_times.py) as an 8-page edition."""
    layout = edition_files(folder)
    path = folder / "bench-edition.yaml"
    path.write_text(f"""edition_name: bench
title: 基准测试版
edition: {{paper: 西海岸新区报, date: 2024-01-05}}
layouts:
  - {layout.name}
""", encoding="utf-8")
    return path


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, env=ENV, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def paiban_build(edition: Path, out: Path, *extra: str) -> float:
    if out.exists():
        shutil.rmtree(out)
    return run([*PAIBAN, "build", str(edition), "-o", str(out), *extra])


def best(repeat: int, fn) -> float:
    return min(fn() for _ in range(repeat))


def typst_source(folder: Path) -> Path:
    """The edition's text as a Typst document with the same page, columns, type and pitch."""
    from paiban.input.article_reader import read_article

    article = read_article(folder / "edition.txt")
    body = "\n\n".join(p.text for p in article.paragraphs)
    for ch in "\\#*_`$<>@[]~=-+/":  # plain text: escape Typst markup
        body = body.replace(ch, "\\" + ch)
    width_pt = 7 * 15 * 9 + 6 * 9  # 111 characters of 9 pt
    margin_x = (390 - width_pt * 25.4 / 72) / 2
    source = f"""#set page(width: 390mm, height: 546mm, margin: (top: 15mm, bottom: 15mm, x: {margin_x:.2f}mm),
  columns: 7)
#set columns(gutter: 9pt)
#set text(font: "Noto Serif CJK SC", size: 9pt, lang: "zh", region: "cn", top-edge: 1em, bottom-edge: 0em)
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 2pt, spacing: 2pt)

{body}
"""
    path = folder / "edition.typ"
    path.write_text(source, encoding="utf-8")
    return path


def font_dirs() -> list[str]:
    """Font folders Typst would not search itself: $PAIBAN_FONT_PATH and the fonts unpacked by
    tasks.sh for a user without root. Typst searches the system's font folders by default;
    passing them again makes it read every font twice (0.41 s instead of 0.35 s measured)."""
    from paiban.fonts.discovery import font_path_dirs, unpacked_package_dirs

    return [str(d) for d in (*font_path_dirs(), *unpacked_package_dirs()) if d.is_dir()]


def typst_command(source: Path) -> list[str] | None:
    """The whole-process Typst compile of `source` into `source`.pdf, or None without Typst."""
    try:
        import typst  # noqa: F401
    except ImportError:
        return None
    pdf = source.with_suffix(".pdf")
    extra = font_dirs()
    code = (f"import typst; typst.compile({str(source)!r}, output={str(pdf)!r}"
            + (f", font_paths={extra!r})" if extra else ")"))
    return [sys.executable, "-c", code]


def typst_png_command(source: Path, dpi: float) -> list[str]:
    """The whole-process Typst compile of `source` into a PNG of every page at `dpi`."""
    pngs = source.parent / "typst-png"
    pngs.mkdir(exist_ok=True)
    extra = font_dirs()
    code = (f"import typst; typst.compile({str(source)!r}, output={str(pngs / 'page-{p}.png')!r}, format='png', "
            f"ppi={dpi!r}" + (f", font_paths={extra!r})" if extra else ")"))
    return [sys.executable, "-c", code]


def typst_pages(source: Path) -> int:
    pdf = source.with_suffix(".pdf")
    if b"NotoSerifCJK" not in pdf.read_bytes():
        raise SystemExit("typst did not find Noto Serif CJK SC: the comparison would not be fair")
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf))


def in_turn(repeat: int, runs: dict) -> dict[str, list[float]]:
    """Every run timed in turn, `repeat` rounds: on a machine whose speed drifts (shared CPUs),
    runs side by side see the same machine, so their ratio means something. The times of each,
    in the order run (the i-th of each is one round)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            times[name].append(fn())
    return times


def median(values: list[float]) -> float:
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def compile_bytecode() -> None:
    """Byte-compile paiban as an installed wheel is: with PYTHONDONTWRITEBYTECODE set (as on some
    machines), every run would otherwise compile paiban's ~80 modules again (~60 ms)."""
    import compileall

    compileall.compile_dir(str(ROOT / "src"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="build the edition into this folder too and keep it")
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        edition = edition_file(folder)
        out = folder / "out"
        paiban_build(edition, out, "--jobs", str(args.jobs))  # warms the font conversion cache
        report = json.loads((out / "bench-report.json").read_text(encoding="utf-8"))
        totals = report["totals"]
        print(f"edition: {totals['pages']} pages, {totals['characters']} characters, overset {totals['overset']}"
              f" (paiban {report['paiban']}, {args.jobs} jobs, {os.cpu_count()} CPUs, {interpreter()})")
        t = report["timings"]
        pages = report["pages"]
        render = [p["render_seconds"] for p in pages if p["render_seconds"]]
        previews = [p["preview_seconds"] for p in pages if p["preview_seconds"]]
        print(f"stages (ms): prepare {t['prepare'] * 1000:.0f}  compose {t['compose'] * 1000:.0f}  "
              f"render+previews {t['render'] * 1000:.0f} (wall, parallel)  contact sheet "
              f"{t['contact sheet'] * 1000:.0f}  total {t['total'] * 1000:.0f}")
        print("render per page (ms): " + " ".join(f"{s * 1000:.0f}" for s in render)
              + "  | previews per page (ms): " + " ".join(f"{s * 1000:.0f}" for s in previews))
        whole = best(args.repeat, lambda: paiban_build(edition, out, "--jobs", str(args.jobs)))
        one = best(args.repeat, lambda: paiban_build(edition, out, "--jobs", "1"))
        paiban_build(edition, out, "--jobs", str(args.jobs))
        noop = best(args.repeat, lambda: run([*PAIBAN, "build", str(edition), "-o", str(out)]))
        layout = folder / "edition.yaml"  # the same 8 pages as one layout: one PDF, as Typst writes
        single_one = best(args.repeat, lambda: paiban_build(layout, folder / "single", "--jobs", "1"))
        print(f"whole process (s): edition {whole:.2f} (--jobs {args.jobs}, previews)  {one:.2f} (--jobs 1)  "
              f"unchanged rebuild {noop:.2f}")
        source = typst_source(folder)
        typst = typst_command(source)
        single_build = lambda: paiban_build(layout, folder / "single", "--jobs", str(args.jobs))  # noqa: E731
        bare_build = lambda: paiban_build(edition, out, "--jobs", str(args.jobs), "--no-previews")  # noqa: E731
        if typst is None:
            single, bare = best(args.repeat, single_build), best(args.repeat, bare_build)
            print(f"whole process (s): one PDF (layout) {single:.2f} (--jobs {args.jobs})  {single_one:.2f} (--jobs 1)"
                  f"  edition --no-previews {bare:.2f}")
            print("typst: not installed (pip install typst)")
        else:
            times = in_turn(args.repeat, {"one PDF": single_build, "edition --no-previews": bare_build,
                                          "typst": lambda: run(typst)})
            count = typst_pages(source)
            theirs = times["typst"]
            print(f"whole process (s): one PDF (layout) {min(times['one PDF']):.2f} (--jobs {args.jobs})  "
                  f"{single_one:.2f} (--jobs 1)")
            print(f"typst whole process (s): {min(theirs):.2f} ({count} pages, PDF only)")
            print("in turn (one PDF, edition, Typst, one PDF, …), best and median (s), and paiban/Typst pair by pair:")
            for name in ("one PDF", "edition --no-previews"):
                ours = times[name]
                pairs = [a / b for a, b in zip(ours, theirs)]
                what = f"{count} pages in one PDF" if name == "one PDF" else f"{count} page PDFs and the edition PDF"
                print(f"  {name} ({what}): "
                      f"best {min(ours):.3f} median {median(ours):.3f}  typst best {min(theirs):.3f} median "
                      f"{median(theirs):.3f}  ratio best {min(ours) / min(theirs):.2f} median "
                      f"{median(ours) / median(theirs):.2f}  pair by pair {median(pairs):.2f}, paiban faster in "
                      f"{sum(r < 1 for r in pairs)} of {len(pairs)}")
            # the whole edition (PDFs, a PNG of every page, the contact sheet) against Typst making
            # its PDF and a PNG of every page at the same resolution
            from paiban.edition.edition_loader import load_edition

            dpi = load_edition(edition).previews.dpi
            pngs = typst_png_command(source, dpi)
            full = in_turn(max(1, args.repeat // 3), {"edition": lambda: paiban_build(edition, out, "--jobs",
                                                                                      str(args.jobs)),
                                                      "typst": lambda: run(typst) + run(pngs)})
            print(f"edition with previews and contact sheet, against Typst's PDF and a PNG of every page at {dpi:g} "
                  f"ppi (in turn, best): paiban {min(full['edition']):.2f}  typst {min(full['typst']):.2f}  ratio "
                  f"{min(full['edition']) / min(full['typst']):.2f}")
            print(f"ratio paiban/typst (best): one PDF (layout) {min(times['one PDF']) / min(theirs):.2f}  "
                  f"edition --no-previews {min(times['edition --no-previews']) / min(theirs):.2f}  "
                  f"edition (with previews, against Typst PDF only) {whole / min(theirs):.2f}  "
                  f"unchanged rebuild {noop / min(theirs):.2f}")
        if args.keep:
            paiban_build(edition, args.keep, "--jobs", str(args.jobs))
            shutil.copy(folder / "edition.typ", args.keep / "edition.typ")
            if (folder / "edition.pdf").exists():
                shutil.copy(folder / "edition.pdf", args.keep / "typst-edition.pdf")
    print(f"({PAGES} pages per edition; best of {args.repeat})")


if __name__ == "__main__":
    main()
