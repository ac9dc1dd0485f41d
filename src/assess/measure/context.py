"""The data of one assessment: a CSP, a financial year, and the tables that concern them.

:func:`load_context` is the first call of every chapter notebook. It opens the processed store
(one version of it, checked against its manifest), reads the rows of the CSP's local authorities
once, and answers the questions every chapter asks: the year's months and whether the year is
complete, the population (persons or households) of the CSP, its wards and any CSP in England and
Wales, and the partner tables.

Memory: the street table is read for the CSP's local authorities only (the store opens only the
parts that hold them), only in the columns chapters use (:data:`STREET_COLUMNS`), and its codes
and categories as pandas categoricals (:data:`STREET_CATEGORICAL`: a byte or two a row, not a
string). The selections by year are made once per context, and a year whose rows are contiguous
(the store holds one part per police.uk month, read in order) is a slice of :attr:`street_all`
that shares its memory rather than a copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assess import SYNTHETIC_LABEL, reads
from assess.config import CSPConfig, find_config
from assess.measure.metrics import Denominator
from assess.periods import (
    LikeForLike,
    estimate_year,
    like_for_like,
    months_of_financial_year,
    parse_financial_year,
    shift_financial_year,
)
from assess.store import Store


class RecordedStore(Store):
    """The store of a chapter: each table it reads, or looks for, is recorded (:mod:`assess.reads`),
    so that its cached outputs are reused only while those tables are unchanged. Tables are
    recorded under the folder the store was opened on (the one a later run opens too), not any
    version inside it that this store happens to read."""

    def __init__(self, processed_dir: str | Path) -> None:
        super().__init__(processed_dir)
        self.opened_on = Path(processed_dir)

    def has(self, name: str) -> bool:
        reads.table(self.opened_on, name)
        return super().has(name)

    def rows(self, name: str) -> int:
        reads.table(self.opened_on, name)
        return super().rows(name)

    def read(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
        categorical: Sequence[str] = (),
    ) -> pd.DataFrame:
        reads.table(self.opened_on, name)  # recorded on every call: a frame may come from the process's read cache
        return super().read(name, columns=columns, filters=filters, categorical=categorical)


#: Home Office "forces" that are not police force areas: national fraud and transport bodies.
NON_GEOGRAPHIC_FORCES = ("Action Fraud", "CIFAS", "UK Finance", "British Transport Police")

#: The columns of the ``street`` table the chapters read (Crime IDs, locations, names and outcomes,
#: most of its bytes, stay in the store).
STREET_COLUMNS = (
    "month", "financial_year", "falls_within", "longitude", "latitude", "lsoa_code", "crime_type", "category",
    "category_id", "is_asb", "ward_code", "lad_code", "csp_code",
)

#: The columns of :data:`STREET_COLUMNS` read as categoricals (:func:`assess.store.processed.as_categorical`:
#: the values present, sorted): codes and categories, a few hundred distinct values on millions of
#: rows. ``month`` stays a string column: chapters compare months with ``<=``, which an unordered
#: categorical refuses.
STREET_CATEGORICAL = (
    "financial_year", "falls_within", "lsoa_code", "crime_type", "category", "category_id", "ward_code", "lad_code",
    "csp_code",
)


#: Publishers of the population files ingest reads, recognised by the published file name.
_PUBLISHERS = (
    ("iod2019", "MHCLG (English Indices of Deprivation 2019, File 6: ONS mid-2015 LSOA estimates)"),
    ("file_6", "MHCLG (English Indices of Deprivation 2019, File 6: ONS mid-2015 LSOA estimates)"),
    ("sape", "ONS (small area population estimates)"),
    ("midyearestimates", "ONS (mid-year population estimates)"),
    ("mye", "ONS (mid-year population estimates)"),
    ("household", "household estimates"),
)


def population_publisher(source_file: str) -> str:
    """Who published a population file, from its published name ("ONS (mid-year population
    estimates)" for ``ukmidyearestimates2017.xls``); "population estimates" when not recognised."""
    name = source_file.lower().replace("-", "").replace(" ", "")
    return next((who for key, who in _PUBLISHERS if key in name), "population estimates")


@dataclass(frozen=True)
class PopulationEstimate:
    """The population a rate of ``financial_year`` is computed with: ``value`` persons (or
    households) of ``age_band``, the mid-``mid_year`` estimate read from ``source_files``, at
    local authority level as published or (``summed_from_lsoa``) LSOA estimates summed."""

    value: float
    mid_year: int
    age_band: str
    summed_from_lsoa: bool
    source_files: tuple[str, ...]
    financial_year: str

    @property
    def period(self) -> str:
        """``"mid-2017"``."""
        return f"mid-{self.mid_year}"

    @property
    def publisher(self) -> str:
        files = [population_publisher(f) for f in self.source_files]
        return "; ".join(dict.fromkeys(files)) or "population estimates"

    @property
    def is_of_year(self) -> bool:
        """True when it is the estimate of the financial year's own mid-year (mid-2017 for 2017/18)."""
        return self.mid_year == parse_financial_year(self.financial_year)

    @property
    def source(self) -> str:
        """The estimate as metrics.json records it: publisher, mid-year and file."""
        files = ", ".join(self.source_files)
        how = ", LSOA estimates summed to local authorities" if self.summed_from_lsoa else ""
        return f"{self.publisher}, {self.period}{how}" + (f" ({files})" if files else "")

    def citation(self) -> str:
        """A sentence saying which estimate a rate uses, and why when it is not the year's own."""
        who = {"all": "residents", "households": "households"}.get(self.age_band, f"residents aged {self.age_band}")
        text = (f"Rates for {self.financial_year} use the {self.period} estimate of {who} "
                f"({self.value:,.0f}; {self.source}).")
        start = parse_financial_year(self.financial_year)
        if self.mid_year < start:
            text += f" No mid-{start} estimate is held, so the latest earlier one is used."
        elif self.mid_year > start:
            text += f" No estimate for mid-{start} or earlier is held, so the earliest later one is used."
        return text

    def denominator(self, unit: str) -> Denominator:
        """The denominator record of a rate's metric (:class:`assess.measure.metrics.Denominator`)."""
        return Denominator(value=self.value, unit=unit, source=self.source, period=self.period)


@dataclass
class AssessmentContext:
    """A CSP and a financial year, with the processed store and raw folder they are read from."""

    cfg: CSPConfig
    year: str
    store: Store
    raw_dir: Path
    notes: list[str] = field(default_factory=list)
    #: Where partner tables are read (the store by default; a test may ingest its partner files apart).
    partner_store: Store | None = None
    _street_subsets: dict[tuple[str, bool | None, bool], tuple[pd.DataFrame, pd.DataFrame]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # --- periods ------------------------------------------------------------------------
    @property
    def previous_year(self) -> str:
        return shift_financial_year(self.year, -1)

    def years_back(self, n: int) -> list[str]:
        """The ``n`` financial years ending with this one, oldest first."""
        return [shift_financial_year(self.year, -k) for k in range(n - 1, -1, -1)]

    @property
    def months(self) -> list[str]:
        return months_of_financial_year(self.year)

    @cached_property
    def months_present(self) -> list[str]:
        """The months of this year for which the CSP has police.uk records.

        Those of :attr:`street_all`; when it has not been read yet, only its month column is read
        (the coverage sentence of a chapter, or of the bundle's index, needs no more).
        """
        street = self.__dict__.get("street_all")  # the cached_property, when read (or set) already
        if street is None:
            if not self.store.has("street"):
                return []
            street = self.store.read("street", columns=["month"], filters=self._street_filters, categorical=["month"])
        have = set(street["month"].dropna().unique())
        return [m for m in self.months if m in have]

    @property
    def complete(self) -> bool:
        return len(self.months_present) == 12

    @property
    def like_for_like(self) -> LikeForLike:
        """The months every year is compared on: those this year holds (:class:`assess.periods.LikeForLike`)."""
        return like_for_like(self.year, self.months_present)

    def matching_months(self, year: str) -> list[str]:
        """The months of ``year`` at the same position as those present in this year.

        An incomplete year is compared like with like: April-September with April-September.
        """
        return self.like_for_like.months(year)

    @property
    def coverage_sentence(self) -> str:
        """States the months this year holds (and that it is incomplete, if it is)."""
        if self.complete:
            return f"The year {self.year} is complete: it holds all twelve months, April to March."
        if not self.months_present:
            return f"There are no police.uk records for {self.cfg.name} in {self.year}."
        missing = [m for m in self.months if m not in self.months_present]
        return (
            f"The year {self.year} is incomplete: it holds {len(self.months_present)} of 12 months "
            f"({self.months_present[0]} to {self.months_present[-1]}); missing: {', '.join(missing)}. "
            "Comparisons with earlier years use the same months of each year."
        )

    @property
    def data_label(self) -> str | None:
        return SYNTHETIC_LABEL if self.cfg.synthetic else None

    # --- police.uk street records --------------------------------------------------------
    @cached_property
    def street_all(self) -> pd.DataFrame:
        """Every placed police.uk record (crime and ASB) in the CSP's local authorities, all years,
        in the columns of :data:`STREET_COLUMNS`, those of :data:`STREET_CATEGORICAL` as categoricals."""
        if not self.store.has("street"):
            return pd.DataFrame(columns=["month", "financial_year", "category", "category_id", "is_asb", "ward_code"])
        have = set(self.store.columns("street"))
        return self.store.read("street", columns=[c for c in STREET_COLUMNS if c in have], filters=self._street_filters,
                               categorical=[c for c in STREET_CATEGORICAL if c in have])

    @property
    def _street_filters(self) -> list[tuple[str, str, list[str]]]:
        """The rows of the ``street`` table that are the CSP's: those of its local authorities."""
        return [("lad_code", "in", self.cfg.lad_codes)]

    def street(self, year: str | None = None, *, asb: bool | None = None, same_months: bool = True) -> pd.DataFrame:
        """Records of a financial year (this one by default); ``asb`` True/False keeps ASB/crime only.

        With ``same_months`` (the default), an earlier year is cut to the months this year holds.
        Each selection is made once per context and :attr:`street_all` (chapters ask for the same
        years many times); a year's rows, when contiguous, are a slice sharing the memory of
        :attr:`street_all` (:func:`rows_where`). Every call returns a shallow copy, which the caller
        may change (copy-on-write).
        """
        year = year or self.year
        key = (year, asb, same_months)
        source = self.street_all
        kept = self._street_subsets.get(key)
        if kept is None or kept[0] is not source:
            if asb is None:
                df = rows_where(source, source["financial_year"] == year)
                if same_months and year != self.year and not self.complete:
                    df = rows_where(df, df["month"].isin(self.matching_months(year)))
            else:
                df = self.street(year, same_months=same_months)
                df = df[df["is_asb"] == asb]
            kept = self._street_subsets[key] = (source, df)
        return kept[1].copy(deep=False)

    @cached_property
    def unplaced(self) -> pd.DataFrame:
        """Counts of street rows that could not be placed in a ward (blank or unknown LSOA)."""
        return self.store.read("unplaced") if self.store.has("unplaced") else pd.DataFrame(columns=["source_file", "reason", "rows"])

    # --- geography -------------------------------------------------------------------------
    @cached_property
    def lsoa_ward(self) -> pd.DataFrame:
        return self.store.read("lsoa_ward") if self.store.has("lsoa_ward") else pd.DataFrame()

    @cached_property
    def wards(self) -> pd.DataFrame:
        """The CSP's wards: ward_code, ward_name, lad_code; one row per ward code.

        A ward's name is unique within the CSP: where two wards of different authorities share a
        name (there is a "Central" in many), each is named with its authority, "Central (Test
        Valley)", or its code where the authorities' names do not tell them apart, so that no
        table, chart or sentence merges two wards under one name."""
        lk = self.lsoa_ward
        if lk.empty:
            return pd.DataFrame(columns=["ward_code", "ward_name", "lad_code"])
        w = lk[lk["lad_code"].isin(self.cfg.lad_codes)]
        lad_name = w["lad_name"] if "lad_name" in w.columns else w["lad_code"]
        w = w.assign(lad_name=lad_name)[["ward_code", "ward_name", "lad_code", "lad_name"]].drop_duplicates("ward_code")
        w["ward_name"] = unique_ward_names(w)
        return w.drop(columns="lad_name").sort_values(["ward_name", "ward_code"], ignore_index=True)

    @cached_property
    def lad_csp(self) -> pd.DataFrame:
        return self.store.read("lad_csp") if self.store.has("lad_csp") else pd.DataFrame()

    @property
    def ward_boundaries(self) -> Path | None:
        """The GeoJSON of ward boundaries, when the configuration names one that exists.

        The file must lie inside the raw folder once symbolic links are followed
        (:func:`assess.safe_paths.inside`; UnsafePathError otherwise). A configured file that is
        absent gives None here; ``assess run`` refuses it before any chapter runs
        (:func:`assess.report.bundle.check_inputs`).
        """
        if not self.cfg.ward_boundaries:
            return None
        from assess.safe_paths import inside

        source = str(self.cfg.source) if self.cfg.source is not None else None
        p = inside(self.raw_dir, self.cfg.ward_boundaries, field="ward_boundaries", source=source)
        reads.exists(p)
        return p if p.exists() else None

    # --- population ----------------------------------------------------------------------
    @cached_property
    def population_table(self) -> pd.DataFrame:
        return self.store.read("population") if self.store.has("population") else pd.DataFrame(
            columns=["area_code", "geography", "year", "age_band", "value"]
        )

    def _estimate_year(self, available: pd.Series, year: str | None = None) -> int | None:
        """The mid-year estimate to use for financial year ``year`` (this one by default): the
        latest one not after its start (mid-2016 for 2016/17), else the earliest available."""
        return estimate_year(available.dropna().astype(int), year or self.year)

    def _estimate_rows(self, level: str, age_band: str, year: str | None = None) -> tuple[pd.DataFrame, str] | None:
        """The rows of the estimate to use at ``level`` (``lad`` or ``ward``) for ``year``, and
        how they reach that level: ``"published"`` (estimates at that level) or ``"lsoa"`` (LSOA
        estimates to be summed through the ONS lookups).

        The mid-year is chosen first, over both (:meth:`_estimate_year`); of two estimates of the
        same mid-year, the one published at that level wins: an ONS mid-year estimate by local
        authority is never replaced by summed small-area estimates of another year.
        """
        pop = self.population_table
        pop = pop[pop["age_band"] == age_band]
        direct = pop[pop["geography"] == level]
        lsoa = pop[pop["geography"] == "lsoa"] if level in ("ward", "lad") and not self.lsoa_ward.empty else pop.iloc[:0]
        both = pd.concat([direct["year"], lsoa["year"]])
        yr = self._estimate_year(both, year)
        if yr is None:
            return None
        if (direct["year"] == yr).any():
            return direct[direct["year"] == yr], "published"
        return lsoa[lsoa["year"] == yr], "lsoa"

    def population_by(self, geography: str, age_band: str = "all", year: str | None = None) -> pd.Series:
        """Population by area (index: ONS code) at ``geography`` ``lsoa``/``ward``/``lad``/``csp``,
        for financial year ``year`` (this one by default).

        Uses the mid-year estimate of :meth:`_estimate_rows` (published at that level when there
        is one of the chosen mid-year, otherwise LSOA estimates summed through the ONS lookups
        LSOA -> ward -> LAD -> CSP). Units: persons, or households for ``age_band="households"``.
        Empty when no estimate is available.
        """
        level = {"csp": "lad"}.get(geography, geography)
        if level == "lsoa":
            pop = self.population_table
            pop = pop[(pop["age_band"] == age_band) & (pop["geography"] == "lsoa")]
            yr = self._estimate_year(pop["year"], year)
            if yr is None:
                return pd.Series(dtype="float64")
            series = pop[pop["year"] == yr].groupby("area_code")["value"].sum().astype("float64")
        else:
            chosen = self._estimate_rows(level, age_band, year)
            if chosen is None:
                return pd.Series(dtype="float64")
            rows, how = chosen
            if how == "lsoa":
                rows = rows.merge(self.lsoa_ward, left_on="area_code", right_on="lsoa_code")
                series = rows.groupby(f"{level}_code")["value"].sum().astype("float64")
            else:
                series = rows.groupby("area_code")["value"].sum().astype("float64")
        if geography == "csp" and not self.lad_csp.empty:
            m = self.lad_csp.set_index("lad_code")["csp_code"]
            series = series.groupby(series.index.map(m)).sum()
        return series

    def population_estimate(self, age_band: str = "all", year: str | None = None) -> PopulationEstimate | None:
        """The CSP's population (sum over its local authorities) for financial year ``year`` (this
        one by default) with the estimate it comes from; None when an authority has none.

        Chosen once for each age band and year and then recalled (the estimate is immutable, as
        are the tables it is chosen from): chapters ask for the same one in several sections."""
        known = self.__dict__.setdefault("_population_estimates", {})
        key = (age_band, year or self.year)
        if key not in known:
            known[key] = self._choose_population_estimate(age_band, year)
        return known[key]

    def _choose_population_estimate(self, age_band: str, year: str | None) -> PopulationEstimate | None:
        chosen = self._estimate_rows("lad", age_band, year)
        if chosen is None:
            return None
        rows, how = chosen
        by_lad = self.population_by("lad", age_band, year)
        if not set(self.cfg.lad_codes) <= set(by_lad.index):
            return None
        if how == "lsoa":
            lsoas = self.lsoa_ward.loc[self.lsoa_ward["lad_code"].isin(self.cfg.lad_codes), "lsoa_code"]
            rows = rows[rows["area_code"].isin(lsoas)]
        else:
            rows = rows[rows["area_code"].isin(self.cfg.lad_codes)]
        files = tuple(sorted(set(rows["source_file"].dropna().astype(str)))) if "source_file" in rows else ()
        return PopulationEstimate(
            value=float(by_lad[list(self.cfg.lad_codes)].sum()),
            mid_year=int(rows["year"].iloc[0]),
            age_band=age_band,
            summed_from_lsoa=how == "lsoa",
            source_files=files,
            financial_year=year or self.year,
        )

    def ward_population_estimate(self, year: str | None = None) -> PopulationEstimate | None:
        """The estimate the CSP's ward populations (:meth:`population_by` ``"ward"``) come from in
        financial year ``year`` (this one by default): its mid-year and files, published by ward or
        LSOA estimates summed to wards (``value``: the CSP's wards together). None when there is none."""
        chosen = self._estimate_rows("ward", "all", year)  # the selection population_by("ward") makes
        wards = self.population_by("ward", "all", year).reindex(self.wards["ward_code"]).dropna()
        if chosen is None or wards.empty:
            return None
        rows, how = chosen
        files = tuple(sorted(set(rows["source_file"].dropna().astype(str)))) if "source_file" in rows else ()
        return PopulationEstimate(value=float(wards.sum()), mid_year=int(rows["year"].iloc[0]), age_band="all",
                                  summed_from_lsoa=how == "lsoa", source_files=files, financial_year=year or self.year)

    @cached_property
    def population(self) -> float | None:
        """Persons living in the CSP (sum over its local authorities); None when unknown.
        :meth:`population_estimate` says which estimate it is."""
        by_lad = self.population_by("lad")
        have = [c for c in self.cfg.lad_codes if c in by_lad.index]
        if not have:
            return None
        if len(have) < len(self.cfg.lad_codes):
            self.notes.append(f"population missing for {set(self.cfg.lad_codes) - set(have)}")
        return float(by_lad[have].sum())

    @cached_property
    def households(self) -> float | None:
        by_lad = self.population_by("lad", "households")
        have = [c for c in self.cfg.lad_codes if c in by_lad.index]
        return float(by_lad[have].sum()) if have else None

    # --- public statistics (Fingertips, rough sleeping snapshot) -------------------------
    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The Fingertips indicators held (``indicators``: every area, England and regions included);
        empty (no rows) when no Fingertips export was ingested."""
        return self.store.read("indicators") if self.store.has("indicators") else pd.DataFrame(
            columns=["indicator_id", "indicator_name", "area_code", "area_name", "area_type", "is_headline",
                     "time_period", "period_start", "period_end", "value", "lower_ci_95", "upper_ci_95",
                     "count", "denominator", "compared_to_england", "compared_to_region", "source_file"]
        )

    @cached_property
    def rough_sleeping_snapshot(self) -> pd.DataFrame:
        """The MHCLG rough sleeping snapshot tables held (``rough_sleeping_snapshot``: every local
        authority, region and England by autumn); empty when none was ingested."""
        return self.store.read("rough_sleeping_snapshot") if self.store.has("rough_sleeping_snapshot") else pd.DataFrame(
            columns=["area_code", "area_name", "area_type", "region_name", "year", "rough_sleepers",
                     "households_thousands", "rate_per_1000_households", "edition", "source_file"]
        )

    # --- Home Office recorded crime ------------------------------------------------------
    @cached_property
    def recorded_crime(self) -> pd.DataFrame:
        return self.store.read("recorded_crime") if self.store.has("recorded_crime") else pd.DataFrame(
            columns=["financial_year", "quarter", "force_name", "csp_name", "offence_group", "offences"]
        )

    @property
    def has_csp_tables(self) -> bool:
        """True when the Home Office CSP-level tables are present (comparators need them)."""
        rc = self.recorded_crime
        return "csp_name" in rc.columns and bool(rc["csp_name"].notna().any())

    # --- partner data --------------------------------------------------------------------
    @property
    def partner_dir(self) -> Path:
        """``data/raw/partner/<csp-slug>/`` when it exists, else ``data/raw/partner/``
        (:func:`assess.sources.partner.partner_folder`)."""
        from assess.sources.partner import partner_folder

        return partner_folder(self.raw_dir, self.cfg)

    def partner(self, name: str) -> pd.DataFrame | None:
        """The partner table ``name`` (validated and stored by ``assess ingest``); None when its file
        is absent from the raw folder.

        The file is found where :func:`assess.sources.partner.partner_path` says; its stored table
        is returned only while the file is the one ingested (:func:`assess.store.partner.read_partner_table`):
        a file changed or added since the ingest is an InputError saying to run ``assess ingest``.
        Every call returns a copy, which the caller may change.
        """
        from assess.sources import partner
        from assess.store.partner import read_partner_table

        path = partner.partner_path(self.raw_dir, name, self.cfg)
        reads.exists(path)
        if not path.exists():
            return None
        reads.file(path)  # the frame may come from the process's cache, unopened
        return read_partner_table(self.partner_store or self.store, self.raw_dir, path, name)


def rows_where(df: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The rows of ``df`` where ``keep`` is true (missing counts as false), as ``df[keep]`` gives
    them: the same rows, order and index. When they are one contiguous run the result is a slice,
    which shares ``df``'s memory (copy-on-write) instead of copying every column."""
    where = np.flatnonzero(keep.to_numpy(dtype=bool, na_value=False))
    if len(where) == 0:
        return df.iloc[0:0]
    if where[-1] - where[0] + 1 == len(where):
        return df.iloc[int(where[0]) : int(where[-1]) + 1]
    return df.iloc[where]


def unique_ward_names(wards: pd.DataFrame) -> pd.Series:
    """Each ward's name, made unique within ``wards`` (columns ward_code, ward_name, lad_name):
    a name shared by several wards gets its authority's name in brackets, or its ward code where
    that still leaves two alike."""
    names = wards["ward_name"].astype(str)
    shared = names.duplicated(keep=False)
    names = names.where(~shared, names + " (" + wards["lad_name"].astype(str) + ")")
    still = names.duplicated(keep=False)
    return names.where(~still, wards["ward_name"].astype(str) + " (" + wards["ward_code"].astype(str) + ")")


def load_context(
    csp: str,
    year: str,
    *,
    processed_dir: str | Path = "data/processed",
    raw_dir: str | Path = "data/raw",
    config_dir: str | Path = "config/csp",
) -> AssessmentContext:
    """The context of one chapter: the CSP's configuration and the store, checked for the year.

    The store's current version is opened (and kept for the whole chapter); a store whose files
    are missing or of other sizes than its manifest says is refused, naming the fix, and every
    table read is checked against its checksum (:class:`assess.store.Store`). In a chapter kernel
    it starts the record of what the chapter reads (:mod:`assess.reads`): the files of ``raw_dir``
    and ``config_dir`` it opens and the tables of the store.
    """
    parse_financial_year(year)
    reads.begin(raw_dir, config_dir)
    cfg = find_config(csp, config_dir)
    store = RecordedStore(processed_dir)
    if store.manifest():
        store.check(full=False)
    return AssessmentContext(cfg=cfg, year=year, store=store, raw_dir=Path(raw_dir))
