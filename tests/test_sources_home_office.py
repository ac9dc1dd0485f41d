"""Home Office police recorded crime tables: the real force-area file and synthetic CSP variants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.base import ReadReport
from assess.sources.home_office import OUTPUT_COLUMNS, negative_adjustments, read_recorded_crime

PRC = "home_office_prc/prc-pfa-mar2013-onwards-tables201718.csv"


@pytest.fixture(scope="module")
def prc(shared_data: Path) -> tuple[pd.DataFrame, ReadReport]:
    report = ReadReport(shared_data / PRC)
    return read_recorded_crime(shared_data / PRC, report=report), report


@pytest.mark.real
def test_real_force_area_table(prc: tuple[pd.DataFrame, ReadReport]) -> None:
    df, report = prc
    assert list(df.columns) == OUTPUT_COLUMNS
    assert len(df) == 23068 and report.rows_read == 23068
    assert set(df["financial_year"]) == {"2017/18"}
    assert df["quarter"].value_counts().sort_index().tolist() == [5767] * 4
    assert df["csp_name"].isna().all()
    assert df["offences"].dtype == "int64" and str(df["force_name"].dtype) == "string"
    hampshire = df[df["force_name"] == "Hampshire"].groupby("quarter")["offences"].sum()
    assert hampshire.to_dict() == {1: 41145, 2: 41137, 3: 39397, 4: 37862}
    # " 66776 " is the first count as published
    first = df.iloc[0]
    assert (first["force_name"], first["offence_code"], first["offences"]) == ("Action Fraud", "AF", 66776)
    assert df["force_name"].nunique() == 48


@pytest.mark.real
def test_real_signed_zero_and_negative_adjustments(prc: tuple[pd.DataFrame, ReadReport], shared_data: Path) -> None:
    df, report = prc
    assert (df["offences"] == 0).sum() == 5792  # published as "-00"
    neg = negative_adjustments(df)
    assert len(neg) == 36 and neg["offences"].min() == -45
    assert "36 negative counts kept" in report.warnings[0] and "rows 6187" in report.warnings[0]
    with pytest.raises(InputError, match=r"row 6187, column 'Number of Offences': '-1' is negative"):
        read_recorded_crime(shared_data / PRC, allow_negative=False)


HEADER = "Financial Year,Financial Quarter,Force Name,{csp}Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"


@pytest.mark.parametrize("csp_header", ["CSP Name", "Community Safety Partnership"])
def test_csp_variant(tmp_path: Path, csp_header: str) -> None:
    path = tmp_path / "prc-csp-mar2013-onwards-tables201718.csv"
    path.write_text(
        HEADER.format(csp=csp_header + ",")
        + '2017/18,1,Hampshire,Southampton,Burglary - residential,Theft offences,Burglary,28E," 1,234 "\n'
        + "2017/18,4,Hampshire,Portsmouth,Shoplifting,Theft offences,Shoplifting,46, 12 \n"
        + "2017/18,4,Hampshire,Portsmouth,Bigamy,Miscellaneous crimes,Miscellaneous crimes,26,-00\n",
        encoding="utf-8",
    )
    df = read_recorded_crime(path)
    assert list(df.columns) == OUTPUT_COLUMNS
    assert df["csp_name"].tolist() == ["Southampton", "Portsmouth", "Portsmouth"]
    assert df["offences"].tolist() == [1234, 12, 0]
    assert df["quarter"].tolist() == [1, 4, 4]
    assert (df["source_file"] == path.name).all()


def test_unexpected_extra_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prc-pfa-x.csv"
    path.write_text(HEADER.format(csp="").rstrip("\n") + ",Rate\n2017/18,1,Kent,Arson,Criminal damage and arson,Arson,56,3,0.1\n")
    with pytest.raises(InputError, match=r"row 1, column 'Rate'"):
        read_recorded_crime(path)


def test_financial_year_must_be_consecutive(tmp_path: Path) -> None:
    path = tmp_path / "prc-pfa-x.csv"
    path.write_text(HEADER.format(csp="") + "2017/18,1,Kent,Arson,A,B,56,3\n2017/19,1,Kent,Arson,A,B,56,3\n")
    with pytest.raises(InputError, match=r"row 3, column 'Financial Year'.*consecutive"):
        read_recorded_crime(path)
