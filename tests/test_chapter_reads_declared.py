"""One declaration of inputs: what each chapter of the demo run actually read (recorded as it
read it, :mod:`assess.reads`, and kept with its cached outputs by :mod:`assess.report.cache`) is
covered by the inputs notebooks/chapters.yaml declares for it, so the declaration (which `assess
ingest`, the "No data supplied" sentences and the user guide are made from) cannot drift from
the code. Reads that are no input of any chapter are named: the CSP's configuration and the
partners' own account (narrative files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from assess.config import DEFAULT_PARTNER_FILES, find_config
from assess.registry import Registry, load_registry

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo_bundle")]


def _inputs_of_read(read: list[str], registry: Registry, partner_inputs: dict[str, str], raw: Path,
                    config_dir: Path) -> set[str] | None:
    """The declared inputs that supply one recorded read (any of them covers it); None for a read
    that is no input (configuration, narratives, the partner folder itself); an empty set for a
    read that no declared input supplies."""
    kind, *where = read
    if kind == "table":
        table = where[-1]
        if table.startswith("partner_"):
            key = partner_inputs.get(table.removeprefix("partner_"))
            return {key} if key else set()
        return {key for key, spec in registry.inputs.items() if spec.table == table}
    path = Path(where[0])
    if path.is_relative_to(config_dir):
        return None
    rel = path.relative_to(raw)
    if rel.parts[:2] == ("partner", "narrative") or (rel.parts[0] == "partner" and len(rel.parts) <= 2
                                                      and path.suffix == ""):
        return None  # the partners' account of a chapter, and the partner folder a CSP may have
    if rel.parts[0] == "partner":
        key = partner_inputs.get(rel.name)
        return {key} if key else set()
    if path.suffix == ".geojson":
        return {key for key, spec in registry.inputs.items() if spec.boundaries}
    return set()


def test_every_input_a_chapter_reads_is_declared_for_it(demo_bundle: Path, demo_data) -> None:  # type: ignore[no-untyped-def]
    registry = load_registry(ROOT / "notebooks")
    cfg = find_config(demo_data.csp, demo_data.config_dir)
    files = {**DEFAULT_PARTNER_FILES, **cfg.partner_files}
    partner_inputs = {files[spec.partner]: key for key, spec in registry.inputs.items()
                      if spec.partner is not None and spec.partner in files}
    cache = next(p / ".cache" for p in demo_bundle.parents if (p / ".cache").is_dir())
    entries = sorted(cache.glob("*/*/*/*/entry.json"))
    recorded: dict[str, list[list[str]]] = {}
    for entry in entries:
        data = json.loads(entry.read_text(encoding="utf-8"))
        if "chapter" not in data:
            continue  # the whole bundle's entry
        recorded.setdefault(data["chapter"], []).extend(r[:-1] for r in data["reads"])
    assert set(recorded) == set(registry.names), "every chapter of the demo run left its record"
    undeclared = []
    for chapter, reads in sorted(recorded.items()):
        declared = set(registry.get(chapter).inputs) | set(registry.context)  # type: ignore[union-attr]
        for read in reads:
            supplying = _inputs_of_read(read, registry, partner_inputs, demo_data.raw.resolve(),
                                        demo_data.config_dir.resolve())
            if supplying is not None and not supplying & declared:
                undeclared.append(f"{chapter} reads {read[0]} {read[-1]} "
                                  f"({' or '.join(sorted(supplying)) or 'no declared input'})")
    assert not undeclared, sorted(set(undeclared))
    assert recorded["03_places"] and any(r[0] == "table" and r[-1] == "population" for r in recorded["03_places"])


def test_chapter_one_names_the_file_it_lacks_from_the_registry() -> None:
    from assess.measure.comparators import CSP_TABLES_INPUT, csp_tables_hint

    spec = load_registry(ROOT / "notebooks").inputs[CSP_TABLES_INPUT]
    hint = csp_tables_hint()
    assert spec.label in hint and all(f in hint for f in spec.files) and spec.page in hint
