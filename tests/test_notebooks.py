"""The chapter notebooks as committed: MyST Markdown text notebooks (jupytext), one per chapter."""

from pathlib import Path

import jupytext
import pytest
import yaml
from jupytext.config import load_jupytext_configuration_file

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CONFIG = load_jupytext_configuration_file(str(NOTEBOOKS / "jupytext.toml"))
CHAPTERS = list(yaml.safe_load((NOTEBOOKS / "profiles" / "paper.yml").read_text()))


def test_every_chapter_of_the_profiles_is_a_text_notebook():
    assert sorted(CHAPTERS) == sorted(p.stem for p in NOTEBOOKS.glob("*.md"))


@pytest.mark.parametrize("name", CHAPTERS)
def test_a_notebook_round_trips_through_jupytext(name):
    """Written back as md:myst with the project's jupytext settings, the text is unchanged: the
    file is exactly what jupytext (the CLI, JupyterLab) writes, and a save adds nothing."""
    text = (NOTEBOOKS / f"{name}.md").read_text()
    nb = jupytext.reads(text, fmt="md:myst")
    assert jupytext.writes(nb, fmt="md:myst", config=CONFIG) == text
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["jupytext"]["text_representation"]["format_name"] == "myst"


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_first_code_cell_is_the_parameters_cell(name):
    code = [c for c in jupytext.read(NOTEBOOKS / f"{name}.md").cells if c.cell_type == "code"]
    tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0]


def test_the_driver_metadata_survives_in_the_text():
    robustness = jupytext.read(NOTEBOOKS / "robustness.md")
    assert robustness.metadata["committee"] == {"needs": ["stabilities"]}
