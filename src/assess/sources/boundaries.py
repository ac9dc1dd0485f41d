"""Ward boundaries (GeoJSON, ONS Open Geography portal), read with errors that name the file.

:func:`read_ward_boundaries` checks the file before parsing it (text, at most 512 MiB, UTF-8)
and says where a file that is not JSON goes wrong (line and character), or that JSON which is
not a GeoJSON FeatureCollection is not one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assess.errors import InputError
from assess.file_checks import (
    MAX_GEOJSON_BYTES,
    check_text_file,
    read_text_file,
)

HINT = "use the ward boundaries GeoJSON as downloaded from the ONS Open Geography portal (or run `assess fetch`)"


def check_ward_boundaries_file(path: str | Path) -> None:
    """A quick look, before any chapter runs: the file is text and starts like a JSON object."""
    path = Path(path)
    check_text_file(path, what="GeoJSON", max_bytes=MAX_GEOJSON_BYTES, lines=False)
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        raise InputError(path, "the file is not GeoJSON: it does not start with '{'", row=1, hint=HINT)


def read_ward_boundaries(path: str | Path) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of ``path``; InputError naming the file (and the line and
    character where the JSON breaks) when it is not one."""
    path = Path(path)
    text = read_text_file(path, what="GeoJSON", max_bytes=MAX_GEOJSON_BYTES, lines=False, hint=HINT)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"the file is not valid JSON ({exc.msg} at character {exc.colno} of the line)",
                         row=exc.lineno, hint=HINT + "; a file cut off while downloading is the usual cause") from None
    except RecursionError:
        raise InputError(path, "the file is not GeoJSON (its JSON is nested too deeply)", hint=HINT) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise InputError(path, f"the file is JSON but not a GeoJSON FeatureCollection (found {found!r})", hint=HINT)
    return data
