"""The `paiban` command line: the only place that prints and chooses exit codes.

    paiban build LAYOUT [-o DIR] [--strict] [--json] [--trace FILE]
    paiban check LAYOUT [--strict] [--json]
    paiban fonts [list|check|prepare|cache] …   (see paiban.fonts_command)

Exit codes: 0 built (warnings are printed), 1 `--strict` and the report has overset text or
missing glyphs (no PDF is written), 2 the input is wrong (one line naming file, line and key).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paiban import __version__
from paiban.errors import InputError
from paiban.fonts_command import add_fonts_parser, run_fonts

EXIT_OK, EXIT_STRICT, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paiban", description="Typeset Chinese newspaper pages from articles and a YAML layout.")
    p.add_argument("--version", action="version", version=f"paiban {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for name, helptext in (("build", "typeset a layout into a PDF"), ("check", "typeset without writing the PDF")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("layout", type=Path, help="layout YAML file")
        c.add_argument("--strict", action="store_true", help="fail (exit 1) on overset text or missing glyphs")
        c.add_argument("--json", action="store_true", help="print the report as JSON")
        c.add_argument("--trace", type=Path, help="also write a text trace (page → region → line) to this file")
        c.add_argument("--proof", action="store_true", help="draw proof markers: a red box where a story is overset")
        if name == "build":
            c.add_argument("-o", "--output", type=Path, default=Path("out"), help="output directory (default: out)")
    add_fonts_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "fonts":
        return run_fonts(args)
    from paiban import pipeline  # imported here so `paiban --help` stays fast

    try:
        pdf = None
        if args.command == "build":
            pdf = args.output / (args.layout.stem + ".pdf")
        result = pipeline.run(args.layout, None, proof=args.proof)
        report = result.report
        strict_fail = args.strict and not report.clean
        if pdf is not None and not strict_fail:
            result = pipeline.run_render(result, pdf)
            report = result.report
        if args.trace:
            from paiban.render.text_trace import text_trace

            _write_text(args.trace, text_trace(result.document))
    except InputError as exc:
        print(f"paiban: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("paiban: interrupted; no output written", file=sys.stderr)
        return 130
    print(report.to_json() if args.json else report.summary())
    if strict_fail:
        print("paiban: --strict: the build has overset text or missing glyphs; no PDF written", file=sys.stderr)
        return EXIT_STRICT
    return EXIT_OK


def _write_text(path: Path, text: str) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, path)


if __name__ == "__main__":
    raise SystemExit(main())
