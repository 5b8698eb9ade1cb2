"""The notebook driver notebooks/run.py, on a throwaway notebook (the chapters are not run here)."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("run", ROOT / "notebooks" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


@pytest.fixture
def notebooks(tmp_path):
    """A notebooks folder with one tiny parametrised notebook and a profile for it."""
    folder = tmp_path / "notebooks"
    (folder / "profiles").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1\nlabel = 'a'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("assert x > 0, 'x must be positive'\nprint(label * x)"),
    ]
    nbformat.write(nb, folder / "tiny.ipynb")
    (folder / "profiles" / "demo.yml").write_text("tiny:\n  x: 2\n")
    return folder


def test_profile_and_overrides(notebooks):
    assert run.load_plan("demo", notebooks=notebooks) == {"tiny": {"x": 2}}
    plan = run.load_plan("demo", ["tiny.x=3", "tiny.label=[b, c]"], notebooks=notebooks)
    assert plan == {"tiny": {"x": 3, "label": ["b", "c"]}}  # values are parsed as YAML


@pytest.mark.parametrize(
    "overrides, only, named",
    [
        (["nosuch.x=1"], [], "'nosuch'"),
        (["tiny.y=1"], [], "'y'"),
        (["tiny.x"], [], "NOTEBOOK.PARAM=VALUE"),
        ([], ["nosuch"], "'nosuch'"),
    ],
)
def test_unknown_names_are_errors(notebooks, overrides, only, named):
    with pytest.raises(run.DriverError, match=named):
        run.load_plan("demo", overrides, only, notebooks=notebooks)


def test_unknown_profile_and_profile_parameter(notebooks):
    with pytest.raises(run.DriverError, match="'nosuch'"):
        run.load_plan("nosuch", notebooks=notebooks)
    (notebooks / "profiles" / "bad.yml").write_text("tiny:\n  typo: 1\n")
    with pytest.raises(run.DriverError, match="'typo'"):
        run.load_plan("bad", notebooks=notebooks)


def test_resume(notebooks, tmp_path):
    source, target = notebooks / "tiny.ipynb", tmp_path / "out" / "tiny.ipynb"
    stamp = run.build_stamp(source, {"x": 2}, "lib-hash-1")
    assert not run.is_current(target, stamp)
    run.execute(source, target, stamp, {"x": 2})
    executed = nbformat.read(target, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "aa\n"
    assert executed.metadata["committee_build"] == stamp
    assert run.is_current(target, run.build_stamp(source, {"x": 2}, "lib-hash-1"))  # -> skipped
    assert not run.is_current(target, run.build_stamp(source, {"x": 3}, "lib-hash-1"))  # parameter
    assert not run.is_current(target, run.build_stamp(source, {"x": 2}, "lib-hash-2"))  # library
    source.write_text(source.read_text().replace("x = 1", "x = 5"))
    assert not run.is_current(target, run.build_stamp(source, {"x": 2}, "lib-hash-1"))  # notebook


def test_failure_keeps_partial_copy_and_names_cell(notebooks, tmp_path):
    source, target = notebooks / "tiny.ipynb", tmp_path / "out" / "tiny.ipynb"
    stamp = run.build_stamp(source, {"x": -1}, "lib-hash")
    with pytest.raises(run.DriverError, match=r"'tiny' failed: cell In \[\d+\] raised AssertionError"):
        run.execute(source, target, stamp, {"x": -1})
    assert not target.exists()
    assert not target.with_suffix(".partial.ipynb").exists()
    assert target.with_suffix(".failed.ipynb").exists()
    assert not run.is_current(target, stamp)
