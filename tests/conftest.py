"""Fixtures shared by the test files."""

import functools
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from committee_lib.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "_build" / "quick"


@functools.cache
def load_script(name):
    """The build script notebooks/<name>.py (run, pdf) as a module, loaded once per session."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "notebooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def toc_files():
    """The book's files in _toc.yml order: the root, then every chapter of every part."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]


pdf = load_script("pdf")


@pytest.fixture
def run_cli(capsys):
    """Run `committee ARGV` in-process: returns (exit status, stdout, stderr)."""

    def run(argv):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture(scope="session")
def book():
    """Build the book with the quick profile (once per session); return the HTML folder."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "notebooks" / "run.py"), "--profile", "quick"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if run.returncode:
        pytest.fail(f"notebooks/run.py --profile quick failed:\n{run.stdout}\n{run.stderr}", pytrace=False)
    return QUICK / "_build" / "html"


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium: skipped without it, except in CI (.ci/run installs it), where it fails."""
    if not pdf.CHROMIUM.exists():
        message = f"{pdf.CHROMIUM} not found: install Debian chromium (make test does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return pdf.CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """Headless chromium driven by playwright, launched as notebooks/pdf.py launches it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = pdf.launch(p)
        yield browser
        browser.close()
