"""environment.yml (conda, Binder) mirrors pyproject.toml: every dependency of the package and of its
extras, with the same version range, and nothing else; pip installs the package itself.
(Reads pyproject.toml with tomllib: Python 3.11 or later, as the project's environments are.)"""

from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names of PyPI requirements, where they differ: (PyPI name, extras) -> conda packages.
CONDA_NAMES = {
    ("build", ()): ("python-build",),
    ("matplotlib", ()): ("matplotlib-base",),
    ("dask", ("distributed",)): ("dask", "distributed"),
}
PACKAGE_LINE = '-e ".[book,test]"'


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def wanted():
    """{conda or pip name: {specifier sets}} from pyproject.toml's dependencies and all its extras."""
    project = pyproject()
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    found = defaultdict(set)
    for line in lines:
        req = Requirement(line)
        assert req.marker is None, f"{line}: an environment marker cannot be mirrored in environment.yml"
        key = (canonicalize_name(req.name), tuple(sorted(req.extras)))
        for name in CONDA_NAMES.get(key, (key[0],)):
            found[name].add(req.specifier)
    return found


def listed():
    """{name: [specifier sets]} from environment.yml, conda and pip entries alike; and its other lines."""
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    found, others = defaultdict(list), []
    pip_lines = next(d["pip"] for d in deps if isinstance(d, dict))
    for line in [d for d in deps if isinstance(d, str)] + pip_lines:
        if line == "pip" or line.startswith(("python=", "-e ")):
            others.append(line)
            continue
        req = Requirement(line)  # a conda spec "name>=a,<b" reads as a PEP 508 requirement
        found[canonicalize_name(req.name)].append(req.specifier)
    return found, others


def test_every_dependency_is_in_environment_yml_with_its_range():
    want, (have, _) = wanted(), listed()
    conflicting = {name: sorted(map(str, specs)) for name, specs in want.items() if len(specs) > 1}
    assert not conflicting, f"pyproject.toml gives one package several ranges: {conflicting}"
    missing = sorted(name for name in want if name not in have)
    mismatched = {name: (str(next(iter(want[name]))), [str(s) for s in have[name]])
                  for name in want if name in have and have[name] != [next(iter(want[name]))]}
    assert not missing and not mismatched, (f"in pyproject.toml, missing from environment.yml: {missing}; "
                                            f"ranges differ (pyproject.toml, environment.yml): {mismatched}")


def test_environment_yml_lists_nothing_else():
    extra = sorted(set(listed()[0]) - set(wanted()))
    assert not extra, f"in environment.yml, not a dependency in pyproject.toml: {extra}"


def test_environment_installs_the_package_on_a_supported_python():
    _, others = listed()
    assert PACKAGE_LINE in others, f"environment.yml's pip section should install the package: {PACKAGE_LINE}"
    python = next(line for line in others if line.startswith("python="))
    assert SpecifierSet(pyproject()["requires-python"]).contains(python.removeprefix("python=") + ".0")

