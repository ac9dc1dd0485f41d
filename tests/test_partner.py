"""Partner-data readers: good files give typed tables; bad ones an InputError naming file, row, column."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from assess.config import DEFAULT_PARTNER_FILES, CSPConfig
from assess.errors import InputError
from assess.sources import partner
from assess.sources.partner import (
    PARTNER_COLUMNS,
    PARTNER_READERS,
    read_benchmarks,
    read_calls_for_service,
    read_drug_deaths,
    read_force_flags,
    read_offenders,
    read_partner,
    read_resident_survey,
    read_rough_sleeping,
    read_safeguarding_topics,
    read_scorecard,
    read_youth_justice,
)
from assess.vocabulary import FORCE_FLAGS, SAFEGUARDING_MEASURES

ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- good files

FLAGS_OK = """month,flag,strand,ward_code,count
2024-03,hate_crime,race,,27
2024-03,hate_crime,religion,,3
2024-04,domestic_abuse,,E05999001,18
2024-04,domestic_abuse,,E05999002,1,234
"""


def test_force_flags_good(tmp_path):
    path = write(tmp_path, "force_flags.csv", FLAGS_OK.replace("1,234", '"1,234"'))
    df = read_force_flags(path)
    assert list(df.columns) == ["month", "financial_year", "flag", "strand", "ward_code", "count", "source_row"]
    assert df["count"].dtype == "int64"
    assert df["count"].tolist() == [27, 3, 18, 1234]
    assert df["financial_year"].tolist() == ["2023/24", "2023/24", "2024/25", "2024/25"]
    assert df["strand"].isna().tolist() == [False, False, True, True]
    assert df["source_row"].tolist() == [2, 3, 4, 5]


def test_force_flags_without_optional_columns(tmp_path):
    path = write(tmp_path, "f.csv", "month,flag,count\n2024-04,KNIFE_CRIME ,24\n")
    df = read_force_flags(path)
    assert df.loc[0, "flag"] == "knife_crime"  # spelling normalised
    assert df["strand"].isna().all() and df["ward_code"].isna().all()


SURVEY_OK = """survey_year,respondent_id,ward_code,weight,safe_day,safe_after_dark,crime_change,police_deal,council_deal,problem_asb,problem_litter
2024/25,A1,E05999001,0.8,VERY SAFE,Don\u2019t know,More crime,Neither,,yes,0
2024/25,A2,,1.25,Fairly safe,fairly  unsafe,Less crime,Tend to agree,Strongly agree,No,TRUE
2023/24,A1,E05999002,1,Very unsafe,Very unsafe,About the same,Strongly disagree,Don't know,,n
"""


def test_resident_survey_good(tmp_path):
    df = read_resident_survey(write(tmp_path, "s.csv", SURVEY_OK))
    assert df["safe_day"].tolist() == ["Very safe", "Fairly safe", "Very unsafe"]
    assert df["safe_after_dark"].tolist() == ["Don't know", "Fairly unsafe", "Very unsafe"]
    assert df["council_deal"].isna().tolist() == [True, False, False]
    assert df["weight"].tolist() == [0.8, 1.25, 1.0]
    assert df["problem_asb"].dtype == "boolean"
    assert df["problem_asb"].tolist()[:2] == [True, False] and pd.isna(df["problem_asb"].iloc[2])
    assert df["problem_litter"].tolist() == [False, True, False]


def test_resident_survey_unweighted(tmp_path):
    text = "survey_year,respondent_id,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n" \
           "2024/25,1,Very safe,Very safe,Less crime,Neither,Neither\n"
    df = read_resident_survey(write(tmp_path, "s.csv", text))
    assert df["weight"].tolist() == [1.0]
    assert df["ward_code"].isna().all()


OFFENDERS_OK = """financial_year,offender_id,supervising_service,age_band,sex,offences,reoffended,need_relationships,need_emotional_wellbeing,need_alcohol,need_drugs,need_accommodation,need_education_employment
2024/25,OFF-1,iom,35-49,male,5,yes,no,no,yes,,no,1
2024/25,OFF-2,None,50+,female,1,false,,,,,,
"""


def test_offenders_good(tmp_path):
    df = read_offenders(write(tmp_path, "o.csv", OFFENDERS_OK))
    assert df["supervising_service"].tolist() == ["IOM", "none"]
    assert df["offences"].tolist() == [5, 1] and df["offences"].dtype == "int64"
    assert df["reoffended"].tolist() == [True, False]
    assert df["need_alcohol"].tolist()[0] is True and pd.isna(df["need_drugs"].iloc[0])
    assert df.loc[1, ["need_relationships", "need_drugs"]].isna().all()


def test_small_files_good(tmp_path):
    yj = read_youth_justice(write(tmp_path, "y.csv", "financial_year,measure,value\n2024/25,first_time_entrants,57\n"
                                                     "2024/25,population_10_17,21840\n"))
    assert yj["value"].tolist() == [57.0, 21840.0] and yj["value"].dtype == "float64"
    rs = read_rough_sleeping(write(tmp_path, "r.csv", "year,rough_sleepers,method,households\n2024,24,Count,108306\n"))
    assert rs.loc[0, "method"] == "count" and rs["begging_incidents"].isna().all()
    assert rs["households"].tolist() == [108306]
    dd = read_drug_deaths(write(tmp_path, "d.csv", "calendar_year,deaths,population\n2023,22,253260\n"))
    assert dd.loc[0, "deaths"] == 22 and dd.loc[0, "population"] == 253260
    cs = read_calls_for_service(write(tmp_path, "c.csv", "month,channel,calls\n2025-03,999,4402\n2025-03,Online,2100\n"))
    assert cs["channel"].tolist() == ["999", "online"] and cs["financial_year"].tolist() == ["2024/25"] * 2
    nb = read_benchmarks(write(tmp_path, "b.csv", "measure,period,area,value,unit,source\n"
                                                  "feel_safe_day,2024/25,England,95.5,percent,CSEW\n"
                                                  "drug_misuse_deaths,2014-2016,England and Wales,-0.5,per 100,CSEW\n"
                                                  "rough_sleeping,2024,England,0.19,per 1,ONS\n"))
    assert nb["value"].tolist() == [95.5, -0.5, 0.19]
    assert nb["period"].tolist() == ["2024/25", "2014-2016", "2024"]


TOPICS_OK = """topic,financial_year,measure,count,source
Cuckooing,2024/25,cuckooing_addresses,32,Police and housing register
cuckooing,2023/24,cuckooing_addresses,"1,035",Police and housing register
prevent,2024/25,channel_cases,0,Council Channel panel
"""


def test_safeguarding_topics_good(tmp_path):
    df = read_safeguarding_topics(write(tmp_path, "t.csv", TOPICS_OK))
    assert df["topic"].tolist() == ["cuckooing", "cuckooing", "prevent"]
    assert df["count"].tolist() == [32, 1035, 0] and df["count"].dtype == "int64"
    assert df["source"].tolist()[2] == "Council Channel panel" and df["source_row"].tolist() == [2, 3, 4]


SCORECARD_OK = """measures:
  - id: all_crime
    label: All crime
    direction: lower_is_better
    baseline_year: "2023/24"
    target:
      change_percent: -5
  - id: feel_safe_after_dark
    label: Feel safe after dark
    direction: higher_is_better
    baseline_year: 2022
    target:
      value: 70
    amber_tolerance_percent: 3
"""


def test_scorecard_good(tmp_path):
    df = read_scorecard(write(tmp_path, "s.yaml", SCORECARD_OK))
    assert df["id"].tolist() == ["all_crime", "feel_safe_after_dark"]
    assert df["target_change_percent"].iloc[0] == -5 and pd.isna(df["target_value"].iloc[0])
    assert df["target_value"].iloc[1] == 70 and pd.isna(df["target_change_percent"].iloc[1])
    assert df["amber_tolerance_percent"].tolist() == [5.0, 3.0]
    assert df["baseline_year"].tolist() == ["2023/24", "2022"]
    assert df["source_row"].tolist() == [2, 8]


def test_scorecard_bare_list(tmp_path):
    text = "- id: asb\n  label: ASB\n  direction: lower_is_better\n  baseline_year: 2023/24\n  target: {value: 10}\n"
    assert read_scorecard(write(tmp_path, "s.yaml", text))["target_value"].tolist() == [10.0]


# --------------------------------------------------------------------------- bad files

BAD = [
    # (id, reader, file text, row, column, words in the message)
    ("bad month", read_force_flags, "month,flag,count\n2024-04,gun_crime,1\n2024-13,gun_crime,2\n", 3, "month", "YYYY-MM"),
    ("unknown flag", read_force_flags, "month,flag,count\n2024-04,burglary,1\n", 2, "flag", "burglary"),
    ("negative count", read_force_flags, "month,flag,count\n2024-04,gun_crime,1\n2024-05,gun_crime,-3\n", 3, "count", "0 or more"),
    ("strand on other flag", read_force_flags, "month,flag,strand,count\n2024-04,gun_crime,race,1\n", 2, "strand", "only hate_crime"),
    ("unknown strand", read_force_flags, "month,flag,strand,count\n2024-04,hate_crime,age,1\n", 2, "strand", "age"),
    ("ward and total mixed", read_force_flags,
     "month,flag,ward_code,count\n2024-04,domestic_abuse,,9\n2024-04,domestic_abuse,E05999001,4\n", 3, "ward_code", "both"),
    ("duplicate key", read_force_flags, "month,flag,count\n2024-04,gun_crime,1\n2024-04,gun_crime,2\n", 3, "flag", "twice"),
    ("bad likert", read_resident_survey,
     "survey_year,respondent_id,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n"
     "2024/25,1,Very safe,Quite safe,Less crime,Neither,Neither\n", 2, "safe_after_dark", "Quite safe"),
    ("missing column", read_resident_survey,
     "survey_year,respondent_id,safe_during_day,safe_after_dark,crime_change,police_deal,council_deal\n"
     "2024/25,1,Very safe,Very safe,Less crime,Neither,Neither\n", None, "safe_day", "safe_during_day"),
    ("non-consecutive financial year", read_resident_survey,
     "survey_year,respondent_id,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n"
     "2024/26,1,Very safe,Very safe,Less crime,Neither,Neither\n", 2, "survey_year", "consecutive"),
    ("zero weight", read_resident_survey,
     "survey_year,respondent_id,weight,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n"
     "2024/25,1,1.2,Very safe,Very safe,Less crime,Neither,Neither\n"
     "2024/25,2,0,Very safe,Very safe,Less crime,Neither,Neither\n", 3, "weight", "above 0"),
    ("bad yes/no", read_resident_survey,
     "survey_year,respondent_id,safe_day,safe_after_dark,crime_change,police_deal,council_deal,problem_asb\n"
     "2024/25,1,Very safe,Very safe,Less crime,Neither,Neither,maybe\n", 2, "problem_asb", "maybe"),
    ("repeated respondent", read_resident_survey,
     "survey_year,respondent_id,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n"
     "2024/25,7,Very safe,Very safe,Less crime,Neither,Neither\n2024/25,7,Very safe,Very safe,Less crime,Neither,Neither\n",
     3, "respondent_id", "twice"),
    ("zero offences", read_offenders, OFFENDERS_OK.replace(",5,yes", ",0,yes"), 2, "offences", "1 or more"),
    ("unknown service", read_offenders, OFFENDERS_OK.replace("None", "Probation"), 3, "supervising_service", "Probation"),
    ("blank reoffended", read_offenders, OFFENDERS_OK.replace(",1,false", ",1,"), 3, "reoffended", None),
    ("unknown youth measure", read_youth_justice, "financial_year,measure,value\n2024/25,arrests,4\n", 2, "measure", "arrests"),
    ("negative youth value", read_youth_justice, "financial_year,measure,value\n2024/25,reoffenders,-1\n", 2, "value", "0 or more"),
    ("unknown method", read_rough_sleeping, "year,rough_sleepers,method,households\n2024,3,guess,100\n", 2, "method", "guess"),
    ("zero households", read_rough_sleeping, "year,rough_sleepers,method,households\n2024,3,count,0\n", 2, "households", "1 or more"),
    ("bad year", read_drug_deaths, "calendar_year,deaths,population\n2023,1,100\n20x4,1,100\n", 3, "calendar_year", "four-digit"),
    ("decimal deaths", read_drug_deaths, "calendar_year,deaths,population\n2023,1.5,100\n", 2, "deaths", "whole number"),
    ("unknown channel", read_calls_for_service, "month,channel,calls\n2024-04,email,5\n", 2, "channel", "email"),
    ("unknown area", read_benchmarks, "measure,period,area,value,unit,source\nx,2024/25,Scotland,1,percent,s\n", 2, "area", "Scotland"),
    ("bad period", read_benchmarks, "measure,period,area,value,unit,source\nx,2016/18,England,1,percent,s\n", 2, "period", "consecutive"),
    ("measure not snake_case", read_benchmarks, "measure,period,area,value,unit,source\nfeel safe,2024,England,1,percent,s\n",
     2, "measure", "snake_case"),
    ("measure of another topic", read_safeguarding_topics,
     "topic,financial_year,measure,count,source\nprevent,2024/25,cuckooing_addresses,3,x\n", 2, "measure", "belongs to topic"),
    ("unknown topic measure", read_safeguarding_topics,
     "topic,financial_year,measure,count,source\ncuckooing,2024/25,houses,3,x\n", 2, "measure", "houses"),
    ("unknown topic", read_safeguarding_topics,
     "topic,financial_year,measure,count,source\nknife_crime,2024/25,prevent_referrals,3,x\n", 2, "topic", "knife_crime"),
    ("topic count twice", read_safeguarding_topics,
     "topic,financial_year,measure,count,source\nprevent,2024/25,channel_cases,3,x\nprevent,2024/25,channel_cases,4,y\n",
     3, "measure", "twice"),
    ("blank topic source", read_safeguarding_topics,
     "topic,financial_year,measure,count,source\nprevent,2024/25,channel_cases,3,\n", 2, "source", None),
    ("value not a number", read_benchmarks, "measure,period,area,value,unit,source\nx,2024,England,twelve,percent,s\n", 2, "value", "twelve"),
]


@pytest.mark.parametrize(("reader", "text", "row", "column", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_csv_names_file_row_and_column(tmp_path, reader, text, row, column, words):
    path = write(tmp_path, "partner_file.csv", text)
    with pytest.raises(InputError) as info:
        reader(path)
    err = info.value
    assert err.path == path
    assert err.row == row
    assert err.column == column
    message = str(err)
    assert message.startswith(str(path))
    assert "What to do" in message
    if words:
        assert words in message


BAD_SCORECARD = [
    ("bad direction", SCORECARD_OK.replace("direction: higher_is_better", "direction: up"), 10, "direction", "item 2 (id 'feel_safe_after_dark')"),
    ("two targets", SCORECARD_OK.replace("      value: 70", "      value: 70\n      change_percent: 2"), 12, "target", "exactly one"),
    ("no target", SCORECARD_OK.replace("    target:\n      change_percent: -5\n", ""), 2, "target", "item 1 (id 'all_crime')"),
    ("unknown field", SCORECARD_OK.replace("    label: All crime", "    label: All crime\n    owner: police"), 4, "owner", "Extra inputs"),
    ("bad baseline", SCORECARD_OK.replace('"2023/24"', '"2023/25"'), 5, "baseline_year", "2023/25"),
    ("bad id", SCORECARD_OK.replace("id: all_crime", "id: All Crime"), 2, "id", "item 1"),
    ("negative amber", SCORECARD_OK.replace("amber_tolerance_percent: 3", "amber_tolerance_percent: -1"), 14,
     "amber_tolerance_percent", "greater than or equal to 0"),
    ("duplicate id", SCORECARD_OK.replace("id: feel_safe_after_dark", "id: all_crime"), 8, "id", "already used by item 1"),
    ("not a list", "measures: all_crime\n", 1, None, "list of measures"),
    ("invalid yaml", "measures:\n  - id: x\n   label: [\n", 3, None, "not valid YAML"),
]


@pytest.mark.parametrize(("text", "row", "column", "words"), [b[1:] for b in BAD_SCORECARD], ids=[b[0] for b in BAD_SCORECARD])
def test_bad_scorecard_names_item_line_and_field(tmp_path, text, row, column, words):
    path = write(tmp_path, "scorecard_targets.yaml", text)
    with pytest.raises(InputError) as info:
        read_scorecard(path)
    err = info.value
    assert err.path == path
    assert err.row == row
    assert err.column == column
    assert words in str(err)
    assert "What to do" in str(err)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        read_calls_for_service(write(tmp_path, "c.csv", ""))
    with pytest.raises(InputError, match="no data rows"):
        read_calls_for_service(write(tmp_path, "c.csv", "month,channel,calls\n"))


# --------------------------------------------------------------------------- registry

def test_read_partner_absent_is_none_present_is_read(tmp_path):
    assert read_partner(tmp_path, "youth_justice") is None
    (tmp_path / "partner").mkdir()
    write(tmp_path / "partner", "youth_justice.csv", "financial_year,measure,value\n2024/25,reoffenders,4\n")
    assert read_partner(tmp_path, "youth_justice")["value"].tolist() == [4.0]


def test_read_partner_uses_the_configured_file_name(tmp_path):
    cfg = CSPConfig(
        name="Wessex Vale", code="E22999001", local_authorities=[{"code": "E06999001", "name": "Wessex Vale"}],
        police_force={"name": "Wessex", "police_uk": "wessex"}, partner_files={"calls_for_service": "calls_2025.csv"},
        synthetic=True,
    )
    (tmp_path / "partner").mkdir()
    write(tmp_path / "partner", "calls_2025.csv", "month,channel,calls\n2025-01,101,5\n")
    assert read_partner(tmp_path, "calls_for_service", cfg)["calls"].tolist() == [5]
    assert read_partner(tmp_path, "drug_deaths", cfg) is None  # default name, absent


def test_read_partner_prefers_the_csp_folder(tmp_path):
    cfg = CSPConfig(
        name="Wessex Vale", code="E22999001", local_authorities=[{"code": "E06999001", "name": "Wessex Vale"}],
        police_force={"name": "Wessex", "police_uk": "wessex"}, synthetic=True,
    )
    (tmp_path / "partner" / "wessex-vale").mkdir(parents=True)
    write(tmp_path / "partner", "drug_related_deaths.csv", "calendar_year,deaths,population\n2023,1,100\n")
    write(tmp_path / "partner" / "wessex-vale", "drug_related_deaths.csv", "calendar_year,deaths,population\n2023,9,100\n")
    assert read_partner(tmp_path, "drug_deaths", cfg)["deaths"].tolist() == [9]
    assert read_partner(tmp_path, "drug_deaths")["deaths"].tolist() == [1]


def test_read_partner_unknown_name(tmp_path):
    with pytest.raises(KeyError, match="known: force_flags"):
        read_partner(tmp_path, "stop_search")


def test_every_partner_file_has_a_reader():
    assert set(PARTNER_READERS) == set(DEFAULT_PARTNER_FILES)
    assert set(PARTNER_COLUMNS) == set(DEFAULT_PARTNER_FILES) - {"scorecard", "recommendations"}  # the YAML files


def test_data_dictionary_documents_every_column_and_flag():
    text = (ROOT / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    for name, columns in PARTNER_COLUMNS.items():
        assert f"`{DEFAULT_PARTNER_FILES[name]}`" in text, name
        for c in columns:
            assert f"`{c.name}`" in text, (name, c.name)
            for choice in c.choices:
                if c.name != "age_band":
                    assert re.search(rf"`{re.escape(choice)}`", text), (c.name, choice)
    for flag in FORCE_FLAGS:
        assert f"`{flag}`" in text
    for field in (*partner.ScorecardMeasure.model_fields, *partner.Recommendation.model_fields):
        assert f"`{field}`" in text
    for measure in SAFEGUARDING_MEASURES:
        assert f"`{measure}`" in text, measure


# --------------------------------------------------------------------------- the read cache

def test_read_partner_file_validates_once_while_the_file_is_unchanged(tmp_path, monkeypatch):
    path = write(tmp_path, "calls.csv", "month,channel,calls\n2025-01,101,5\n")
    reads = []
    monkeypatch.setitem(PARTNER_READERS, "calls_for_service", lambda p: reads.append(p) or read_calls_for_service(p))
    first = partner.read_partner_file("calls_for_service", path)
    second = partner.read_partner_file("calls_for_service", path)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(first, second)
    assert first is not second


def test_read_partner_file_reads_an_edited_file_afresh(tmp_path):
    path = write(tmp_path, "calls.csv", "month,channel,calls\n2025-01,101,5\n")
    assert partner.read_partner_file("calls_for_service", path)["calls"].tolist() == [5]
    write(tmp_path, "calls.csv", "month,channel,calls\n2025-01,101,50\n")  # one byte longer
    assert partner.read_partner_file("calls_for_service", path)["calls"].tolist() == [50]
    write(tmp_path, "calls.csv", "month,channel,calls\n2025-01,101,70\n")  # same size: a later mtime
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    assert partner.read_partner_file("calls_for_service", path)["calls"].tolist() == [70]


def test_changing_a_cached_partner_frame_does_not_change_a_later_read(tmp_path):
    path = write(tmp_path, "calls.csv", "month,channel,calls\n2025-01,101,5\n2025-01,999,7\n")
    got = partner.read_partner_file("calls_for_service", path)
    got.loc[0, "calls"] = 0
    got["extra"] = 1
    del got["channel"]
    again = partner.read_partner_file("calls_for_service", path)
    assert list(again.columns) == ["month", "financial_year", "channel", "calls", "source_row"]
    assert again["calls"].tolist() == [5, 7]


def test_a_bad_partner_file_raises_on_every_read(tmp_path):
    path = write(tmp_path, "calls.csv", "month,channel,calls\n2025-13,101,5\n")
    for _ in range(2):
        with pytest.raises(InputError, match="row 2"):
            partner.read_partner_file("calls_for_service", path)
