"""Printed values and what agreeing with them means (committee_lib.published)."""

import pytest

from committee_lib import published


@pytest.mark.parametrize("text, value, half_unit", [
    ("0.9469(5)", 0.94695, 5e-6), ("2.934", 2.934, 5e-4), ("2", 2.0, 0.5), ("-0.06088", -0.06088, 5e-6),
    ("1.00", 1.0, 5e-3),
])
def test_printed_value_reads_the_last_digit(text, value, half_unit):
    v, h = published.printed_value(text)
    assert v == pytest.approx(value, abs=1e-15) and h == pytest.approx(half_unit, rel=1e-12)


def test_agrees_is_rounding_to_the_printed_digits():
    assert published.agrees(0.61549, "0.615") and not published.agrees(0.61551, "0.615")
    assert published.agrees(-0.060884, "-0.06088") and not published.agrees(-0.06087, "-0.06088")
    assert published.agrees(0.7705 + 0.00005, "0.7705")  # exactly half a unit: agrees (binary round-off allowed)
    with pytest.raises(ValueError, match="printed number"):
        published.printed_value("about 2")


def test_every_printed_value_parses():
    def leaves(tree):
        for v in (tree.values() if isinstance(tree, dict) else tree):
            yield from ([v] if isinstance(v, str) else leaves(v))

    texts = list(leaves(published.PAPER)) + list(leaves(published.LITERATURE)) + list(leaves(published.NOTES))
    assert len(texts) > 60
    for text in texts:
        published.printed_value(text)
