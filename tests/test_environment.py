"""environment.yml (conda) and pyproject.toml (pip) must name the same packages and bounds."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

#: conda-forge names that differ from the PyPI name.
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", spec)
    assert m, spec
    return m.group(1).lower(), m.group(2).replace(" ", "")


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_split(s) for s in specs)


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section installs the project itself
            assert dep == {"pip": ["-e ."]}, f"unexpected pip section {dep}"
            continue
        name, bound = _split(dep)
        if name in ("python", "pip"):
            continue
        out[CONDA_TO_PYPI.get(name, name)] = bound
    return out


def test_environment_yml_names_the_same_packages_as_pyproject() -> None:
    pip, conda = pip_requirements(), conda_requirements()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not pyproject.toml"


def test_environment_yml_has_the_same_version_bounds() -> None:
    pip, conda = pip_requirements(), conda_requirements()
    differ = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda.get(k)}
    assert differ == {}


def test_environment_python_matches_requires_python() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"python{requires}" in env["dependencies"]
