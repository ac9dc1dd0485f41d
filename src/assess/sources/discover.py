"""Find and classify the raw files under ``data/raw/`` by name pattern and header.

:func:`discover` walks ``raw_dir`` recursively (police.uk archives put files in ``YYYY-MM/``
folders) in sorted path order and gives each file a kind:

============================ ===================================================== =============
kind                         name pattern (case-insensitive)                       header check
============================ ===================================================== =============
``police_street``            ``YYYY-MM-<force>-street.csv``                        police.uk street header
``police_outcomes``          ``YYYY-MM-<force>-outcomes.csv``                      outcomes header
``police_stop_search``       ``YYYY-MM-<force>-stop-and-search.csv``               stop-and-search header
``home_office_prc``          ``prc-pfa-*``, ``prc-csp-*`` (.csv, .ods, .xlsx)      PRC header (a workbook: on a sheet)
``lsoa_ward_lookup``         ``*LSOA*Ward*Lookup*.csv``, ``Lower_Layer*Ward*Lookup*`` LSOAyyCD, WDyyCD, LADyyCD ...
``lad_csp_lookup``           ``*Local_Authority*Community_Safety*Lookup*.csv``     LADyyCD, CSPyyCD, PFAyyCD ...
``lad_region_lookup``        ``*Local_Authority*Region*Lookup*.csv``               LADyyCD, RGNyyCD ...
``iod_population``           ``File_6*Population_Denominators*.xlsx``              sheet 'Population Denominators'
``mid_year_population``      ``*mid-YYYY*``, ``*mid*estimates*``, ``mye*``         code column + 'All Ages' (persons sheet)
                             (.csv, .xls, .xlsx, .ods)
``households``               ``*household*`` (.csv, .xlsx)                         code column + 'Households'
``fingertips``               ``indicators-*.data.csv``, ``*fingertips*.csv``       Indicator ID, Indicator Name, Area Code ...
``rough_sleeping``           ``*rough*sleeping*`` (.xls, .xlsx, .ods)              ONS code, local authority, year columns
``ward_boundaries``          ``*ward*.geojson`` / ``.json``                        a ``WDyyCD`` property
``partner``                  anything under a ``partner/`` folder                  (left to ``sources.partner``)
``unknown``                  anything else (reported, not fatal)
============================ ===================================================== =============

A file is classified by its header when its name matches no pattern (e.g. a PRC table saved
under another name, or the rough sleeping tables as gov.uk names them,
``Tables_1_and_2a_2b_2c_-_revised.xlsx``). In a workbook (.xls, .xlsx, .ods) the first 50 rows of every sheet are searched
for the header (read once): the Home Office ODS tables, the ONS and MHCLG workbooks have title
rows and notes sheets. A file whose name
says one kind while its header is that of another kind raises InputError saying so; a file
whose name says a kind but whose header is of no kind raises the reader's own header error
(missing or renamed column). Hidden files (``.name``) and Office lock files (``~$name``) are
``unknown`` without being opened.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assess.errors import InputError
from assess.sources import (
    fingertips,
    home_office,
    ons,
    police_uk,
    population,
    rough_sleeping,
)
from assess.sources.csv_files import check_columns, read_header, resolve_columns
from assess.sources.spreadsheets import WORKBOOK_SUFFIXES, sheet_heads

#: Kind -> dotted name of its reader (None: not read by assess.sources).
READERS: dict[str, str | None] = {
    "police_street": "assess.sources.police_uk.read_street",
    "police_outcomes": "assess.sources.police_uk.read_outcomes",
    "police_stop_search": "assess.sources.police_uk.read_stop_search",
    "home_office_prc": "assess.sources.home_office.read_recorded_crime",
    "lsoa_ward_lookup": "assess.sources.ons.read_lsoa_ward_lookup",
    "lad_csp_lookup": "assess.sources.ons.read_lad_csp_lookup",
    "lad_region_lookup": "assess.sources.ons.read_lad_region_lookup",
    "iod_population": "assess.sources.population.read_iod_denominators",
    "mid_year_population": "assess.sources.population.read_mid_year_estimates",
    "households": "assess.sources.population.read_households",
    "fingertips": "assess.sources.fingertips.read_fingertips",
    "rough_sleeping": "assess.sources.rough_sleeping.read_rough_sleeping",
    "ward_boundaries": None,
    "partner": None,
    "unknown": None,
}
KINDS = tuple(READERS)

_NAME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("police_street", re.compile(r"^\d{4}-\d{2}-.+-street\.csv$")),
    ("police_outcomes", re.compile(r"^\d{4}-\d{2}-.+-outcomes\.csv$")),
    ("police_stop_search", re.compile(r"^\d{4}-\d{2}-.+-stop-and-search\.csv$")),
    ("home_office_prc", re.compile(r"^prc-(pfa|csp)-.*\.(csv|ods|xlsx)$")),
    ("lsoa_ward_lookup", re.compile(r"^.*(lsoa|lower_layer_super_output_area).*ward.*lookup.*\.csv$")),
    ("lad_csp_lookup", re.compile(r"^.*local_authority.*community_safety.*lookup.*\.csv$")),
    ("lad_region_lookup", re.compile(r"^.*local_authority.*region.*lookup.*\.csv$")),
    ("iod_population", re.compile(r"^file_6.*population_denominators.*\.xlsx$")),
    ("mid_year_population", re.compile(r"^.*(mid_?\d{4}|mid.*estimates|^mye\d).*\.(csv|xls|xlsx|xlsm|ods)$")),
    ("households", re.compile(r"^.*household.*\.(csv|xlsx)$")),
    ("fingertips", re.compile(r"^(indicators[-_].*\.data|.*fingertips.*)\.csv$")),
    ("rough_sleeping", re.compile(r"^.*rough_?sleeping.*\.(xls|xlsx|xlsm|ods)$")),
    ("ward_boundaries", re.compile(r"^.*ward.*\.(geo)?json$")),
]

_WARD_PROPERTY = re.compile(rb'"wd\d{2}cd"', re.IGNORECASE)
#: Workbook headers are looked for in each sheet's first rows.
HEADER_SEARCH_ROWS = 50


@dataclass(frozen=True)
class RawFile:
    """A raw input file: where it is, what kind it is, and the dotted name of its reader.

    ``reader`` is None for kinds not read by :mod:`assess.sources` (ward boundaries, partner
    files, unknown files). ``note`` says why a file is ``unknown``.
    """

    path: Path
    kind: str
    reader: str | None
    note: str = ""


def kind_by_name(path: str | Path) -> str | None:
    """The kind a file's name says (see the module table), or None. Separators ``-``, ``_`` and
    spaces are interchangeable in the ONS and MHCLG names; police.uk names are exact."""
    name = Path(path).name.lower()
    loose = re.sub(r"[\s_-]+", "_", name)
    for kind, pattern in _NAME_PATTERNS:
        candidate = name if kind.startswith("police_") or kind in ("home_office_prc", "fingertips") else loose
        if pattern.match(candidate):
            return kind
    return None


def kinds_by_header(path: str | Path) -> set[str]:
    """The kinds whose header the file's content matches (usually none or one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    kinds: set[str] = set()
    if suffix == ".csv":
        try:
            header = read_header(path)
        except InputError:
            header = []
        if set(police_uk.STREET_COLUMNS) <= set(header):
            kinds.add("police_street")
        if set(police_uk.OUTCOMES_COLUMNS) <= set(header):
            kinds.add("police_outcomes")
        if set(police_uk.STOP_SEARCH_COLUMNS) <= set(header):
            kinds.add("police_stop_search")
        if home_office.is_prc_header(header):
            kinds.add("home_office_prc")
        if fingertips.is_fingertips_header(header):
            kinds.add("fingertips")
        lookup = ons.lookup_kind(header)
        if lookup:
            kinds.add(lookup)
        if not kinds:
            sniffed = population.sniff(path)
            if sniffed:
                kinds.add(sniffed)
    elif suffix in WORKBOOK_SUFFIXES:
        heads = sheet_heads(path, HEADER_SEARCH_ROWS)  # every sheet's first rows, the file opened once
        if heads is not None:
            sniffed = population.sniff(path, heads)
            if sniffed:
                kinds.add(sniffed)
            elif rough_sleeping.snapshot_sheet(path, heads) is not None:
                kinds.add("rough_sleeping")
            elif home_office.prc_sheet(path, heads) is not None:
                kinds.add("home_office_prc")
    elif suffix in (".geojson", ".json"):
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if _WARD_PROPERTY.search(head):
            kinds.add("ward_boundaries")
    return kinds


def _is_partner(path: Path, raw_dir: Path) -> bool:
    parts = path.relative_to(raw_dir).parts[:-1]
    return any(p.lower() == "partner" for p in parts)


def classify(path: str | Path, raw_dir: str | Path | None = None) -> RawFile:
    """Classify one file (see the module docstring). InputError when name and header disagree."""
    path = Path(path)
    if raw_dir is not None and _is_partner(path, Path(raw_dir)):
        return RawFile(path, "partner", None, "partner file: read by assess.sources.partner")
    if path.name.startswith((".", "~$")):
        return RawFile(path, "unknown", None, "hidden or lock file")
    by_name = kind_by_name(path)
    by_header = kinds_by_header(path)
    if by_name is not None:
        if by_name in by_header:
            return RawFile(path, by_name, READERS[by_name])
        if by_header:
            other = sorted(by_header)[0]
            raise InputError(
                path,
                f"the file name says it is a {by_name} file but its header is that of a {other} file",
                hint="rename the file to what it holds, or replace it with the right download",
            )
        _raise_header_error(path, by_name)
    if len(by_header) == 1:
        kind = by_header.pop()
        return RawFile(path, kind, READERS[kind], "classified by its header (name matches no pattern)")
    if len(by_header) > 1:
        return RawFile(path, "unknown", None, f"header fits several kinds: {', '.join(sorted(by_header))}")
    return RawFile(path, "unknown", None, "neither the name nor the header is of a known kind")


def _raise_header_error(path: Path, kind: str) -> None:
    """The name says ``kind`` but the header is of no kind: raise the reader's precise error."""
    if kind == "ward_boundaries":
        raise InputError(
            path,
            "the file name says ward boundaries but no ward code property (WDyyCD) was found",
            hint="use the ONS ward boundaries GeoJSON, whose features carry WDyyCD and WDyyNM",
        )
    if path.suffix.lower() == ".csv":
        header = read_header(path)
        expected = {
            "police_street": police_uk.STREET_COLUMNS,
            "police_outcomes": police_uk.OUTCOMES_COLUMNS,
            "police_stop_search": police_uk.STOP_SEARCH_COLUMNS,
            "home_office_prc": home_office.PRC_COLUMNS,
        }.get(kind)
        if expected is not None:
            check_columns(path, header, list(expected))
        if kind in ons.LOOKUPS:
            resolve_columns(path, header, ons.LOOKUPS[kind][0])
    # Population tables (and anything the checks above let through): the reader says what is wrong.
    reader = _reader(kind)
    if reader is not None:
        reader(path)
    raise InputError(
        path,
        f"the file name says it is a {kind} file but its header is not that of one",
        hint="rename the file to what it holds, or replace it with the right download",
    )


def discover(raw_dir: str | Path) -> list[RawFile]:
    """Classify every file under ``raw_dir`` (recursively), in sorted path order.

    Raises InputError if ``raw_dir`` is not a folder, or if a file's name and header disagree.
    Unknown files are returned with kind ``"unknown"`` and a note (not an error).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "the raw data folder does not exist", hint="create data/raw/ and put the downloads in it")
    files = sorted(p for p in raw_dir.rglob("*") if p.is_file())
    return [classify(p, raw_dir) for p in files]


def _reader(kind: str):
    dotted = READERS.get(kind)
    if dotted is None:
        return None
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def read(raw_file: RawFile, **kwargs) -> pd.DataFrame:
    """Read a discovered file with the reader of its kind (keyword arguments are passed on).

    Raises InputError for kinds that :mod:`assess.sources` does not read (ward boundaries are
    read by ``assess.report.charts``, partner files by ``assess.sources.partner``, unknown files by
    nothing).
    """
    reader = _reader(raw_file.kind)
    if reader is None:
        where = {
            "ward_boundaries": "ward boundaries are read by assess.report.charts",
            "partner": "partner files are read by assess.sources.partner",
        }.get(raw_file.kind, "its kind is unknown: rename it as published, or remove it from data/raw/")
        raise InputError(raw_file.path, f"no reader for a file of kind '{raw_file.kind}'", hint=where)
    return reader(raw_file.path, **kwargs)
