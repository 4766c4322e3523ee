"""Hostile input for a nightly build: every input is a regular file, inside the project folder and
within the limits, or the build stops at once with exit code 2 and one line naming the file (and
the YAML key that names it) — never a hang, a traceback, a half-grey picture or a leaked file.

Every CLI case runs `paiban` in a child process limited to 1 GB of address space and 10 s."""

from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from conftest import ROOT

from paiban import pipeline
from paiban.errors import InputError
from paiban.input.input_files import read_input_text
from paiban.input.layout_loader import load_layout
from paiban.model.spec import Limits

SRC = str(ROOT / "src")
MEMORY = 1 << 30  # each child process: at most 1 GB of address space
SECONDS = 10

LAYOUT = """root: ..
page: {size: a4, margins: {top: 25mm, bottom: 15mm}}
grid: {body_size: 小五, columns: 4, column_chars: 12, line_pitch: 14pt}
pages:
  - page: 1
    regions:
      - {name: body, columns: [1, 4], lines: [1, 30]}
      - {name: pic, kind: picture, columns: [1, 2], lines: [31, 45], image: ../images/pic.png, caption: 图片说明}
stories:
  - {name: s, article: ../articles/a.txt, thread: [body]}
"""
ARTICLE = "头条正文。这是一段测试文字。\n"


def project(tmp_path: Path, layout: str = LAYOUT) -> Path:
    """A project folder: layouts/page.yaml (root: ..), articles/a.txt, images/pic.png."""
    from PIL import Image

    proj = tmp_path / "proj"
    for sub in ("layouts", "articles", "images"):
        (proj / sub).mkdir(parents=True, exist_ok=True)
    (proj / "articles" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    Image.new("RGB", (400, 300), (200, 200, 200)).save(proj / "images" / "pic.png")
    path = proj / "layouts" / "page.yaml"
    path.write_text(layout, encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def paiban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env, capture_output=True,
                                text=True, timeout=SECONDS, preexec_fn=_limit_child)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"paiban {' '.join(args)} hung (killed after {SECONDS} s)") from None
    assert time.perf_counter() - start < SECONDS
    return result


def assert_input_error(result: subprocess.CompletedProcess, file: Path | str, key: str | None, *words: str) -> str:
    """Exit 2, one line on stderr naming `file` (and `key`), no traceback, nothing on stdout."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert f"{file}:" in line, line
    if key is not None:
        assert f": {key}: " in line, line
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"
    return line


def check(layout: Path, *more: str) -> subprocess.CompletedProcess:
    return paiban("check", str(layout), *more, cwd=layout.parent)


# ---- regular files only ------------------------------------------------------------------------


def test_the_project_builds(tmp_path):
    layout = project(tmp_path)
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "page.pdf").stat().st_size > 1000


def test_a_fifo_as_the_layout_is_an_input_error_at_once(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert_input_error(check(fifo), fifo, None, "FIFO")
    with pytest.raises(InputError, match="FIFO"):  # the loader itself, called by a program
        load_layout(fifo)


def test_dev_zero_and_a_directory_as_the_layout_are_input_errors(tmp_path):
    assert_input_error(paiban("check", "/dev/zero", cwd=tmp_path), "/dev/zero", None, "character device")
    with pytest.raises(InputError, match="character device"):
        load_layout(Path("/dev/zero"))
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        load_layout(folder)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_fifo_or_a_directory_as_the_article_is_an_input_error(tmp_path, kind):
    layout = project(tmp_path)
    target = layout.parent.parent / "articles" / "odd.txt"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    edit(layout, "../articles/a.txt", "../articles/odd.txt")
    word = "FIFO" if kind == "fifo" else "directory"
    assert_input_error(check(layout), layout, "stories[0].article", word, "odd.txt")


def test_dev_zero_as_the_article_is_an_input_error_even_outside_the_root_allowed(tmp_path):
    layout = project(tmp_path)
    edit(layout, "../articles/a.txt", "/dev/zero")
    assert_input_error(check(layout), layout, "stories[0].article", "outside the project folder")
    edit(layout, "root: ..", "allow_outside_root: true")
    assert_input_error(check(layout), layout, "stories[0].article", "character device", "/dev/zero")


def test_a_fifo_swapped_in_after_loading_does_not_hang_the_read(tmp_path):
    layout = load_layout(project(tmp_path))
    article = layout.stories[0].article
    article.unlink()
    os.mkfifo(article)
    with pytest.raises(InputError, match="FIFO"):
        pipeline.read_stories(layout)
    with pytest.raises(InputError, match="FIFO"):
        read_input_text(article, 1000, "article file")


# ---- confined paths ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "../../outside.txt"])
def test_an_article_outside_the_project_folder_is_refused(tmp_path, path):
    layout = project(tmp_path)
    (tmp_path / "outside.txt").write_text(ARTICLE, encoding="utf-8")
    edit(layout, "../articles/a.txt", path)
    line = assert_input_error(check(layout), layout, "stories[0].article", "outside the project folder",
                              str(layout.parent.parent))
    assert line.startswith(f"paiban: error: {layout}:10:")  # the line of the story


def test_a_symlink_leaving_the_project_is_refused_one_inside_is_fine(tmp_path):
    layout = project(tmp_path)
    (tmp_path / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    articles = layout.parent.parent / "articles"
    (articles / "link.txt").symlink_to(tmp_path / "secret.txt")
    (articles / "inside.txt").symlink_to(articles / "a.txt")
    edit(layout, "../articles/a.txt", "../articles/inside.txt")
    assert check(layout).returncode == 0
    edit(layout, "../articles/inside.txt", "../articles/link.txt")
    assert_input_error(check(layout), layout, "stories[0].article", "outside the project folder",
                       f"resolves to {tmp_path / 'secret.txt'}")
    (layout.parent.parent / "images" / "evil.png").symlink_to("/etc/passwd")
    edit(layout, "../articles/link.txt", "../articles/a.txt")
    edit(layout, "../images/pic.png", "../images/evil.png")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "outside the project folder")


def test_without_a_root_key_the_layouts_folder_is_the_root(tmp_path):
    layout = project(tmp_path)
    edit(layout, "root: ..\n", "")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "outside the project folder",
                       str(layout.parent))


def test_allow_outside_root_lets_the_layout_read_files_anywhere(tmp_path):
    layout = project(tmp_path)
    (tmp_path / "outside.txt").write_text(ARTICLE, encoding="utf-8")
    edit(layout, "../articles/a.txt", str(tmp_path / "outside.txt"))
    edit(layout, "root: ..", "allow_outside_root: true")
    assert check(layout).returncode == 0
    edit(layout, "allow_outside_root: true", "allow_outside_root: yes please")
    assert_input_error(check(layout), layout, "allow_outside_root", "true or false")


def test_font_files_and_roles_file_are_confined_and_regular(tmp_path):
    layout = project(tmp_path)
    edit(layout, "root: ..\n", "root: ..\nfont_files: {song: /etc/passwd}\n")
    assert_input_error(check(layout), layout, "font_files.song", "outside the project folder")
    os.mkfifo(layout.parent / "roles.yaml")
    edit(layout, "font_files: {song: /etc/passwd}\n", "fonts: roles.yaml\n")
    assert_input_error(check(layout), layout, "fonts", "FIFO")


def test_a_bad_root_key_is_an_input_error(tmp_path):
    layout = project(tmp_path)
    edit(layout, "root: ..", "root: ../articles/a.txt")
    assert_input_error(check(layout), layout, "root", "not a folder")


def test_the_callers_root_confines_the_layout_and_cannot_be_lifted(tmp_path):
    layout = project(tmp_path)
    proj = layout.parent.parent
    assert load_layout(layout, root=proj).stories[0].article == proj / "articles" / "a.txt"
    with pytest.raises(InputError) as info:  # the layout's root: .. leaves the caller's root
        load_layout(layout, root=layout.parent)
    assert str(info.value).startswith(f"{layout}:1:") and ": root: " in str(info.value)
    edit(layout, "root: ..", "allow_outside_root: true")
    with pytest.raises(InputError) as info:
        pipeline.build(layout, pipeline.BuildOptions(root=proj))
    assert ": allow_outside_root: " in str(info.value) and "cannot lift" in str(info.value)
    with pytest.raises(InputError, match="the layout file is outside"):
        load_layout(layout, root=proj / "articles")


# ---- limits ------------------------------------------------------------------------------------


def _bomb_png(path: Path, side: int = 30_000) -> None:
    """A 1-bit side × side PNG of zeros: ~110 KB on disk, 900 MP (Pillow would take 900 MB for
    it). Written with zlib row block by row block: Pillow itself would need the 900 MB to make it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"\0" * (1 + side // 8) * 1000  # filter byte + packed bits, a thousand rows at a time
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(rows) for _ in range(side // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_a_decompression_bomb_png_is_an_input_error(tmp_path):
    layout = project(tmp_path)
    bomb = layout.parent.parent / "images" / "bomb.png"
    _bomb_png(bomb)
    assert bomb.stat().st_size < 1_000_000
    edit(layout, "../images/pic.png", "../images/bomb.png")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "30000 × 30000", "900 MP",
                       "limits.picture_pixels = 64 MP")


def test_a_12000_pixel_square_picture_is_refused_by_default_before_it_is_decoded(tmp_path):
    """Such a picture took 1.46 GB per process: 144 MP is over the default 64 MP."""
    layout = project(tmp_path)
    big = layout.parent.parent / "images" / "big.png"
    _bomb_png(big, side=12_000)
    edit(layout, "../images/pic.png", "../images/big.png")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "12000 × 12000", "144 MP",
                       "limits.picture_pixels = 64 MP")


def test_a_truncated_jpeg_is_an_input_error_not_a_grey_picture(tmp_path):
    from PIL import Image

    layout = project(tmp_path)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3)).save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    (layout.parent.parent / "images" / "cut.jpg").write_bytes(data[: len(data) // 2])
    edit(layout, "../images/pic.png", "../images/cut.jpg")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "cannot read image cut.jpg", "truncated")


def test_a_picture_over_the_memory_limit_and_a_masthead_image_are_checked(tmp_path):
    layout = project(tmp_path)
    edit(layout, "root: ..\n", "root: ..\nlimits: {picture_memory: 100KB}\n")
    assert_input_error(check(layout), layout, "pages[0].regions[1].image", "400 × 300",
                       "limits.picture_memory = 100 KB")
    edit(layout, "limits: {picture_memory: 100KB}\n", "edition: {masthead_image: ../articles/a.txt}\n")
    assert_input_error(check(layout), layout, "edition.masthead_image", "cannot read masthead image a.txt")


def test_an_article_over_the_size_limit_is_an_input_error(tmp_path):
    layout = project(tmp_path)
    big = layout.parent.parent / "articles" / "big.txt"
    big.write_bytes(("这是一段很长的文字。" * 35_000 + "\n").encode("utf-8"))  # 1.05 MB: over the default
    edit(layout, "../articles/a.txt", "../articles/big.txt")
    assert_input_error(check(layout), layout, "stories[0].article", "limits.article_size = 1 MB")
    big.write_text(ARTICLE * 100, encoding="utf-8")  # 4.3 KB: within the default, over a layout's 2KB
    edit(layout, "root: ..\n", "root: ..\nlimits:\n  article_size: 2KB\n")
    assert_input_error(check(layout), layout, "stories[0].article", "limits.article_size = 2 KB")


def test_a_paragraph_over_the_limit_names_the_article_and_its_line(tmp_path):
    layout = project(tmp_path)
    article = layout.parent.parent / "articles" / "a.txt"
    article.write_text("第一段。\n\n" + "长" * 60 + "。\n", encoding="utf-8")
    edit(layout, "root: ..\n", "root: ..\nlimits: {paragraph_chars: 50}\n")
    assert_input_error(check(layout), f"{article}:3", None, "61 characters", "limits.paragraph_chars = 50")


@pytest.mark.parametrize("limits, key, words", [
    ("{article_sise: 1MB}", "limits.article_sise", ("did you mean 'article_size'",)),
    ("{article_size: lots}", "limits.article_size", ("512KB",)),
    ("{picture_pixels: 500MP}", "limits.picture_pixels", ("between 1 pixel and 178 MP",)),
    ("{paragraph_chars: 1.5}", "limits.paragraph_chars", ("whole number",)),
    ("[1MB]", "limits", ("mapping",)),
])
def test_limits_are_validated_like_every_other_key(tmp_path, limits, key, words):
    layout = project(tmp_path)
    edit(layout, "root: ..\n", f"root: ..\nlimits: {limits}\n")
    with pytest.raises(InputError) as info:
        load_layout(layout)
    message = str(info.value)
    assert message.startswith(f"{layout}:2:") and f": {key}: " in message, message
    for word in words:
        assert word in message, message


def test_limits_given_in_the_layout_reach_the_model(tmp_path):
    layout = project(tmp_path)
    edit(layout, "root: ..\n", "root: ..\nlimits: {article_size: 2MB, paragraph_chars: 9000, picture_pixels: 12.5MP,"
                               " picture_memory: 1GB}\n")
    assert load_layout(layout).limits == Limits(2 << 20, 9000, 12_500_000, 1 << 30)
    assert load_layout(layout, limits={"paragraph_chars": 10}).limits.paragraph_chars == 10  # an edition's


# ---- editions ----------------------------------------------------------------------------------


def _edition(tmp_path: Path, extra: str = "") -> Path:
    layout = project(tmp_path)
    path = layout.parent.parent / "e.yaml"
    path.write_text(f"edition_name: e\n{extra}layouts: [layouts/page.yaml]\n", encoding="utf-8")
    return path


def test_an_edition_confines_its_layouts_to_its_root(tmp_path):
    path = _edition(tmp_path)
    assert check(path).returncode == 0
    layout = path.parent / "layouts" / "page.yaml"
    edit(layout, "root: ..", "allow_outside_root: true")
    line = assert_input_error(check(path), layout, "allow_outside_root", "cannot lift")
    assert "edition file e.yaml" in line
    edit(layout, "allow_outside_root: true", "root: ..")
    (tmp_path / "other.yaml").write_text(layout.read_text(encoding="utf-8"), encoding="utf-8")
    path.write_text("edition_name: e\nlayouts: [../other.yaml]\n", encoding="utf-8")
    assert_input_error(check(path), path, "layouts[0]", "outside the project folder")
    os.mkfifo(path.parent / "fifo.yaml")
    path.write_text("edition_name: e\nlayouts: [fifo.yaml]\n", encoding="utf-8")
    assert_input_error(check(path), path, "layouts[0]", "FIFO")


def test_an_editions_limits_apply_over_each_layouts(tmp_path):
    path = _edition(tmp_path, "limits: {picture_pixels: 1000}\n")
    layout = path.parent / "layouts" / "page.yaml"
    assert_input_error(check(path), layout, "pages[0].regions[1].image", "limits.picture_pixels")
    path.write_text(path.read_text(encoding="utf-8").replace("picture_pixels: 1000", "picture_pixels: 1k"),
                    encoding="utf-8")
    assert_input_error(check(path), path, "limits.picture_pixels", "64MP")


def test_a_callers_root_confines_the_edition_file_and_its_layouts(tmp_path):
    from paiban.edition.compose import prepare_layouts
    from paiban.edition.edition_loader import load_edition

    path = _edition(tmp_path)
    proj = path.parent
    spec = load_edition(path, root=proj)
    assert spec.root == proj.resolve()
    assert [item.layout.stories[0].article for item in prepare_layouts(spec)] == [proj / "articles" / "a.txt"]
    with pytest.raises(InputError, match="the edition file is outside"):
        load_edition(path, root=proj / "layouts")
    path.write_text(path.read_text(encoding="utf-8") + "allow_outside_root: true\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot lift") as info:
        load_edition(path, root=proj)
    assert str(info.value).startswith(f"{path}:3:")
    unconfined = load_edition(path)  # no caller's root: the edition may allow it, and its layouts keep theirs
    assert unconfined.root is None
    with pytest.raises(InputError) as info:  # a root given to prepare_layouts: the layout's root: .. leaves it
        prepare_layouts(unconfined, root=proj / "layouts")
    assert ": root: " in str(info.value) and "the root of the edition file e.yaml" in str(info.value)
