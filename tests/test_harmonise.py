"""police.uk categories over their history, and placing rows in ward, LA and CSP."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.errors import InputError
from assess.store.harmonise import (
    ASB,
    HISTORIC_CATEGORIES,
    POLICE_UK_CATEGORIES,
    add_categories,
    category_id,
    harmonise_categories,
    harmonise_category,
    place,
    unplaced_summary,
)


def test_current_categories_map_to_themselves() -> None:
    for c in POLICE_UK_CATEGORIES:
        assert harmonise_category(c) == c


@pytest.mark.parametrize(
    ("published", "current"),
    [("Violent crime", "Violence and sexual offences"), ("Public disorder and weapons", "Public order")],
)
def test_historic_categories_map_to_their_successor(published: str, current: str) -> None:
    assert harmonise_category(published) == current


def test_every_historic_category_maps_into_the_current_set() -> None:
    assert set(HISTORIC_CATEGORIES.values()) <= set(POLICE_UK_CATEGORIES)


@given(st.sampled_from(POLICE_UK_CATEGORIES + tuple(HISTORIC_CATEGORIES)), st.sampled_from(["lower", "upper", "title"]))
def test_labels_match_regardless_of_case_and_space(label: str, case: str) -> None:
    variant = f"  {getattr(label, case)()} "
    assert harmonise_category(variant) == harmonise_category(label)


def test_unknown_label_is_an_error_naming_file_row_and_column() -> None:
    s = pd.Series(["Burglary", "Cyber stuff"], dtype="string")
    rows = pd.Series([2, 3])
    with pytest.raises(InputError) as err:
        harmonise_categories(s, path="x.csv", rows=rows)
    msg = str(err.value)
    assert "x.csv" in msg and "row 3" in msg and "Crime type" in msg and "Cyber stuff" in msg


def test_category_ids_are_unique_snake_case() -> None:
    ids = [category_id(c) for c in POLICE_UK_CATEGORIES]
    assert len(set(ids)) == len(ids)
    assert category_id("Criminal damage and arson") == "criminal_damage_and_arson"
    assert category_id(ASB) == "anti_social_behaviour"


def test_add_categories_flags_asb() -> None:
    df = pd.DataFrame({"crime_type": pd.Series(["Anti-social behaviour", "Violent crime"], dtype="string")})
    out = add_categories(df)
    assert out["is_asb"].tolist() == [True, False]
    assert out["category_id"].tolist() == ["anti_social_behaviour", "violence_and_sexual_offences"]


def _lookups() -> tuple[pd.DataFrame, pd.DataFrame]:
    lsoa_ward = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002"],
            "lsoa_name": ["A 001A", "A 001B"],
            "ward_code": ["E05000001", "E05000002"],
            "ward_name": ["North", "South"],
            "lad_code": ["E06000001", "E06000001"],
            "lad_name": ["A", "A"],
        },
        dtype="string",
    )
    lad_csp = pd.DataFrame(
        {"lad_code": ["E06000001"], "lad_name": ["A"], "csp_code": ["E22000001"], "csp_name": ["A CSP"],
         "pfa_code": ["E23000001"], "pfa_name": ["Force"]},
        dtype="string",
    )
    return lsoa_ward, lad_csp


def test_place_keeps_every_row_and_counts_the_unplaced() -> None:
    lsoa_ward, lad_csp = _lookups()
    street = pd.DataFrame(
        {
            "lsoa_code": pd.Series(["E01000001", None, "E01999999", "E01000002"], dtype="string"),
            "source_file": ["f.csv"] * 4,
        }
    )
    placed = place(street, lsoa_ward, lad_csp)
    assert len(placed) == 4
    assert placed["ward_name"].tolist()[0] == "North"
    assert placed["csp_code"].tolist()[3] == "E22000001"
    assert placed["placed"].tolist() == [True, False, False, True]
    summary = unplaced_summary(placed)
    assert dict(zip(summary["reason"], summary["rows"])) == {"LSOA code not in the ONS lookup": 1, "blank LSOA code": 1}
