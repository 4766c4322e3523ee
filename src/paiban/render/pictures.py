"""Pictures for the press: every placed picture converted to the output profile's CMYK.

A printing plant's preflight refuses RGB, and a RIP that converts it itself uses its own
defaults. So each picture is converted here, once per process for a file's content, profile and
rendering intent (an edition's pages share pictures), with Pillow's ImageCms (LittleCMS):

* **source profile**: the ICC profile embedded in the file when it matches the picture's colours,
  else sRGB (what cameras, phones and web pictures are in), for grey pictures too (as RGB);
* **destination**: the output intent's CMYK profile (`paiban.render.press`), with the layout's
  rendering intent (``press.rendering_intent``, default perceptual: photographs keep their
  gradation on newsprint's small gamut);
* **16-bit** pictures are brought to 8 bits by value (Pillow's ``I;16`` to ``L`` would clip them to
  white); **alpha** (RGBA, LA, a palette with transparency) is flattened on white paper: a
  transparent area prints as paper, not as black; a CMYK picture is taken as already separated
  for the press and kept as it is.

The result is raw 8-bit CMYK, Flate-compressed, written as an image XObject named after its
content (`Picture.name`), so the PDF does not depend on where the picture file lies. It is kept
per process and in the cache folder (``pictures/``, a sealed binary entry of
`paiban.fonts.disk_cache`, keyed by the SHA-256 of the file and of the profile, and the intent):
converting a 1200 × 900 picture takes ~80 ms, reading it back ~2 ms. A truncated
or corrupt file was refused when the layout was read (`paiban.input.input_files.check_picture`);
should it fail to decode here, that is a `PaibanError` naming it.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from paiban.errors import PaibanError
from paiban.fonts.disk_cache import read_binary_entry, write_binary_entry

__all__ = ["INTENTS", "Picture", "cmyk_picture"]

#: rendering intent names (layout key ``press.rendering_intent``) → ICC intent numbers
INTENTS = {"perceptual": 0, "relative": 1, "saturation": 2, "absolute": 3}
#: pictures kept per process at most
MEMO_PICTURES = 64
_memo: dict[tuple, "Picture"] = {}
_transforms: dict[tuple, object] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Picture:
    """A picture as the PDF embeds it: DeviceCMYK, 8 bits a component, Flate-compressed."""

    name: str  # the XObject resource name, from the content
    width: int
    height: int
    compressed: bytes


def cmyk_picture(path: str, profile: bytes, intent: str) -> Picture:
    """The picture at ``path`` in the CMYK of ``profile`` (ICC bytes) with ``intent``."""
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    key = (digest, hashlib.sha256(profile).hexdigest(), intent)
    with _lock:
        hit = _memo.get(key)
    if hit is not None:
        return hit
    disk_key = f"picture|{key[0]}|{key[1]}|{intent}"
    made = _stored(disk_key)
    if made is None:
        made = _convert(Path(path), profile, intent)
        write_binary_entry("pictures", disk_key, {"name": made.name, "width": made.width, "height": made.height},
                           made.compressed)
    with _lock:
        if len(_memo) >= MEMO_PICTURES:
            _memo.clear()
        _memo[key] = made
    return made


def _stored(key: str) -> Picture | None:
    stored = read_binary_entry("pictures", key)
    if stored is None:
        return None
    header, compressed = stored
    if not (isinstance(header, dict) and isinstance(header.get("name"), str)
            and all(isinstance(header.get(k), int) and not isinstance(header.get(k), bool) for k in ("width", "height"))):
        return None
    return Picture(header["name"], header["width"], header["height"], compressed)


def _convert(path: Path, profile: bytes, intent: str) -> Picture:
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as im:
            im.load()
            embedded = im.info.get("icc_profile")
            cmyk = _to_cmyk(_flattened(im), embedded, profile, intent)
    except (OSError, ValueError, SyntaxError) as exc:
        raise PaibanError(f"cannot convert picture {path.name} to CMYK: {' '.join(str(exc).split())}") from None
    data = cmyk.tobytes()
    compressed = zlib.compress(data, 6)
    name = "Im" + hashlib.sha256(compressed).hexdigest()[:16]
    return Picture(name, cmyk.width, cmyk.height, compressed)


def _flattened(im):
    """``im`` as 8-bit RGB, L or CMYK, transparency flattened on white."""
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits (a plain convert("L") clips every value above 255 to white)
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("LA", "PA", "La", "RGBa"):
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        paper = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, im).convert("RGB")
    if im.mode in ("CMYK", "RGB", "L"):
        return im
    return im.convert("RGB")


def _to_cmyk(im, embedded: bytes | None, profile: bytes, intent: str):
    from PIL import ImageCms

    if im.mode == "CMYK":
        return im
    if im.mode == "L":
        im = im.convert("RGB")  # grey through the RGB source profile: neutral on the press
        embedded = embedded if _profile_space(embedded) == "RGB" else None
    elif _profile_space(embedded) != "RGB":
        embedded = None
    key = (hashlib.sha256(embedded).hexdigest() if embedded else "sRGB", hashlib.sha256(profile).hexdigest(), intent)
    with _lock:
        transform = _transforms.get(key)
    if transform is None:
        import io

        source = ImageCms.ImageCmsProfile(io.BytesIO(embedded)) if embedded else ImageCms.createProfile("sRGB")
        target = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        transform = ImageCms.buildTransform(source, target, "RGB", "CMYK", renderingIntent=INTENTS[intent])
        with _lock:
            _transforms[key] = transform
    return ImageCms.applyTransform(im, transform)


def _profile_space(data: bytes | None) -> str | None:
    """The colour space an ICC profile's header names (``RGB``, ``GRAY``, ``CMYK``), or None."""
    if not data or len(data) < 20:
        return None
    return data[16:20].decode("latin-1").strip() or None
