"""Harmonisation: police.uk categories over their history (placing rows in ward, LA and CSP is a
join with the ONS lookups, written in SQL by :mod:`assess.store.police`).

police.uk has changed its crime categories several times since street-level data began in
December 2010 (source: data.police.uk "About" page, section "Crime categories", and its
changelog). Every published label is mapped here to one label of the current set, so that a
series of several years counts like with like:

=====================================  ==============================  ====================================
published label                        used                            harmonised to
=====================================  ==============================  ====================================
Violent crime                          2010-12 to 2013-04              Violence and sexual offences
Violence and sexual offences           2013-05 onwards                 Violence and sexual offences
Public disorder and weapons            2011-09 to 2013-04              Public order (split in 2013-05 into
                                                                       Public order and Possession of
                                                                       weapons; the old rows cannot be
                                                                       divided, so they count as Public order)
Other theft                            2011-09 onwards                 Other theft (before 2013-05 it also
                                                                       held bicycle theft and theft from
                                                                       the person)
Criminal damage and arson, Drugs,      2011-09 onwards                 unchanged
Shoplifting, Vehicle crime
Burglary, Robbery,                     2010-12 onwards                 unchanged
Anti-social behaviour, Other crime
Bicycle theft, Theft from the person,  2013-05 onwards                 unchanged
Public order, Possession of weapons
=====================================  ==============================  ====================================

Labels are matched without regard to case or surrounding space; an unknown label is an error,
never silently mapped to "Other crime".
"""

from __future__ import annotations

import re

import pandas as pd

from assess.errors import InputError

#: The current police.uk categories (the harmonised set), in police.uk's order.
POLICE_UK_CATEGORIES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Other crime",
)

ASB = "Anti-social behaviour"

#: Historic police.uk labels and the current category each counts as.
HISTORIC_CATEGORIES: dict[str, str] = {
    "Violent crime": "Violence and sexual offences",
    "Public disorder and weapons": "Public order",
}


def category_id(category: str) -> str:
    """The snake_case metric id of a category: "Criminal damage and arson" -> "criminal_damage_and_arson"."""
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


_LOOKUP: dict[str, str] = {c.lower(): c for c in POLICE_UK_CATEGORIES}
_LOOKUP.update({k.lower(): v for k, v in HISTORIC_CATEGORIES.items()})


def category_lookup() -> dict[str, str]:
    """Every published label (lower case) -> its current category: the one mapping, used by
    :func:`harmonise_categories` here and by the SQL that harmonises at ingest."""
    return dict(_LOOKUP)


def unknown_category_hint() -> str:
    """What to do about a crime type the mapping does not know."""
    return (
        f"police.uk categories are: {', '.join(POLICE_UK_CATEGORIES)}; "
        "if police.uk has added a category, add it to assess.store.harmonise"
    )


def harmonise_category(label: str) -> str:
    """The current police.uk category of a published label (raises KeyError for an unknown one)."""
    return _LOOKUP[label.strip().lower()]


def harmonise_categories(crime_type: pd.Series, path: str | None = None, rows: pd.Series | None = None) -> pd.Series:
    """Vectorised :func:`harmonise_category` over a column of published labels.

    Raises InputError naming the first unknown label (and its file and row, when given).
    """
    key = crime_type.astype("string").str.strip().str.lower()
    mapped = key.map(_LOOKUP).astype("string")
    unknown = mapped.isna() & crime_type.notna()
    if unknown.any():
        i = unknown.idxmax()
        raise InputError(
            path,
            f"unknown police.uk crime type '{crime_type.loc[i]}'",
            row=int(rows.loc[i]) if rows is not None else None,
            column="Crime type",
            hint=unknown_category_hint(),
        )
    return mapped


def add_categories(street: pd.DataFrame) -> pd.DataFrame:
    """Add ``category``, ``category_id`` and ``is_asb`` to a police.uk street frame."""
    out = street.copy()
    out["category"] = harmonise_categories(out["crime_type"])
    ids = {c: category_id(c) for c in POLICE_UK_CATEGORIES}
    out["category_id"] = out["category"].map(ids).astype("string")
    out["is_asb"] = (out["category"] == ASB).astype("bool")
    return out


# --- placing: LSOA -> ward -> local authority -> CSP, by a join with the ONS lookups ------------

#: Columns placing adds (then ``placed``), in the order the ``street`` table holds them.
PLACE_COLUMNS = ("ward_code", "ward_name", "lad_code", "lad_name", "csp_code", "csp_name")
UNPLACED_BLANK = "blank LSOA code"
UNPLACED_UNKNOWN = "LSOA code not in the ONS lookup"
#: SQL of why a row that was not placed was not (``lsoa_code`` of the row).
UNPLACED_REASON_SQL = f"CASE WHEN lsoa_code IS NULL THEN '{UNPLACED_BLANK}' ELSE '{UNPLACED_UNKNOWN}' END"


def geo_lookup(lsoa_ward: pd.DataFrame, lad_csp: pd.DataFrame) -> pd.DataFrame:
    """One row per LSOA: lsoa_code, ward_code, ward_name, lad_code, lad_name, csp_code, csp_name."""
    geo = lsoa_ward[["lsoa_code", "ward_code", "ward_name", "lad_code", "lad_name"]]
    csp = lad_csp[["lad_code", "csp_code", "csp_name"]]
    return geo.merge(csp, on="lad_code", how="left", validate="many_to_one")


def place_sql(rows: str, geo: str = "geo") -> str:
    """SQL placing ``rows`` (SQL with ``lsoa_code``) through the table ``geo`` (:func:`geo_lookup`): every
    row kept, in order of ``_order`` when ``rows`` has one, with the :data:`PLACE_COLUMNS` and ``placed``.

    The ingest writes every street file with it (:mod:`assess.store.police`). Rows whose LSOA is
    blank or absent from the lookup keep null geography and ``placed`` false.
    """
    columns = ", ".join(f"g.{c}" for c in PLACE_COLUMNS)
    return f"SELECT r.*, {columns}, g.ward_code IS NOT NULL AS placed FROM ({rows}) r LEFT JOIN {geo} g ON r.lsoa_code = g.lsoa_code"


def place(street: pd.DataFrame, lsoa_ward: pd.DataFrame, lad_csp: pd.DataFrame) -> pd.DataFrame:
    """Place each row of a frame in its ward, local authority and CSP through its LSOA 2011 code
    (:func:`place_sql`, as the ingest does): adds :data:`PLACE_COLUMNS` and ``placed`` (bool).

    Rows whose LSOA is blank or absent from the lookup keep null geography and ``placed`` False:
    they are counted by :func:`unplaced_summary`, never dropped.
    """
    import duckdb

    with duckdb.connect() as con:
        con.register("rows_frame", pd.DataFrame({"lsoa_code": street["lsoa_code"], "_order": range(len(street))}))
        con.register("geo", geo_lookup(lsoa_ward, lad_csp))
        found = con.sql(f"SELECT * FROM ({place_sql('SELECT * FROM rows_frame')}) ORDER BY _order").df()
    assert len(found) == len(street), "placing must not change the number of rows"
    out = street.copy()
    for c in PLACE_COLUMNS:
        out[c] = pd.array(found[c], dtype="string")
    out["placed"] = found["placed"].astype("bool").to_numpy()
    return out


def unplaced_summary(placed: pd.DataFrame) -> pd.DataFrame:
    """Counts of rows that could not be placed, by source file and reason (blank or unknown LSOA)."""
    import duckdb

    with duckdb.connect() as con:
        con.register("placed_frame", placed)
        out = con.sql(
            f"SELECT source_file, {UNPLACED_REASON_SQL} AS reason, count(*) AS rows FROM placed_frame "
            "WHERE NOT placed GROUP BY ALL"
        ).df()
    out = out.astype({"source_file": "string", "reason": "string", "rows": "int64"})
    return out.sort_values(["source_file", "reason"], ignore_index=True)
