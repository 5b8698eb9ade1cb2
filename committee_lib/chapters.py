"""The disk-cached entry points the book's chapters call.

Every expensive theory function a chapter uses is wrapped here, once, by `cache.cached`; the
notebooks import these names and define no cache wrapper of their own.  A result is keyed by the
wrapped function's arguments and by the code of its module and of what that module imports (see
cache.py), not by this file: adding an entry here keeps every cached result valid.
"""

from .cache import cached
from .theory import (franz_parisi, frsb, fully_connected, krsb, large_deviations, local_entropy as _local_entropy, rs,
                     rsb, stabilities)

# capacity and beyond_one_step
alpha_c_binary_rs = cached(rs.alpha_c_binary_rs)
alpha_at = cached(rs.alpha_at)
rs_curve = cached(rs.rs_curve)
rs_solution = cached(rs.rs_solution)
alpha_c_1rsb = cached(rsb.alpha_c_1rsb)
minimize_rsb = cached(rsb.minimize_rsb)
replicon_curvature = cached(rsb.replicon_curvature)
frozen_alpha_min_q0 = cached(rsb.frozen_alpha_min_q0)
frozen_alpha_min_x = cached(rsb.frozen_alpha_min_x)
frozen_alpha_grid = cached(rsb.frozen_alpha_grid)
alpha_c_krsb_sequence = cached(krsb.alpha_c_krsb_sequence)
alpha_c_frsb = cached(frsb.alpha_c_frsb)
branch_point = cached(frsb.branch_point)
finite_load_solutions = cached(frsb.finite_load_solutions)

# fully_connected (the FC capacities call the entries above with model=Model.of(..., architecture=...))
sampled_output_correlation = cached(fully_connected.sampled_output_correlation)

# franz_parisi (Fig. 1)
fig1_left = cached(franz_parisi.fig1_left)
fig1_right = cached(franz_parisi.fig1_right)
fp_point = cached(franz_parisi.fp_point)
d_star = cached(franz_parisi.d_star)
d_star_curve = cached(franz_parisi.d_star_curve)
curves_crossing = cached(franz_parisi.curves_crossing)

# large_deviations (Fig. 2)
fig2_left = cached(large_deviations.fig2_left)
fig2_right = cached(large_deviations.fig2_right)
local_entropy = cached(_local_entropy.local_entropy)
local_entropy_curve = cached(_local_entropy.local_entropy_curve)
stein_form_root = cached(_local_entropy.stein_form_root)
ld_finite_y = cached(large_deviations.ld_finite_y)
finite_y_convergence = cached(large_deviations.finite_y_convergence)
alpha_star_fixed_q1 = cached(large_deviations.alpha_star_fixed_q1)
alpha_star_level = cached(large_deviations.alpha_star_level)
crossing_locus = cached(large_deviations.crossing_locus)
alpha_breakup = cached(large_deviations.alpha_breakup)

# stabilities and robustness (Fig. 3 left)
fig3_left = cached(stabilities.fig3_left)
