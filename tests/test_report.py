"""The notebooks' presentation helpers (committee_lib.report)."""

import numpy as np
import pytest

from committee_lib import report


def test_glue_all_glues_every_value_with_the_prefix_and_numpy_scalars_as_python_numbers(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: calls.append((name, value, display)))
    report.glue_all({"a": np.float64(0.5), "b": "text", "c": [1, 2]}, prefix="p_")
    report.glue_value("d", np.int64(3))
    assert calls == [("p_a", 0.5, False), ("p_b", "text", False), ("p_c", [1, 2], False), ("d", 3, False)]
    assert all(type(v) in (float, int, str, list) for _, v, _ in calls)


def test_markdown_table_formats_columns_and_renders_none_as_a_dash():
    table = report.markdown_table(["x", "y"], [[1.23456, None], ["a", 2]], {0: ".2f"})
    assert table.splitlines() == ["| x | y |", "|---|---|", "| 1.23 | — |", "| a | 2 |"]


def test_format_list_joins_formatted_values_or_says_none():
    assert report.format_list(np.array([0.1234, 0.5])) == "0.123, 0.500"
    assert report.format_list(np.array([])) == "none"
    assert report.format_list([2.0], ".1f", empty="-") == "2.0"


def test_glue_level_glues_a_level_or_a_sentence(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: calls.append((name, value)))
    report.glue_level("a", 0.12345, 0.5)
    report.glue_level("b", np.nan, 0.5)
    assert calls == [("a", "0.123"), ("b", "beyond 0.5")]


def test_format_estimate_is_mean_plus_minus_error():
    from committee_lib.simulation.observables import Estimate

    assert report.format_estimate(Estimate(0.12345, 0.0012, 5)) == "0.1235 ± 0.0012"
    assert report.format_estimate(Estimate(np.float64(0.5), 0.25, 5), ".2f", signed=True) == "+0.50 ± 0.25"


def test_format_change_is_the_signed_difference_with_errors_in_quadrature():
    from committee_lib.simulation.observables import Estimate

    assert report.format_change(Estimate(1.0, 0.03, 4), Estimate(0.9, 0.04, 4)) == "-0.100 ± 0.050"


def test_published_against_pairs_printed_and_computed_values():
    from committee_lib import published

    checks = published.against({"a": "0.12", "b": "2.5", "c": "1"}, {"a": 0.1249, "b": 2.56})
    assert checks == [("a", "0.12", 0.1249, True), ("b", "2.5", 2.56, False)]
    assert published.against({"a": "0.12"}, {"a": 0.2}, agrees=lambda value, text: True)[0][3]
