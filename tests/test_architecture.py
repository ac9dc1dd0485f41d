"""The package's folders are the stages of a one-way flow: no module imports from a later stage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "assess"

#: Stages in flow order; a module may import from its own stage and earlier ones only.
#: (config, errors, atomic, periods, vocabulary, registry are shared by every stage.)
ORDER = ["sources", "store", "stats", "measure", "chapters", "report"]
#: Stages that must not import a given later stage even where ORDER allows a neighbour.
FORBIDDEN: dict[str, set[str]] = {stage: set(ORDER[i + 1:]) for i, stage in enumerate(ORDER)}
FORBIDDEN["chapters"] = set()  # chapters publish through report/'s writer (outputs, charts)
FORBIDDEN["report"] = {"chapters"}  # report/ reads what chapters wrote, never their code
FORBIDDEN["stats"] = {"store", "measure", "chapters", "report", "sources"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assess."):
            found.add(node.module.split(".")[1])
            if node.module == "assess":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "assess":
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("assess."))
    return found


@pytest.mark.parametrize("stage", ORDER)
def test_no_stage_imports_a_later_one(stage: str) -> None:
    bad = []
    for path in sorted((PACKAGE / stage).rglob("*.py")):
        for target in _imports(path) & FORBIDDEN[stage]:
            bad.append(f"{path.relative_to(PACKAGE)} imports assess.{target}")
    assert not bad, bad


def test_the_shared_modules_import_no_stage() -> None:
    for name in ("config", "errors", "atomic", "periods", "vocabulary", "registry"):
        path = PACKAGE / f"{name}.py"
        assert not (_imports(path) & set(ORDER)), f"{name}.py imports a stage"
