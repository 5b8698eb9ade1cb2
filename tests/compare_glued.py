"""Compare the glued numbers of two book builds (refactoring check).

    python tests/compare_glued.py BEFORE_OUT AFTER_OUT [--rtol 1e-10]

BEFORE_OUT and AFTER_OUT are the --out folders of two `notebooks/run.py` builds; the executed
notebooks are in <out>/src/notebooks/*.ipynb.  A glued value is a cell output whose metadata has
a "scrapbook" key; its data is under 'application/papermill.record/<mime>'.  Numbers are compared
to the relative tolerance (every number in a value's text), the text around them must be equal; a name glued in one build
and not in the other is a difference.  Exit status 0 when every value agrees, 1 otherwise.
"""

import argparse
import json
import math
import re
import sys
from pathlib import Path

RECORD = "application/papermill.record/"


def glued(out):
    """{(notebook, name): (mime, value)} of every glued output of the build in folder `out`."""
    values = {}
    for path in sorted(Path(out, "src", "notebooks").glob("*.ipynb")):
        if path.name.count(".") > 1:  # failed / partial notebooks
            continue
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                scrap = output.get("metadata", {}).get("scrapbook")
                if scrap is None:
                    continue
                for mime, data in output.get("data", {}).items():
                    if mime.startswith(RECORD):
                        values[(path.stem, scrap["name"])] = (mime[len(RECORD):], data)
    return values


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\bnan\b|[-+]?\binf\b")


def _split(value):
    """(text with every number replaced by '#', [the numbers]) of a glued value (JSON or repr text)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return NUMBER.sub("#", text), [float(x) for x in NUMBER.findall(text)]


def relative_difference(a, b):
    """|a - b| / max(|a|, |b|), 0 for equal values (NaN == NaN, inf == inf)."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def compare(before, after, rtol=1e-10):
    """(number of numbers compared, max relative difference, [differences as text])."""
    problems, count, worst = [], 0, 0.0
    for key in sorted(set(before) | set(after)):
        if key not in after or key not in before:
            problems.append(f"{key}: only in {'before' if key in before else 'after'}")
            continue
        (mime_a, a), (mime_b, b) = before[key], after[key]
        (shape_a, na), (shape_b, nb) = _split(a), _split(b)
        if mime_a != mime_b or shape_a != shape_b or len(na) != len(nb):
            problems.append(f"{key}: {str(a)[:80]!r} != {str(b)[:80]!r}")
            continue
        count += len(na)
        diff = max((relative_difference(x, y) for x, y in zip(na, nb)), default=0.0)
        worst = max(worst, diff)
        if diff > rtol:
            problems.append(f"{key}: {str(a)[:80]} != {str(b)[:80]} (relative {diff:.2e})")
    return count, worst, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rtol", type=float, default=1e-10)
    args = parser.parse_args(argv)
    before, after = glued(args.before), glued(args.after)
    count, worst, problems = compare(before, after, args.rtol)
    print(f"{len(before)} glued values before, {len(after)} after; {count} numbers compared, "
          f"max relative difference {worst:.3e}")
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
