"""Values printed in the paper and the literature, as printed, and what agreeing with them means.

A printed "0.9469(5)" is read as 0.94695 with its last digit uncertain, "2.934" as 2.934:
a computed value agrees when it rounds to the printed one (within half a unit of the last digit).
"""

import re

#: Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019)
PAPER = {
    "binary_rs_sign": "0.9469(5)",
    "binary_rs_relu": "0.9039(9)",
    "spherical_rs_relu": "2.934",
    "spherical_at_sign": "2.988",
    "spherical_at_relu": "0.615",
    "spherical_1rsb_relu": "2.92",
}

#: the perceptron (K = 1) limits: Krauth-Mezard 1989, Gardner-Derrida 1988, Gardner 1988
LITERATURE = {
    "binary_rs_linear": "0.833",
    "binary_at_linear": "1.015",
    "spherical_rs_linear": "2",
}

_PRINTED = re.compile(r"^(\d+)(?:\.(\d*))?(?:\((\d)\))?$")


def printed_value(text):
    """(value, half a unit of the last printed digit) of a printed number such as '0.9469(5)'."""
    match = _PRINTED.match(text)
    if not match:
        raise ValueError(f"not a printed number: {text!r}")
    whole, frac, last = match.group(1), match.group(2) or "", match.group(3) or ""
    digits = frac + last
    return float(f"{whole}.{digits or 0}"), 0.5 * 10.0 ** (-len(digits))


def agrees(computed, text):
    """True when computed rounds to the printed value."""
    value, half_unit = printed_value(text)
    return abs(computed - value) <= half_unit


def against(printed, computed, agrees=agrees):
    """[(key, printed, computed value, agrees)] for each printed value (a mapping) that has a computed
    one under the same key, in the order printed; `agrees(value, printed)` judges each."""
    return [(key, text, computed[key], bool(agrees(computed[key], text))) for key, text in printed.items()
            if key in computed]
