"""police.uk readers: street, outcomes, stop and search, on the real Hampshire files and small synthetic ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.errors import InputError
from assess.sources.police_uk import (
    OUTCOMES_COLUMNS,
    STOP_SEARCH_COLUMNS,
    STREET_COLUMNS,
    duplicate_crime_ids,
    police_file_name,
    read_outcomes,
    read_stop_search,
    read_street,
    street_file_month,
)
from assess.sources.validation import ReadReport

STREET_OUT = [*STREET_COLUMNS.values(), "source_file", "source_row"]
HAMPSHIRE_ROWS = {
    "2017-02": 14834,
    "2017-03": 17932,
    "2017-04": 17155,
    "2017-05": 18287,
    "2017-06": 18018,
    "2017-07": 18350,
    "2017-08": 18283,
    "2017-09": 17025,
}
CID = "a" * 63 + "b"


def street_row(**over: str) -> dict[str, str]:
    row = {
        "Crime ID": CID,
        "Month": "2017-02",
        "Reported by": "Hampshire Constabulary",
        "Falls within": "Hampshire Constabulary",
        "Longitude": "-1.404700",
        "Latitude": "50.909700",
        "Location": "On or near High Street",
        "LSOA code": "E01017140",
        "LSOA name": "Southampton 001A",
        "Crime type": "Burglary",
        "Last outcome category": "Under investigation",
        "Context": "",
    }
    row.update(over)
    return row


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


# --- real files ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hampshire(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "police_street" / "hampshire").glob("*-street.csv"))
    assert len(files) == 8
    return files


@pytest.mark.real
def test_read_street_real_february(hampshire: list[Path]) -> None:
    df = read_street(hampshire[0])
    assert list(df.columns) == STREET_OUT
    assert len(df) == 14834
    assert df["source_row"].iloc[0] == 2 and df["source_row"].iloc[-1] == 14835
    assert (df["source_file"] == "2017-02-hampshire-street.csv").all()
    assert (df["month"] == "2017-02").all()
    asb = df["crime_type"] == "Anti-social behaviour"
    assert asb.sum() > 1000
    assert df.loc[asb, "crime_id"].isna().all()
    assert df.loc[~asb, "crime_id"].notna().all()
    assert df.loc[~asb, "crime_id"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert df["longitude"].dtype == "float64" and df["latitude"].dtype == "float64"
    assert df["latitude"].between(50.5, 51.5).all()
    assert str(df["crime_id"].dtype) == "string" and str(df["source_row"].dtype) == "int64"
    # first data line of the file as published
    first = df.iloc[0]
    assert first["longitude"] == pytest.approx(-1.145148)
    assert first["lsoa_code"] == "E01022553" and first["location"] == "On or near Mount Pleasant"
    assert pd.isna(first["last_outcome_category"])


@pytest.mark.real
def test_read_street_real_all_months(hampshire: list[Path]) -> None:
    """Every real Hampshire month reads whole (speed is measured by benchmarks/bench_ingest.py, not here)."""
    frames = [read_street(p) for p in hampshire]
    counts = {f["month"].iloc[0]: len(f) for f in frames}
    assert counts == HAMPSHIRE_ROWS
    everything = pd.concat(frames, ignore_index=True)
    assert everything["lsoa_code"].isna().sum() == 6  # a few rows cannot be placed
    assert duplicate_crime_ids(everything).empty


# --- file names ------------------------------------------------------------------------------------


def test_street_file_month() -> None:
    assert street_file_month("data/raw/2017-02/2017-02-hampshire-street.csv") == ("2017-02", "hampshire")
    assert street_file_month("2019-12-avon-and-somerset-street.csv") == ("2019-12", "avon-and-somerset")
    assert police_file_name("2017-02-btp-stop-and-search.csv") == ("2017-02", "btp", "stop_search")
    assert police_file_name("2017-02-kent-outcomes.csv") == ("2017-02", "kent", "outcomes")
    assert police_file_name("street.csv") is None
    with pytest.raises(InputError, match="not a month"):
        street_file_month("2017-13-hampshire-street.csv")
    with pytest.raises(InputError, match="YYYY-MM-<force>-street.csv"):
        street_file_month("hampshire-feb-2017.csv")
    with pytest.raises(InputError, match="YYYY-MM-<force>-street.csv"):
        street_file_month("2017-02-hampshire-outcomes.csv")


# --- synthetic street files ----------------------------------------------------------------------


def test_street_blank_values_are_null_and_stripped(tmp_path: Path) -> None:
    rows = [
        street_row(**{"Crime ID": "", "Crime type": "Anti-social behaviour", "Last outcome category": ""}),
        street_row(**{"Longitude": "", "Latitude": "", "Location": "No Location", "LSOA code": "", "LSOA name": ""}),
        street_row(**{"Crime type": "  Burglary ", "Context": "Reclassified"}),
    ]
    df = read_street(write_csv(tmp_path / "2017-02-hampshire-street.csv", list(STREET_COLUMNS), rows))
    assert pd.isna(df.loc[0, "crime_id"]) and pd.isna(df.loc[0, "last_outcome_category"])
    assert pd.isna(df.loc[1, "longitude"]) and pd.isna(df.loc[1, "lsoa_code"])
    assert df.loc[2, "crime_type"] == "Burglary" and df.loc[2, "context"] == "Reclassified"
    assert df["source_row"].tolist() == [2, 3, 4]


def test_street_source_row_counts_lines_with_quoted_line_break(tmp_path: Path) -> None:
    rows = [street_row(Location="On or near\nHigh Street"), street_row(), street_row()]
    df = read_street(write_csv(tmp_path / "2017-02-hampshire-street.csv", list(STREET_COLUMNS), rows))
    assert df.loc[0, "location"] == "On or near\nHigh Street"
    assert df["source_row"].tolist() == [2, 4, 5]


def test_street_extra_column_is_reported_not_kept(tmp_path: Path) -> None:
    header = [*STREET_COLUMNS, "Notes"]
    rows = [{**street_row(), "Notes": "x"}]
    report = ReadReport(tmp_path)
    df = read_street(write_csv(tmp_path / "2017-02-hampshire-street.csv", header, rows), report=report)
    assert list(df.columns) == STREET_OUT
    assert report.rows_read == 1
    assert "Notes" in report.warnings[0]


def test_duplicate_crime_ids_lists_each_copy(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "2017-02-hampshire-street.csv", list(STREET_COLUMNS), [street_row(), street_row(**{"Crime ID": ""})])
    b = write_csv(
        tmp_path / "2017-03-hampshire-street.csv",
        list(STREET_COLUMNS),
        [street_row(Month="2017-03", **{"Crime ID": "c" * 64}), street_row(Month="2017-03", **{"Crime ID": ""}), street_row(Month="2017-03")],
    )
    df = pd.concat([read_street(a), read_street(b)], ignore_index=True)
    dup = duplicate_crime_ids(df)
    assert dup["crime_id"].tolist() == [CID, CID]
    assert dup["source_file"].tolist() == ["2017-02-hampshire-street.csv", "2017-03-hampshire-street.csv"]
    assert dup["source_row"].tolist() == [2, 4]
    assert dup["occurrences"].tolist() == [2, 2]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Burglary", "Anti-social behaviour", "Drugs", "Other theft"]),
            st.floats(-8.0, 1.7, allow_nan=False).map(lambda x: round(x, 6)),
            st.floats(49.9, 60.8, allow_nan=False).map(lambda x: round(x, 6)),
            st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=12),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_street_round_trip(tmp_path_factory: pytest.TempPathFactory, records) -> None:
    """Whatever valid values are written (quotes, commas, non-ASCII names) are read back exactly."""
    path = tmp_path_factory.mktemp("rt") / "2018-06-hampshire-street.csv"
    rows = [
        street_row(
            Month="2018-06",
            Longitude=repr(lon),
            Latitude=repr(lat),
            Location=f"On or near {name}",
            **{"Crime type": ct, "Crime ID": "" if ct == "Anti-social behaviour" else CID},
        )
        for ct, lon, lat, name in records
    ]
    df = read_street(write_csv(path, list(STREET_COLUMNS), rows))
    assert df["crime_type"].tolist() == [r[0] for r in records]
    assert df["longitude"].tolist() == [r[1] for r in records]
    assert df["latitude"].tolist() == [r[2] for r in records]
    assert df["location"].tolist() == [f"On or near {r[3]}" for r in records]
    assert df["source_row"].tolist() == list(range(2, len(records) + 2))


# --- outcomes and stop and search ----------------------------------------------------------------


def test_read_outcomes(tmp_path: Path) -> None:
    base = {k: v for k, v in street_row().items() if k in OUTCOMES_COLUMNS}
    rows = [{**base, "Outcome type": "Investigation complete; no suspect identified"}, {**base, "Outcome type": "Offender fined", "Longitude": "", "Latitude": ""}]
    df = read_outcomes(write_csv(tmp_path / "2017-02-hampshire-outcomes.csv", list(OUTCOMES_COLUMNS), rows))
    assert list(df.columns) == [*OUTCOMES_COLUMNS.values(), "source_file", "source_row"]
    assert df["outcome_type"].tolist() == ["Investigation complete; no suspect identified", "Offender fined"]
    assert pd.isna(df.loc[1, "latitude"])
    # every outcome belongs to a crime
    rows[1]["Crime ID"] = ""
    with pytest.raises(InputError, match=r"row 3, column 'Crime ID'"):
        read_outcomes(write_csv(tmp_path / "2017-02-hampshire-outcomes.csv", list(OUTCOMES_COLUMNS), rows))


def stop_row(**over: str) -> dict[str, str]:
    row = {
        "Type": "Person search",
        "Date": "2017-02-01T10:30:00+00:00",
        "Part of a policing operation": "False",
        "Policing operation": "",
        "Latitude": "50.9097",
        "Longitude": "-1.4047",
        "Gender": "Male",
        "Age range": "18-24",
        "Self-defined ethnicity": "White - English/Welsh/Scottish/Northern Irish/British",
        "Officer-defined ethnicity": "White",
        "Legislation": "Misuse of Drugs Act 1971 (section 23)",
        "Object of search": "Controlled drugs",
        "Outcome": "A no further action disposal",
        "Outcome linked to object of search": "",
        "Removal of more than just outer clothing": "True",
    }
    row.update(over)
    return row


def test_read_stop_search(tmp_path: Path) -> None:
    rows = [stop_row(), stop_row(Date="2017-02-28T23:45:00", **{"Part of a policing operation": "", "Outcome linked to object of search": "true"})]
    df = read_stop_search(write_csv(tmp_path / "2017-02-hampshire-stop-and-search.csv", list(STOP_SEARCH_COLUMNS), rows))
    assert list(df.columns) == [*STOP_SEARCH_COLUMNS.values(), "source_file", "source_row"]
    assert df["part_of_a_policing_operation"].tolist()[0] is False
    assert pd.isna(df["part_of_a_policing_operation"].iloc[1])
    assert pd.isna(df["outcome_linked_to_object_of_search"].iloc[0])
    assert df["outcome_linked_to_object_of_search"].iloc[1] == True  # noqa: E712 (pandas boolean)
    assert str(df["removal_of_more_than_just_outer_clothing"].dtype) == "boolean"
    assert df["age_range"].tolist() == ["18-24", "18-24"]
    rows.append(stop_row(**{"Removal of more than just outer clothing": "Yes"}))
    with pytest.raises(InputError, match=r"row 4, column 'Removal of more than just outer clothing'.*True or False"):
        read_stop_search(write_csv(tmp_path / "2017-02-hampshire-stop-and-search.csv", list(STOP_SEARCH_COLUMNS), rows))
