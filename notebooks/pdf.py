"""Print the built book to one PDF: _build/<profile>/book.pdf.

    python notebooks/pdf.py --profile paper|quick [--out DIR]

It prints the book that notebooks/run.py built (make book), from the same staged sources in
_build/<profile>/src: Jupyter Book's single-page HTML builder writes every chapter, in book order,
into one page, _build/<profile>/_build/singlehtml/book.html, which Debian's chromium
(/usr/bin/chromium, driven by playwright; no browser is downloaded) opens offline (any http(s)
request is refused), laid out at the width of the printed text; it waits until MathJax has typeset
every formula and fonts and images have loaded, scales down the formulas and tables still wider
than the text, and prints on A4, each chapter from a new page, with page numbers in the footer,
the headings as the PDF outline, and links inside the book as links inside the PDF.
Progress: one line per phase (single-page HTML, typesetting, printing) with its time.

--out DIR: the book folder (the --out of run.py) instead of _build/<profile> (used by the tests).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
FOOTER = ('<div style="width: 100%; font-size: 9px; text-align: center; font-family: sans-serif;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
MARGIN = {"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
TEXT_WIDTH = round((210 - 30) / 25.4 * 96)  # CSS pixels between the margins of an A4 page
# The page as printed: the theme's navigation and the "Show code cell source" toggles of the
# hidden code hidden, the content at full width, each chapter on a new page, code and its
# output wrapped at the page edge, tables compact.
PRINT_CSS = """
@media print {
  .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .bd-header-article, .bd-footer,
  .bd-footer-article, .prev-next-area, .headerlink, details.hide { display: none !important; }
  .bd-main .bd-content .bd-article-container, .bd-page-width, .bd-article { max-width: 100% !important; }
  .bd-main .bd-content .bd-article-container .bd-article { padding: 0 !important; }
  span[id^="document-"] + section { break-before: page; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  table { font-size: 0.85em; }
  table th, table td { padding: 0.25em 0.5em !important; }
  figure, img, tr, mjx-container[display="true"] { break-inside: avoid; }
}
"""
# What is still wider than the text (display formulas, tables) is scaled down to fit.
FIT_WIDTH = """() => {
  let fitted = 0;
  for (const e of document.querySelectorAll('mjx-container[display="true"], .pst-scrollable-table-container')) {
    if (e.scrollWidth > e.clientWidth + 1) {
      e.style.zoom = e.clientWidth / e.scrollWidth;
      fitted += 1;
    }
  }
  return fitted;
}"""


class PdfError(Exception):
    """A problem to report on one line (book not built, a formula or image that did not render)."""


def say(text):
    print(f"[pdf.py] {text}", flush=True)


def check_built(out, profile):
    """The book in out must have been built by run.py with every notebook executed."""
    report = out / "build-report.json"
    hint = f"run 'make book PROFILE={profile}' first"
    if not report.exists() or not (out / "src" / "_toc.yml").exists():
        raise PdfError(f"the book for profile {profile!r} is not built ({out} has no build report): {hint}")
    stale = [nb["name"] for nb in json.loads(report.read_text())["notebooks"]
             if nb["status"] not in ("executed", "skipped")]
    if stale:
        raise PdfError(f"the book for profile {profile!r} is not up to date ({', '.join(stale)} not executed): {hint}")


def build_singlehtml(out):
    """Jupyter Book's single-page HTML of the staged sources out/src; returns the page to print.

    Sphinx writes the page as <root>.html (the root document of _toc.yml, here in book/) but with
    every link relative to the output folder (its singlehtml builder ignores the page's folder),
    so the page is saved there as book.html, its links to itself made in-page anchors."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [jupyter_book, "build", out / "src", "--builder", "singlehtml", "--path-output", out,
               "-W", "-n", "--keep-going"]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        sys.stderr.write(run.stdout + run.stderr)
        raise PdfError("jupyter-book build --builder singlehtml failed (warnings count as errors, see above)")
    folder = out / "_build" / "singlehtml"
    root = yaml.safe_load((out / "src" / "_toc.yml").read_text())["root"]
    page = (folder / f"{root}.html").read_text().replace(f'href="{root}.html#', 'href="#')
    (folder / "book.html").write_text(page)
    return folder / "book.html"


def launch(playwright):
    """Debian's chromium, headless, through playwright (no browser download)."""
    if not CHROMIUM.exists():
        raise PdfError(f"{CHROMIUM} not found: install Debian chromium (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def offline(page):
    """Refuse every http(s) request of the page (the book must work from its local files);
    returns the list the refused addresses are appended to."""
    refused = []

    def handle(route):
        if urlsplit(route.request.url).scheme in ("http", "https"):
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", handle)
    return refused


def typeset(page, html):
    """Open html laid out as on paper and wait until MathJax typeset every formula, fonts and
    images loaded; then scale down what is wider than the text.  Returns (formulas, scaled)."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": TEXT_WIDTH, "height": 1000})
    page.goto(html.as_uri(), wait_until="networkidle")
    page.add_style_tag(content=PRINT_CSS)
    formulas = page.locator(".math").count()
    if formulas:
        if not page.evaluate("() => Boolean(window.MathJax?.startup?.promise)"):
            raise PdfError(f"MathJax did not load in {html}")
        page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    untypeset = page.locator(".math:not(:has(mjx-container))").count()
    if untypeset:
        raise PdfError(f"{untypeset} of {formulas} formulas not rendered by MathJax in {html}")
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    if broken:
        raise PdfError(f"{len(broken)} images did not load, the first: {broken[0]}")
    return formulas, page.evaluate(FIT_WIDTH)


def print_pdf(html, pdf):
    """Print the single-page HTML html to the file pdf; returns (formulas, seconds typesetting)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            refused = offline(page)
            start = time.perf_counter()
            formulas, scaled = typeset(page, html)
            if refused:
                raise PdfError(f"{html} requested {len(refused)} network addresses, the first: {refused[0]}")
            say(f"typeset {formulas} formulas in {time.perf_counter() - start:.1f} s "
                f"({scaled} formulas and tables scaled down to the page width)")
            start = time.perf_counter()
            tmp = pdf.with_suffix(".pdf.tmp")
            page.pdf(path=tmp, format="A4", print_background=True, outline=True, tagged=True,
                     margin=MARGIN,
                     display_header_footer=True, header_template="<span></span>", footer_template=FOOTER)
            tmp.replace(pdf)
            say(f"printed {pdf} ({pdf.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - start:.1f} s")
        finally:
            browser.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="paper", help="the book of this profile (default: paper)")
    parser.add_argument("--out", type=Path, default=None, help="book folder (default: _build/<PROFILE>)")
    args = parser.parse_args(argv)
    out = (ROOT / "_build" / args.profile if args.out is None else args.out).resolve()
    try:
        if not (ROOT / "notebooks" / "profiles" / f"{args.profile}.yml").exists():
            raise PdfError(f"unknown profile {args.profile!r}: notebooks/profiles/{args.profile}.yml does not exist")
        check_built(out, args.profile)
        start = time.perf_counter()
        html = build_singlehtml(out)
        say(f"single-page HTML built in {time.perf_counter() - start:.1f} s: {html}")
        print_pdf(html, out / "book.pdf")
    except PdfError as exc:
        print(f"[pdf.py] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
