"""The gradient check over every activation, loss, depth and regularizer, and
proof that it catches a wrong derivative."""

import numpy as np
import pytest

import mlplab as ml
from mlplab import activations, losses
from mlplab.gradcheck import numerical_gradient

# Every loss with an output activation it is valid with.
LOSS_OUTPUTS = [
    ("binary_crossentropy", "sigmoid", 1),
    ("binary_crossentropy", "sigmoid", 2),  # multi-label
    ("categorical_crossentropy", "softmax", 3),
    ("squared_error", "linear", 2),
    ("squared_error", "sigmoid", 1),
    ("mse", "linear", 1),
    ("mse", "tanh", 2),
    ("absolute_error", "linear", 2),
    ("huber", "linear", 2),
    ("poisson", "exp", 1),
    ("poisson", "exp", 2),
    ("mse", "exp", 1),  # exp without its fused loss: through its own derivative
]
REGULARIZERS = {
    "none": None,
    "l2": ml.L2(0.05),
    "l1": ml.L1(0.05),
    "l1l2": ml.L1L2(l1=0.02, l2=0.03),
}


def _targets(loss, n_out, n, rng, model=None, X=None):
    if loss == "categorical_crossentropy":
        return rng.integers(0, n_out, size=n)
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=(n, n_out))
    if loss == "poisson":
        return rng.poisson(1.5, size=(n, n_out))  # counts, zeros included
    if loss in ("absolute_error", "huber"):
        # Residuals of 0.2 to 0.8 in size, or 1.2 to 1.8: at least 0.2 from
        # the kinks at |r| = 0 (both) and |r| = delta = 1 (huber's second
        # derivative), far beyond what a step of eps moves the outputs.
        A = model.predict(X)
        size = rng.uniform(0.2, 0.8, size=A.shape) + rng.integers(0, 2, A.shape)
        return A - rng.choice([-1.0, 1.0], size=A.shape) * size
    return rng.normal(size=(n, n_out))


def _model(hidden_act, out_act, n_out, depth, reg, dropout=False, seed=0):
    layers = []
    for _ in range(depth):
        layers.append(
            ml.Dense(
                4,
                activation=hidden_act,
                kernel_regularizer=reg,
                bias_initializer="plain",
            )
        )
        if dropout:
            layers.append(ml.Dropout(0.5))
    layers.append(
        ml.Dense(
            n_out, activation=out_act, kernel_regularizer=reg, bias_initializer="plain"
        )
    )
    return ml.Sequential(layers, input_dim=3, seed=seed)


# Without a hidden layer the hidden activation plays no part: one case suffices.
CASES = [
    pytest.param(
        act, *lo, depth, reg, id=f"{act}-{lo[0]}-{lo[1]}{lo[2]}-d{depth}-{reg}"
    )
    for act in activations.names()
    for lo in LOSS_OUTPUTS
    for depth in (0, 1, 2)
    for reg in REGULARIZERS
    if depth > 0 or act == "linear"
]


@pytest.mark.parametrize(
    ("hidden_act", "loss", "out_act", "n_out", "depth", "reg"), CASES
)
def test_gradients_match_centered_differences(
    hidden_act, loss, out_act, n_out, depth, reg, rng
):
    model = _model(hidden_act, out_act, n_out, depth, REGULARIZERS[reg])
    model.compile(loss=loss, optimizer="sgd")
    X = rng.normal(size=(7, 3))
    y = _targets(loss, n_out, 7, rng, model, X)
    # Stacked exponentials curve steeply: the centered difference's own
    # error, O(eps**2 f'''), reaches 1e-6 at the default eps = 1e-5.
    eps = 1e-6 if hidden_act == "exp" and depth == 2 else 1e-5
    report = ml.gradcheck(model, X, y, eps=eps)
    assert report.max_relative_error < 1e-6, str(report)


@pytest.mark.parametrize("hidden_act", activations.names())
def test_gradients_with_dropout_layers_disabled(hidden_act, rng):
    model = _model(hidden_act, "sigmoid", 1, 2, ml.L2(0.01), dropout=True)
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    X = rng.normal(size=(6, 3))
    report = ml.gradcheck(model, X, rng.integers(0, 2, size=6))
    assert report.max_relative_error < 1e-6, str(report)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "elu", "leaky_relu"])
def test_separate_activation_layers_match_too(act, rng):
    model = ml.Sequential(
        [ml.Dense(4), ml.Activation(act), ml.Dense(3), ml.Activation("softmax")],
        input_dim=3,
        seed=1,
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    report = ml.gradcheck(model, rng.normal(size=(5, 3)), rng.integers(0, 3, 5))
    assert report.max_relative_error < 1e-6, str(report)


def test_float32_model_is_checked_through_float64(rng):
    model = _model("tanh", "sigmoid", 1, 1, ml.L2(0.01))
    model32 = ml.Sequential.from_config({**model.get_config(), "dtype": "float32"})
    model32.compile(loss="binary_crossentropy", optimizer="sgd")
    before = model32.get_weights()
    report = ml.gradcheck(model32, rng.normal(size=(6, 3)), rng.integers(0, 2, 6))
    assert report.max_relative_error < 1e-6
    for w0, w1 in zip(before, model32.get_weights(), strict=True):
        assert w1.dtype == np.float32
        np.testing.assert_array_equal(w0, w1)


class _WrongTanh(activations.Tanh):
    """tanh with the classic slip: derivative ``1 - A`` instead of ``1 - A**2``."""

    def backward(self, dA, Z, A, out=None):
        return np.multiply(dA, 1.0 - A, out=out)


class _DoubledMeanBCE(losses.BinaryCrossentropy):
    """The other classic slip: dividing by n twice."""

    def fused_gradient(self, Y, A, out=None):
        return (A - Y) / A.shape[0] ** 2


def test_gradcheck_catches_a_wrong_activation_derivative(rng):
    model = ml.Sequential(
        [ml.Dense(4, activation=_WrongTanh()), ml.Dense(1, activation="sigmoid")],
        input_dim=3,
        seed=0,
    )
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    report = ml.gradcheck(model, rng.normal(size=(8, 3)), rng.integers(0, 2, 8))
    assert report.max_relative_error > 1e-2
    assert not report.passed()
    # The output layer's gradients do not go through the wrong derivative.
    assert report.errors["dense_1/W"] < 1e-6
    assert report.errors["dense/W"] > 1e-2
    name, _, analytic, numeric = report.worst()
    assert name.startswith("dense/")
    assert analytic != pytest.approx(numeric)
    assert "MISMATCH" in str(report)


def test_gradcheck_catches_a_double_mean(rng):
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=3, seed=0)
    model.compile(loss=_DoubledMeanBCE(), optimizer="sgd")
    report = ml.gradcheck(model, rng.normal(size=(8, 3)), rng.integers(0, 2, 8))
    assert report.max_relative_error > 0.5


def test_gradcheck_leaves_weights_untouched(rng):
    model = _model("relu", "softmax", 3, 1, None)
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    before = model.get_weights()
    ml.gradcheck(model, rng.normal(size=(5, 3)), rng.integers(0, 3, 5))
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 4.0, 0.25]), rtol=1e-8)
