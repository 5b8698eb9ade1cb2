"""Plain-text presentation helpers for the notebooks (no plotting, no IPython)."""


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
