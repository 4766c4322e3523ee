"""paiban as a library: build or check a layout from Python; the report and the PDF as bytes.

    import paiban

    result = paiban.build("layouts/demo.yaml")          # a layout file
    Path("demo.pdf").write_bytes(result.pdf)
    print(result.report.summary())                      # what `paiban build` prints
    result.as_dict()                                    # what `paiban build --json` prints

    paiban.check({"grid": {...}, "pages": [...], "stories": [...]},   # a layout in memory
                 articles={"lead.txt": "标题\\n\\n正文……"}, pictures={"harbour.jpg": "/photos/a.jpg"})

`build` and `check` run the same stages as the command line (`paiban.pipeline`), so the PDF is
the command's byte for byte. A layout in memory (a mapping, or YAML text: a str with a line
break) is written with its articles and pictures into a temporary project folder that is gone
when the call returns; its paths name them relative to that folder. Bad input raises
`paiban.errors.InputError` (one line: file, line, column, key path, what is wrong), never
`SystemExit`; nothing is printed. The user's reference is docs/api.md.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Union

from paiban.errors import InputError, Where
from paiban.report import BuildReport
from paiban.i18n import N_, _

__all__ = ["InputError", "LayoutSource", "Result", "build", "check"]

#: a layout file (a path: `os.PathLike`, or a str without a line break), YAML text (a str with a
#: line break) or the layout's mapping as YAML would give it
LayoutSource = Union[str, os.PathLike[str], Mapping[str, Any]]


@dataclass(frozen=True)
class Result:
    """A finished build or check: the report (`paiban.report.BuildReport`, the data of ``--json``)
    and, for a build, the PDF (None for a check, or when `strict` kept it from being written)."""

    report: BuildReport
    pdf: bytes | None = None

    @property
    def clean(self) -> bool:
        """No overset text, missing glyphs, low-resolution pictures or preflight errors."""
        return self.report.clean

    def as_dict(self) -> dict[str, Any]:
        """The report as ``paiban build --json`` prints it (with ``overset`` and ``clean``)."""
        return json.loads(self.report.to_json())


def build(layout: LayoutSource, *, articles: Mapping[str, str] | None = None,
          pictures: Mapping[str, str | os.PathLike[str]] | None = None, root: str | os.PathLike[str] | None = None,
          name: str = "layout", proof: bool = False, marks: bool = True, strict: bool = False,
          jobs: int = 1) -> Result:
    """Typeset `layout` into a PDF: the report and the PDF's bytes (`Result`).

    `articles` (file name → text) and `pictures` (file name → the picture's path) are the files
    a layout given in memory names; `name` is its file name without ``.yaml`` (its default title
    and the slug's file name). `root`: the folder every file of a layout file must lie in (as
    ``--root``). `proof`, `marks`, `strict`: as ``--proof``, ``--no-marks``, ``--strict`` (with
    `strict`, no PDF when the report is not clean). `jobs` > 1 composes the pages in that many
    worker processes (as ``-j``); the PDF is the same. Raises `InputError` for bad input."""
    return _run(layout, articles, pictures, root, name, proof=proof, marks=marks, strict=strict, jobs=jobs,
                write=True)


def check(layout: LayoutSource, *, articles: Mapping[str, str] | None = None,
          pictures: Mapping[str, str | os.PathLike[str]] | None = None, root: str | os.PathLike[str] | None = None,
          name: str = "layout", proof: bool = False) -> Result:
    """Typeset `layout` without making the PDF (``paiban check``): the `Result` with its report.
    Arguments as `build`'s. Raises `InputError` for bad input."""
    return _run(layout, articles, pictures, root, name, proof=proof, marks=True, strict=False, jobs=1,
                write=False)


def _run(layout: LayoutSource, articles: Mapping[str, str] | None,
         pictures: Mapping[str, str | os.PathLike[str]] | None, root: str | os.PathLike[str] | None, name: str,
         *, proof: bool, marks: bool, strict: bool, jobs: int, write: bool) -> Result:
    from paiban import pipeline  # the stages (and their fonts, reportlab) only when something is built

    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 256:
        raise ValueError(f"jobs must be a whole number 1–256, got {jobs!r}")
    with _layout_file(layout, articles, pictures, name, root) as (path, folder):
        with tempfile.TemporaryDirectory(prefix="paiban-") as out:
            output = Path(out) / f"{path.stem}.pdf" if write else None
            options = pipeline.BuildOptions(output=output, proof=proof, strict=strict, keep_lines=False,
                                            root=None if root is None else Path(root), marks=marks)
            try:
                result = pipeline.build(path, options, jobs=jobs if write else 1)
            except InputError as exc:
                raise _shown_in(exc, folder) from None
            pdf = output.read_bytes() if output is not None and output.is_file() else None
    report = replace(result.report, output=None)
    if folder is not None:
        report = replace(report, layout=f"{name}.yaml")
    return Result(report, pdf)


@contextmanager
def _layout_file(layout: LayoutSource, articles: Mapping[str, str] | None,
                 pictures: Mapping[str, str | os.PathLike[str]] | None, name: str,
                 root: str | os.PathLike[str] | None) -> Iterator[tuple[Path, Path | None]]:
    """(the layout file, the temporary project folder or None): `layout` itself when it is a
    path, else a folder made for the call with the layout, its articles and its pictures."""
    if isinstance(layout, os.PathLike) or (isinstance(layout, str) and "\n" not in layout):
        if articles or pictures:
            raise TypeError("articles and pictures are for a layout given in memory; a layout file names its own")
        from paiban.edition import is_edition_file

        if is_edition_file(Path(layout)):
            raise InputError(_("this is an edition file (it has a top-level `layouts:` list); paiban.build and "
                               "paiban.check take a layout; build an edition with `paiban build`"), Where(Path(layout)))
        yield Path(layout), None
        return
    if root is not None:
        raise TypeError("root is for a layout file; a layout in memory has its own folder")
    if isinstance(layout, str):
        text = layout
    elif isinstance(layout, Mapping):
        text = _yaml_text(layout)
    else:
        raise TypeError(f"a layout is a path, YAML text or a mapping, not {type(layout).__name__}")
    if not _plain_name(name) or "/" in name:
        raise ValueError(f"name must be a plain file name without .yaml, got {name!r}")
    with tempfile.TemporaryDirectory(prefix="paiban-layout-") as made:
        folder = Path(made).resolve()
        path = folder / f"{name}.yaml"
        path.write_bytes(text.encode("utf-8"))  # bytes: the text exactly as given, no newline translation
        for file, content in (articles or {}).items():
            if not isinstance(content, str):
                raise TypeError(f"article {file!r}: give its text as a str, not {type(content).__name__}")
            _place(folder, file, N_("article")).write_bytes(content.encode("utf-8"))
        for file, source in (pictures or {}).items():
            target = _place(folder, file, N_("picture"))
            try:
                shutil.copyfile(source, target)
            except OSError as exc:
                raise InputError(_("picture {file}: cannot read {source}: {reason}").format(
                    file=file, source=source, reason=exc.strerror or exc),
                                 Where(f"{name}.yaml")) from None
        yield path, folder


def _yaml_text(layout: Mapping[str, Any]) -> str:
    import yaml

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return os.fspath(value) if isinstance(value, os.PathLike) else value

    try:
        return yaml.safe_dump(plain(layout), allow_unicode=True, sort_keys=False)
    except yaml.YAMLError as exc:
        raise InputError(_("the layout mapping cannot be written as YAML: {detail}").format(detail=exc)) from None


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and name.isprintable() and "\\" not in name


def _place(folder: Path, file: str, what: str) -> Path:
    """Where the `what` the layout names as `file` goes in `folder` (its folders made): a relative
    path that stays inside."""
    parts = PurePosixPath(str(file)).parts
    if not parts or PurePosixPath(str(file)).is_absolute() or not all(map(_plain_name, parts)):
        raise InputError(_("{what} name {file!r}: give a relative path inside the layout's folder, such as "
                           "articles/lead.txt").format(what=_(what), file=file))
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _shown_in(error: InputError, folder: Path | None) -> InputError:
    """`error` with the temporary folder of a layout in memory left out of its file and message."""
    if folder is None:
        return error
    prefix = f"{folder}{os.sep}"
    where = error.where
    file = str(where.file)[len(prefix):] if where.file is not None and str(where.file).startswith(prefix) else where.file
    return InputError(error.message.replace(prefix, "").replace(str(folder), "."), replace(where, file=file))
