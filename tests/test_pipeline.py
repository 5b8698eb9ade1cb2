"""The notebook driver notebooks/run.py, on a throwaway notebook (the chapters are not run here)."""

import io
import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from conftest import load_script
from jupytext.config import load_jupytext_configuration_file

ROOT = Path(__file__).resolve().parents[1]
run = load_script("run")
JUPYTEXT_CONFIG = load_jupytext_configuration_file(str(ROOT / "notebooks" / "jupytext.toml"))


def write_md(nb, path):
    """Write nb as a MyST text notebook with the chapters' jupytext settings; return path."""
    jupytext.write(nb, path, fmt="md:myst", config=JUPYTEXT_CONFIG)
    return path


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
    write_md(nb, folder / "tiny.md")
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


def test_book_config_without_repository_url_links_nowhere():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == ""
    assert run.book_config(config) == config
    assert not any(config["html"][f"use_{button}_button"] for button in ("repository", "issues", "edit_page"))
    assert not any(config["launch_buttons"][key] for key in ("binderhub_url", "jupyterhub_url", "colab_url", "thebe"))


def test_book_config_with_repository_url_turns_the_buttons_on():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = "https://github.com/owner/committee-book"
    derived = run.book_config({**config, "repository": {"url": url}})
    assert derived["repository"] == {"url": url, "branch": "main", "path_to_book": ""}
    assert derived["html"]["use_repository_button"] and derived["html"]["use_issues_button"]
    assert derived["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert derived["launch_buttons"]["colab_url"] == ""  # Colab opens no .md notebook (README)
    assert derived["title"] == config["title"] and derived["sphinx"] == config["sphinx"]
    other = run.book_config({**config, "repository": {"url": url, "branch": "pages"}})
    assert other["repository"]["branch"] == "pages"


@pytest.mark.parametrize("url", ["github.com/owner/repo", "https://gitlab.com/owner/repo",
                                 "https://github.com/owner", "https://github.com/owner/repo/tree/main"])
def test_a_bad_repository_url_stops_the_build_before_any_notebook(url, notebooks, tmp_path, monkeypatch, capsys):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "_config.yml").write_text(yaml.safe_dump({"title": "t", "repository": {"url": url}}))
    monkeypatch.setattr(run, "ROOT", root)
    out = tmp_path / "build"
    assert run.main(["--profile", "demo", "--out", str(out), "--notebooks", str(notebooks)]) == 1
    assert capsys.readouterr().err == (
        f"[run.py] error: repository.url in _config.yml must be https://github.com/OWNER/REPO (got {url!r})\n")
    assert not (out / "src").exists()


def test_resume(notebooks, tmp_path):
    source, target = notebooks / "tiny.md", tmp_path / "out" / "tiny.ipynb"
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
    source, target = notebooks / "tiny.md", tmp_path / "out" / "tiny.ipynb"
    stamp = run.build_stamp(source, {"x": -1}, "lib-hash")
    with pytest.raises(run.DriverError) as error:
        run.execute(source, target, stamp, {"x": -1})
    # the failing cell is the last of three: the parameters, papermill's injected values, the assert
    message = str(error.value)
    assert re.search(r"'tiny' failed: cell 3 of 3 \(In \[\d+\]\) raised AssertionError: x must be positive", message)
    assert message.endswith(f"partial notebook saved to {target.with_suffix('.failed.ipynb')}")
    assert "\n" not in message
    assert not target.exists()
    assert not target.with_suffix(".partial.ipynb").exists()
    assert target.with_suffix(".failed.ipynb").exists()
    assert not run.is_current(target, stamp)


def _notebook(folder, name, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c, metadata={"tags": ["parameters"]} if i == 0 else {})
                for i, c in enumerate(cells)]
    return write_md(nb, folder / f"{name}.md")


def test_progress_of_a_running_notebook_reaches_the_terminal(notebooks, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    source = _notebook(notebooks, "slow", "n = 3", """
import time
from committee_lib.progress import Progress
with Progress("anneals", [1.0, 2.0, 1.0], bar=False) as progress:
    for i in range(n):
        time.sleep(0.4)
        progress.update(i)
time.sleep(1.5)  # a cell with no progress of its own: the heartbeat names it
""")
    out = io.StringIO()
    target = tmp_path / "out" / "slow.ipynb"
    run.execute(source, target, run.build_stamp(source, {"n": 3}, "h"), {"n": 3}, tmp_path / "logs",
                watch={"every": 0.0, "heartbeat": 1.0, "poll": 0.05, "out": out})
    lines = out.getvalue().splitlines()
    assert all(line.startswith("[run.py] slow: ") for line in lines)
    progress = [line for line in lines if "anneals:" in line]
    assert progress[0].startswith("[run.py] slow: anneals: 0/3 done")
    assert any(re.search(r"anneals: [12]/3 done, \d+ s elapsed, about \d+ s left", line) for line in progress)
    assert re.search(r"anneals: 3/3 done, \d+ s elapsed$", progress[-1])
    # cells: parameters, papermill's injected parameters, the code
    assert any(re.search(r"cell 3 of 3 running, \d+ s since the notebook started", line) for line in lines), lines


def test_the_eta_weighs_tasks_by_cost_and_ignores_cached_ones(monkeypatch):
    from committee_lib.progress import Progress

    now = [0.0]
    monkeypatch.delenv("COMMITTEE_PROGRESS", raising=False)
    p = Progress("x", [10.0, 30.0, 30.0, 30.0], bar=False, clock=lambda: now[0])
    assert p.eta() is None
    p.update(0, cached=True)  # free: tells nothing about the speed
    assert p.eta() is None
    now[0] = 60.0
    p.update(1)  # 30 cost units in 60 s -> 60 left at that speed: 120 s
    assert p.eta() == pytest.approx(120.0)
    p.update(2)
    p.update(3)
    assert p.eta() == 0.0 and p.record()["done"] == 4 and p.record()["cached"] == 1


def test_build_report_records_status_time_and_cache_use(notebooks, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    _notebook(notebooks, "uses_cache", "calls = 2", """
from committee_lib.cache import cached
from committee_lib.progress import format_seconds
for _ in range(calls):
    cached(format_seconds)(75)   # computed once, then reused
cached(format_seconds)(7)
""")
    (notebooks / "profiles" / "demo.yml").write_text("tiny:\n  x: 2\nuses_cache:\n  calls: 3\n")
    monkeypatch.setattr(run, "build_book", lambda out, config: out / "index.html")
    out = tmp_path / "build"
    args = ["--profile", "demo", "--out", str(out), "--notebooks", str(notebooks)]

    def report():
        return json.loads((out / "build-report.json").read_text())

    assert run.main(args) == 0
    first = report()
    assert first["profile"] == "demo" and first["seconds"] > 0
    assert [(n["name"], n["status"]) for n in first["notebooks"]] == [("tiny", "executed"), ("uses_cache", "executed")]
    entry = first["notebooks"][1]
    assert (entry["cache_hits"], entry["cache_misses"]) == (2, 2)
    assert entry["by_function"] == {"committee_lib.progress.format_seconds": {"hits": 2, "misses": 2}}
    assert first["notebooks"][0]["cache_hits"] == first["notebooks"][0]["cache_misses"] == 0
    assert 0 < entry["seconds"] <= first["seconds"]
    # the book's source tree gets the executed notebooks only, not the text sources or staged inputs
    assert sorted(p.name for p in (out / "src" / "notebooks").iterdir()) == ["tiny.ipynb", "uses_cache.ipynb"]
    # nothing changed: both skipped; a changed parameter: executed again, every result reused
    assert run.main(args) == 0
    assert [n["status"] for n in report()["notebooks"]] == ["skipped", "skipped"]
    assert run.main([*args, "--set", "uses_cache.calls=1"]) == 0
    entry = report()["notebooks"][1]
    assert (entry["status"], entry["cache_hits"], entry["cache_misses"]) == ("executed", 2, 0)


def test_a_failed_notebook_is_in_the_report_and_the_exit_status(notebooks, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(run, "build_book", lambda out, config: out / "index.html")
    out = tmp_path / "build"
    assert run.main(["--profile", "demo", "--out", str(out), "--notebooks", str(notebooks), "--set", "tiny.x=-1"]) == 1
    err = [line for line in capfd.readouterr().err.splitlines() if line.startswith("[run.py]")]
    assert len(err) == 2
    assert "cell 3 of 3" in err[0] and "AssertionError: x must be positive" in err[0] and "tiny.failed.ipynb" in err[0]
    assert err[1] == "[run.py] error: tiny failed (see above); the book was not built"
    entry = json.loads((out / "build-report.json").read_text())["notebooks"][0]
    assert entry["status"] == "failed" and entry["seconds"] > 0


def test_notebooks_run_two_at_a_time_and_a_notebook_waits_for_those_it_needs(notebooks, tmp_path, monkeypatch):
    monkeypatch.setattr(run, "build_book", lambda out, config: out / "index.html")
    log = tmp_path / "events.log"
    body = f"""
import time
with open({str(log)!r}, "a") as f:
    f.write(f"start {{name}} {{time.time()}}\\n")
time.sleep(2)
with open({str(log)!r}, "a") as f:
    f.write(f"end {{name}} {{time.time()}}\\n")
"""
    for name in ("a", "b", "c"):
        _notebook(notebooks, name, f"name = {name!r}", body)
    c = jupytext.read(notebooks / "c.md")
    c.metadata["committee"] = {"needs": ["a"]}
    write_md(c, notebooks / "c.md")
    (notebooks / "profiles" / "abc.yml").write_text("a: {}\nb: {}\nc: {}\n")
    out = tmp_path / "build"
    assert run.main(["--profile", "abc", "--out", str(out), "--notebooks", str(notebooks)]) == 0
    events = {tuple(line.split()[:2]): float(line.split()[2]) for line in log.read_text().splitlines()}
    assert events["start", "b"] < events["end", "a"]  # a and b at once
    assert events["start", "c"] >= events["end", "a"]  # c after a, which it needs
    report = json.loads((out / "build-report.json").read_text())
    assert [n["status"] for n in report["notebooks"]] == ["executed"] * 3
    assert report["seconds"] < sum(n["seconds"] for n in report["notebooks"])


def test_a_notebook_that_needs_a_failed_one_is_not_executed(notebooks, tmp_path, monkeypatch):
    monkeypatch.setattr(run, "build_book", lambda out, config: out / "index.html")
    dependent = jupytext.read(notebooks / "tiny.md")
    dependent.metadata["committee"] = {"needs": ["tiny"]}
    write_md(dependent, notebooks / "after.md")
    (notebooks / "profiles" / "chain.yml").write_text("tiny:\n  x: -1\nafter:\n  x: 1\n")
    out = tmp_path / "build"
    assert run.main(["--profile", "chain", "--out", str(out), "--notebooks", str(notebooks)]) == 1
    report = json.loads((out / "build-report.json").read_text())
    assert [(n["name"], n["status"]) for n in report["notebooks"]] == [("tiny", "failed"), ("after", "not executed")]
    assert not (out / "src" / "notebooks" / "after.ipynb").exists()
