#!/usr/bin/env bash
# paiban's project tasks, for a fresh Debian/Ubuntu machine (Python 3.11+):
#   bash tasks.sh demo    set everything up, then build layouts/demo.yaml into out/
#   bash tasks.sh test    set everything up, then run the test suite
#   bash tasks.sh setup   only install: CJK fonts (Debian packages) and a virtualenv in .venv
#   bash tasks.sh bench   run the stage benchmark (bench/stage_times.py)
#   bash tasks.sh python  print the Python a new .venv is made with (PAIBAN_PYTHON chooses another)
#   bash tasks.sh messages  extract paiban's messages (Babel, babel.cfg), update the Chinese catalog
#                         src/paiban/locale/zh_CN/LC_MESSAGES/paiban.po and compile its .mo (see paiban/i18n.py)
# As root, fonts come from `apt-get install`; as a user, the .deb files are fetched with
# `apt-get download` and unpacked into ~/.cache/paiban/debs (PAIBAN_FONT_PATH points there).
# fonts-hanazono covers CJK Extension B (𠀀 𪚥) as the last fallback; unicode-data carries Unihan,
# whose kTGH field is the 通用规范汉字表 that `paiban fonts` measures coverage against.
# Print (docs/print.md): libgs-common has the default CMYK output profile (default_cmyk.icc);
# ghostscript separates the plates (`--separations`, and the tests' independent check). As a
# user only the profile is fetched (PAIBAN_CMYK_PROFILE points at it); the tests that need
# Ghostscript are skipped without it, except in CI (CI=true), where they fail.
set -euo pipefail
cd "$(dirname "$0")"

FONT_PACKAGES="fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai fonts-lxgw-wenkai fonts-wqy-zenhei fonts-hanazono unicode-data"
PRESS_PACKAGES="ghostscript libgs-common"
PROFILE=usr/share/color/icc/ghostscript/default_cmyk.icc
VENV="${PAIBAN_VENV:-.venv}"
DEB_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/paiban/debs"

say() { printf 'tasks.sh: %s\n' "$*" >&2; }

missing_packages() {
  local missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  echo "$missing"
}

# apt_install WHAT PACKAGE...: as root, from Debian's archive
apt_install() {
  local what=$1; shift
  say "installing $what: $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# fetch_debs DOWNLOAD_DIR UNPACK_DIR PACKAGE...: as a user, the .deb files unpacked, not installed
fetch_debs() {
  local dir=$1 root=$2; shift 2
  mkdir -p "$dir" "$root"
  (cd "$dir" && apt-get download "$@")
  for deb in "$dir"/*.deb; do dpkg-deb -x "$deb" "$root"; done
}

install_fonts() {
  if [ -d "$DEB_CACHE/root/usr/share/fonts" ]; then
    export PAIBAN_FONT_PATH="$DEB_CACHE/root/usr/share/fonts${PAIBAN_FONT_PATH:+:$PAIBAN_FONT_PATH}"
  fi
  command -v dpkg-query >/dev/null || { say "no dpkg here: put CJK fonts in a folder and set PAIBAN_FONT_PATH (see fonts/README.md)"; return 0; }
  local missing; missing=$(missing_packages $FONT_PACKAGES)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt_install "fonts" $missing
  elif [ ! -d "$DEB_CACHE/root/usr/share/fonts" ]; then
    say "not root: fetching$missing into $DEB_CACHE"
    fetch_debs "$DEB_CACHE" "$DEB_CACHE/root" $missing
    export PAIBAN_FONT_PATH="$DEB_CACHE/root/usr/share/fonts${PAIBAN_FONT_PATH:+:$PAIBAN_FONT_PATH}"
  fi
}

# The interpreter of the virtualenv: $PAIBAN_PYTHON when set, else the distribution's python3
# (/usr/bin/python3) when it is 3.11 or newer, else the first 3.11+ on PATH. Debian 12's python3
# (linked statically, built by Debian's packaging) runs paiban ~17 % faster than a Python built
# with pyenv's defaults (a shared libpython, no --enable-optimizations), which may come first on
# PATH (README, "The night").
find_python() {
  local candidates="/usr/bin/python3 python3 python3.13 python3.12 python3.11"
  [ -n "${PAIBAN_PYTHON:-}" ] && candidates="$PAIBAN_PYTHON"
  for py in $candidates; do
    if command -v "$py" >/dev/null && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  say "paiban needs Python 3.11 or newer${PAIBAN_PYTHON:+ (PAIBAN_PYTHON=$PAIBAN_PYTHON is not)}"; exit 2
}

# real_interpreter PYTHON: the file of the interpreter PYTHON runs (through shims and symlinks)
real_interpreter() { "$1" -c 'import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))'; }

install_python() {
  local py; py=$(find_python)
  if [ -x "$VENV/bin/python" ]; then
    local have want; have=$(real_interpreter "$VENV/bin/python") || have=""; want=$(real_interpreter "$py")
    [ "$have" = "$want" ] || say "note: $VENV runs ${have:-a broken interpreter}, not $want; remove $VENV to rebuild it with that one"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$py" -m venv "$VENV"
      else
        say "cannot create a virtualenv: install python3-venv (apt-get install python3-venv)"; exit 2
      fi
    fi
  fi
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e '.[test]'
    touch "$VENV/.installed"
  fi
  # byte-compile as a wheel install would (an editable install does not, and with
  # PYTHONDONTWRITEBYTECODE set every run would compile paiban's modules again)
  "$VENV/bin/python" -m compileall -q src >/dev/null || true
}

install_press() {
  if [ -f "$DEB_CACHE/press/$PROFILE" ] && [ ! -f "/$PROFILE" ]; then
    export PAIBAN_CMYK_PROFILE="$DEB_CACHE/press/$PROFILE"
  fi
  command -v dpkg-query >/dev/null || { say "no dpkg here: install Ghostscript, or set press.profile in the layout (docs/print.md)"; return 0; }
  local missing; missing=$(missing_packages $PRESS_PACKAGES)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt_install "print tools" $missing
  elif [ ! -f "/$PROFILE" ] && [ ! -f "$DEB_CACHE/press/$PROFILE" ]; then
    say "not root: fetching libgs-common (the CMYK profile) into $DEB_CACHE/press; without ghostscript, --separations is unavailable"
    fetch_debs "$DEB_CACHE/press" "$DEB_CACHE/press" libgs-common
    export PAIBAN_CMYK_PROFILE="$DEB_CACHE/press/$PROFILE"
  fi
}

# The live page's browser test (tests/test_serve_browser.py) drives Debian's Chromium headless
# with playwright; as a user without it the test is skipped (in CI, CI=true, it fails instead).
install_browser() {
  command -v dpkg-query >/dev/null || return 0
  local missing; missing=$(missing_packages chromium chromium-driver)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt_install "the browser of the live-page test" $missing
  else
    say "not root: no$missing; tests/test_serve_browser.py will be skipped (apt-get install chromium)"
  fi
}

# The tests that read a PDF back with another program than ours (pdffonts, pdfinfo, pdftotext:
# tests/test_press_fonts.py, test_press_pdf.py, test_vertical_*.py) use Debian's poppler-utils;
# without it they are skipped.
install_pdf_readers() {
  command -v dpkg-query >/dev/null || return 0
  local missing; missing=$(missing_packages poppler-utils)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt_install "the PDF readers of the tests" $missing
  else
    say "not root: no$missing; the tests that read PDFs with pdffonts, pdfinfo and pdftotext will be skipped"
  fi
}

setup() { install_fonts; install_press; install_python; }

case "${1:-}" in
  setup) setup ;;
  demo)
    setup
    "$VENV/bin/paiban" build layouts/demo.yaml -o out
    say "wrote out/demo.pdf" ;;
  test)
    setup
    install_browser
    install_pdf_readers
    shift
    "$VENV/bin/python" -m pytest "$@" ;;
  python) py=$(find_python); real_interpreter "$py" ;;
  bench)
    setup
    "$VENV/bin/python" bench/stage_times.py ;;
  messages)
    install_python
    pot=$(mktemp)
    "$VENV/bin/pybabel" extract -F babel.cfg --no-location --sort-output --omit-header -o "$pot" .
    "$VENV/bin/pybabel" update -i "$pot" -d src/paiban/locale -D paiban -l zh_CN --no-fuzzy-matching \
      --ignore-obsolete --ignore-pot-creation-date -w 120
    rm -f "$pot"
    "$VENV/bin/pybabel" compile -d src/paiban/locale -D paiban --statistics ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
