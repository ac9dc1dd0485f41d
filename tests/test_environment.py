"""The pinned environment: requirements.lock holds every package of pyproject.toml at an exact,
hashed version; environment.yml (conda) is generated from both; `make setup` installs from the lock.

When a dependency is added to pyproject.toml, `make lock` refreshes the lock and environment.yml;
until then these tests fail, naming the package.
"""

from __future__ import annotations

import re
import sys
import tomllib

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

sys.path.insert(0, str(ROOT / "tools"))
import environment_yml  # noqa: E402

LOCK = ROOT / "requirements.lock"


def requirements() -> list[Requirement]:
    runtime, dev, _ = environment_yml.project_requirements((ROOT / "pyproject.toml").read_text())
    return runtime + dev


def lock_entries() -> dict[str, tuple[str, list[str]]]:
    """``{name: (version, hashes)}`` of the lock file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8")):
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if m:
            entries[canonicalize_name(m.group(1))] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return entries


def test_every_pyproject_dependency_is_locked_at_a_version_it_allows() -> None:
    locked = lock_entries()
    missing = [r.name for r in requirements() if canonicalize_name(r.name) not in locked]
    assert missing == [], f"in pyproject.toml but not in requirements.lock (run `make lock`): {missing}"
    outside = {
        r.name: (str(r.specifier), locked[canonicalize_name(r.name)][0])
        for r in requirements()
        if not r.specifier.contains(Version(locked[canonicalize_name(r.name)][0]), prereleases=True)
    }
    assert outside == {}, f"locked versions outside pyproject's bounds (run `make lock`): {outside}"


def test_every_locked_package_is_pinned_exactly_with_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    requirement_lines = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]
    assert requirement_lines, "the lock file lists no package"
    loose = [ln for ln in requirement_lines if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]+\])?==\S+", ln)]
    assert loose == [], f"not pinned with ==: {loose}"
    unhashed = [name for name, (_, hashes) in lock_entries().items() if not hashes]
    assert unhashed == [], f"no hash for: {unhashed}"
    assert len(lock_entries()) == len(requirement_lines)  # one entry per package, none twice


def test_the_lock_holds_what_the_project_imports_at_run_time() -> None:
    # a transitive dependency the chapters rely on directly: the lock pins the whole tree, not
    # only pyproject's names
    locked = lock_entries()
    assert {"jupyter-client", "nbclient", "pyzmq", "jinja2", "pydyf"} <= set(locked)


def test_environment_yml_is_generated_from_pyproject_and_the_lock() -> None:
    expected = environment_yml.render((ROOT / "pyproject.toml").read_text(), LOCK.read_text(),
                                      environment_yml.LOCK_PYTHON)
    assert (ROOT / "environment.yml").read_text() == expected, "environment.yml is stale: run `make lock`"


def test_environment_yml_names_every_dependency_once() -> None:
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = [re.split(r"[=<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)]
    conda_to_pypi = {v: k for k, v in environment_yml.PYPI_TO_CONDA.items()}
    pypi = sorted(canonicalize_name(conda_to_pypi.get(n, n)) for n in names if n not in ("python", "pip"))
    assert pypi == sorted(canonicalize_name(r.name) for r in requirements())
    assert {"pip": ["-e ."]} in env["dependencies"]


def test_lock_python_is_one_requires_python_allows_and_the_makefile_uses() -> None:
    from packaging.specifiers import SpecifierSet

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(environment_yml.LOCK_PYTHON + ".0")
    makefile = (ROOT / "Makefile").read_text()
    assert f"LOCK_PYTHON   ?= {environment_yml.LOCK_PYTHON}" in makefile


def test_make_setup_installs_from_the_lock_then_the_project_without_deps() -> None:
    import subprocess

    dry = subprocess.run(["make", "-n", "-B", "-W", "pyproject.toml", ".venv/.installed", "BIN=/nonexistent/bin"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    commands = dry.stdout
    lock_install = commands.index("--require-hashes -r requirements.lock")
    project_install = commands.index("--no-deps -e .")
    assert lock_install < project_install
    assert "ipykernel install --sys-prefix --name assess --display-name assess" in commands
    assert "nbstripout --install --attributes .gitattributes" in commands
    assert "-m nbstripout --keep-id'" in commands  # the filter keeps the cell ids
