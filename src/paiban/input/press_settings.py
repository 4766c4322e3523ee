"""`press:` in a layout or an edition file: what the printing plant receives (docs/print.md).

    press:
      pdfx: x-4                     # or x-1a (PDF/X-1a:2001) for plants that ask for it
      profile: icc/ISOnewspaper26v4.icc   # the printing condition's CMYK profile
      output_condition_identifier: IFRA26
      output_condition: ISO 12647-3 coldset offset on newsprint, 45 g/m²
      registry_name: http://www.color.org
      bleed: 3mm                    # a number is mm
      marks: true                   # crop and registration marks and the slug; false for proofs
      rendering_intent: perceptual  # pictures → CMYK: perceptual, relative, saturation, absolute

Every key is optional; an edition file's keys override each layout's, key by key. `read_press`
returns the keys given, as `paiban.model.spec.Press` fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from paiban.input.key_kinds import Choice, Keys, Scalar
from paiban.input.yaml_source import Node
from paiban.units import parse_length
from paiban.i18n import N_, _

__all__ = ["PDFX_VERSIONS", "PRESS_KEYS", "RENDERING_INTENTS", "read_press"]

PDFX_VERSIONS = ("x-4", "x-1a")
RENDERING_INTENTS = ("perceptual", "relative", "saturation", "absolute")
PRESS_KEYS = Keys({"pdfx": Choice(PDFX_VERSIONS), "profile": Scalar.PATH, "output_condition_identifier": Scalar.LABEL,
                   "output_condition": Scalar.LABEL, "registry_name": Scalar.LABEL, "bleed": Scalar.LENGTH,
                   "marks": Scalar.BOOL, "rendering_intent": Choice(RENDERING_INTENTS)})
#: an ICC profile file at most (a CMYK output profile is 0.5–4 MB)
MAX_PROFILE_BYTES = 16 << 20
#: the bleed at most (pt): 20 mm
MAX_BLEED = 20 * 72 / 25.4


def read_press(node: Node | None, profile_file: Callable[[Node, str, int], Path]) -> dict[str, Any]:
    """The `press:` mapping's keys as `Press` fields. `profile_file(node, what, limit)` checks
    the profile's path (a regular file inside the project, at most ``limit`` bytes)."""
    if node is None or node.is_null:
        return {}
    node.as_mapping(f"a mapping of press settings ({', '.join(PRESS_KEYS)})")
    node.check_keys(PRESS_KEYS)
    out: dict[str, Any] = {}
    if (item := node.get("pdfx")) is not None:
        out["pdfx"] = item.as_choice(PDFX_VERSIONS, N_("PDF/X version"))
    if (item := node.get("profile")) is not None:
        path = profile_file(item, N_("output profile"), MAX_PROFILE_BYTES)
        _check_profile(item, path)
        out["profile"] = path
    for key in ("output_condition_identifier", "output_condition", "registry_name"):
        if (item := node.get(key)) is not None:
            out[key] = item.as_str(coerce=True, allow_empty=True).strip()
    if (item := node.get("bleed")) is not None:
        try:
            bleed = parse_length(item.value, default_unit="mm")
        except (ValueError, OverflowError):
            raise item.error(_("expected a length such as 3mm (a plain number is mm)")) from None
        if not 0 <= bleed <= MAX_BLEED:
            raise item.error(_("the bleed must be between 0 and 20 mm"))
        out["bleed"] = bleed
    if (item := node.get("marks")) is not None:
        out["marks"] = item.as_bool()
    if (item := node.get("rendering_intent")) is not None:
        out["rendering_intent"] = item.as_choice(RENDERING_INTENTS, N_("rendering intent"))
    return out


def _check_profile(node: Node, path: Path) -> None:
    """An ICC profile whose colour space is CMYK (the header's bytes 16–19), readable by LittleCMS."""
    from io import BytesIO

    from PIL import ImageCms

    data = path.read_bytes()
    if len(data) < 128 or data[36:40] != b"acsp":
        raise node.error(_("{name} is not an ICC profile").format(name=path.name))
    if data[16:20] != b"CMYK":
        raise node.error(_("{name} is a {space} profile; the output profile of a press must be CMYK").format(
            name=path.name, space=data[16:20].decode('latin-1').strip()))
    try:
        ImageCms.ImageCmsProfile(BytesIO(data))
    except (OSError, ImageCms.PyCMSError) as exc:
        raise node.error(_("{name} cannot be read as an ICC profile: {exc}").format(name=path.name, exc=exc)) from None
