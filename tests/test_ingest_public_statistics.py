"""Ingest writes the public statistics tables: indicators (Fingertips), rough_sleeping_snapshot
(MHCLG) and population from the ONS mid-year estimate workbooks, each with the schema of
docs/data-model.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.fingertips import INDICATOR_COLUMNS
from assess.sources.rough_sleeping import SNAPSHOT_COLUMNS
from assess.store import Store
from assess.store.ingest import ingest


@pytest.mark.real
def test_real_store_holds_the_public_statistics(real_store: Path) -> None:
    store = Store(real_store)
    indicators = store.read("indicators")
    assert list(indicators.columns) == INDICATOR_COLUMNS and len(indicators) == 852
    assert indicators["is_headline"].sum() == 486
    assert str(indicators["period_start"].dtype).startswith("datetime64")

    snapshot = store.read("rough_sleeping_snapshot")
    assert list(snapshot.columns) == SNAPSHOT_COLUMNS
    assert not snapshot.duplicated(["area_code", "year"]).any()
    s = snapshot[snapshot["area_code"] == "E06000045"].set_index("year")
    assert s.loc[2016, "rough_sleepers"] == 23 and s.loc[2017, "rough_sleepers"] == 29
    assert round(s.loc[2016, "rate_per_1000_households"], 4) == 0.2227
    e = snapshot[snapshot["area_code"] == "E92000001"].set_index("year")
    assert (e.loc[2016, "rough_sleepers"], e.loc[2017, "rough_sleepers"]) == (4134, 4751)
    assert round(e.loc[2017, "rate_per_1000_households"], 4) == 0.2025

    population = store.read("population")
    lad = population[(population["geography"] == "lad") & (population["age_band"] == "all")]
    southampton = lad[lad["area_code"] == "E06000045"].set_index("year")["value"]
    assert southampton.to_dict() == {2016: 254_275, 2017: 252_359}
    assert set(population.loc[population["geography"] == "lsoa", "year"]) == {2015}  # IoD File 6 beside them

    manifest = json.loads((real_store / "manifest.json").read_text())
    kinds = {rel: rec["kind"] for rel, rec in manifest["inputs"].items()}
    assert kinds["fingertips/indicators-CountyUA.data.csv"] == "fingertips"
    assert kinds["population/ukmidyearestimates2016.xls"] == "mid_year_population"
    assert kinds["rough_sleeping/Rough_Sleeping_Autumn_2016_Final_Tables.xls"] == "rough_sleeping"
    dropped = [d for d in manifest["dropped_rows"] if d["file"].startswith("rough_sleeping/")]
    assert {"file": "rough_sleeping/Rough_Sleeping_Autumn_2016_Final_Tables.xls", "row": 12,
            "reason": "aggregate without an ONS code ('Rest of England')"} in dropped


def test_editions_that_disagree_are_reported_and_the_newer_wins(shared_data: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "rough_sleeping").mkdir(parents=True)
    shutil.copy(shared_data / "rough_sleeping" / "Rough_Sleeping_Autumn_2016_Final_Tables.xls", raw / "rough_sleeping")
    import openpyxl

    wb = openpyxl.load_workbook(shared_data / "rough_sleeping" / "Rough sleeping statistics England autumn 2017.xlsx")
    ws = wb["table 1"]
    assert ws["B290"].value == "Southampton" and ws["J290"].value == 23
    ws["J290"] = 24  # a revised autumn 2016 count in the newer edition
    wb.save(raw / "rough_sleeping" / "Rough_Sleeping_Statistics_Autumn_2017.xlsx")
    report = ingest(raw, tmp_path / "processed")
    snapshot = Store(tmp_path / "processed").read("rough_sleeping_snapshot")
    row = snapshot[(snapshot["area_code"] == "E06000045") & (snapshot["year"] == 2016)].iloc[0]
    assert row["rough_sleepers"] == 24 and pd.isna(row["rate_per_1000_households"])
    assert any("the newer edition wins" in w and "E06000045 autumn 2016: 24" in w for w in report.warnings)


def test_population_files_that_disagree_stop_the_ingest_before_anything_is_written(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "mid-2017-estimates-a.csv").write_text("Code,Name,All ages\nE06000045,Southampton,252359\n")
    (raw / "mid-2017-estimates-b.csv").write_text("Code,Name,All ages\nE06000045,Southampton,250000\n")
    with pytest.raises(InputError, match="population files disagree: E06000045 mid-2017"):
        ingest(raw, tmp_path / "processed")
    assert not (tmp_path / "processed" / "population.parquet").exists()
