"""The new user's flow on the real public files alone (issue 10, "Done when").

A raw folder is built in tmp_path from links to the files of ../shared/data (police.uk Hampshire
2017, the ONS lookups, the ONS mid-year estimates and the IoD2019 denominators, the rough sleeping
tables, the Home Office force-area table, the boundaries, the Fingertips sample), never copied into
the repository; then `assess init-csp Southampton`, `assess ingest` and `assess run --csp
southampton --year 2017/18` run as a user types them. The checks are made against the files
themselves (the Home Office CSV is summed here) and the facts the data README states.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT

pytestmark = [pytest.mark.real, pytest.mark.e2e]

ASSESS = Path(sys.executable).parent / "assess"
HOME_OFFICE = "home_office_prc/prc-pfa-mar2013-onwards-tables201718.csv"
LAD_CSP_PFA = ("lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016"
               "__Lookup_in_England_and_Wales.csv")
SOUTHAMPTON_MID_2017, SOUTHAMPTON_MID_2016 = 252_359, 254_275


def _assess(*args: str, project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([str(ASSESS), *args], cwd=project, env=env, capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, f"assess {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def flow(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    project = tmp_path_factory.mktemp("new-user")
    (project / "notebooks").symlink_to(ROOT / "notebooks")
    raw = project / "data" / "raw"
    for f in sorted(p for p in shared_data.rglob("*") if p.is_file() and p.name != "README.md"):
        target = raw / f.relative_to(shared_data)
        target.parent.mkdir(parents=True, exist_ok=True)
        # a copy as a user downloads it (a hard link where the filesystem allows): a symbolic link
        # out of data/raw is refused, as it should be
        try:
            os.link(f, target)
        except OSError:
            shutil.copyfile(f, target)
    init = _assess("init-csp", "Southampton", project=project)
    ingest = _assess("ingest", project=project)
    run = _assess("run", "--csp", "southampton", "--year", "2017/18", project=project)
    bundle = project / "reports" / "southampton" / "2017-18"
    yield SimpleNamespace(project=project, raw=raw, bundle=bundle, init=init, ingest=ingest, run=run)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _index_rows(bundle: Path) -> dict[str, str]:
    """The index's chapter rows, by chapter (from the notebook link), as text."""
    index = (bundle / "index.html").read_text(encoding="utf-8")
    body = index[index.index('<table class="chapters">'):]
    body = body[:body.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr class=\"[a-z-]+\">.*?</tr>", body, re.DOTALL):
        chapter = re.search(r'href="notebooks/([0-9]{2}_[a-z_]+)\.ipynb"', row).group(1)  # type: ignore[union-attr]
        rows[chapter] = _text(row)
    return rows


def _published(bundle: Path, chapter: str) -> int:
    """Tables and charts the chapter published, counted from the bundle's files."""
    tables = list((bundle / "tables").glob(f"{chapter}__*.csv"))
    figures = list((bundle / "figures").glob(f"{chapter}__*")) if (bundle / "figures").is_dir() else []
    return len(tables) + len(figures)


def _home_office_offences(shared_data: Path, forces: set[str] | None, quarters: set[int]) -> int:
    total = 0
    with open(shared_data / HOME_OFFICE, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if (r["Financial Year"] == "2017/18" and int(r["Financial Quarter"]) in quarters
                    and (forces is None or r["Force Name"] in forces)):
                total += int(r["Number of Offences"].replace(",", ""))
    return total


def _english_forces(shared_data: Path) -> set[str]:
    """The Home Office names of the English police force areas (E23 codes in the ONS lookup)."""
    with open(shared_data / LAD_CSP_PFA, encoding="utf-8-sig", newline="") as fh:
        names = {r["PFA16NM"] for r in csv.DictReader(fh) if r["PFA16CD"].startswith("E23")}
    return {n.replace("&", "and") for n in names}


def test_ingest_prints_each_chapters_inputs(flow: SimpleNamespace) -> None:
    out = flow.ingest.stdout + flow.ingest.stderr  # the console writes to stderr
    assert "chapter inputs, Southampton" in out
    crime = next(line for line in out.splitlines() if "1. Recorded crime" in line)
    assert "home_office_pfa" in crime and "home_office_csp" in crime  # has the force table, lacks the CSP one
    assert "Southampton: no data supplied for" in out and "12. Performance scorecard" in out


def test_the_crime_chapter_shows_hampshire_and_england_from_the_home_office(flow: SimpleNamespace, shared_data: Path) -> None:
    with open(flow.bundle / "tables" / "01_recorded_crime__force_area_comparators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by = {(r["Area"], r["Period"].split(" (")[0]): r for r in rows}
    hampshire = by[("Hampshire (police force area)", "2017/18")]
    england = by[("England", "2017/18")]
    half = by[("Hampshire (police force area)", "2017/18 Q1-Q2")]
    # the offences are those of the Home Office file itself
    assert int(hampshire["Offences"]) == _home_office_offences(shared_data, {"Hampshire"}, {1, 2, 3, 4}) == 159_541
    assert int(half["Offences"]) == 41_145 + 41_137
    assert int(england["Offences"]) == _home_office_offences(shared_data, _english_forces(shared_data), {1, 2, 3, 4})
    for r in (hampshire, england, half):
        assert r["Counts"].startswith("Home Office police recorded crime")
        assert float(r["Rate per 1,000"]) == round(int(r["Offences"]) / int(r["Residents"]) * 1000, 1)
    southampton = rows[0]
    assert southampton["Area"] == "Southampton" and southampton["Counts"].startswith("police.uk street-level records")
    assert int(southampton["Residents"]) == SOUTHAMPTON_MID_2017
    page = _text((flow.bundle / "html" / "01_recorded_crime.html").read_text(encoding="utf-8"))
    assert "Hampshire police force area" in page and "count differently" in page
    metrics = {m["id"]: m for m in json.loads((flow.bundle / "metrics.json").read_text(encoding="utf-8"))["metrics"]}
    force = metrics["force_area_recorded_crime"]
    assert force["value"] == 159_541 and "england" in force["comparators"] and force["comparison_verdicts"]["england"]


def test_every_rate_cites_the_mid_2017_estimate(flow: SimpleNamespace) -> None:
    with open(flow.bundle / "tables" / "01_recorded_crime__force_area_comparators.csv", encoding="utf-8", newline="") as fh:
        estimates = {r["Population estimate"] for r in csv.DictReader(fh)}
    assert estimates == {"ONS mid-2017 population estimate (ukmidyearestimates2017finalversion.xls)"}
    page = _text((flow.bundle / "html" / "01_recorded_crime.html").read_text(encoding="utf-8"))
    assert f"{SOUTHAMPTON_MID_2017:,}" in page and "mid-2017" in page
    assert "mid-2016" not in page and "mid-2015" not in page and f"{SOUTHAMPTON_MID_2016:,}" not in page
    # every rate of the CSP as a whole, in any chapter, has Southampton's mid-2017 residents behind it
    metrics = json.loads((flow.bundle / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    csp_rates = 0
    for m in metrics:
        if m.get("rate") and m.get("value") and m.get("rate_per"):
            residents = m["value"] * m["rate_per"] / m["rate"]
            if abs(residents - SOUTHAMPTON_MID_2017) < 0.1 * SOUTHAMPTON_MID_2017:
                csp_rates += 1
                assert round(residents) == SOUTHAMPTON_MID_2017, (m["id"], residents)
    assert csp_rates >= 1
    assert "mid-2017" in next(m for m in metrics if m["id"] == "all_crime")["source"]


def test_no_chapter_is_complete_without_a_table_or_chart(flow: SimpleNamespace) -> None:
    rows = _index_rows(flow.bundle)
    assert len(rows) == 14
    for chapter, text in rows.items():
        published = _published(flow.bundle, chapter)
        if "Complete" in text:
            assert published > 0, f"{chapter} is marked complete with no table or chart: {text}"
        else:
            assert "No data supplied" in text or "Failed" in text, text
            if "No data supplied" in text:
                assert published == 0, text
    assert not any("Failed" in t for t in rows.values())
    assert "Complete" in rows["01_recorded_crime"] and "Complete" in rows["03_places"]


def test_chapters_without_data_say_so_naming_the_files(flow: SimpleNamespace) -> None:
    rows = _index_rows(flow.bundle)
    empty = {c: t for c, t in rows.items() if "No data supplied" in t}
    assert {"04_perceptions", "05_offenders", "12_scorecard"} <= set(empty)
    assert "partner/resident_survey.csv" in empty["04_perceptions"]
    assert "partner/scorecard_targets.yaml" in empty["12_scorecard"]
    for text in empty.values():
        assert re.search(r"\.(csv|xlsx?|ods|yaml)\b", text), text  # names a file to supply
    summary = _text((flow.bundle / "html" / "00_summary.html").read_text(encoding="utf-8"))
    assert "No data supplied" in summary and "partner/resident_survey.csv" in summary
    assert "Missing chapters" not in summary  # chapters with no data are not reported as failed or not run


def test_rough_sleeping_chapter_shows_29_against_23_and_england(flow: SimpleNamespace) -> None:
    rows = _index_rows(flow.bundle)
    assert "Complete" in rows["09_begging_rough_sleeping"]
    page = _text((flow.bundle / "html" / "09_begging_rough_sleeping.html").read_text(encoding="utf-8"))
    assert re.search(r"\b29\b", page) and re.search(r"\b23\b", page) and "England" in page
    assert re.search(r"0\.2[0-9]*\b", page)  # England's rate per 1,000 households (0.2025 in autumn 2017)
