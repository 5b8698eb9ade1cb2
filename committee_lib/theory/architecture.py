"""The architecture of the machine: tree, or fully connected at large K as a kernel (book: fully_connected).

K hidden units, each with N weights w_k seeing all N inputs, output sign(sum_k c_k g(h_k)/sqrt(K)),
p = alpha K N patterns.  Besides the overlaps q^{ab} = w_k^a . w_k^b / N of one unit in two replicas,
the replica calculation has the overlaps of different units, of order 1/K; all that survives of them
at large K is the overlap matrix M^{ab} = v^a . v^b / N of the linear read-out v = sum_k c_k w_k / sqrt(K):

    output covariance / Var g = kappa(q^{ab}) - p1 q^{ab} + p1 M^{ab},   p1 = kappa'(0) = mu_1^2 / Var g,

with mu_1 = E[z g(z)] the first Hermite coefficient.  M costs entropy of order 1/K per weight (v has N
components against the K N weights), so at large K it is fixed by the energetic term alone: the
off-diagonal M^{ab} is pushed up to the diagonal (v frozen), and the diagonal down to 0.  Every
solution has v = 0, the units are anti-correlated (c_k c_l w_k . w_l / N = -1/(K - 1), the "division of
labour") and the kernel is the activation's with its linear Hermite component removed:

    kappa_FC(q) = (kappa(q) - p1 q) / (1 - p1).

Every calculation of the tree applies with kappa_FC in place of kappa; the margin is then measured in
units of the output's standard deviation, sqrt(Var g - mu_1^2).  A linear activation (p1 = 1) has no
such limit: its output is a perceptron on the N inputs, capacity per weight 2/K (Cover), 0 at large K.
"""

import math

from ..architectures import check_architecture_name
from ..errors import ParameterError
from .kernels import Kernel

#: 1 - p1 below this: the activation is linear up to round-off
LINEAR_TOLERANCE = 1e-9


class FullyConnected(Kernel):
    """kappa_FC = (kappa - p1 q)/(1 - p1): the large-K kernel of a fully connected machine of the units of the kernel base.

    The name is the activation's (the architecture is a field of the Model); delta_2 - delta_m1 is
    the variance Var g - mu_1^2 of the nonlinear part, the only one left in the output.
    """

    def __init__(self, base):
        self.base, self.name = base, base.name
        self.p1 = base.dkappa(0.0)  # mu_1^2 / Var g, the linear share of the variance
        if not 1.0 - self.p1 > LINEAR_TOLERANCE:
            raise ParameterError(
                f"activation {base.name!r} is linear: a fully connected linear machine is a perceptron on its N inputs, "
                f"capacity per weight 2/K, 0 at large K (no large-K kernel; use architecture 'tree' for the perceptron)")
        self._rest = 1.0 - self.p1
        self.delta_m1 = base.delta_m1
        self.delta_2 = base.delta_2 - self.p1 * (base.delta_2 - base.delta_m1)

    def _kappa(self, q):
        return (self.base._kappa(q) - self.p1 * q) / self._rest

    def _dkappa(self, q):
        return (self.base._dkappa(q) - self.p1) / self._rest

    def _d2kappa(self, q):
        return self.base._d2kappa(q) / self._rest

    def one_minus_kappa(self, y):
        return (self.base.one_minus_kappa(y) - self.p1 * y) / self._rest

    def dkappa_near_one(self, y):
        return (self.base.dkappa_near_one(y) - self.p1) / self._rest


def architecture_kernel(kernel, architecture):
    """The large-K kernel of the units of kernel in a machine of the given architecture ("tree" or "fully-connected")."""
    return kernel if check_architecture_name(architecture) == "tree" else FullyConnected(kernel)
