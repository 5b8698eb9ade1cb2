"""The library reference (book/reference/, autodoc and sphinx-argparse) in the built quick book.

Every entry point a user calls has its entry; each figure function's chapter links to that entry
and the entry links back to the chapter; the command line page shows every subcommand and option
of the parser the `committee` command runs.
"""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from committee_lib.cli import build_parser

REFERENCE = ["book/reference/index.html", "book/reference/theory.html", "book/reference/simulation.html",
             "book/reference/cli.html"]

# module -> the objects documented in it (the entry points, not every helper)
ENTRY_POINTS = {
    "committee_lib.errors": ["ParameterError", "ConvergenceError"],
    "committee_lib.theory.model": ["Model", "Model.of", "ModelResult"],
    "committee_lib.theory.kernels": ["get_kernel", "ACTIVATIONS", "Kernel", "Kernel.kappa"],
    "committee_lib.theory.priors": ["get_prior"],
    "committee_lib.theory.priors.base": ["Prior"],
    "committee_lib.theory.capacity": ["capacity"],
    "committee_lib.theory.rs": ["rs_solution", "RSPoint", "rs_curve", "alpha_c_rs", "alpha_c_binary_rs", "alpha_at"],
    "committee_lib.theory.rsb": ["alpha_c_1rsb", "FrozenRSB", "minimize_rsb", "replicon_curvature"],
    "committee_lib.theory.krsb": ["alpha_c_krsb", "alpha_c_krsb_sequence", "KStepRSB"],
    "committee_lib.theory.parisi": ["solve_parisi", "ParisiSolution", "solve_jamming", "JammingSolution"],
    "committee_lib.theory.frsb": ["alpha_c_frsb", "FullRSBCapacity", "branch_point", "finite_load_solutions"],
    "committee_lib.theory.franz_parisi": ["fig1_left", "fig1_right", "fp_curve", "fp_point", "FPPoint", "d_star",
                                          "d_star_curve", "fp_summary"],
    "committee_lib.theory.large_deviations": ["fig2_left", "fig2_right", "ld", "ld_finite_y", "LDPoint",
                                              "alpha_star_fixed_q1", "alpha_breakup"],
    "committee_lib.theory.local_entropy": ["local_entropy", "LocalEntropy", "local_entropy_curve"],
    "committee_lib.theory.stabilities": ["fig3_left", "typical_stability", "ld_replica_stability",
                                         "reference_stability", "StabilityDistribution"],
    "committee_lib.simulation.annealing": ["anneal", "Schedule", "AnnealResult"],
    "committee_lib.simulation.samples": ["anneal_samples", "Task", "anneal_groups", "paper_machines"],
    "committee_lib.simulation.learners": ["learn", "ALGORITHMS", "annealing_scans", "Curve", "Scan"],
    "committee_lib.simulation.gradient_descent": ["gradient_descent", "Descent", "largest_solved_load"],
    "committee_lib.simulation.robustness": ["fig3_right", "Fig3Right", "noise_over_samples", "input_noise",
                                            "weight_noise", "noise_theory"],
    "committee_lib.simulation.thresholds": ["fit_threshold", "ThresholdFit", "compare_thresholds", "refined_loads"],
    "committee_lib.simulation.budget_laws": ["fit_laws", "BudgetLaws", "fit_power", "fit_log", "fit_flat", "LawFit"],
    "committee_lib.simulation.observables": ["sample_moments", "stability_moments", "ramp_check", "check_ramp_factor"],
    "committee_lib.simulation.finite_size": ["time_average", "study_groups", "extrapolate_points", "extrapolate",
                                             "Extrapolation", "compare"],
}

# figure function -> the chapters (executed notebooks) that call it
FIGURES = {
    "committee_lib.theory.franz_parisi.fig1_left": ["notebooks/franz_parisi.html"],
    "committee_lib.theory.franz_parisi.fig1_right": ["notebooks/franz_parisi.html"],
    "committee_lib.theory.large_deviations.fig2_left": ["notebooks/large_deviations.html"],
    "committee_lib.theory.large_deviations.fig2_right": ["notebooks/large_deviations.html"],
    "committee_lib.theory.stabilities.fig3_left": ["notebooks/stabilities.html", "notebooks/robustness.html"],
    "committee_lib.simulation.robustness.fig3_right": ["notebooks/robustness.html"],
}


def _soup(html, page):
    return BeautifulSoup((html / page).read_text(), "html.parser")


def _target(page, href):
    """(page, fragment) a relative link on `page` points to, the page relative to the HTML root."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, None
    path = PurePosixPath(page).parent / parts.path if parts.path else PurePosixPath(page)
    resolved = []
    for part in path.parts:
        if part == "..":
            resolved.pop()
        elif part != ".":
            resolved.append(part)
    return "/".join(resolved), parts.fragment


@pytest.fixture(scope="module")
def entries(book):
    """{anchor id: (page, <dt> of the entry)} over the reference pages."""
    found = {}
    for page in REFERENCE:
        for dt in _soup(book, page).select("dt.sig[id]"):
            found[dt["id"]] = (page, dt)
    return found


def test_every_entry_point_is_documented(entries):
    required = {f"{module}.{name}" for module, names in ENTRY_POINTS.items() for name in names}
    missing = sorted(required - set(entries))
    assert not missing, f"entry points without a reference entry: {missing}"


def test_every_entry_point_has_its_docstring(entries):
    """autodoc found the object and rendered a description (not an empty entry)."""
    empty = sorted(anchor for anchor, (_, dt) in entries.items()
                   if not dt.find_next_sibling("dd").get_text(strip=True))
    assert not empty, f"reference entries without a description: {empty}"


@pytest.mark.parametrize("function", FIGURES)
def test_figure_function_links_both_ways(book, entries, function):
    page, dt = entries[function]
    for chapter in FIGURES[function]:
        links = {_target(chapter, a["href"]) for a in _soup(book, chapter).select("a[href]")}
        assert (page, function) in links, f"{chapter} does not link to the reference entry of {function}"
        back = {_target(page, a["href"])[0] for a in dt.find_next_sibling("dd").select("a[href]")}
        assert chapter in back, f"the reference entry of {function} does not link to {chapter}"


def test_command_line_page_shows_every_subcommand_and_option(book):
    """Each subcommand of the parser `committee` runs has its section with every one of its options."""
    page = _soup(book, "book/reference/cli.html")
    subcommands = build_parser()._subparsers._group_actions[0].choices
    missing = []
    for name, parser in subcommands.items():
        section = page.select_one(f"section#committee-{name}")
        text = section.get_text(" ") if section else ""
        missing += [f"{name} {option}" for action in parser._actions for option in action.option_strings
                    if option not in ("-h", "--help") and option not in text] if text else [name]
    assert not missing, f"not on the command line page: {missing}"
