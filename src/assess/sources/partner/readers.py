"""The readers of the partner files (CSV), one per file, each with the columns it accepts.

Each reader validates its file (:mod:`assess.sources.partner.columns`), checks the keys that must
be unique and raises :class:`~assess.errors.InputError` naming the file, row and column, and the fix.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assess.errors import InputError
from assess.sources.csv_files import read_header
from assess.sources.partner.columns import (
    PartnerColumn,
    check_unique,
    read_columns,
    with_financial_year,
)
from assess.vocabulary import (
    AGREE_ANSWERS,
    BENCHMARK_AREAS,
    CALL_CHANNELS,
    CRIME_CHANGE_ANSWERS,
    FORCE_FLAGS,
    HATE_CRIME_STRANDS,
    OFFENDER_AGE_BANDS,
    OFFENDER_NEEDS,
    ROUGH_SLEEPING_METHODS,
    SAFEGUARDING_MEASURES,
    SAFEGUARDING_TOPICS,
    SAFETY_ANSWERS,
    SEXES,
    SUPERVISING_SERVICES,
    YOUTH_JUSTICE_MEASURES,
    topic_measures,
)

FORCE_FLAGS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("month", "month", description="month of recording, YYYY-MM"),
    PartnerColumn("flag", "choice", choices=tuple(FORCE_FLAGS), description="what is counted"),
    PartnerColumn("strand", "choice", optional=True, blank=True, choices=tuple(HATE_CRIME_STRANDS),
                  description="hate crime strand; blank for other flags"),
    PartnerColumn("ward_code", "text", optional=True, blank=True, description="ONS ward code; blank = whole CSP"),
    PartnerColumn("count", "int", description="number of crimes or cases"),
)

RESIDENT_SURVEY_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("survey_year", "fy"),
    PartnerColumn("respondent_id", "text"),
    PartnerColumn("ward_code", "text", optional=True, blank=True),
    PartnerColumn("weight", "number", optional=True),
    PartnerColumn("safe_day", "choice", blank=True, choices=SAFETY_ANSWERS),
    PartnerColumn("safe_after_dark", "choice", blank=True, choices=SAFETY_ANSWERS),
    PartnerColumn("crime_change", "choice", blank=True, choices=CRIME_CHANGE_ANSWERS),
    PartnerColumn("police_deal", "choice", blank=True, choices=AGREE_ANSWERS),
    PartnerColumn("council_deal", "choice", blank=True, choices=AGREE_ANSWERS),
)

OFFENDERS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("financial_year", "fy"),
    PartnerColumn("offender_id", "text"),
    PartnerColumn("supervising_service", "choice", choices=tuple(SUPERVISING_SERVICES)),
    PartnerColumn("age_band", "choice", choices=OFFENDER_AGE_BANDS),
    PartnerColumn("sex", "choice", choices=SEXES),
    PartnerColumn("offences", "posint"),
    PartnerColumn("reoffended", "bool"),
    *(PartnerColumn(n, "bool", blank=True) for n in OFFENDER_NEEDS),
)

YOUTH_JUSTICE_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("financial_year", "fy"),
    PartnerColumn("measure", "choice", choices=YOUTH_JUSTICE_MEASURES),
    PartnerColumn("value", "number"),
)

ROUGH_SLEEPING_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("year", "year"),
    PartnerColumn("rough_sleepers", "int"),
    PartnerColumn("method", "choice", choices=ROUGH_SLEEPING_METHODS),
    PartnerColumn("households", "posint"),
    PartnerColumn("begging_incidents", "int", optional=True, blank=True),
)

DRUG_DEATHS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("calendar_year", "year"),
    PartnerColumn("deaths", "int"),
    PartnerColumn("population", "posint"),
)

CALLS_FOR_SERVICE_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("month", "month"),
    PartnerColumn("channel", "choice", choices=CALL_CHANNELS),
    PartnerColumn("calls", "int"),
)

BENCHMARKS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("measure", "id"),
    PartnerColumn("period", "period"),
    PartnerColumn("area", "choice", choices=BENCHMARK_AREAS),
    PartnerColumn("value", "float"),
    PartnerColumn("unit", "text"),
    PartnerColumn("source", "text"),
)

SAFEGUARDING_TOPICS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("topic", "choice", choices=tuple(SAFEGUARDING_TOPICS), description="the safeguarding topic"),
    PartnerColumn("financial_year", "fy", description="financial year counted, YYYY/YY"),
    PartnerColumn("measure", "choice", choices=tuple(SAFEGUARDING_MEASURES), description="what is counted"),
    PartnerColumn("count", "int", description="number counted in the year"),
    PartnerColumn("source", "text", description="the service or system that counted it"),
)

#: Column specifications by partner-file name (the keys of DEFAULT_PARTNER_FILES, bar the scorecard).
PARTNER_COLUMNS: dict[str, tuple[PartnerColumn, ...]] = {
    "force_flags": FORCE_FLAGS_COLUMNS,
    "resident_survey": RESIDENT_SURVEY_COLUMNS,
    "offenders": OFFENDERS_COLUMNS,
    "youth_justice": YOUTH_JUSTICE_COLUMNS,
    "rough_sleeping": ROUGH_SLEEPING_COLUMNS,
    "drug_deaths": DRUG_DEATHS_COLUMNS,
    "calls_for_service": CALLS_FOR_SERVICE_COLUMNS,
    "benchmarks": BENCHMARKS_COLUMNS,
    "safeguarding_topics": SAFEGUARDING_TOPICS_COLUMNS,
}




def read_force_flags(path: str | Path) -> pd.DataFrame:
    """Monthly counts of flagged crimes and cases (police force / MARAC / missing persons).

    Columns: month, financial_year, flag, strand, ward_code, count (int64 >= 0), source_row.
    A flag-month is counted either once for the whole CSP (ward_code blank) or once per ward,
    never both; a hate crime count names its strand, other flags leave strand blank.
    """
    path = Path(path)
    df = read_columns(path, FORCE_FLAGS_COLUMNS, "force_flags")
    for col in ("strand", "ward_code"):
        if col not in df.columns:
            df.insert(df.columns.get_loc("count"), col, pd.Series(pd.NA, index=df.index, dtype="string"))
    bad_strand = df["strand"].notna() & (df["flag"] != "hate_crime")
    if bad_strand.any():
        r = df[bad_strand].iloc[0]
        raise InputError(path, f"flag '{r['flag']}' has a strand ('{r['strand']}'): only hate_crime has strands",
                         row=int(r["source_row"]), column="strand", hint="leave strand blank for this flag")
    check_unique(df, ["month", "flag", "strand", "ward_code"], path, "this month, flag, strand and ward")
    keys = [df["month"], df["flag"], df["strand"]]
    blank = df["ward_code"].isna()
    mixed = (blank.groupby(keys, dropna=False).transform("any") & (~blank).groupby(keys, dropna=False).transform("any"))
    mixed = mixed.astype(bool)
    if mixed.any():
        r = df[mixed & df["ward_code"].notna()].iloc[0]
        raise InputError(path, f"{r['flag']} in {r['month']} has both a whole-CSP row (blank ward_code) and ward rows",
                         row=int(r["source_row"]), column="ward_code",
                         hint="give either one whole-CSP row or one row per ward for a flag and month, not both")
    return with_financial_year(df)


def read_resident_survey(path: str | Path) -> pd.DataFrame:
    """Resident (community safety) survey, one row per respondent.

    Columns: survey_year, respondent_id, ward_code, weight (float64; 1.0 for every respondent
    when the file has no weight column), safe_day, safe_after_dark, crime_change, police_deal,
    council_deal (answers spelled as in data/raw/README.md; blank = not answered), then every
    problem_* column of the file (boolean), source_row.
    """
    path = Path(path)
    header = read_header(path) if path.exists() and path.stat().st_size else []
    problems = tuple(PartnerColumn(c, "bool", optional=True, blank=True) for c in header if c.startswith("problem_"))
    df = read_columns(path, RESIDENT_SURVEY_COLUMNS, "resident_survey", extra=problems)
    if "ward_code" not in df.columns:
        df.insert(2, "ward_code", pd.Series(pd.NA, index=df.index, dtype="string"))
    if "weight" not in df.columns:
        df.insert(3, "weight", 1.0)
    zero = df["weight"] <= 0
    if zero.any():
        r = df[zero].iloc[0]
        raise InputError(path, f"weight {r['weight']} is not above 0", row=int(r["source_row"]), column="weight",
                         hint="give every respondent a weight above 0, or remove the weight column")
    check_unique(df, ["survey_year", "respondent_id"], path, "respondent_id in this survey_year")
    return df


def read_offenders(path: str | Path) -> pd.DataFrame:
    """Known offenders (IOM, probation, youth justice), one row per person per financial year.

    Columns: financial_year, offender_id, supervising_service, age_band, sex, offences (int64 >= 1),
    reoffended (boolean), need_* (boolean, <NA> = not assessed), source_row.
    """
    path = Path(path)
    df = read_columns(path, OFFENDERS_COLUMNS, "offenders")
    check_unique(df, ["financial_year", "offender_id"], path, "offender_id in this financial_year")
    return df


def read_youth_justice(path: str | Path) -> pd.DataFrame:
    """Youth justice measures by financial year: columns financial_year, measure, value (float64), source_row."""
    path = Path(path)
    df = read_columns(path, YOUTH_JUSTICE_COLUMNS, "youth_justice")
    check_unique(df, ["financial_year", "measure"], path, "this measure in this financial_year")
    return df


def read_rough_sleeping(path: str | Path) -> pd.DataFrame:
    """Autumn rough sleeping snapshots: year, rough_sleepers, method, households, begging_incidents (Int64)."""
    path = Path(path)
    df = read_columns(path, ROUGH_SLEEPING_COLUMNS, "rough_sleeping")
    if "begging_incidents" not in df.columns:
        df.insert(4, "begging_incidents", pd.Series(pd.NA, index=df.index, dtype="Int64"))
    check_unique(df, ["year"], path, "this year")
    return df


def read_drug_deaths(path: str | Path) -> pd.DataFrame:
    """Deaths related to drug misuse by calendar year of registration: calendar_year, deaths, population."""
    path = Path(path)
    df = read_columns(path, DRUG_DEATHS_COLUMNS, "drug_deaths")
    check_unique(df, ["calendar_year"], path, "this calendar_year")
    return df


def read_calls_for_service(path: str | Path) -> pd.DataFrame:
    """Police calls for service by month and channel: month, financial_year, channel, calls."""
    path = Path(path)
    df = read_columns(path, CALLS_FOR_SERVICE_COLUMNS, "calls_for_service")
    check_unique(df, ["month", "channel"], path, "this month and channel")
    return with_financial_year(df)


def read_benchmarks(path: str | Path) -> pd.DataFrame:
    """National comparators: measure, period, area, value (float64), unit, source."""
    path = Path(path)
    df = read_columns(path, BENCHMARKS_COLUMNS, "benchmarks")
    check_unique(df, ["measure", "period", "area"], path, "this measure, period and area")
    return df


def read_safeguarding_topics(path: str | Path) -> pd.DataFrame:
    """Partner counts on the safeguarding topics with few public figures, by financial year.

    Columns: topic, financial_year, measure, count (int64 >= 0), source, source_row. Each measure
    belongs to one topic (:data:`assess.vocabulary.SAFEGUARDING_MEASURES`); a measure given under
    another topic, or the same measure twice in a year, is an InputError naming the row.
    """
    path = Path(path)
    df = read_columns(path, SAFEGUARDING_TOPICS_COLUMNS, "safeguarding_topics")
    owner = df["measure"].map(lambda m: SAFEGUARDING_MEASURES[m][0])
    wrong = df["topic"] != owner
    if wrong.any():
        r = df[wrong].iloc[0]
        raise InputError(path, f"measure '{r['measure']}' belongs to topic '{owner[wrong].iloc[0]}', not '{r['topic']}'",
                         row=int(r["source_row"]), column="measure",
                         hint=f"the measures of '{r['topic']}' are: {', '.join(topic_measures(str(r['topic'])))}")
    check_unique(df, ["financial_year", "measure"], path, "this measure in this financial_year")
    return df
