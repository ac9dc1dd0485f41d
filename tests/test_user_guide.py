"""docs/user-guide.md, run command by command against a local mirror of the publishers.

The mirror is a web server on 127.0.0.1 serving the real files of ../shared/data; a copy of the
packaged sources.yaml points every address at it (ASSESS_SOURCES), so the commands run exactly as
written, with no network beyond this machine. The mirror holds police.uk files for February to
September 2017 only, so the guide's "new year" section (2018/19) runs with its year replaced by
2016/17 (February and March 2017): the same commands for a year other than the first.

This is also the end-to-end test of the real data: Southampton 2017/18 completes, says the year
is incomplete (and which months it holds), and its ward table equals a count of the raw files.
"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import re
import shlex
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = [pytest.mark.real, pytest.mark.e2e]

GUIDE = ROOT / "docs" / "user-guide.md"
ASSESS = Path(sys.executable).parent / "assess"
SOUTHAMPTON_LAD = "E06000045"


def guide_commands() -> dict[str, list[str]]:
    """The ``$ assess ...`` lines of each section of the guide, in order."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        m = re.match(r"^\s+\$ (assess .*)$", line)
        if m:
            sections.setdefault(current, []).append(m.group(1))
    return sections


def test_the_guide_has_the_two_walkthroughs() -> None:
    sections = guide_commands()
    assert [c.split()[1] for c in sections["Start a new CSP"]] == ["fetch", "csp", "init-csp", "fetch", "ingest", "run"]
    assert [c.split()[1] for c in sections["Rerun for a new year"]] == ["fetch", "ingest", "run"]


@pytest.fixture(scope="module")
def mirror(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Serve the publishers' files on 127.0.0.1; return a sources.yaml that points at them."""
    root = tmp_path_factory.mktemp("mirror")
    site = root / "site"
    (site / "archive").mkdir(parents=True)
    street = sorted((shared_data / "police_street" / "hampshire").glob("*-street.csv"))
    for archive, months in (("2018-03", [f.stem[:7] for f in street]), ("2017-03", ["2017-02", "2017-03"])):
        with zipfile.ZipFile(site / "archive" / f"{archive}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for f in street:
                if f.stem[:7] in months:
                    zf.write(f, f"{f.stem[:7]}/{f.name}")
    served = {
        "ons_lsoa_ward": shared_data / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv",
        "ons_lad_csp_pfa": shared_data / "lookups" / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv",
        "ons_lad_region": shared_data / "lookups" / "Local_Authority_District_to_Region_December_2018_Lookup_in_England.csv",
        "iod2019_population_denominators": shared_data / "population" / "File_6_-_IoD2019_Population_Denominators.xlsx",
        "home_office_prc_pfa": shared_data / "home_office_prc" / "prc-pfa-mar2013-onwards-tables201718.csv",
    }
    for path in served.values():
        (site / path.name).write_bytes(path.read_bytes())

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    sources = yaml.safe_load((ROOT / "src" / "assess" / "sources.yaml").read_text(encoding="utf-8"))
    for key, entry in sources["sources"].items():
        if key == "police_uk_archive":
            entry["url"] = base + "/archive/{month}.zip"
        elif key in served:
            entry["url"], entry["filename"] = f"{base}/{served[key].name}", served[key].name
        elif key != "police_uk_custom":  # not in the mirror: fetch reports it as missing
            entry["url"] = None
            for edition in entry.get("editions", {}).values():
                edition["url"] = None
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump(sources), encoding="utf-8")
    yield path
    server.shutdown()
    thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _run(command: str, project: Path, sources: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSESS_SOURCES": str(sources), "COLUMNS": "200"}
    args = shlex.split(command)
    result = subprocess.run([str(ASSESS), *args[1:]], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"`{command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _independent_ward_counts(shared_data: Path, months: set[str]) -> Counter:
    lookup = shared_data / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv"
    with open(lookup, encoding="utf-8-sig", newline="") as fh:
        ward_of = {r["LSOA11CD"]: r["WD17CD"] for r in csv.DictReader(fh) if r["LAD17CD"] == SOUTHAMPTON_LAD}
    crimes: Counter = Counter()
    for path in sorted((shared_data / "police_street").rglob("*-street.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["Month"] in months and r["LSOA code"] in ward_of and r["Crime type"] != "Anti-social behaviour":
                    crimes[ward_of[r["LSOA code"]]] += 1
    return crimes


def test_the_guide_runs_as_written_for_a_new_csp_and_a_new_year(mirror: Path, shared_data: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "notebooks").symlink_to(ROOT / "notebooks")
    sections = guide_commands()

    for command in sections["Start a new CSP"]:
        _run(command, project, mirror)
    assert (project / "config" / "csp" / "southampton.yaml").exists()
    downloads = (project / "data" / "raw" / "downloads.json").read_text()
    assert "2017-09-hampshire-street.csv" in downloads and "prc-pfa-mar2013-onwards-tables201718.csv" in downloads

    bundle = project / "reports" / "southampton" / "2017-18"
    index = (bundle / "index.html").read_text(encoding="utf-8")
    assert "incomplete: it holds 6 of 12 months (2017-04 to 2017-09)" in index
    assert all(f"{c}.html" in index for c in ("01_recorded_crime", "03_places", "12_scorecard"))
    assert "Failed" not in index
    with open(bundle / "tables" / "03_places__wards.csv", encoding="utf-8", newline="") as fh:
        wards = {r["Ward code"]: int(r["Crimes"]) for r in csv.DictReader(fh)}
    expected = _independent_ward_counts(shared_data, {f"2017-{m:02d}" for m in range(4, 10)})
    assert len(wards) == 16 and wards == dict(expected)
    assert (bundle / "assessment.pdf").stat().st_size > 0 and (bundle / "metrics.json").exists()

    for command in sections["Rerun for a new year"]:
        _run(command.replace("2018/19", "2016/17"), project, mirror)
    other = project / "reports" / "southampton" / "2016-17" / "index.html"
    assert "incomplete: it holds 2 of 12 months (2017-02 to 2017-03)" in other.read_text(encoding="utf-8")
    assert (bundle / "index.html").exists()  # the first year's bundle is still there

    reconcile = _run(sections["Check the figures against the official statistics"][0], project, mirror)
    assert "41,145" in reconcile.stdout + reconcile.stderr or "41145" in reconcile.stdout + reconcile.stderr
