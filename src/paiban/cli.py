"""The `paiban` command line: the only place that prints and chooses exit codes.

    paiban build LAYOUT [-o DIR] [--strict] [--json] [--trace FILE]
    paiban check LAYOUT [--strict] [--json]
    paiban build EDITION [-o DIR] [--jobs N | --scheduler ADDRESS] [--force] [--no-previews]
                 [--strict] [--json] [--trace FILE]      (see paiban.edition and docs/editions.md)
    paiban check EDITION [--strict] [--json]
    paiban fonts [list|check|prepare|cache] …   (see paiban.fonts_command)

An edition file is a YAML file with a top-level `layouts:` list; anything else is a layout.

Exit codes: 0 built (warnings are printed), 1 `--strict` and the report has overset text,
missing glyphs or pictures below the print resolution (no PDF is written), 2 the input is wrong
(one line naming file, line and key), 3 the build failed for another reason (a worker failed,
the Dask scheduler cannot be reached, the output cannot be written, a bug),
130/143 interrupted (Ctrl-C/SIGTERM);
an interrupted or failed build leaves no partial file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from paiban import __version__
from paiban.batch_gc import tune_for_batch
from paiban.errors import InputError, PaibanError
from paiban.interrupts import BuildInterrupted, interrupt_on_sigterm
from paiban.fonts_command import add_fonts_parser, run_fonts

EXIT_OK, EXIT_STRICT, EXIT_INPUT, EXIT_RENDER = 0, 1, 2, 3
EDITION_ONLY = ("scheduler", "force", "no_previews", "progress")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paiban", description="Typeset Chinese newspaper pages from articles and a YAML layout.")
    p.add_argument("--version", action="version", version=f"paiban {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for name, helptext in (("build", "typeset a layout or a whole edition into PDF"),
                           ("check", "typeset without writing the PDF")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("layout", type=Path, help="layout YAML file, or an edition file (top-level `layouts:`)")
        c.add_argument("--strict", action="store_true", help="fail (exit 1) on overset text or missing glyphs")
        c.add_argument("--json", action="store_true", help="print the report as JSON")
        c.add_argument("--trace", type=Path, help="also write a text trace (page → region → line) to this file")
        c.add_argument("--proof", action="store_true", help="draw proof markers: a red box where a story is overset")
        if name == "build":
            c.add_argument("-o", "--output", type=Path, default=Path("out"), help="output directory (default: out)")
            c.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                           help="use N processes (default: the number of CPUs): an edition renders its pages "
                                "with N workers; a layout composes its pages in N processes")
            c.add_argument("--scheduler", metavar="ADDRESS",
                           help="editions: render on this Dask scheduler (tcp://host:8786; needs paiban[dask])")
            c.add_argument("--force", action="store_true", help="editions: compose and render everything again")
            c.add_argument("--no-previews", action="store_true",
                           help="editions: no PNG previews and no contact sheet")
            c.add_argument("--progress", action="store_true",
                           help="editions: report progress on stderr, one line a step, even when it is not a "
                                "terminal (on a terminal it is shown anyway, unless --json)")
    add_fonts_parser(sub)
    return p


def _build_layout(args: argparse.Namespace) -> tuple:
    """`paiban build|check LAYOUT`: (the build result, whether --strict stopped it before the PDF)."""
    from paiban import pipeline  # imported here so `paiban --help` stays fast

    pdf = args.output / (args.layout.stem + ".pdf") if args.command == "build" else None
    options = pipeline.BuildOptions(output=pdf, proof=args.proof, strict=args.strict,
                                    keep_lines=args.trace is not None)
    jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    result = pipeline.build(args.layout, options, jobs=jobs if pdf is not None else 1)
    if args.trace:
        from paiban.render.text_trace import text_trace

        _write_text(args.trace, text_trace(result.document))
    return result, args.strict and not result.report.clean


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"must be 1–256, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    tune_for_batch()
    args = _parser().parse_args(argv)
    if args.command == "fonts":
        return run_fonts(args)
    from paiban.edition import is_edition_file

    if is_edition_file(args.layout):
        return _run_edition(args)
    given = [f"--{name.replace('_', '-')}" for name in EDITION_ONLY if getattr(args, name, None)]
    if given:
        print(f"paiban: error: {args.layout}: {given[0]} is for edition files (a YAML file with a top-level "
              "`layouts:` list); this is a layout", file=sys.stderr)
        return EXIT_INPUT
    try:
        with interrupt_on_sigterm():  # finally blocks stop worker processes
            result, strict_fail = _build_layout(args)
    except InputError as exc:
        print(f"paiban: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BuildInterrupted:
        print("paiban: terminated; no output written", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("paiban: interrupted; no output written", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk, not the input: the output folder cannot be written
        print(f"paiban: error: cannot write {exc.filename or args.layout}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_RENDER
    except PaibanError as exc:  # a check of paiban's own failed: a bug to report, not bad input
        print(f"paiban: internal error: {exc}", file=sys.stderr)
        return EXIT_RENDER
    report = result.report
    print(report.to_json() if args.json else report.summary())
    if strict_fail:
        print("paiban: --strict: the build has overset text, missing glyphs or low-resolution pictures; "
              "no PDF written", file=sys.stderr)
        return EXIT_STRICT
    return EXIT_OK


def _run_edition(args: argparse.Namespace) -> int:
    """`paiban build|check EDITION`: see paiban.edition.edition_build."""
    import json
    import os

    from paiban.edition.edition_build import BuildOptions, RenderFailed, build_edition

    building = args.command == "build"
    if building and args.jobs is not None and args.scheduler:
        print("paiban: error: --jobs and --scheduler: give one (--scheduler renders on the Dask cluster)",
              file=sys.stderr)
        return EXIT_INPUT
    options = BuildOptions(
        output=args.output if building else None,
        jobs=(args.jobs or os.cpu_count() or 1) if building else 1,
        scheduler=args.scheduler if building else None,
        force=building and args.force, strict=args.strict,
        previews=not (building and args.no_previews), proof=args.proof, trace=args.trace)
    terminal = sys.stderr.isatty() and not args.json
    progress = _Progress(enabled=terminal or getattr(args, "progress", False), terminal=terminal)

    def failed(code: int, kind: str, message: str) -> int:
        progress.clear()
        print(f"paiban: error: {message}", file=sys.stderr)
        if args.json:
            print(json.dumps({"exit_status": code, "status": kind, "error": message}, ensure_ascii=False))
        return code

    try:
        with interrupt_on_sigterm():
            report = build_edition(args.layout, options, progress)
    except InputError as exc:
        return failed(EXIT_INPUT, "input-error", str(exc))
    except RenderFailed as exc:
        return failed(EXIT_RENDER, "render-failed", str(exc))
    except BuildInterrupted:
        return failed(143, "interrupted", "interrupted (SIGTERM); no partial output written")
    except KeyboardInterrupt:
        return failed(130, "interrupted", "interrupted; no partial output written")
    except Exception as exc:  # the scheduler cannot be reached, a disk is full, a bug
        from paiban.parallel import PoolError

        if isinstance(exc, PoolError):
            return failed(EXIT_RENDER, "scheduler-error", str(exc))
        if not isinstance(exc, OSError):
            import traceback

            traceback.print_exc()
        return failed(EXIT_RENDER, "failed", f"{type(exc).__name__}: {exc}")
    progress.clear()
    print(report.to_json() if args.json else report.summary())
    if report.exit_status == EXIT_STRICT:
        print("paiban: --strict: " + "; ".join(report.problems[:5]) + ("; …" if len(report.problems) > 5 else "")
              + "; no PDF written", file=sys.stderr)
    return report.exit_status


class _Progress:
    """One updating line on a terminal's stderr (`rendering page 5/16`); with --progress elsewhere,
    one line a step; silent otherwise."""

    def __init__(self, enabled: bool, terminal: bool = True):
        self.enabled = enabled
        self.terminal = terminal
        self.shown = False

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        if self.terminal:
            sys.stderr.write(f"\r\033[K{message}")
            self.shown = True
        else:
            sys.stderr.write(f"paiban: {message}\n")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


def _write_text(path: Path, text: str) -> None:
    from paiban.atomic_files import write_atomically

    write_atomically(path, text.encode("utf-8"))


def run() -> None:
    """The `paiban` command (console script and ``python -m paiban``): `main`, then leave at once.

    A build leaves some 10⁶ objects alive; letting the interpreter free them one by one at exit
    takes ~40 ms of a 0.4 s build (measured on the benchmark). Everything is written and closed by
    the time `main` returns (outputs are renamed into place, worker pools and clusters are shut
    down in `with` blocks), so the process flushes its two streams and ends without that teardown.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`paiban check … | head`): nothing more to say
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
