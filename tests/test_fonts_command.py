"""`paiban fonts`: roles and the files they resolve to, coverage, `check`, `cache`.

Run through the CLI (`python -m paiban fonts …`) as a user would, with HOME and the cache in a
temporary folder (a fresh machine after the README setup: fonts installed, nothing cached).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, SEED

from paiban.fonts import FontRegistry, find_font_file
from paiban.fonts.charsets import tongyong_guifan
from paiban.fonts.registry import default_roles_file

SRC = str(ROOT / "src")
EXAMPLE_ROLES = ROOT / "fonts" / "roles.yaml"
DEFAULT_ROLES = ("song", "biaosong", "hei", "kai", "fangsong", "latin")


def paiban(*args: str, cwd: Path, home: Path | None = None, **env_extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if home is not None:  # a fresh user: empty home, empty cache
        env.update(HOME=str(home), PAIBAN_CACHE_DIR=str(home / ".cache" / "paiban"))
        env.pop("XDG_CACHE_HOME", None)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def _need_cjk() -> None:
    if find_font_file("NotoSerifCJK-Regular.ttc") is None:
        pytest.skip("Noto Serif CJK is not installed (Debian: fonts-noto-cjk; see fonts/README.md)")


def _one_line_error(result: subprocess.CompletedProcess, needle: str, prefix: str = "paiban: error: ") -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(prefix) and needle in lines[0], lines[0]


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    _need_cjk()
    home = tmp_path_factory.mktemp("home")
    text = paiban("fonts", "--article", str(SEED), cwd=home, home=home)
    data = paiban("fonts", "list", "--json", cwd=home, home=home)
    assert text.returncode == 0 and data.returncode == 0, text.stderr + data.stderr
    return text.stdout, json.loads(data.stdout)


def test_fonts_lists_every_role_with_its_resolved_files(listing):
    text, data = listing
    registry = FontRegistry()
    assert [r["name"] for r in data["roles"]] == registry.roles()
    assert set(DEFAULT_ROLES) <= set(registry.roles())
    for role in data["roles"]:
        chain = registry.chain(role["name"])
        assert [(Path(f["file"]), f["face"], f["family"]) for f in role["faces"]] == \
            [(f.path, f.index, f.family) for f in chain]
        assert f"\n{role['name']} — " in text
        for face in chain:
            assert f"{face.family}: {face.path} face {face.index}" in text
    song = data["roles"][0]
    assert song["faces"][0]["family"] == "Noto Serif CJK SC" and song["faces"][0]["face"] == 2
    assert song["faces"][0]["outlines"] == "CFF" and "[CFF, embedded as CIDFontType0C]" in text
    assert "skipped: roles.biaosong.chain[1]: NotoSerifCJK-SemiBold.ttc not installed" in text or \
        find_font_file("NotoSerifCJK-SemiBold.ttc") is not None


def test_fonts_shows_gb2312_tongyong_and_article_coverage(listing):
    text, data = listing
    song = data["roles"][0]["coverage"]
    assert song["gb2312"]["total"] == 6763
    assert song["gb2312"]["covered"] == 6763  # Noto Serif CJK SC has all of GB 2312
    assert "GB 2312 hanzi: 6763/6763 (100.0%), first face 6763" in text
    if tongyong_guifan() is None:
        assert "通用规范汉字表 data not found: install the Debian package unicode-data" in text
        assert "tongyong_guifan" not in song
    else:
        assert song["tongyong_guifan"]["total"] == 8105
        assert "通用规范汉字表: 8105 characters, from" in text
    article = f"article {SEED}: "
    assert article in text
    # the seed's characters are all in Noto Serif CJK SC (fonts-and-reportlab.md)
    line = next(ln for ln in text.splitlines() if article in ln)
    assert "(100.0%)" in line and "missing" not in line


def test_fonts_check_lists_fallbacks_and_missing_with_positions(tmp_path):
    _need_cjk()
    article = tmp_path / "a.txt"
    text = "---\nheadline: 标题\U0001F600\n---\n第一段有\U0002081D字。\n\n第二段有\U00020000和\uE000。\n"
    article.write_text(text, encoding="utf-8")
    result = paiban("fonts", "check", str(article), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["role"] == "song" and data["primary_face"] == "NotoSerifCJK-Regular-2"
    missing = {(m["char"], m["paragraph"], m["part"], m["line"], m["offset"], m["reason"]) for m in data["missing"]}
    assert ("\U0001F600", 0, "headline", 0, 2, "emoji") in missing
    assert ("\uE000", 2, "", 6, 6, "private use") in missing
    registry = FontRegistry()
    fallback_face = registry.face_for("song", "\U0002081D")
    if fallback_face is not None:
        [use] = [f for f in data["fallbacks"] if f["char"] == "\U0002081D"]
        assert (use["paragraph"], use["line"], use["offset"], use["face"]) == (1, 4, 4, fallback_face.key)
    ext_b = registry.face_for("song", "\U00020000")
    assert (("\U00020000", 2, "", 6, 4, "no font has it") in missing) == (ext_b is None)
    text = paiban("fonts", "check", str(article), cwd=tmp_path)
    assert "missing  '\U0001F600'  U+1F600  headline, offset 2: emoji" in text.stdout
    assert "paragraph 2 (line 6), offset 6: private use" in text.stdout
    strict = paiban("fonts", "check", str(article), "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "missing" in strict.stderr


def test_fonts_errors_are_one_line_with_exit_2(tmp_path):
    _one_line_error(paiban("fonts", "check", "nowhere.txt", cwd=tmp_path), "nowhere.txt: article file not found")
    _one_line_error(paiban("fonts", "check", str(SEED), "--role", "caoshu", cwd=tmp_path), "caoshu")
    _one_line_error(paiban("fonts", "--roles", "missing.yaml", cwd=tmp_path),
                    "missing.yaml: font roles file not found")
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles:\n  song:\n    chain: [\n", encoding="utf-8")
    _one_line_error(paiban("fonts", "--roles", str(bad), cwd=tmp_path), f"{bad}:4:1: not valid YAML")
    bad.write_text("roles:\n  song: {chian: []}\n", encoding="utf-8")
    _one_line_error(paiban("fonts", "--roles", str(bad), cwd=tmp_path), "roles.song: unknown key 'chian'")
    _one_line_error(paiban("fonts", "cache", "--prune", "-1", cwd=tmp_path, home=tmp_path), "--prune")
    _one_line_error(paiban("fonts", "check", cwd=tmp_path), "required: article", "paiban fonts check: error:")
    _one_line_error(paiban("fonts", "frob", cwd=tmp_path), "invalid choice: 'frob'", "paiban fonts: error:")


def test_example_roles_file_mirrors_the_default_and_a_layout_can_name_it(tmp_path):
    example = FontRegistry(roles_file=EXAMPLE_ROLES)
    default = FontRegistry(roles_file=default_roles_file())
    assert set(default.roles()) <= set(example.roles())
    assert "mono" in example.roles()
    for role in default.roles():
        assert example.chain(role) == default.chain(role), role
        assert example.description(role) == default.description(role)
    if find_font_file("NotoSansCJK-Regular.ttc") is not None:
        assert example.chain("mono")[0].family == "Noto Sans Mono CJK SC"
    # a layout in layouts/ names it as ../fonts/roles.yaml
    layout = ROOT / "layouts" / f".test-roles-{os.getpid()}.yaml"
    layout.write_text("fonts: ../fonts/roles.yaml\n" + DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        from paiban import pipeline

        result = pipeline.run(layout)
        assert result.registry.roles_file == EXAMPLE_ROLES.resolve()
        plain = pipeline.run(DEMO)  # the same demo with the packaged roles
        assert (result.report.pages, result.report.missing, result.report.fallbacks) == \
            (plain.report.pages, plain.report.missing, plain.report.fallbacks)
        assert [ln.text for p in result.document.pages for ln in p.lines] == \
            [ln.text for p in plain.document.pages for ln in p.lines]
        listed = paiban("fonts", "--layout", str(layout), "--json", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)["roles_file"] == str(EXAMPLE_ROLES.resolve())
    finally:
        layout.unlink()


def test_fonts_cache_shows_and_prunes_what_a_build_left(tmp_path):
    """`paiban fonts prepare` is gone (nothing to prepare: CFF faces are embedded as they are);
    `paiban fonts cache` counts the programs, pictures and metrics a build left, and prunes them."""
    _need_cjk()
    home = tmp_path / "home"
    assert paiban("fonts", "prepare", cwd=tmp_path, home=home).returncode == 2
    built = paiban("build", str(DEMO), "-o", str(tmp_path / "out"), cwd=tmp_path, home=home)
    assert built.returncode == 0, built.stderr
    folder = home / ".cache" / "paiban"
    counts = {kind: len(list((folder / kind).glob("*.bin"))) for kind in ("programs", "pictures", "metrics")}
    # four faces, the demo's four pictures (each converted to CMYK once), their metrics
    assert counts["programs"] == 4 and counts["pictures"] == 4 and counts["metrics"] >= 4
    cache = paiban("fonts", "cache", cwd=tmp_path, home=home)
    assert cache.returncode == 0
    assert f"{counts['programs']} programs, {counts['metrics']} metrics, {counts['pictures']} pictures" in cache.stdout
    pruned = paiban("fonts", "cache", "--prune", "0", cwd=tmp_path, home=home)
    assert f"removed {sum(counts.values())} entries" in pruned.stdout
    assert not [path for kind in counts for path in (folder / kind).glob("*.bin")]


def test_without_unihan_data_the_listing_says_where_to_get_it(monkeypatch, capsys):
    from paiban import cli
    from paiban.fonts import charsets

    monkeypatch.setattr(charsets, "find_unihan_file", lambda: None)
    assert cli.main(["fonts", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "install the Debian package unicode-data" in data["reference_note"]
    assert all(set(role["coverage"]) == {"gb2312"} for role in data["roles"])
    assert cli.main(["fonts"]) == 0
    assert "paiban does not ship the list" in capsys.readouterr().out
