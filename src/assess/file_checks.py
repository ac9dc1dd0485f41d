"""Checks made when an input file is opened, before it is read: is it there, is it the kind of
file its reader expects, and is it of a size the reader can hold?

An untrusted file must fail fast and clearly: a 2 GB file of NUL bytes named like a street file
is refused after reading 64 KiB, not after filling the memory. Every check raises
:class:`~assess.errors.InputError` naming the file and what to do.

- :func:`check_text_file`: a text input (CSV, YAML, GeoJSON): exists, not empty, at most
  ``max_bytes``, no NUL byte and no known binary signature in its first bytes, and a first line
  that ends within :data:`MAX_LINE_BYTES`;
- :func:`check_spreadsheet_file`: a workbook (.xlsx/.xlsm/.ods zip, or .xls): exists, not
  empty, at most ``max_bytes``, has a workbook's signature and, for a zip, its members expand to
  at most :data:`MAX_UNZIPPED_BYTES` (a "zip bomb" is refused before it is opened);
- :func:`read_text_file`: the whole of a small text file (a configuration, the scorecard YAML,
  a GeoJSON), checked as above and decoded as UTF-8, an undecodable byte named by its line.

The limits can be raised for an unusual file with the environment variable
``ASSESS_MAX_INPUT_BYTES`` (bytes), which replaces every default ``max_bytes``.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

from assess.errors import InputError

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

#: How many bytes are sniffed at the start of a file.
SNIFF_BYTES = 64 * KiB
#: The longest first line (a header) a text input may have.
MAX_LINE_BYTES = 1 * MiB
#: Default largest CSV file (a 5-million-row police.uk street file is about 1 GB).
MAX_CSV_BYTES = 2 * GiB
#: Default largest workbook file, and the most its zip members may expand to.
MAX_SPREADSHEET_BYTES = 512 * MiB
MAX_UNZIPPED_BYTES = 4 * GiB
#: Default largest YAML file (configuration, scorecard, sources).
MAX_YAML_BYTES = 4 * MiB
#: Default largest GeoJSON file (ward boundaries of a whole country at full resolution fit).
MAX_GEOJSON_BYTES = 512 * MiB

ENV_MAX_BYTES = "ASSESS_MAX_INPUT_BYTES"

#: Signatures of binary files an analyst may put in the wrong place, with what they are.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive (or an .xlsx/.ods workbook)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (or another OLE2 document)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def limit(default: int) -> int:
    """``default``, or the byte limit set in ``$ASSESS_MAX_INPUT_BYTES``."""
    value = os.environ.get(ENV_MAX_BYTES, "").strip()
    return int(value) if value.isdigit() else default


def _size(n: int) -> str:
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _exists_and_size(path: Path, max_bytes: int, what: str) -> int:
    if not path.exists():
        raise InputError(path, "the file does not exist", hint="check the path, or run `assess demo`")
    if not path.is_file():
        raise InputError(path, "this is a folder or a device, not a file", hint=f"give the path of the {what} file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "the file is empty (0 bytes)", hint="download or export the file again")
    if size > max_bytes:
        raise InputError(
            path,
            f"the file is {_size(size)}, more than the {_size(max_bytes)} a {what} file may be",
            hint=f"check it is the right file; if it is, split it, or raise the limit with {ENV_MAX_BYTES}=<bytes>",
        )
    return size


def check_text_file(path: str | Path, *, what: str = "CSV", max_bytes: int | None = None, lines: bool = True) -> None:
    """Refuse a file that is missing, empty, too large or not text (see the module docstring).

    ``lines`` (CSV, YAML): the first line must end within :data:`MAX_LINE_BYTES`; a GeoJSON may
    be one long line. Reads at most :data:`MAX_LINE_BYTES` bytes, whatever the size of the file.
    """
    path = Path(path)
    _exists_and_size(path, limit(max_bytes if max_bytes is not None else MAX_CSV_BYTES), what)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        if head.startswith(_UTF16_BOMS):
            raise InputError(path, "the file is UTF-16 text, not UTF-8", row=1,
                             hint="save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')")
        for signature, kind in BINARY_SIGNATURES:
            if head.startswith(signature):
                raise InputError(path, f"the file is {kind}, not {what} text", row=1,
                                 hint=f"put the {what} file itself here (extract it, or export it as {what})")
        if b"\x00" in head:
            at = head.index(b"\x00")
            line = head[:at].count(b"\n") + 1
            raise InputError(path, f"the file is not text: it holds NUL bytes (the first at byte {at})", row=line,
                             hint=f"this is a binary or damaged file, not {what}: download or export it again")
        first_break = head.find(b"\n") if lines else 0
        while first_break < 0 and len(head) < MAX_LINE_BYTES:
            more = fh.read(SNIFF_BYTES)
            if not more:
                break
            head += more
            first_break = head.find(b"\n")
    if first_break < 0 and len(head) >= MAX_LINE_BYTES:
        raise InputError(path, f"the first line is longer than {_size(MAX_LINE_BYTES)}: this is not {what} text "
                         "made of lines", row=1, hint=f"check the file is the {what} file it is named as")


def check_spreadsheet_file(path: str | Path, *, max_bytes: int | None = None,
                           max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse a workbook that is missing, empty, too large, not a workbook, or a zip whose members
    expand beyond ``max_unzipped_bytes`` (see the module docstring). Call it when a workbook is
    opened, before handing it to the spreadsheet library."""
    path = Path(path)
    _exists_and_size(path, limit(max_bytes if max_bytes is not None else MAX_SPREADSHEET_BYTES), "spreadsheet")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return  # .xls (BIFF in an OLE2 container)
    if not head.startswith(b"PK\x03\x04"):
        raise InputError(path, "the file is not a spreadsheet (.xlsx, .ods or .xls): it does not start like one",
                         hint="download it again, or save it from Excel as 'Excel Workbook (*.xlsx)'")
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"the file is not a readable workbook ({exc})",
                         hint="download it again (it may be cut off)") from None
    if expanded > limit(max_unzipped_bytes):
        raise InputError(path, f"the workbook's contents expand to {_size(expanded)}, more than "
                         f"{_size(limit(max_unzipped_bytes))}", hint="check it is the published file; "
                         f"if it is, raise the limit with {ENV_MAX_BYTES}=<bytes>")


def decode_utf8(path: Path, data: bytes, hint: str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark dropped), or InputError naming the line of
    the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded; was it saved as "
            "Latin-1 or Windows-1252?)",
            row=line,
            hint=hint,
        ) from None


def read_text_file(path: str | Path, *, what: str, max_bytes: int, lines: bool = True,
                   hint: str = "save the file as UTF-8 text") -> str:
    """The text of a small input file (checked by :func:`check_text_file`, decoded as UTF-8)."""
    path = Path(path)
    check_text_file(path, what=what, max_bytes=max_bytes, lines=lines)
    return decode_utf8(path, path.read_bytes(), hint)
