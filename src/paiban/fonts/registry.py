"""`FontRegistry`: font roles (song, hei, kai, ...) resolved to installed faces, per character.

A role is an ordered fallback chain of faces, defined in a roles YAML (the packaged default is
``paiban/data/font_roles.yaml``; its comments describe the schema). A layout may put its own
font first in a role's chain (``overrides``). For each character the first face whose cmap has
it is used (`FontRegistry.face_for`); layout measures with `FontRegistry.metrics`, and the PDF
renderer embeds the faces themselves (`paiban.render.cid_fonts`). The registry never imports
reportlab.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from paiban.fonts.discovery import find_face_index, find_font_file, open_face, prefetch_font_files
from paiban.fonts.faces import FontFace
from paiban.fonts.metrics import FaceMetrics, load_metrics
from paiban.i18n import _

__all__ = ["FontRegistry", "UnknownRole", "default_roles_file"]

_TOP_KEYS = {"roles", "version"}
_ROLE_KEYS = {"description", "chain", "extends"}
_ENTRY_KEYS = {"file", "face"}


class UnknownRole(KeyError):
    """A font role that the roles file does not define."""

    def __init__(self, role: str, known: Iterable[str] = ()):
        self.role = role
        self.known = sorted(known)
        super().__init__(role)

    def __str__(self) -> str:
        known = ", ".join(self.known) or _("none")
        return _("unknown font role {role!r} (known roles: {known})").format(role=self.role, known=known)


def default_roles_file() -> Path:
    """The packaged ``font_roles.yaml``.

    Found beside this package's files, as `importlib.resources` would (whose import and reader
    cost ~3 ms a process); through `importlib.resources` only when the package is not installed
    as files.
    """
    beside = Path(__file__).parent.parent / "data" / "font_roles.yaml"
    if beside.is_file():
        return beside
    from importlib import resources

    return Path(str(resources.files("paiban").joinpath("data", "font_roles.yaml")))


# ---- roles file -----------------------------------------------------------------------------

class _Entry(NamedTuple):
    """One ``{file, face}`` line of a chain, as written (resolved lazily)."""

    file: str
    face: str | int
    where: str


#: nesting a roles file never needs (roles → role → chain → entry): deeper is refused before loading
MAX_ROLES_DEPTH = 16


def _parse_yaml(text: str, path: Path) -> object:
    """``yaml.safe_load`` of a roles file's ``text``, with libyaml when PyYAML has it (~10 times
    faster); a ValueError naming the file, line and column when it is not YAML, or when it uses
    what a roles file never needs and a hostile one abuses: anchors and aliases (an alias bomb),
    tags, nesting deeper than `MAX_ROLES_DEPTH` (checked on the parser's events, before any data
    is built). libyaml builds the same data; its error messages differ a little, so a text it
    rejects is parsed again with the pure-Python loader, whose error is raised."""
    import yaml

    _refuse_unsafe_events(yaml, text, path)
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = _where(path, getattr(exc, "problem_mark", None))
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ValueError(_("{where}: not valid YAML: {problem}").format(where=where, problem=problem)) from None


def _where(path: Path, mark) -> str:
    return f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)


def _refuse_unsafe_events(yaml, text: str, path: Path) -> None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            where = _where(path, getattr(event, "start_mark", None))
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ValueError(_("{where}: anchors and aliases (&, *) are not allowed in a font roles file").format(
                    where=where))
            if getattr(event, "tag", None) is not None and not isinstance(event, yaml.DocumentStartEvent):
                raise ValueError(_("{where}: tags (!!…) are not allowed in a font roles file").format(where=where))
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_ROLES_DEPTH:
                    raise ValueError(_("{where}: nested more than {limit} levels deep").format(
                        where=where, limit=MAX_ROLES_DEPTH))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # not YAML: the loader below says where


def _load_roles(path: Path) -> dict[str, tuple[list[_Entry], list[str], str]]:
    """Parse and validate a roles file: role -> (entries, extends, description)."""
    from paiban.input.input_files import MAX_YAML_BYTES, read_input_text

    doc = _parse_yaml(read_input_text(path, MAX_YAML_BYTES, _("font roles file")), path)
    if not isinstance(doc, dict):
        raise ValueError(_("{path}: expected a mapping with a 'roles' key").format(path=path))
    for key in doc:
        if key not in _TOP_KEYS:
            raise ValueError(_("{path}: unknown key {key!r} (allowed: {allowed})").format(
                path=path, key=key, allowed=', '.join(sorted(_TOP_KEYS))))
    roles = doc.get("roles")
    if not isinstance(roles, dict) or not roles:
        raise ValueError(_("{path}: 'roles' must be a non-empty mapping of role name -> definition").format(path=path))
    parsed: dict[str, tuple[list[_Entry], list[str], str]] = {}
    for name, body in roles.items():
        where = f"{path}: roles.{name}"
        if not isinstance(name, str) or not name:
            raise ValueError(_("{path}: role names must be strings, got {name!r}").format(path=path, name=name))
        if not isinstance(body, dict):
            raise ValueError(_("{where}: expected a mapping with 'chain' and/or 'extends'").format(where=where))
        for key in body:
            if key not in _ROLE_KEYS:
                raise ValueError(_("{where}: unknown key {key!r} (allowed: {allowed})").format(
                    where=where, key=key, allowed=', '.join(sorted(_ROLE_KEYS))))
        chain = body.get("chain") or []
        if not isinstance(chain, list):
            raise ValueError(_("{where}.chain: expected a list of {{file, face}} entries").format(where=where))
        entries: list[_Entry] = []
        for i, item in enumerate(chain):
            ewhere = f"{where}.chain[{i}]"
            if isinstance(item, str):
                item = {"file": item}
            if not isinstance(item, dict):
                raise ValueError(_("{where}: expected {{file: ..., face: ...}}").format(where=ewhere))
            for key in item:
                if key not in _ENTRY_KEYS:
                    raise ValueError(_("{where}: unknown key {key!r} (allowed: file, face)").format(
                        where=ewhere, key=key))
            file = item.get("file")
            if not isinstance(file, str) or not file.strip():
                raise ValueError(_("{where}: 'file' must be a font file name or path").format(where=ewhere))
            face = item.get("face", 0)
            if isinstance(face, bool) or not isinstance(face, (int, str)) or (isinstance(face, int) and face < 0):
                raise ValueError(_("{where}.face: expected a family name or a face index >= 0, got {face!r}").format(
                    where=ewhere, face=face))
            entries.append(_Entry(file.strip(), face, ewhere))
        extends = body.get("extends") or []
        if isinstance(extends, str):
            extends = [extends]
        if not isinstance(extends, list) or not all(isinstance(e, str) for e in extends):
            raise ValueError(_("{where}.extends: expected a role name or a list of role names").format(where=where))
        if not entries and not extends:
            raise ValueError(_("{where}: needs a 'chain' or 'extends'").format(where=where))
        description = body.get("description") or ""
        parsed[name] = (entries, list(extends), str(description))
    for name, (_entries, extends, _d) in parsed.items():
        for target in extends:
            if target not in parsed:
                raise ValueError(_("{path}: roles.{name}.extends: unknown role {target!r}").format(
                    path=path, name=name, target=target))
    # cycles
    state: dict[str, int] = {}

    def visit(role: str, stack: list[str]) -> None:
        if state.get(role) == 2:
            return
        if state.get(role) == 1:
            raise ValueError(_("{path}: 'extends' cycle: {cycle}").format(path=path, cycle=' -> '.join(stack + [role])))
        state[role] = 1
        for target in parsed[role][1]:
            visit(target, stack + [role])
        state[role] = 2

    for name in parsed:
        visit(name, [])
    return parsed


# ---- the registry ---------------------------------------------------------------------------

class FontRegistry:
    """Font roles resolved against the fonts installed on this machine."""

    def __init__(
        self,
        roles_file: Path | None = None,
        overrides: dict[str, tuple[Path, int]] | None = None,
        prefetch: bool = True,
    ):
        """``prefetch``: find the installed font files now
        (`paiban.fonts.discovery.prefetch_font_files`) rather than when the first role is
        resolved; a registry that only measures faces it is given (a render worker) never needs
        them, and passes False."""
        if prefetch:
            prefetch_font_files()
        self.roles_file = Path(roles_file) if roles_file is not None else default_roles_file()
        self._roles = _load_roles(self.roles_file)
        self._base_dir = self.roles_file.parent
        self._overrides: dict[str, FontFace] = {}
        for role, spec in (overrides or {}).items():
            if role not in self._roles:  # a layout may add a role of its own: its font, then the fallback
                tail = ["fallback"] if "fallback" in self._roles else []
                self._roles[role] = ([], tail, "from the layout's font_files")
            self._overrides[role] = self._override_face(role, spec)
        self._lock = threading.RLock()
        self._own: dict[str, tuple[FontFace, ...]] = {}
        self._chains: dict[str, tuple[FontFace, ...]] = {}
        self._face_for: dict[tuple[str, str], FontFace | None] = {}

    # -- resolution --

    @staticmethod
    def _override_face(role: str, spec: tuple[Path, int]) -> FontFace:
        try:
            file, index = spec
        except (TypeError, ValueError):
            raise ValueError(_("font override for role {role!r}: expected (path, face index), got {spec!r}").format(
                role=role, spec=spec)) from None
        path = Path(file).expanduser()
        if not path.is_file() and not path.is_absolute() and len(path.parts) == 1:
            found = find_font_file(path.name)
            if found is not None:
                path = found
        if not path.is_file():
            raise FileNotFoundError(_("font override for role {role!r}: font file not found: {file}").format(
                role=role, file=file))
        return open_face(path, int(index))

    def _entry_face(self, entry: _Entry) -> tuple[FontFace | None, str]:
        """The face an entry names, or (None, why it is skipped)."""
        name = entry.file
        candidate = Path(name).expanduser()
        if candidate.is_absolute() or len(candidate.parts) > 1:
            path: Path | None = candidate if candidate.is_absolute() else self._base_dir / candidate
            if not path.is_file():
                path = None
        else:
            path = find_font_file(name)
        if path is None:
            return None, f"{entry.where}: {name} not installed"
        try:
            if isinstance(entry.face, int):
                index = entry.face
            else:
                index = find_face_index(path, entry.face)
            return open_face(path, index), f"{entry.where}: {path}#{index}"
        except (LookupError, ValueError, OSError) as exc:
            return None, f"{entry.where}: skipped: {exc}"

    def _own_faces(self, role: str) -> tuple[FontFace, ...]:
        """The installed faces of the role's own chain (override first)."""
        hit = self._own.get(role)
        if hit is not None:
            return hit
        faces: list[FontFace] = []
        if role in self._overrides:
            faces.append(self._overrides[role])
        for entry in self._roles[role][0]:
            face, note = self._entry_face(entry)
            if face is None:
                import logging  # only when a chain entry is skipped: logging costs ~3 ms to import

                logging.getLogger(__name__).debug("font role %s: %s", role, note)
            else:
                faces.append(face)
        result = self._own[role] = tuple(faces)
        return result

    def roles(self) -> list[str]:
        """The role names the roles file defines, in file order."""
        return list(self._roles)

    def description(self, role: str) -> str:
        if role not in self._roles:
            raise UnknownRole(role, self._roles)
        return self._roles[role][2]

    def chain(self, role: str) -> tuple[FontFace, ...]:
        """The role's installed faces in fallback order (own chain, then each ``extends``), deduplicated.

        Raises `UnknownRole` for a role the roles file does not define; () if none is installed.
        """
        with self._lock:
            hit = self._chains.get(role)
            if hit is None:
                hit = self._chains[role] = tuple(face for face, _ in self.chain_sources(role))
            return hit

    def chain_sources(self, role: str) -> list[tuple[FontFace, str]]:
        """`chain` with the role each face comes from (``role`` itself, or a role it extends)."""
        if role not in self._roles:
            raise UnknownRole(role, self._roles)
        with self._lock:
            pairs = [(face, role) for face in self._own_faces(role)]
            for target in self._roles[role][1]:
                pairs.extend(self.chain_sources(target))
            unique: dict[tuple[Path, int], tuple[FontFace, str]] = {}
            for face, source in pairs:
                unique.setdefault((face.path, face.index), (face, source))
            return list(unique.values())

    def unresolved_entries(self, role: str) -> list[str]:
        """The role's own chain entries that are skipped (file not installed, face not found)."""
        if role not in self._roles:
            raise UnknownRole(role, self._roles)
        return [note for face, note in map(self._entry_face, self._roles[role][0]) if face is None]

    def primary_face(self, role: str) -> FontFace | None:
        """The role's first installed face (the one that should draw nearly everything), or None."""
        return next(iter(self.chain(role)), None)

    # -- per character --

    def face_for(self, role: str, ch: str) -> FontFace | None:
        """The first face of the role's chain whose cmap has ``ch``, or None (memoised)."""
        key = (role, ch)
        if key not in self._face_for:
            self._face_for[key] = next((face for face in self.chain(role) if load_metrics(face).has(ch)), None)
        return self._face_for[key]

    def metrics(self, face: FontFace) -> FaceMetrics:
        return load_metrics(face)

    def __repr__(self) -> str:
        return f"FontRegistry({str(self.roles_file)!r}, roles={self.roles()})"

