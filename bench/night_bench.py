"""The nightly run at scale: several regional 48-page editions in one `paiban build`, against Typst.

    python bench/night_bench.py [--editions 3] [--repeat 5] [--jobs N] [--keep DIR] [--skip-previews]

Writes a newspaper group's night into a temporary folder: `--editions` regional editions of 48
broadsheet pages each (six 8-page layouts of the layout of bench/stage_times.py: seven
15-character columns of 9 pt type, one story of about 100,000 characters threaded through each
layout's eight pages, so 600,000 characters an edition). Pages 1–8, 17–24, 25–32 and 41–48 are
four layouts shared by every edition (the same articles, the same edition variables); pages 9–16
and 33–40 are two layouts of the edition's own local news, whose articles are the seed's
paragraphs in another order with the edition's own place names (so each edition draws a few
characters the others do not). Three editions make the night of issue 22 (144 pages, 80 of them
distinct); six make the 288-page variant (128 distinct pages).

Timed, in turn (`in_turn`: on a machine whose shared CPUs drift by 20–40 % from one minute to the
next only runs side by side see the same machine), each a whole process into a new, empty output
folder with the font caches warm (as on any machine that has built these files before). The
folders of earlier runs are removed only at the end: on ext4 without a journal (this machine's
disk) a file made within minutes of the deletion of thousands of others costs ~0.5–1 ms of
kernel time (the inode allocator steps over recently deleted inodes), which made a night with
previews (~1,000 new files) ~0.6 s slower when the benchmark deleted the previous run's folder
just before it; a night built into its usual folder follows no such deletion.

* ``paiban build ED1.yaml ED2.yaml … --no-previews`` (each edition its page PDFs, edition PDF
  and report);
* the same with previews and contact sheets;
* Typst (typst-py) compiling each edition's text as one 48-page document (the same page,
  columns, type and pitch as bench/edition_bench.py), two documents at a time;
* with ``--sequential``: the editions built one after another by separate `paiban build`
  commands (how a night was built before one run could build several editions).

Printed: best and median of each, and the ratio to Typst pair by pair (the median of the
round-by-round ratios, and in how many rounds paiban was faster) and the CPU seconds of each
(user and system of the whole process tree: what the work costs, whatever else the machine
runs), and that CPU per 100,000 characters each composes (paiban each shared layout once, Typst
every edition's every page: what a character costs each, sharing aside); then the peak memory (RSS) of
the largest process of one run of each paiban kind (`/proc` sampled every 5 ms: the build's
process and its workers), and what the run did (pages composed, rendered, deduplicated).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from edition_bench import ENV, PAIBAN, compile_bytecode, font_dirs, in_turn, interpreter, median  # noqa: E402

SEED = ROOT / "seeds" / "000_b4709c2c99975726.txt"
PAGES_PER_LAYOUT = 8
CHARACTERS_PER_LAYOUT = 100_000
#: the place names of each regional edition's local news (characters the seed lacks, mostly)
PLACES = {"city": "胶州湾", "coast": "琅琊台", "harbor": "薛家岛", "hills": "藏马山", "valley": "铁橛峰",
          "isle": "斋堂岛"}
#: the edition's layouts in page order: shared (S) or local (L), and their number
ORDER = (("S", 1), ("L", 1), ("S", 2), ("S", 3), ("L", 2), ("S", 4))


def seed_paragraphs() -> list[str]:
    from paiban.input.article_reader import read_article

    return [p.text for p in read_article(SEED).paragraphs[1:]]


def article_text(seed: list[str], salt: str, place: str | None) -> list[str]:
    """About `CHARACTERS_PER_LAYOUT` characters: the seed's paragraphs in an order of `salt`'s,
    with 西海岸 made `place` for local news."""
    rng = random.Random(salt)
    body: list[str] = []
    total = 0
    while total < CHARACTERS_PER_LAYOUT:
        order = list(seed)
        rng.shuffle(order)
        for text in order:
            if place:
                text = text.replace("西海岸", place).replace("新区", place[:2] + "区")
            body.append(text)
            total += len(text)
            if total >= CHARACTERS_PER_LAYOUT:
                break
    return body


def layout_yaml(name: str, article: str) -> str:
    regions = "".join(f"  - page: {page}\n    regions:\n      - name: p{page}\n        columns: [1, 7]\n"
                      f"        lines: [1, 132]\n" for page in range(1, PAGES_PER_LAYOUT + 1))
    thread = ", ".join(f"p{p}" for p in range(1, PAGES_PER_LAYOUT + 1))
    return f"""title: {name}
page: {{size: broadsheet, margins: {{top: 15mm, bottom: 15mm}}}}
grid: {{body_size: 小五, columns: 7, column_chars: 15, gutter_chars: 1, line_pitch: 11pt}}
pages:
{regions}stories:
  - name: {name}
    article: {article}
    thread: [{thread}]
"""


def write_night(folder: Path, editions: int = 3) -> list[Path]:
    """The night's files in `folder`: the layouts, their articles and one edition file per
    edition (their paths, in order). Also each edition's text as a Typst document (`typ/`)."""
    names = list(PLACES)[:editions]
    seed = seed_paragraphs()
    texts: dict[str, list[str]] = {}
    for kind, number in ORDER:
        for edition in (names if kind == "L" else [None]):
            name = f"local-{edition}-{number}" if kind == "L" else f"shared-{number}"
            if name in texts:
                continue
            body = texts[name] = article_text(seed, name, PLACES[edition] if edition else None)
            (folder / f"{name}.txt").write_text("---\nheadline: 创新无止境 突破不止步\n---\n\n" + "\n\n".join(body)
                                                + "\n", encoding="utf-8")
            (folder / f"{name}.yaml").write_text(layout_yaml(name, f"{name}.txt"), encoding="utf-8")
    paths = []
    (folder / "typ").mkdir(exist_ok=True)
    for edition in names:
        layouts = [f"local-{edition}-{n}" if kind == "L" else f"shared-{n}" for kind, n in ORDER]
        path = folder / f"{edition}.yaml"
        path.write_text(f"edition_name: {edition}\ntitle: 西海岸新区报 {edition} 2024年1月5日\n"
                        "edition: {paper: 西海岸新区报, date: 2024-01-05}\nlayouts:\n"
                        + "".join(f"  - {name}.yaml\n" for name in layouts), encoding="utf-8")
        paths.append(path)
        typst_document(folder / "typ" / f"{edition}.typ", [texts[name] for name in layouts])
    return paths


def typst_document(path: Path, sections: list[list[str]]) -> None:
    """The edition's text for Typst: the page, columns, type and pitch of bench/edition_bench.py,
    each layout's story from a new page."""
    def escaped(text: str) -> str:
        for ch in "\\#*_`$<>@[]~=-+/":
            text = text.replace(ch, "\\" + ch)
        return text

    width_pt = 7 * 15 * 9 + 6 * 9
    margin_x = (390 - width_pt * 25.4 / 72) / 2
    body = "\n\n#pagebreak(weak: true)\n\n".join("\n\n".join(escaped(p) for p in paragraphs)
                                                  for paragraphs in sections)
    path.write_text(f"""#set page(width: 390mm, height: 546mm, margin: (top: 15mm, bottom: 15mm, x: {margin_x:.2f}mm),
  columns: 7)
#set columns(gutter: 9pt)
#set text(font: "Noto Serif CJK SC", size: 9pt, lang: "zh", region: "cn", top-edge: 1em, bottom-edge: 0em)
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 2pt, spacing: 2pt)

{body}
""", encoding="utf-8")


# ---- running and timing -----------------------------------------------------------------------

def run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed with exit code {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - start


class OutputFolders:
    """A new output folder for every build (``run-1``, ``run-2``, … under `root`), removed only
    once the timing is over: a build into a folder deleted just before it pays for the deletion
    (see the module docstring), which no night does."""

    def __init__(self, root: Path):
        self.root, self.count = root, 0
        self.last = root / "run-0"

    def next(self) -> Path:
        self.count += 1
        self.last = self.root / f"run-{self.count}"
        return self.last

    def remove_all_but_the_last(self) -> None:
        for path in self.root.glob("run-*"):
            if path != self.last:
                shutil.rmtree(path)


def paiban_night(editions: list[Path], outs: OutputFolders, jobs: int, previews: bool) -> list[str]:
    return [*PAIBAN, "build", *map(str, editions), "-o", str(outs.next()), "--jobs", str(jobs),
            *([] if previews else ["--no-previews"])]


def typst_commands(documents: list[Path]) -> list[list[str]]:
    extra = font_dirs()
    return [[sys.executable, "-c", f"import typst; typst.compile({str(doc)!r}, output={str(doc.with_suffix('.pdf'))!r}"
             + (f", font_paths={extra!r})" if extra else ")")] for doc in documents]


def two_at_a_time(commands: list[list[str]]) -> float:
    """Wall time of running `commands`, at most two at once."""
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as threads:
        list(threads.map(lambda command: subprocess.run(command, check=True, stdout=subprocess.DEVNULL), commands))
    return time.perf_counter() - start


def with_cpu(fn, into: list[float]):
    """`fn`, which also appends the CPU time its child processes took (user + system) to `into`."""
    import resource

    def timed() -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = fn()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        into.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return wall

    return timed


def peak_rss(command: list[str]) -> tuple[float, float]:
    """(wall seconds, the largest resident set of any one process of the run, MB): the command's
    process tree sampled from /proc every 5 ms."""
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def tree(pid: int) -> list[int]:
        out = [pid]
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return out
        for child in children:
            out += tree(int(child))
        return out

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            for pid in tree(process.pid):
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):  # the process's own high-water mark
                            peak = max(peak, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.005)

    start = time.perf_counter()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return seconds, peak / 1024


def check_typst(documents: list[Path]) -> int:
    import pypdfium2

    pages = 0
    for doc in documents:
        pdf = doc.with_suffix(".pdf")
        if b"NotoSerifCJK" not in pdf.read_bytes():
            raise SystemExit("typst did not find Noto Serif CJK SC: the comparison would not be fair")
        pages += len(pypdfium2.PdfDocument(pdf))
    return pages


def reports_of(out: Path, editions: list[Path]) -> list[dict]:
    """The editions' build reports in the output folder `out`."""
    return [json.loads((out / f"{path.stem}-report.json").read_text(encoding="utf-8")) for path in editions]


def characters(reports: list[dict]) -> tuple[int, int]:
    """The characters the editions set, and those paiban composes: each layout file once (the
    night's editions use a shared layout with the same articles and variables)."""
    per_layout = {layout["file"]: sum(story["characters"] for story in layout["stories"])
                  for r in reports for layout in r["layouts"]}
    return sum(r["totals"]["characters"] for r in reports), sum(per_layout.values())


def summary(reports: list[dict]) -> str:
    pages = sum(r["totals"]["pages"] for r in reports)
    chars, composed = characters(reports)
    overset = sum(r["totals"]["overset"] for r in reports)
    rendered = len({p["key"] for r in reports for p in r["pages"] if p["rendered"]})
    layouts = reports[0].get("night", {})
    return (f"{len(reports)} editions, {pages} pages, {chars:,} characters set (overset {overset}), "
            f"{composed:,} of them composed (each shared layout once); {rendered} distinct page PDFs rendered"
            + (f"; {layouts}" if layouts else ""))


def per_character(cpu: dict[str, list[float]], set_chars: int, composed: int) -> str:
    """CPU seconds per 100,000 characters: paiban's for those it composes, Typst's for all it sets
    (sharing aside, what a character costs each)."""
    parts = [f"{name} {median(values) / composed * 1e5:.3f}" for name, values in cpu.items() if name != "typst"]
    return (f"CPU seconds per 100,000 characters composed (paiban {composed:,}, Typst {set_chars:,}), median: "
            + "  ".join([*parts, f"typst {median(cpu['typst']) / set_chars * 1e5:.3f}"]))


def line(name: str, ours: list[float], theirs: list[float]) -> str:
    pairs = [a / b for a, b in zip(ours, theirs)]
    return (f"  {name:44s} best {min(ours):6.2f}  median {median(ours):6.2f}   ratio to Typst: best "
            f"{min(ours) / min(theirs):.2f}  median {median(ours) / median(theirs):.2f}  pair by pair "
            f"{median(pairs):.2f} (faster in {sum(r < 1 for r in pairs)} of {len(pairs)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--editions", type=int, default=3, choices=range(1, len(PLACES) + 1))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-previews", action="store_true", help="time only the builds without previews")
    parser.add_argument("--sequential", action="store_true",
                        help="also time the editions built one after another by separate commands")
    parser.add_argument("--keep", type=Path, help="keep the night's files and outputs in this folder")
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep.absolute() if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        editions = write_night(folder, args.editions)
        documents = [folder / "typ" / f"{path.stem}.typ" for path in editions]
        outs = OutputFolders(folder / "out")
        for previews in (False, True):  # warm the font caches (conversions, programs, metrics)
            run(paiban_night(editions, outs, args.jobs, previews))
        print(summary(reports_of(outs.last, editions)))
        typst = typst_commands(documents)
        two_at_a_time(typst)
        print(f"typst: {check_typst(documents)} pages in {len(documents)} documents, two at a time; "
              f"paiban: --jobs {args.jobs}, {os.cpu_count()} CPUs; both on {interpreter()}")
        runs = {"paiban, no previews": lambda: run(paiban_night(editions, outs, args.jobs, False))}
        if not args.skip_previews:
            runs["paiban, previews and contact sheets"] = lambda: run(paiban_night(editions, outs, args.jobs, True))
        if args.sequential:
            def one_by_one() -> float:
                out = outs.next()
                return sum(run([*PAIBAN, "build", str(path), "-o", str(out), "--jobs", str(args.jobs),
                                "--no-previews"]) for path in editions)
            runs["one edition after another, no previews"] = one_by_one
        runs["typst"] = lambda: two_at_a_time(typst)
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        times = in_turn(args.repeat, {name: with_cpu(fn, cpu[name]) for name, fn in runs.items()})
        theirs = times.pop("typst")
        print(f"in turn, {args.repeat} rounds (s); Typst best {min(theirs):.2f} median {median(theirs):.2f}:")
        for name, ours in times.items():
            print(line(name, ours, theirs))
        print("CPU seconds of the whole process tree (user + system; less sensitive to other load than wall time), "
              "median: " + "  ".join(f"{name} {median(values):.2f}" for name, values in cpu.items()))
        print(per_character({k: v for k, v in cpu.items() if not k.startswith("one edition")},
                            *characters(reports_of(outs.last, editions))))
        for previews in (False, True):
            if previews and args.skip_previews:
                continue
            seconds, mb = peak_rss(paiban_night(editions, outs, args.jobs, previews))
            print(f"  peak memory of the largest process, {'with' if previews else 'without'} previews: {mb:.0f} MB"
                  f" ({seconds:.2f} s)")
        outs.remove_all_but_the_last()


if __name__ == "__main__":
    main()
