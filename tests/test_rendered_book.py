"""The built book as a reader sees it: every page opened in headless Debian chromium, offline.

The session fixture `book` (conftest.py) builds the book with the quick profile (notebooks/run.py),
then each page listed by _toc.yml, plus the pages Sphinx adds, is checked: no request leaves the
local files, MathJax has typeset every formula, images load, local links resolve, and no error or
warning text from the build reached the page.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
import yaml
from conftest import load_script, pdf, toc_files

ROOT = Path(__file__).resolve().parents[1]
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
RAW_TEX = ["$$", "\\(", "\\[", "\\begin{"]
# Text that only appears when something went wrong in the build (docutils system messages,
# unresolved references, myst-nb glue/output warnings).
ERROR_SELECTORS = [".system-message", ".problematic", ".output.stderr", ".output.traceback"]
ERROR_TEXT = ["System Message", "found in glue data", "Failed to format", "No output mime type"]


# HTML pages the book must contain: every file in _toc.yml plus Sphinx's own pages (the general
# index, the module index of the library reference, the search page).
PAGES = [f"{f}.html" for f in toc_files()] + ["index.html", "genindex.html", "py-modindex.html", "search.html"]


def test_every_page_is_checked(book):
    built = {
        p.relative_to(book).as_posix()
        for p in book.rglob("*.html")
        if not p.relative_to(book).parts[0].startswith("_")  # _static, _sources, _images
    }
    assert built == set(PAGES)


def test_a_repository_url_turns_on_the_repository_issue_and_binder_buttons(book, tmp_path):
    """The quick book built again with repository.url set (notebooks/run.py: book_config, build_book)
    has the buttons, the book built without it has no link to GitHub or Binder, and each Binder
    button opens a notebook that Binder's postBuild makes."""
    driver = load_script("run")
    url = "https://github.com/owner/committee-book"
    config = driver.book_config({**yaml.safe_load((ROOT / "_config.yml").read_text()), "repository": {"url": url}})
    shutil.copytree(book.parents[1] / "src" / "notebooks", tmp_path / "src" / "notebooks")
    online = driver.build_book(tmp_path, config).parent
    binder = re.compile(r'href="https://mybinder\.org/v2/gh/owner/committee-book/main\?urlpath=lab/tree/([^"]+)"')
    opened = []
    for name in (name for name in PAGES if name != "index.html"):  # index.html only redirects
        with_url, without = (online / name).read_text(), (book / name).read_text()
        assert f'href="{url}"' in with_url and f'href="{url}/issues/new?' in with_url, name
        assert "github.com" not in without and "mybinder.org" not in without, name
        links = binder.findall(with_url)
        if name.startswith("notebooks/"):  # a chapter: opens notebooks/<name>.ipynb
            assert links == [name.removesuffix(".html") + ".ipynb"], (name, links)
            opened += links
        else:
            assert links == [], name
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", str(ROOT / "postBuild")], cwd=repo, env=env, check=True, capture_output=True)
    assert opened and all((repo / path).is_file() for path in opened)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


@pytest.mark.parametrize("page_name", PAGES)
def test_page(book, page, page_name):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    pdf.offline(page)  # http(s) refused, as when the PDF is printed
    page.goto((book / page_name).as_uri(), wait_until="networkidle")

    leaks = [url for url in requests if urlsplit(url).scheme not in LOCAL_SCHEMES]
    assert not leaks, f"requests leaving the local files: {leaks}"

    # MathJax: typesetting finished, every formula became an mjx-container, no TeX left over.
    formulas = page.locator(".math").count()
    if formulas:
        assert page.evaluate("() => Boolean(window.MathJax?.startup?.promise)"), "MathJax did not load"
        page.evaluate("() => MathJax.startup.promise")
        untypeset = page.locator(".math:not(:has(mjx-container))").count()
        assert untypeset == 0, f"{untypeset} of {formulas} formulas not rendered by MathJax"
    text = page.evaluate(
        """() => {
            const body = document.body.cloneNode(true);
            body.querySelectorAll('pre, code, script, style, mjx-assistive-mml').forEach(e => e.remove());
            return body.innerText;
        }"""
    )
    raw = [tex for tex in RAW_TEX if tex in text]
    assert not raw, f"raw TeX left in the page text: {raw}"

    broken_images = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken_images, f"images that did not load: {broken_images}"

    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    missing = sorted(
        {
            url2pathname(urlsplit(href).path)
            for href in hrefs
            if urlsplit(href).scheme == "file" and not Path(url2pathname(urlsplit(href).path)).exists()
        }
    )
    assert not missing, f"local links to missing files: {missing}"

    errors = {selector: page.locator(selector).count() for selector in ERROR_SELECTORS}
    assert not any(errors.values()), f"error/warning blocks in the page: {errors}"
    found = [snippet for snippet in ERROR_TEXT if snippet in text]
    assert not found, f"error/warning text in the page: {found}"
