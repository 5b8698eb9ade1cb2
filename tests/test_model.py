"""The model set-up (committee_lib.theory.model): validated once, passed down, carried by results."""

import json

import pytest

from committee_lib.errors import ParameterError
from committee_lib.theory import franz_parisi, krsb, large_deviations, local_entropy, model as model_module, rs, rsb
from committee_lib.theory.model import GEOMETRY_MARGINS, Model, resolve


@pytest.mark.parametrize("kwargs, name", [
    ({"activation": "nonsense"}, "activation"),
    ({"weights": "ternary"}, "weights"),
    ({"margin": 4.5}, "margin"),
    ({"quad_order": 3}, "quad_order"),
    ({"quad_order": 12.5}, "quad_order"),
])
def test_bad_set_up_names_the_parameter(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        Model.of(**kwargs)


def test_resolve_returns_a_given_model_and_checks_what_the_function_accepts():
    m = Model.of("relu", "binary", margin=0.5, quad_order=32)
    assert resolve(m, "sign", "spherical", 0.0, 64) is m  # the names are not looked at
    with pytest.raises(ParameterError, match="spherical weights"):
        resolve(m, "relu", "spherical", 0.0, 64, fixed_weights=True)
    with pytest.raises(ParameterError, match="margin"):
        resolve(Model.of(margin=-1.0), "relu", "binary", 0.0, 64, GEOMETRY_MARGINS)
    with pytest.raises(ParameterError, match="model"):
        resolve("relu", "relu", "binary", 0.0, 64)


def test_at_order_keeps_the_rest():
    m = Model.of("erf", "spherical", margin=0.25, quad_order=32)
    double = m.at_order(64)
    assert (double.kernel, double.prior, double.margin, double.quad_order) == (m.kernel, m.prior, 0.25, 64)
    assert double.nodes[0].size == 64


def test_names_and_model_give_the_same_numbers():
    by_name = rs.rs_solution(0.5, "relu", "binary", 0.0, 48)
    by_model = rs.rs_solution(0.5, model=Model.of("relu", "binary", 0.0, 48))
    assert by_name == by_model  # every number (the model field is not compared)
    assert by_name.model.quad_order == 48 and by_name.model.weights == "binary"


def test_a_given_model_is_not_resolved_again(monkeypatch):
    """Below the public call nothing turns a name back into a kernel or a prior."""
    m, binary = Model.of("relu", "spherical"), Model.of("relu", "binary")

    def refuse(*args):
        raise AssertionError("resolved again")

    monkeypatch.setattr(model_module, "get_kernel", refuse)
    monkeypatch.setattr(model_module, "get_prior", refuse)
    assert rs.alpha_at(model=m) == pytest.approx(1.7212, abs=1e-4)
    assert rsb.alpha_c_1rsb(model=m).alpha_c == pytest.approx(2.66428, abs=1e-5)
    assert local_entropy.local_entropy(0.4, 0.9, model=binary).model is binary


def test_results_carry_their_model():
    point = large_deviations.ld_finite_y(0.4, 0.85, 20, "sign", "binary", quad_order=32)
    assert (point.activation, point.weights, point.margin, point.quad_order) == ("sign", "binary", 0.0, 32)
    assert json.loads(json.dumps(point.as_dict()))["activation"] == "sign"
    assert rsb.alpha_c_1rsb("erf").model.activation == "erf"
    assert krsb.alpha_c_krsb("relu", k=1).model.quad_order == krsb.KRSB_QUAD_ORDER
    ref = franz_parisi.reference(0.3, "relu", "spherical")
    assert (ref.activation, ref.weights, ref.quad_order) == ("relu", "spherical", franz_parisi.DEFAULT_QUAD_ORDER)


def test_franz_parisi_takes_no_margin():
    with pytest.raises(ParameterError, match="margin"):
        franz_parisi.reference(0.3, model=Model.of("relu", "binary", margin=0.5))
