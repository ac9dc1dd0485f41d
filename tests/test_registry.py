"""The chapter registry (notebooks/chapters.yaml): one declaration that every part of the project reads."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from assess.errors import ConfigError
from assess.registry import THEMES, UnknownChapter, default_notebooks_dir, load_registry

ROOT = Path(__file__).resolve().parents[1]


def _first_heading(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    return next(line for line in "".join(md["source"]).splitlines() if line.startswith("# "))[2:].strip()


def test_the_project_registry_declares_every_notebook_once() -> None:
    registry = load_registry()
    assert registry.folder == default_notebooks_dir() == ROOT / "notebooks"
    on_disk = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert registry.names == on_disk
    assert [c.number for c in registry] == sorted(c.number for c in registry)


@pytest.mark.parametrize("chapter", load_registry().chapters, ids=lambda c: c.name)
def test_each_chapter_has_its_heading_and_imports_the_module_of_its_name(chapter) -> None:  # type: ignore[no-untyped-def]
    notebook = ROOT / "notebooks" / chapter.notebook
    assert _first_heading(notebook) == chapter.heading
    module = importlib.import_module(chapter.module)
    assert getattr(module, "CHAPTER", chapter.name) == chapter.name
    code = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in code if c["cell_type"] == "code")
    assert re.search(rf"from assess\.chapters import [^\n]*\b{chapter.slug}\b", source), chapter.slug
    assert f'"{chapter.name}"' in source  # its outputs are published under its name


def test_themes_and_phases() -> None:
    registry = load_registry()
    assert {c.theme for c in registry if c.theme} <= set(THEMES)
    assert registry.get("08_hate_crime").theme == "vulnerable people"
    assert registry.get("00_summary").theme is None and registry.get("13_appendix_reconciliation").theme is None
    phases = registry.phases()
    assert [c.name for c in phases[-2]] == ["12_scorecard"] and [c.name for c in phases[-1]] == ["00_summary"]
    assert "01_recorded_crime" in [c.name for c in phases[0]]
    assert registry.reading_chapters() == ["00_summary", "12_scorecard"]


def test_find_and_select_by_name_number_or_slug() -> None:
    registry = load_registry()
    assert registry.find("03").name == registry.find("3").name == registry.find("places").name == "03_places"
    assert [c.name for c in registry.select(["places", "00", "08_hate_crime"])] == ["00_summary", "03_places", "08_hate_crime"]
    with pytest.raises(UnknownChapter, match=r"no chapter 'crimes' \(chapters: 00_summary, 01_recorded_crime"):
        registry.select(["crimes"])


def test_titles_and_headings() -> None:
    registry = load_registry()
    assert registry.title("01_recorded_crime") == "Recorded crime"
    assert registry.heading("01_recorded_crime") == "1. Recorded crime"
    assert registry.heading("13_appendix_reconciliation") == registry.title("13_appendix_reconciliation")
    assert registry.title("99_not_declared") == "Not declared"


def _registry(tmp_path: Path, text: str, notebooks: tuple[str, ...] = ("01_a",)) -> Path:
    for n in notebooks:
        (tmp_path / f"{n}.ipynb").write_text("{}")
    (tmp_path / "chapters.yaml").write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chapters: [{number: 1, slug: a, title: A, theme: weather}]", "unknown theme 'weather'"),
        ("chapters: [{number: 1, slug: a, title: A}, {number: 1, slug: b, title: B}]", "number 1 is declared twice"),
        ("chapters: [{number: 2, slug: b, title: B}]", "chapter 02_b has no notebook 02_b.ipynb"),
        ("chapters: [{number: 1, slug: A-b, title: A}]", "chapters.0.slug"),
        ("chapters: [{number: 1, slug: a, title: A, colour: red}]", "chapters.0.colour"),
        ("chapters: [{number: 1, slug: a", "not readable YAML"),
        ("chapters: []", "chapters"),
    ],
)
def test_a_malformed_registry_is_a_clear_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    folder = _registry(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_registry(folder)
    assert str(folder / "chapters.yaml") in str(info.value)


def test_a_folder_without_a_registry_or_without_its_notebooks(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no chapter registry"):
        load_registry(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such notebooks folder"):
        load_registry(tmp_path / "missing")
    folder = _registry(tmp_path, "chapters: [{number: 2, slug: b, title: B}]", ())
    assert load_registry(folder, require_notebooks=False).names == ["02_b"]


def test_an_edited_registry_is_read_afresh(tmp_path: Path) -> None:
    folder = _registry(tmp_path, "chapters: [{number: 1, slug: a, title: A}]")
    assert load_registry(folder).title("01_a") == "A"
    (folder / "chapters.yaml").write_text("chapters: [{number: 1, slug: a, title: Another title}]")
    assert load_registry(folder).title("01_a") == "Another title"
