"""Presentation helpers for the notebooks: Markdown tables and glued values (no plotting)."""

import numpy as np

#: how the book names each activation in legends, tables and text
LABELS = {"sign": "sign", "relu": "ReLU", "linear": "perceptron", "erf": "erf", "tanh": "tanh"}


def markdown_table(headers, rows, formats=None):
    """A Markdown table; formats maps a column index to a format spec, None renders as an em dash."""
    formats = formats or {}

    def cell(j, value):
        if value is None:
            return "—"
        return format(value, formats[j]) if j in formats and not isinstance(value, str) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(j, v) for j, v in enumerate(row)) + " |" for row in rows]
    return "\n".join(lines)


def glue_all(values, prefix=""):
    """Glue every ``name: value`` of the mapping `values` as ``prefix + name``, not displayed.

    The one glue call of the notebooks: the page cites each value with ``{glue:text}`name:fmt```.
    numpy scalars are glued as Python numbers ({glue:text} cannot format their repr); other values
    as they are.  Needs myst_nb (the book's dependency), imported here so the package does not.
    """
    from myst_nb import glue

    for name, value in values.items():
        glue(prefix + name, value.item() if isinstance(value, np.generic) else value, display=False)


def glue_value(name, value):
    """Glue one value (glue_all of one name)."""
    glue_all({name: value})


def format_list(values, spec=".3f", empty="none"):
    """The values formatted with `spec` and joined by ", " (a list in the text), or `empty` if none."""
    values = list(values)
    return ", ".join(format(x, spec) for x in values) if values else empty


def glue_level(name, value, level_max):
    """Glue a noise level read off a curve as text, "0.123", or "beyond <level_max>" when the
    curve never reaches it on the grid (value NaN), rather than glue nan."""
    glue_value(name, f"{value:.3f}" if np.isfinite(value) else f"beyond {level_max:g}")


def format_estimate(estimate, spec=".4f", signed=False):
    """"mean ± error" of an observables.Estimate (a table cell), the mean with a sign if `signed`."""
    return f"{estimate.mean:{'+' if signed else ''}{spec}} ± {estimate.error:{spec}}"


def format_change(first, last, spec=".3f"):
    """"last - first ± error" of two independent observables.Estimate, the change signed."""
    return f"{last.mean - first.mean:+{spec}} ± {np.hypot(last.error, first.error):{spec}}"
