"""Explain's text, markdown and JSON of every registered activation with a
few losses, and of the other shapes a step can take, against fingerprints of
the renderings recorded in ``data/explain_renderings.json``.

The formulas come from the components themselves (an activation's
``derivative_text``, a loss's ``formula_text``); this checks that every
built-in one still renders exactly as recorded. After an intended change of a
rendering, record them again with
``PYTHONPATH=src python tests/test_explain_renderings.py``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mlplab as ml
from mlplab import activations, losses
from mlplab.explain import Trace, trace

FIXTURE = Path(__file__).resolve().parent / "data" / "explain_renderings.json"

# (loss, output activation, output units); the hidden activation's own case
# uses it as the output activation with squared error, so that its derivative
# shows in the output layer's dZ too.
OUTPUTS = [
    ("binary_crossentropy", "sigmoid", 1),
    ("categorical_crossentropy", "softmax", 3),
    ("squared_error", None, 2),
    ("poisson", "exp", 1),
]


def targets(loss: str, output: str, units: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    if output in ("sigmoid", "softmax") and units == 2:  # labels, one-hot
        return np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    if loss == "binary_crossentropy":
        return np.array([0, 1, 1])
    if loss == "categorical_crossentropy":
        return np.array([2, 0, 1])
    if loss == "poisson":
        return np.array([0.0, 2.0, 5.0])
    return rng.normal(size=(3, units))


def batch() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(3, 2))


def grid_trace(hidden: str, loss: str, output: str | None, units: int) -> Trace:
    model = ml.Sequential(
        [
            ml.Dense(2, activation=hidden),
            ml.Dense(units, activation=output or hidden),
        ],
        input_dim=2,
        seed=3,
    )
    model.compile(loss, ml.SGD(learning_rate=0.5))
    return trace(model, batch(), targets(loss, output or hidden, units))


def regression_trace(loss: str) -> Trace:
    model = ml.Sequential(
        [ml.Dense(2, activation="tanh"), ml.Dense(1)], input_dim=2, seed=4
    )
    model.compile(loss, ml.SGD(learning_rate=0.1))
    return trace(model, batch(), [0.5, -2.0, 3.0])


def layers_trace() -> Trace:
    model = ml.Sequential(
        [
            ml.Dense(3, use_bias=False),
            ml.Activation("tanh"),
            ml.Dropout(0.5),
            ml.Dense(3),
            ml.Activation("softmax"),
        ],
        input_dim=2,
        seed=5,
    )
    model.compile("categorical_crossentropy", ml.Adam(0.01, clipnorm=0.1))
    return trace(model, batch(), [2, 0, 1], steps=2)


def features_trace() -> Trace:
    model = ml.Sequential(
        [
            ml.Features(["x1", "x2", "x1*x2"]),
            ml.Dense(2, activation="relu", kernel_regularizer=ml.L2(0.1)),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=6,
    )
    model.compile("mse", ml.SGD(0.1, momentum=0.9))
    X = np.random.default_rng(7).normal(size=(9, 2))
    return trace(model, X, np.arange(9) % 2, steps=2)


def own_components_trace() -> Trace:
    """A user's activation and loss that carry no formula text."""

    class Softsign(activations.ActivationFunction):
        name = "softsign_render_test"

        def forward(self, Z, out=None):
            return np.divide(Z, 1.0 + np.abs(Z), out=out)

        def derivative(self, Z, A):
            return 1.0 / (1.0 + np.abs(Z)) ** 2

    class LogCosh(losses.Loss):
        name = "log_cosh_render_test"

        def __call__(self, Y, A):
            return float(np.mean(np.log(np.cosh(A - Y))))

        def gradient(self, Y, A, out=None):
            return np.divide(np.tanh(A - Y), A.size, out=out)

    activations.register(Softsign)
    losses.register(LogCosh)
    try:
        model = ml.Sequential(
            [
                ml.Dense(2, activation="softsign_render_test"),
                ml.Dense(1, activation="softsign_render_test"),
            ],
            input_dim=2,
            seed=8,
        )
        model.compile("log_cosh_render_test", "sgd")
        return trace(model, batch(), [0.5, -0.5, 0.0])
    finally:
        activations.REGISTRY.unregister(Softsign.name)
        losses.REGISTRY.unregister(LogCosh.name)


def cases() -> dict[str, Callable[[], Trace]]:
    """Every case by its name: the grid of activations and losses, then the
    other shapes of a step."""
    found: dict[str, Callable[[], Trace]] = {}
    for hidden in activations.names():
        for loss, output, units in OUTPUTS:
            if hidden == "softmax" and output is None:
                units = 2  # a softmax over one unit is refused
            found[f"{hidden}-{loss}"] = lambda h=hidden, lo=loss, o=output, u=units: (
                grid_trace(h, lo, o, u)
            )
    for loss in ("mse", "absolute_error", "huber"):
        found[f"tanh-linear-{loss}"] = lambda lo=loss: regression_trace(lo)
    found["activation-dropout-layers-adam-clipnorm"] = layers_trace
    found["features-l2-momentum-two-steps"] = features_trace
    found["own-activation-and-loss"] = own_components_trace
    return found


def rounded(value: Any) -> Any:
    """Floats to 12 significant digits, so that the fingerprint of the JSON
    does not depend on the last bits of a matrix product."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def fingerprints(t: Trace) -> dict[str, str]:
    renderings = {
        "text": t.to_text(),
        "text-2-decimals-3-rows": t.to_text(decimals=2, max_rows=3),
        "markdown": t.to_markdown(),
        "json": json.dumps(rounded(t.to_dict()), ensure_ascii=False),
    }
    return {
        k: hashlib.sha256(v.encode()).hexdigest()[:20] for k, v in renderings.items()
    }


CASES = cases()
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8")) if FIXTURE.exists() else {}


def test_every_case_is_recorded_and_every_built_in_activation_has_its_cases():
    assert set(RECORDED) == set(CASES)
    for name in activations.names():
        assert f"{name}-squared_error" in RECORDED


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_is_as_recorded(case):
    assert fingerprints(CASES[case]()) == RECORDED[case]


def record() -> None:
    FIXTURE.parent.mkdir(exist_ok=True)
    data = {name: fingerprints(make()) for name, make in sorted(CASES.items())}
    FIXTURE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(data)} cases in {FIXTURE}", file=sys.stderr)


if __name__ == "__main__":
    record()


# -- the formulas the components carry -------------------------------------------------
def test_built_in_components_carry_their_formulas():
    for name in activations.names():
        text = activations.get(name).derivative_text
        if name == "softmax":  # a Jacobian: explain writes softmax'(Z)
            assert text is None
        else:
            assert text, name
    for name in losses.names():
        assert losses.get(name).formula_text.startswith("L = "), name
        assert losses.get(name).fused_gradient_text == "(A − Y) / n"


def test_an_activation_s_own_derivative_text_is_shown(monkeypatch):
    monkeypatch.setattr(activations.Tanh, "derivative_text", "sech²(Z)")
    model = ml.Sequential(
        [ml.Dense(2, activation="tanh"), ml.Dense(1, activation="tanh")],
        input_dim=2,
        seed=0,
    )
    model.compile("mse", "sgd")
    text = trace(model, batch(), [0.1, 0.2, 0.3]).to_text()
    assert "dZ2 = dL/dA ⊙ tanh'(Z2) = dL/dA ⊙ (sech²(Z2))" in text
    assert "dZ1 = dA1 ⊙ tanh'(Z1) = dA1 ⊙ (sech²(Z1))" in text


def test_a_loss_s_own_formula_and_fused_gradient_texts_are_shown(monkeypatch):
    monkeypatch.setattr(losses.Poisson, "formula_text", "L = D(Y, A) / 2")
    monkeypatch.setattr(losses.Poisson, "fused_gradient_text", "(A − Y) / n!")
    model = ml.Sequential([ml.Dense(1, activation="exp")], input_dim=2, seed=0)
    model.compile("poisson", "sgd")
    text = trace(model, batch(), [0.0, 1.0, 2.0]).to_text()
    assert "  L = D(Y, A) / 2\n" in text
    assert "dZ1 = (A1 − Y) / n!    (poisson and exp differentiated" in text


def test_the_texts_are_taken_when_the_trace_is_recorded(monkeypatch):
    t = grid_trace("relu", "squared_error", None, 2)
    monkeypatch.setattr(activations.ReLU, "derivative_text", "changed")
    monkeypatch.setattr(losses.SquaredError, "formula_text", "changed")
    assert "changed" not in t.to_text()
    assert "(1[Z1 > 0])" in t.to_text()


@pytest.mark.parametrize(
    ("loss", "Y", "A", "expected"),
    [
        ("binary_crossentropy", [[1.0], [0.0]], [[1.0], [0.5]], [[0.0], [1.0]]),
        ("categorical_crossentropy", [[1.0, 0.0]], [[0.0, 1.0]], [[-np.inf, -0.0]]),
        ("poisson", [[2.0]], [[1.0]], [[-1.0]]),
        ("mse", [[2.0, 1.0]], [[1.0, 1.0]], [[-1.0, 0.0]]),
    ],
)
def test_unfused_gradient_is_the_formula_unclipped(loss, Y, A, expected):
    Y, A = np.array(Y), np.array(A)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = losses.get(loss).unfused_gradient(Y, A)
    if loss == "binary_crossentropy":  # 0/0 at a saturated correct output
        assert np.isnan(got[0, 0])
        got, expected = got[1:], expected[1:]
    np.testing.assert_array_equal(got, expected)
    if loss in ("poisson", "mse"):  # the gradient itself
        np.testing.assert_array_equal(got, losses.get(loss).gradient(Y, A))
