"""The text-trace backend: composed pages as plain text, page → region → line.

One line per placed line: grid line, text column, x and width in points (one decimal), kind and
the text; a vertical line (竖排) gives its length down the column as ``h=`` instead of ``w=``. Golden tests compare whole layouts with this trace; it changes only when the layout
really changes, and is rewritten only on purpose (`pytest --update-goldens`).
"""

from __future__ import annotations

from itertools import groupby

from paiban.model.placed import Document


def text_trace(doc: Document) -> str:
    out: list[str] = [f"document {doc.title}"]
    for page in doc.pages:
        out.append(f"page {page.number} {page.width:.1f}x{page.height:.1f}")
        lines = sorted(page.lines, key=lambda ln: (ln.region, ln.column, ln.grid_line, -ln.y))
        for region, group in groupby(lines, key=lambda ln: ln.region):
            out.append(f"  region {region}")
            for ln in group:
                measure = "h" if ln.modes else "w"
                out.append(f"    L{ln.grid_line:03d} c{ln.column} x={ln.x:.1f} {measure}={ln.width:.1f} "
                           f"{ln.kind}: {ln.text}")
        for m in page.markers:
            out.append(f"  marker x={m.x:.1f} y={m.y:.1f} {m.note}")
    return "\n".join(out) + "\n"
