"""The `paiban` command line: the only place that prints and chooses exit codes.

    paiban build LAYOUT [-o DIR] [--strict] [--json] [--trace FILE] [--debug]
    paiban check LAYOUT [--strict] [--json] [--debug]
    paiban build EDITION [-o DIR] [--jobs N | --scheduler ADDRESS [--scheduler-connect-timeout S]
                 [--scheduler-deadline S]] [--force] [--no-previews] [--strict] [--json]
                 [--trace FILE] [--debug]         (see paiban.edition and docs/editions.md)
    paiban check EDITION [--strict] [--json]
    paiban build EDITION EDITION … [options as above]   several editions in one run (a night)
    paiban fonts [list|check|cache] …   (see paiban.fonts_command)
    paiban preflight FILE.pdf [--min-dpi N] [--separations DIR]   (see paiban.render.preflight)

An edition file is a YAML file with a top-level `layouts:` list; anything else is a layout.

Exit codes (`EXIT_*`):

    0    built (warnings are printed)
    1    only `--strict`: the report has overset text, missing glyphs or pictures below the print
         resolution (no PDF is written)
    2    the input is wrong: one line naming file, line, column and key; also a wrong command
         line (one line, "see paiban build --help")
    3    the build or its environment failed: a worker died, the Dask scheduler cannot be
         reached, a file cannot be written or read, out of memory; or a bug (an unexpected
         exception: one line `paiban: internal error: …`, the traceback only with `--debug`)
    130  interrupted (Ctrl-C), 143 terminated (SIGTERM)

A crash is never 1. An interrupted or failed build leaves no partial file. With `--json`, `build`
and `check` always print exactly one JSON object on stdout: the report, or on any failure
``{"exit_status": 2, "status": "input-error", "error": "…"}`` (statuses: input-error,
usage-error, failed, render-failed, scheduler-error, internal-error, interrupted) — for a
layout as for an edition. Messages go to stderr, one line each; they, the report and ``--help``
are in Chinese when the locale is (``LANG=zh_CN.UTF-8``) or with ``--lang zh`` (`paiban.i18n`).
JSON keys and statuses stay English; its texts (``error``, warnings) are the messages as shown,
in the chosen language. A reader that goes away
(`paiban build … | head -1`) ends the output quietly; the exit code is the build's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from paiban import __version__
from paiban.batch_gc import tune_for_batch
from paiban.errors import InputError, PaibanError, Where
from paiban.interrupts import BuildInterrupted, interrupt_on_sigterm
from paiban.fonts_command import add_fonts_parser, run_fonts
from paiban.i18n import LANGUAGES, N_, ArgumentParser, _, argparse_message, language_from_environment, use_language

EXIT_OK, EXIT_STRICT, EXIT_INPUT, EXIT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
EDITION_ONLY = ("scheduler", "scheduler_connect_timeout", "scheduler_deadline", "force", "no_previews", "progress")
#: options that only mean something with --scheduler
SCHEDULER_ONLY = ("scheduler_connect_timeout", "scheduler_deadline")


class _Failure(Exception):
    """A failure the command names itself (a wrong command line or option): `_Output.failed`'s
    arguments."""

    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class _Parser(ArgumentParser):
    """A parser whose usage errors are one line (and a JSON object with --json), exit 2."""

    def error(self, message: str) -> NoReturn:
        raise _Failure(EXIT_INPUT, "usage-error", _("{message} (see {prog} --help)").format(
            message=argparse_message(message), prog=self.prog))


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="paiban", description=_("Typeset Chinese newspaper pages from articles and a YAML layout."))
    p.add_argument("--version", action="version", version=f"paiban {__version__}",
                   help=_("show the version and exit"))
    p.add_argument("--debug", action="store_true", help=_("on an internal error, print the traceback too"))
    sub = p.add_subparsers(dest="command", required=True)
    for name, helptext in (("build", N_("typeset a layout or a whole edition into PDF")),
                           ("check", N_("typeset without writing the PDF"))):
        c = sub.add_parser(name, help=_(helptext))
        c.add_argument("layout", type=Path, help=_("layout YAML file, or an edition file (top-level `layouts:`)"))
        c.add_argument("more", type=Path, nargs="*", metavar="EDITION",
                       help=_("more edition files, built in the same run: a layout shared alike is composed "
                              "once and a shared page rendered once; each edition gets its own files and report"))
        c.add_argument("--strict", action="store_true", help=_("fail (exit 1) on overset text or missing glyphs"))
        c.add_argument("--json", action="store_true", help=_("print the report as JSON (on a failure, a JSON "
                                                             "object with exit_status, status and error)"))
        c.add_argument("--trace", type=Path, help=_("also write a text trace (page → region → line) to this file"))
        c.add_argument("--proof", action="store_true", help=_("draw proof markers: a red box where a story is overset"))
        c.add_argument("--root", type=Path, metavar="DIR",
                       help=_("the project folder: every article, picture and font file must lie in it "
                              "(default: the folder of the layout or edition file, or its root: key)"))
        c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help=_("on an internal error (exit 3), print the traceback too"))
        if name == "build":
            c.add_argument("-o", "--output", type=Path, default=Path("out"), help=_("output directory (default: out)"))
            c.add_argument("--no-marks", action="store_true",
                           help=_("layouts: no crop or registration marks and no slug line (proofs; MediaBox = BleedBox)"))
            c.add_argument("--separations", action="store_true",
                           help=_("layouts: also write a PNG per plate (C, M, Y, K) of each page beside the PDF"))
            c.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                           help=_("use N processes (default: the number of CPUs): an edition renders its pages "
                                  "with N workers; a layout composes its pages in N processes"))
            c.add_argument("--scheduler", metavar="ADDRESS",
                           help=_("editions: render on this Dask scheduler (tcp://host:8786; needs paiban[dask])"))
            c.add_argument("--scheduler-connect-timeout", type=_seconds, metavar="S",
                           help=_("editions on Dask: seconds to reach the scheduler and hear it answer (default: "
                                  "$PAIBAN_DASK_CONNECT_TIMEOUT, else 10)"))
            c.add_argument("--scheduler-deadline", type=_seconds, metavar="S",
                           help=_("editions on Dask: seconds the cluster has for all the build's jobs (default: "
                                  "$PAIBAN_DASK_DEADLINE, else 600)"))
            c.add_argument("--force", action="store_true", help=_("editions: compose and render everything again"))
            c.add_argument("--no-previews", action="store_true",
                           help=_("editions: no PNG previews and no contact sheet"))
            c.add_argument("--progress", action="store_true",
                           help=_("editions: report progress on stderr, one line a step, even when it is not a "
                                  "terminal (on a terminal it is shown anyway, unless --json)"))
    add_fonts_parser(sub)
    pre = sub.add_parser("preflight", help=_("check a PDF against the press rules (PDF/X, boxes, CMYK, fonts, black "
                                             "overprint); a line per finding, exit 1 if any"))
    pre.add_argument("pdf", type=Path, metavar="FILE.pdf")
    pre.add_argument("--min-dpi", type=float, default=150.0, metavar="N",
                     help=_("pictures drawn below this resolution are findings (default 150)"))
    pre.add_argument("--separations", type=Path, metavar="DIR",
                     help=_("also write a PNG per plate (C, M, Y, K) of each page into DIR"))
    live = sub.add_parser("serve", help=_("the live page: a local web server that shows the pages and rebuilds them on "
                                          "every save (needs paiban[serve])"))
    live.add_argument("layout", type=Path, help=_("layout YAML file, or an edition file"))
    live.add_argument("--port", type=int, default=8000, metavar="N", help=_("port (default 8000; 0: any free port)"))
    live.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1: this machine only)"))
    live.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                      help=_("where the page PDFs are written (default: a temporary folder)"))
    live.add_argument("--root", type=Path, metavar="DIR", help=_("the project folder, as for build"))
    return p


def _language(argv: list[str]) -> str:
    """The language `argv` asks for (``--lang zh``, ``--lang=zh``, the last one wins), else the
    locale's: chosen before the parser is built, so that ``--help`` is in it too."""
    chosen = language_from_environment()
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg[7:] if arg.startswith("--lang=") else None
        if value in LANGUAGES:
            chosen = value
    return chosen


def _number(cast: Any, what: str, fits: Any, range_message: str) -> Any:
    """An argparse type: `cast` of the text, refused unless `fits` (`range_message` says why)."""
    def parse(text: str) -> Any:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("expected {what}, got {text!r}").format(
                what=_(what), text=text)) from None
        if not fits(value):
            raise argparse.ArgumentTypeError(_(range_message).format(text=text, value=value))
        return value
    return parse


_seconds = _number(float, N_("a number of seconds"), lambda v: 0 < v < 10**7,  # also refuses nan and inf
                   N_("must be more than 0 seconds (and finite), got {text}"))
_jobs = _number(int, N_("a whole number of processes"), lambda v: 1 <= v <= 256, N_("must be 1–256, got {value}"))


# ---- output ------------------------------------------------------------------------------------

def _stderr(line: str) -> None:
    """One line on stderr; a closed stderr is not an error of the build."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (BrokenPipeError, OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """The reader of stdout went away: send the rest to /dev/null, so that nothing (not even the
    interpreter's last flush) raises BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _Output:
    """What the command prints: the report (or, with --json, exactly one JSON object) on stdout,
    messages on stderr."""

    def __init__(self, json_wanted: bool, debug: bool = False) -> None:
        self.json = json_wanted
        self.debug = debug
        self.printed = False  # stdout has had its one object
        self.before_message = lambda: None  # e.g. clear a progress line

    def stdout(self, text: str) -> None:
        self.printed = True
        try:
            print(text, flush=True)
        except BrokenPipeError:
            _silence_stdout()

    def failed(self, code: int, status: str, message: str, *, internal: bool = False) -> int:
        """One line on stderr and, with --json, the failure as the one JSON object; `code`."""
        self.before_message()
        line = _("paiban: internal error: {message}") if internal else _("paiban: error: {message}")
        _stderr(line.format(message=_one_line(message)))
        if self.json and not self.printed:
            import json

            self.stdout(json.dumps({"exit_status": code, "status": status, "error": _one_line(message)},
                                   ensure_ascii=False))
        return code

    def exception(self, exc: BaseException) -> int:
        """The exit code for an exception that ended a build, after saying what it was."""
        from paiban.parallel import PoolError

        if isinstance(exc, _Failure):
            return self.failed(exc.code, exc.status, str(exc))
        if isinstance(exc, InputError):
            return self.failed(EXIT_INPUT, "input-error", str(exc))
        if isinstance(exc, BuildInterrupted):
            return self.failed(EXIT_TERMINATED, "interrupted", _("terminated (SIGTERM); no output written"))
        if isinstance(exc, KeyboardInterrupt):
            return self.failed(EXIT_INTERRUPTED, "interrupted", _("interrupted; no output written"))
        if isinstance(exc, PoolError):  # the scheduler cannot be reached, Dask is missing
            return self.failed(EXIT_FAILED, "scheduler-error", str(exc))
        if isinstance(exc, MemoryError):
            return self.failed(EXIT_FAILED, "failed", _("out of memory; no output written"))
        if isinstance(exc, OSError):  # the disk or the system, not the input
            if exc.filename is not None and exc.strerror:
                return self.failed(EXIT_FAILED, "failed", f"{exc.filename}: {exc.strerror}")
            return self.failed(EXIT_FAILED, "failed", f"{type(exc).__name__}: {exc}")
        if self.debug:
            import traceback

            self.before_message()
            try:
                traceback.print_exception(exc, file=sys.stderr)
            except (OSError, ValueError):
                pass
        if isinstance(exc, PaibanError):  # a check of paiban's own failed: a bug, not bad input
            return self.failed(EXIT_FAILED, "internal-error", str(exc), internal=True)
        detail = _one_line(str(exc))
        shown = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        hint = "" if self.debug else _(" (a bug in paiban; run again with --debug for the traceback)")
        return self.failed(EXIT_FAILED, "internal-error", shown[:500] + hint, internal=True)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# ---- the command ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Run the command for `argv` (default: sys.argv[1:]); the exit code. Never raises for a
    failure of the build or a bug: every one ends in an exit code and one line on stderr.
    Messages are in the language `argv` or the locale asks for (the one before is restored)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with use_language(_language(argv)):
        return _main(argv)


def _main(argv: list[str]) -> int:
    out = _Output(json_wanted="--json" in argv, debug="--debug" in argv)
    try:
        tune_for_batch()
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a `paiban fonts` usage error (said on stderr)
            if exc.code in (0, None) or not out.json:
                raise
            return out.failed(EXIT_INPUT, "usage-error", _("wrong command line (see above)"))
        out.json = bool(getattr(args, "json", False))
        out.debug = bool(getattr(args, "debug", False))
        if args.command == "fonts":
            return run_fonts(args)
        if args.command == "preflight":
            return _preflight(args)
        if args.command == "serve":
            return _serve(args)
        return _build_or_check(args, out)
    except BrokenPipeError:  # the reader of our output went away (`paiban fonts | head -1`): done
        _silence_stdout()
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:
        return out.exception(exc)


def _serve(args: argparse.Namespace) -> int:
    """`paiban serve FILE`: the live page until interrupted (paiban.serve.server)."""
    _check_input_file(args.layout)
    try:
        from paiban.serve.server import serve
    except ImportError as exc:
        raise _Failure(EXIT_FAILED, "failed", _("paiban serve needs {name}: pip install 'paiban[serve]'").format(
            name=exc.name)) from None
    try:
        return serve(args.layout, args.output, args.host, args.port, args.root)
    except KeyboardInterrupt:
        return EXIT_OK


def _build_or_check(args: argparse.Namespace, out: _Output) -> int:
    """`paiban build|check FILE`: a layout or an edition; the report on stdout, the exit code."""
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None and not scheduler.strip():
        return out.failed(EXIT_INPUT, "input-error", _("--scheduler: the address is empty; give the Dask scheduler's address "
                                                       "(tcp://host:8786) or leave --scheduler out"))
    for path in (args.layout, *args.more):
        _check_input_file(path)
    from paiban.edition import is_edition_file
    from paiban.fonts.discovery import start_font_search

    start_font_search()  # fontconfig lists the fonts on another CPU while the build imports and reads

    run = _run_edition if is_edition_file(args.layout) else _build_layout
    if args.more and (run is _build_layout or not all(map(is_edition_file, args.more))):
        return out.failed(EXIT_INPUT, "usage-error", _("several files are built together only when each is an edition file (a YAML file "
                                                       "with a top-level `layouts:` list); build layouts one by one"))
    if args.more and args.trace:
        return out.failed(EXIT_INPUT, "usage-error", _("--trace is for one edition at a time"))
    try:
        with interrupt_on_sigterm():  # finally blocks stop worker processes
            report, code, why = run(args, out)
    except (Exception, KeyboardInterrupt) as exc:
        return out.exception(exc)
    out.stdout(report.to_json() if args.json else report.summary())
    if code == EXIT_STRICT:
        _stderr(_("paiban: --strict: {why}; no PDF written").format(why=why))
    return code


def _preflight(args: argparse.Namespace) -> int:
    """`paiban preflight FILE.pdf`: a line per finding on stdout; 0 when there is none, else 1."""
    from paiban.render.preflight import check_pdf

    if not args.pdf.is_file():
        raise InputError(_("not a file"), Where(args.pdf))
    findings = check_pdf(args.pdf, args.min_dpi)
    for finding in findings:
        _print_line(f"{args.pdf}: {finding}")
    if args.separations is not None:
        from paiban.render.separations import write_separations

        for path in write_separations(args.pdf, args.separations, args.pdf.stem):
            _stderr(_("paiban: wrote {path}").format(path=path))
    if not findings:
        _print_line(_("{pdf}: passes").format(pdf=args.pdf))
    return EXIT_STRICT if findings else EXIT_OK


def _print_line(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        _silence_stdout()


def _given(args: argparse.Namespace, names: tuple[str, ...], unset: tuple[Any, ...]) -> list[str]:
    """The options among `names` given on the command line, as ``--option``."""
    return [f"--{name.replace('_', '-')}" for name in names if getattr(args, name, None) not in unset]


def _invalid(message: str) -> _Failure:
    return _Failure(EXIT_INPUT, "input-error", message)


def _check_input_file(path: Path) -> None:
    """The file given on the command line must be a regular file of a YAML file's size: a FIFO, a
    device (`/dev/zero`) or a huge file is refused before anything reads it (telling an edition
    from a layout reads it). A missing file or a directory is left to the loader's message."""
    from paiban.input.input_files import MAX_YAML_BYTES, FileProblem, regular_file_size

    try:
        regular_file_size(path, _("the file"), MAX_YAML_BYTES)
    except FileProblem as exc:
        if not path.is_dir():
            raise InputError(str(exc), Where(path)) from None
    except (OSError, ValueError):
        pass


def _build_layout(args: argparse.Namespace, out: _Output) -> tuple[Any, int, str]:
    """`paiban build|check LAYOUT`: (the report, the exit code, what --strict stopped on)."""
    given = _given(args, EDITION_ONLY, (None, False))
    if given:
        raise _invalid(_("{layout}: {option} is for edition files (a YAML file with a top-level "
                         "`layouts:` list); this is a layout").format(layout=args.layout, option=given[0]))
    from paiban import pipeline  # imported here so `paiban --help` stays fast

    pdf = args.output / (args.layout.stem + ".pdf") if args.command == "build" else None
    options = pipeline.BuildOptions(output=pdf, proof=args.proof, strict=args.strict,
                                    keep_lines=args.trace is not None, root=args.root,
                                    marks=not getattr(args, "no_marks", False),
                                    separations=getattr(args, "separations", False))
    jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    result = pipeline.build(args.layout, options, jobs=jobs if pdf is not None else 1)
    if args.trace:
        from paiban.atomic_files import write_atomically
        from paiban.render.text_trace import text_trace

        write_atomically(args.trace, text_trace(result.document).encode("utf-8"))
    code = EXIT_STRICT if args.strict and not result.report.clean else EXIT_OK
    return result.report, code, _("the build has overset text, missing glyphs, low-resolution pictures or "
                                  "errors the layout's preflight asks for (single_hanzi_lines)")


def _run_edition(args: argparse.Namespace, out: _Output) -> tuple[Any, int, str]:
    """`paiban build|check EDITION` (see paiban.edition.edition_build): like `_build_layout`."""
    from paiban.edition.edition_build import BuildOptions, RenderFailed, build_editions
    from paiban.edition.edition_report import NightReport

    building = args.command == "build"
    if building and (args.no_marks or args.separations):
        raise _invalid(_("--no-marks and --separations are for layouts; an edition file sets press: "
                         "{marks: false}, and paiban preflight PAGE.pdf --separations DIR shows a page's "
                         "plates"))
    if building and args.jobs is not None and args.scheduler:
        raise _invalid(_("--jobs and --scheduler: give one (--scheduler renders on the Dask cluster)"))
    lonely = _given(args, SCHEDULER_ONLY, (None,))
    if building and lonely and not args.scheduler:
        raise _invalid(_("{option} is for a build on a Dask cluster (--scheduler ADDRESS); without "
                         "--scheduler it would mean nothing").format(option=lonely[0]))
    dask = ({"scheduler_connect_timeout": args.scheduler_connect_timeout,
             "scheduler_deadline": args.scheduler_deadline} if building and args.scheduler else {})
    options = BuildOptions(
        output=args.output if building else None,
        jobs=(args.jobs or os.cpu_count() or 1) if building else 1,
        scheduler=args.scheduler if building else None,
        force=building and args.force, strict=args.strict,
        previews=not (building and args.no_previews), proof=args.proof, trace=args.trace, root=args.root, **dask)
    try:
        terminal = sys.stderr.isatty() and not args.json
    except (AttributeError, ValueError, OSError):
        terminal = False
    progress = _Progress(enabled=terminal or getattr(args, "progress", False), terminal=terminal)
    out.before_message = progress.clear
    try:
        reports = build_editions([args.layout, *args.more], options, progress)
    except RenderFailed as exc:
        raise _Failure(EXIT_FAILED, "render-failed", str(exc)) from None
    progress.clear()
    report = reports[0] if len(reports) == 1 else NightReport(tuple(reports))
    return report, report.exit_status, "; ".join(report.problems[:5]) + ("; …" if len(report.problems) > 5 else "")


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
        try:
            if self.terminal:
                sys.stderr.write(f"\r\033[K{message}")
                self.shown = True
            else:
                sys.stderr.write(f"paiban: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed: progress is not worth failing the build for
            self.enabled = False

    def clear(self) -> None:
        if self.shown:
            self.shown = False
            try:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass


def run() -> None:
    """The `paiban` command (console script and ``python -m paiban``): `main`, then leave at once.

    A build leaves some 10⁶ objects alive; letting the interpreter free them one by one at exit
    takes ~40 ms of a 0.4 s build (measured on the benchmark). Everything is written and closed by
    the time `main` returns (outputs are renamed into place, worker pools and clusters are shut
    down in `with` blocks), so the process flushes its two streams and ends without that teardown.
    A reader that went away (`paiban check … | head`) leaves the exit code as it was.
    """
    try:
        code = main()
    except SystemExit as exc:  # --help, --version; a fonts usage error
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_INPUT)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # BrokenPipeError: the reader went away; nothing more to say
            pass
    from paiban.cache_health import release_scratch

    release_scratch()  # what atexit would have done: a scratch folder of a build without its cache
    os._exit(code)


if __name__ == "__main__":
    run()
