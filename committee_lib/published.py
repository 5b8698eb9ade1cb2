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

#: the perceptron (K = 1) limits: Krauth-Mezard 1989, Gardner-Derrida 1988, Gardner 1988; the load near
#: which the binary perceptron's dense regions break up: Baldassi et al., PRL 115, 128101 (2015)
LITERATURE = {
    "binary_rs_linear": "0.833",
    "binary_at_linear": "1.015",
    "spherical_rs_linear": "2",
    "binary_breakup_linear": "0.77",
}

#: values printed in the derivation notes behind the book's theory pages, by chapter, as printed; the
#: chapters set them beside the computed ones
NOTES = {
    # theory_franz_parisi, its results: alpha = 0.6 (binary) and 1 (spherical)
    "franz_parisi": {
        ("binary d*", "sign"): "0.063861", ("binary d*", "relu"): "0.017110", ("binary d*", "linear"): "0.015775",
        ("binary d_typ", "sign"): "0.3953", ("binary d_typ", "relu"): "0.3554", ("binary d_typ", "linear"): "0.3045",
        ("spherical q_typ", "sign"): "0.3108", ("spherical q_typ", "relu"): "0.4526",
        ("spherical, minus normalised entropy at d = 0.05", "sign"): "0.396",
        ("spherical, minus normalised entropy at d = 0.05", "relu"): "0.283",
        ("spherical crossing", "sign/relu"): "0.22",
    },
    # theory_large_deviations: binary and spherical, y -> infinity and finite y
    "large_deviations": {
        "limit_sign_binary_0.4_0.85": {"gamma_q": "6.553", "qhat": "0.01228", "gamma_hat": "1.648", "phi": "0.14974"},
        "y20_binary_0.4_0.85": {"sign": {"q0": "0.578918", "phi": "0.140100", "phi_normalized": "-0.06088"},
                                "relu": {"q0": "0.522108", "phi": "0.159615", "phi_normalized": "-0.04136"}},
        # y: (y (q1 - q0), y qhat0, F/y), sign, binary, alpha = 0.4, q1 = 0.85
        "finite_y_table": {20: ("5.42", "0.31", "0.1401"), 40: ("6.64", "0.45", "0.1416"), 80: ("7.06", "0.83", "0.1445"),
                           160: ("6.97", "1.73", "0.1468"), 320: ("6.81", "3.64", "0.1482")},
        "alpha_star_fixed_q1": {0.9: {"spherical": "1.40"}, 0.95: {"binary": "0.815", "spherical": "1.268"},
                                0.97: {"binary": "0.72", "spherical": "1.13"}, 0.98: {"binary": "0.67", "spherical": "1.05"}},
        "alpha_star_level": {1e-2: {"binary": "0.797", "spherical": "1.220"}, 1e-3: {"binary": "0.729", "spherical": "1.130"}},
    },
    # theory_stabilities, sec. 5: physical units, binary weights, alpha = 0.4; LD at y = 20, q1 = 0.85
    "stabilities": {
        "sign": {"typical": {"mean": "0.7705", "variance": "0.3476", "density_at_zero": "0.850", "mode": "0"},
                 "replica": {"mean": "1.1169", "variance": "0.3734", "mode": "1.00"},
                 "majority": {"mean": "1.296", "variance": "0.291", "mode": "1.24"}},
        "relu": {"typical": {"mean": "0.4402", "variance": "0.1155", "density_at_zero": "1.515", "mode": "0"},
                 "replica": {"mean": "0.6160", "variance": "0.1015", "mode": "0.55"},
                 "majority": {"mean": "0.679", "variance": "0.063", "mode": "0.58"}},
    },
}

_PRINTED = re.compile(r"^(-?\d+)(?:\.(\d*))?(?:\((\d)\))?$")


def printed_value(text):
    """(value, half a unit of the last printed digit) of a printed number such as '0.9469(5)'."""
    match = _PRINTED.match(text)
    if not match:
        raise ValueError(f"not a printed number: {text!r}")
    whole, frac, last = match.group(1), match.group(2) or "", match.group(3) or ""
    digits = frac + last
    return float(f"{whole}.{digits or 0}"), 0.5 * 10.0 ** (-len(digits))


def agrees(computed, text):
    """True when computed rounds to the printed value (half a unit of the last digit, with 1e-9 of it
    for the round-off of that half unit in binary)."""
    value, half_unit = printed_value(text)
    return abs(computed - value) <= half_unit * (1 + 1e-9)


def against(printed, computed, agrees=agrees):
    """[(key, printed, computed value, agrees)] for each printed value (a mapping) that has a computed
    one under the same key, in the order printed; `agrees(value, printed)` judges each."""
    return [(key, text, computed[key], bool(agrees(computed[key], text))) for key, text in printed.items()
            if key in computed]
