"""The PDF of the book (notebooks/pdf.py, make pdf), printed from the quick-profile book.

The text of the PDF (pypdf) is checked against the HTML book built from the same sources: every
chapter in book order, each starting a page, in the PDF outline; every glued number; page numbers
on every page; no raw TeX left by MathJax; every figure; links inside the book.
"""

import re
import subprocess
import sys
import unicodedata
from html import unescape
from pathlib import Path

import pytest
from conftest import toc_files
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
RAW_TEX = re.compile(r"\$|\\(?:alpha|frac|begin|mathrm|left|right)\b|\\[(\[]")


def squeeze(text):
    """text without whitespace, ligatures spelled out: line breaks, spacing and ligatures (the
    PDF's "ﬁ") differ between the HTML and the PDF."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def chapter_titles(html):
    """The heading <h1> (the one with a permalink) of each page in _toc.yml order (a flat list)."""
    titles = []
    for name in toc_files():
        h1 = re.search(r'<h1>((?:(?!<h1>).)*?)<a class="headerlink"', (html / f"{name}.html").read_text(), re.S)
        titles.append(unescape(re.sub(r"<[^>]+>", "", h1.group(1))).strip())
    return titles


@pytest.fixture(scope="session")
def printed(book, chromium):
    """Run notebooks/pdf.py on the quick book; return (its stdout, the PDF read by pypdf)."""
    run = subprocess.run([sys.executable, str(ROOT / "notebooks" / "pdf.py"), "--profile", "quick"],
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        pytest.fail(f"notebooks/pdf.py --profile quick failed:\n{run.stdout}\n{run.stderr}", pytrace=False)
    return run.stdout, PdfReader(book.parents[1] / "book.pdf")


@pytest.fixture(scope="session")
def pages(printed):
    """The text of each page."""
    return [page.extract_text() for page in printed[1].pages]


def test_progress_one_line_per_phase(printed):
    lines = printed[0].splitlines()
    assert [line.split()[1] for line in lines] == ["single-page", "typeset", "printed"]
    assert all(re.search(r"in \d+\.\d s", line) for line in lines)


def test_chapters_in_book_order_each_on_a_new_page(book, printed, pages):
    reader = printed[1]

    def headings(outline):
        for item in outline:
            yield from headings(item) if isinstance(item, list) else [item]

    outline = {}
    for item in headings(reader.outline):
        outline.setdefault(squeeze(item.title), item)
    titles = chapter_titles(book)
    assert squeeze(titles[0]) in squeeze(pages[0])
    missing = [title for title in titles if squeeze(title) not in outline]
    assert not missing, f"chapters missing from the PDF outline: {missing}"
    starts = []
    for title in titles[1:]:  # the first is the title page
        item = outline[squeeze(title)]
        page = reader.get_destination_page_number(item)
        assert squeeze(title) in squeeze(pages[page]), f"the outline entry {title!r} points to another page"
        height = float(reader.pages[page].mediabox.height)
        assert item.top > 0.85 * height, f"chapter {title!r} does not start a page ({page + 1})"
        starts.append(page)
    assert starts == sorted(starts), "chapters out of book order"
    # Each chapter starts a page and none fits on one (the quick book, 2026-12-07: 148 pages with the library reference).
    assert len(pages) >= 2 * len(titles)


def test_every_glued_value_is_printed(book, pages):
    glued = [unescape(value) for page in book.rglob("*.html")
             for value in re.findall(r'<span class="pasted-text">(.*?)</span>', page.read_text())]
    assert len(glued) > 100  # the quick book glues 371 values into its text
    text = squeeze("".join(pages))
    squeezed = [squeeze(page) for page in pages]

    def across_a_page_break(value):
        # a sentence broken by a page break: its start on one page, the rest on the next (the text
        # extraction may put what else the first page holds, a table, in between)
        return any(value[:k] in first and value[k:] in second
                   for first, second in zip(squeezed, squeezed[1:]) for k in range(1, len(value)))

    missing = sorted({value for value in glued
                      if squeeze(value) not in text and not across_a_page_break(squeeze(value))})
    assert not missing, f"glued values missing from the PDF: {missing[:10]}"


def test_page_numbers(pages):
    unnumbered = [i for i, text in enumerate(pages, 1) if f"{i} / {len(pages)}" not in text]
    assert not unnumbered, f"pages without their number: {unnumbered}"


def test_no_raw_tex(pages):
    raw = [(i, match.group()) for i, text in enumerate(pages, 1) for match in RAW_TEX.finditer(text)]
    assert not raw, f"raw TeX in the PDF text (page, text): {raw[:10]}"


def test_every_figure_is_printed(book, printed):
    figures = {src for page in book.rglob("*.html")
               for src in re.findall(r'<img [^>]*src="[^"]*_images/([^"]+\.png)"', page.read_text())}
    images = set()
    for page in printed[1].pages:
        xobjects = page["/Resources"].get("/XObject", {})
        images |= {xobjects.raw_get(name).idnum for name in xobjects
                   if xobjects[name]["/Subtype"] == "/Image"}
    assert len(figures) > 10  # the quick book has 26 figures
    assert len(images) >= len(figures)


def test_internal_links(printed):
    reader = printed[1]
    links = [annot.get_object() for page in reader.pages for annot in page.get("/Annots", [])]
    targets = [link["/Dest"] for link in links if link["/Subtype"] == "/Link" and "/Dest" in link]
    assert len(targets) > 50  # cross-references, equations, citations: 116 in the quick book
    unresolved = sorted(set(targets) - set(reader.named_destinations))
    assert not unresolved, f"links to no destination: {unresolved[:10]}"


def test_unbuilt_book_is_one_line_error(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "notebooks" / "pdf.py"), "--profile", "quick",
                          "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert "is not built" in run.stderr and "make book PROFILE=quick" in run.stderr
