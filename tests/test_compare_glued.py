"""The glued-number comparison used to check that a refactoring left the book's numbers alone."""

import compare_glued as cg


def test_numbers_inside_glued_text_are_compared_to_the_relative_tolerance():
    before = {("nb", "a"): ("text/plain", "0.1234567890123"), ("nb", "b"): ("text/plain", "[1.0, 2.0]"),
              ("nb", "c"): ("text/plain", "'relu'")}
    same = {**before, ("nb", "a"): ("text/plain", "0.1234567890124")}
    count, worst, problems = cg.compare(before, same, 1e-10)
    assert count == 3 and 0 < worst < 1e-10 and problems == []
    moved = {**before, ("nb", "b"): ("text/plain", "[1.0, 2.001]")}
    assert len(cg.compare(before, moved, 1e-10)[2]) == 1
    renamed = {**before, ("nb", "c"): ("text/plain", "'sign'")}
    assert len(cg.compare(before, renamed)[2]) == 1
    assert cg.compare(before, {})[2] == [f"{key}: only in before" for key in sorted(before)]
