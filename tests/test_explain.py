"""``mlplab.explain.trace`` and the ``explain`` / ``gradcheck`` commands.

Every number the trace records is checked against something computed
independently here: the closed form of a single sigmoid neuron, centered
differences of a loss written out by hand in NumPy, and a twin model trained
with ``train_step``.
"""

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import mlplab as ml
from mlplab import activations, losses
from mlplab.cli import main
from mlplab.explain import trace
from mlplab.gradcheck import numerical_gradient

PLANTED = Path(__file__).resolve().parents[1] / "docs" / "examples" / "planted_bugs.py"
DENSE_KEYS = {"X", "W", "b", "Z", "A", "dA", "dZ", "dW", "db", "W_new", "b_new"}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTS = {
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "softmax": softmax,
    "linear": lambda z: z,
    "exp": np.exp,
}


def ref_loss(name, Y, A):
    """The mean losses, written out."""
    n = Y.shape[0]
    if name == "binary_crossentropy":
        return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / n
    if name == "categorical_crossentropy":
        return -np.sum(Y * np.log(A)) / n
    if name == "mse":
        return np.mean((A - Y) ** 2)
    if name == "squared_error":
        return 0.5 * np.mean((A - Y) ** 2)
    if name == "absolute_error":
        return np.mean(np.abs(A - Y))
    if name == "huber":  # delta 1
        r = np.abs(A - Y)
        return np.mean(np.where(r <= 1, 0.5 * r**2, r - 0.5))
    if name == "poisson":
        ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1)), 0.0)
        return np.sum(ylogy - Y * np.log(A) - Y + A) / n
    raise AssertionError(name)


# -- a single sigmoid neuron, in closed form ----------------------------------------
def neuron(loss="binary_crossentropy", w=(0.1, 0.6), b=0.0, optimizer=None):
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    model.set_weights([np.array(w, dtype=float).reshape(2, 1), np.array([b])])
    model.compile(loss, optimizer or ml.SGD(learning_rate=1.0))
    return model


@pytest.mark.parametrize("loss", ["binary_crossentropy", "squared_error"])
def test_single_neuron_every_number_is_the_closed_form(loss):
    x, W, b, y, lr = np.array([1.0, 1.0]), np.array([[0.1], [0.6]]), 0.0, 1.0, 1.0
    t = trace(neuron(loss), [x], [y])

    z = float(x @ W[:, 0]) + b  # 0.7
    a = 1.0 / (1.0 + math.exp(-z))
    if loss == "binary_crossentropy":
        L, dA, dZ = -math.log(a), -1.0 / a, a - y
    else:
        L, dA = 0.5 * (a - y) ** 2, a - y
        dZ = dA * a * (1 - a)
    dW, db = x * dZ, dZ
    W_new, b_new = W[:, 0] - lr * dW, b - lr * db
    a_new = 1.0 / (1.0 + math.exp(-(float(x @ W_new) + b_new)))
    L_after = (
        -math.log(a_new) if loss == "binary_crossentropy" else 0.5 * (a_new - y) ** 2
    )

    (rec,) = t.layers
    assert set(rec) == DENSE_KEYS  # no dX for the first layer
    expected = {
        "X": [[1.0, 1.0]],
        "W": [[0.1], [0.6]],
        "b": [0.0],
        "Z": [[z]],
        "A": [[a]],
        "dA": [[dA]],
        "dZ": [[dZ]],
        "dW": [[dW[0]], [dW[1]]],
        "db": [db],
        "W_new": [[W_new[0]], [W_new[1]]],
        "b_new": [b_new],
    }
    for key, value in expected.items():
        assert rec[key].shape == np.shape(value), key
        np.testing.assert_allclose(rec[key], value, rtol=1e-13, atol=1e-15, err_msg=key)
    assert t.loss_before == pytest.approx(L, rel=1e-13)
    assert t.loss_after == pytest.approx(L_after, rel=1e-13)
    assert t.steps[0].learning_rate == lr
    np.testing.assert_array_equal(t.steps[0].X, [[1.0, 1.0]])
    np.testing.assert_array_equal(t.steps[0].Y, [[1.0]])


def test_the_numbers_the_issue_quotes():
    t = trace(neuron(), [[1.0, 1.0]], [1])
    assert round(t.layers[0]["Z"][0, 0], 12) == 0.7
    assert round(t.loss_before, 4) == 0.4032  # -log sigmoid(0.7)
    assert round(t.layers[0]["dZ"][0, 0], 4) == -0.3318


# -- 2-3-1 networks against centered differences -------------------------------------
def make_case(name, seed=0):
    """A small compiled network, a batch of 6 examples and its targets."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    loss = "binary_crossentropy"
    hidden, out, reg, extra = "tanh", ml.Dense(1, activation="sigmoid"), None, []
    if name == "sigmoid":
        hidden = "sigmoid"
    elif name == "softmax":
        y, loss = np.array([0, 1, 2, 2, 1, 0]), "categorical_crossentropy"
        out = ml.Dense(3, activation="softmax")
    elif name == "mse":
        y, loss = rng.normal(size=6), "mse"
        out = ml.Dense(1)
    elif name == "squared_error":
        y, loss = rng.normal(size=(6, 1)), "squared_error"
        out = ml.Dense(1, activation="sigmoid")
    elif name in ("absolute_error", "huber"):
        y, loss = 2.0 * rng.normal(size=(6, 2)), name  # |residuals| below and above 1
        out = ml.Dense(2)
    elif name == "poisson":
        y, loss = rng.poisson(2.0, size=6), "poisson"
        out = ml.Dense(1, activation="exp")
    elif name == "l2":
        reg = ml.L2(0.1)
        out = ml.Dense(1, activation="sigmoid", kernel_regularizer=ml.L2(0.05))
    elif name == "dropout":
        extra = [ml.Dropout(0.5)]
    layers = [ml.Dense(3, activation=hidden, kernel_regularizer=reg), *extra, out]
    if name == "activation_layers":  # activations as layers of their own
        y, loss = np.array([0, 1, 2, 2, 1, 0]), "categorical_crossentropy"
        layers = [
            ml.Dense(3),
            ml.Activation("tanh"),
            ml.Dense(3),
            ml.Activation("softmax"),
        ]
    model = ml.Sequential(layers, input_dim=2, seed=seed)
    # weights large enough that the hidden units are not all near 0
    model.set_weights([w * 2.0 for w in model.get_weights()])
    model.compile(loss, ml.SGD(learning_rate=0.5))
    return model, X, y


CASES = [
    "tanh",
    "sigmoid",
    "softmax",
    "mse",
    "squared_error",
    "absolute_error",
    "huber",
    "poisson",
    "l2",
    "dropout",
    "activation_layers",
]


def reference_loss(model, t, start, A=None, Z=None, params=None):
    """The training loss written out by hand from layer ``start`` on: its input
    is ``A``, or, given ``Z``, its (Dense) pre-activation is ``Z``. Dropout
    uses the trace's masks; the weights are those before the step unless
    ``params`` overrides them."""
    recs = t.layers
    params = params or [{"W": r["W"], "b": r["b"]} if "W" in r else {} for r in recs]
    for j in range(start, len(model.layers)):
        layer = model.layers[j]
        if isinstance(layer, ml.Dense):
            if Z is None or j != start:
                Z_j = A @ params[j]["W"] + params[j]["b"]
            else:
                Z_j = Z
            A = ACTS[layer.activation.name](Z_j)
        elif isinstance(layer, ml.Activation):
            A = ACTS[layer.activation.name](Z if Z is not None and j == start else A)
        elif isinstance(layer, ml.Dropout):
            A = A * recs[j]["mask"]
        else:  # pragma: no cover - not used in these cases
            raise AssertionError(layer)
    value = ref_loss(model.loss.name, t.steps[0].Y, A)
    for layer, p in zip(model.layers, params, strict=True):
        reg = getattr(layer, "kernel_regularizer", None)
        if reg is not None:
            value += reg.l2 * np.sum(p["W"] ** 2)
    return value


def fd(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda: f(x), x, eps)


def close(actual, expected, what):
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(
        actual, expected, rtol=1e-6, atol=1e-8 * scale, err_msg=what
    )


@pytest.mark.parametrize("case", CASES)
def test_gradients_equal_centered_differences(case):
    model, X, y = make_case(case)
    t = trace(model, X, y)
    recs = t.layers
    dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, ml.Dense)]
    nodes = [i for i, r in enumerate(recs) if "dZ" in r]  # Dense and Activation
    if case == "dropout":
        mask = recs[1]["mask"]
        assert mask.shape == (6, 3)
        assert set(np.unique(mask)) == {0.0, 2.0}  # inverted dropout, rate 0.5

    # the loss the trace reports is the hand-written one
    assert t.loss_before == pytest.approx(reference_loss(model, t, 0, A=X), rel=1e-12)

    params = [
        {"W": r["W"].copy(), "b": r["b"].copy()} if "W" in r else {} for r in recs
    ]
    for i in dense:
        for key in ("W", "b"):
            numeric = numerical_gradient(
                lambda: reference_loss(model, t, 0, A=X, params=params),
                params[i][key],
                1e-6,
            )
            close(recs[i]["d" + key], numeric, f"layer {i} d{key}")

    # dZ and dA of every Dense and Activation layer, against the loss as a
    # function of them
    for i in nodes:
        close(
            recs[i]["dZ"],
            fd(lambda Z, i=i: reference_loss(model, t, i, Z=Z), recs[i]["Z"]),
            f"layer {i} dZ",
        )
        close(
            recs[i]["dA"],
            fd(lambda A, i=i: reference_loss(model, t, i + 1, A=A), recs[i]["A"]),
            f"layer {i} dA",
        )


@pytest.mark.parametrize("case", CASES)
def test_recorded_arrays_obey_the_textbook_formulas(case):
    model, X, y = make_case(case)
    t = trace(model, X, y)
    recs = t.layers
    np.testing.assert_array_equal(recs[0]["X"], X)
    for i, (layer, rec) in enumerate(zip(model.layers, recs, strict=True)):
        if i > 0:
            np.testing.assert_array_equal(rec["X"], recs[i - 1]["A"])
            np.testing.assert_array_equal(recs[i - 1]["dA"], rec["dX"])
        else:
            assert "dX" not in rec
        if isinstance(layer, ml.Dropout):
            np.testing.assert_array_equal(rec["A"], rec["X"] * rec["mask"])
            np.testing.assert_array_equal(rec["dX"], rec["dA"] * rec["mask"])
            continue
        if isinstance(layer, ml.Activation):
            assert set(rec) == {"X", "Z", "A", "dA", "dZ", "dX"}
            np.testing.assert_array_equal(rec["Z"], rec["X"])
            np.testing.assert_allclose(
                rec["A"], ACTS[layer.activation.name](rec["Z"]), rtol=1e-14
            )
            np.testing.assert_array_equal(rec["dX"], rec["dZ"])
            continue
        assert set(rec) == DENSE_KEYS | ({"dX"} if i else set())
        W, b, Z = rec["W"], rec["b"], rec["Z"]
        np.testing.assert_allclose(Z, rec["X"] @ W + b, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(
            rec["A"], ACTS[layer.activation.name](Z), rtol=1e-14, atol=1e-15
        )
        reg = 0.0 if layer.kernel_regularizer is None else layer.kernel_regularizer.l2
        np.testing.assert_allclose(
            rec["dW"], rec["X"].T @ rec["dZ"] + 2 * reg * W, rtol=1e-13, atol=1e-15
        )
        np.testing.assert_allclose(rec["db"], rec["dZ"].sum(axis=0), atol=1e-15)
        if i:
            np.testing.assert_allclose(rec["dX"], rec["dZ"] @ W.T, atol=1e-15)
        # plain SGD: W_new = W - lr dW, exactly as the optimizer does it
        np.testing.assert_allclose(rec["W_new"], W - 0.5 * rec["dW"], atol=1e-15)
        np.testing.assert_allclose(rec["b_new"], b - 0.5 * rec["db"], atol=1e-15)
    if t.fused:
        np.testing.assert_allclose(
            recs[-1]["dZ"], (recs[-1]["A"] - t.steps[0].Y) / len(X), atol=1e-16
        )


def test_an_l2_penalty_is_in_dW_and_in_the_loss():
    plain, X, y = make_case("tanh")
    reg, _, _ = make_case("l2")
    tp, tr = trace(plain, X, y), trace(reg, X, y)
    np.testing.assert_array_equal(tp.layers[0]["W"], tr.layers[0]["W"])
    penalty = 0.1 * np.sum(tr.layers[0]["W"] ** 2) + 0.05 * np.sum(
        tr.layers[1]["W"] ** 2
    )
    assert tr.loss_before == pytest.approx(tp.loss_before + penalty, rel=1e-13)
    np.testing.assert_allclose(
        tr.layers[0]["dW"] - tp.layers[0]["dW"], 0.2 * tr.layers[0]["W"], atol=1e-15
    )


# -- the model ends where train_step leaves it ---------------------------------------
OPTIMIZERS = {
    "sgd": lambda: ml.SGD(learning_rate=0.5),
    "momentum": lambda: ml.SGD(learning_rate=0.3, momentum=0.9),
    "adam": lambda: ml.Adam(learning_rate=0.05),
}


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("case", ["tanh", "dropout", "softmax"])
def test_trace_trains_exactly_like_train_step(case, opt, steps):
    model, X, y = make_case(case)
    twin, _, _ = make_case(case)
    model.compile(model.loss, OPTIMIZERS[opt]())
    twin.compile(twin.loss, OPTIMIZERS[opt]())

    t = trace(model, X, y, steps=steps)
    assert len(t.steps) == steps
    assert t.layers is t.steps[0].layers
    assert t.loss_before == t.steps[0].loss_before
    assert t.loss_after == t.steps[0].loss_after
    for k in range(steps):
        before = twin.get_weights()
        assert t.steps[k].loss_before == twin.train_step(X, y), k
        after = twin.get_weights()
        recorded_before = [
            a for r in t.steps[k].layers if "W" in r for a in (r["W"], r["b"])
        ]
        recorded_after = [
            a for r in t.steps[k].layers if "W" in r for a in (r["W_new"], r["b_new"])
        ]
        for got, want in zip(recorded_before, before, strict=True):
            np.testing.assert_array_equal(got, want)
        for got, want in zip(recorded_after, after, strict=True):
            np.testing.assert_array_equal(got, want)
        assert t.steps[k].loss_after == pytest.approx(
            twin.evaluate(X, y)["loss"], rel=1e-14
        )
    for got, want in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert np.array_equal(got, want)
    assert model.optimizer.iterations == twin.optimizer.iterations == steps
    # evaluate averages chunk losses (value · n / n): equal up to rounding
    assert t.steps[-1].loss_after == pytest.approx(
        model.evaluate(X, y)["loss"], rel=1e-14
    )
    # the optimizer's state (moments, velocity) and the dropout generator too:
    # one more step keeps the two models identical
    assert model.train_step(X, y) == twin.train_step(X, y)
    for got, want in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert np.array_equal(got, want)


def test_each_step_starts_from_the_weights_the_last_one_left():
    model, X, y = make_case("tanh")
    model.compile(model.loss, ml.Adam(learning_rate=0.05))
    t = trace(model, X, y, steps=3)
    for k in (1, 2):
        for prev, rec in zip(t.steps[k - 1].layers, t.steps[k].layers, strict=True):
            if "W" in rec:
                np.testing.assert_array_equal(rec["W"], prev["W_new"])
                np.testing.assert_array_equal(rec["b"], prev["b_new"])
        assert t.steps[k].loss_before == pytest.approx(t.steps[k - 1].loss_after)
        assert t.steps[k].loss_before < t.steps[k - 1].loss_before


def test_each_step_records_the_learning_rate_it_used():
    schedule = ml.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    model = neuron(optimizer=ml.SGD(learning_rate=schedule))
    t = trace(model, [[1.0, 1.0]], [1], steps=3)
    assert [s.learning_rate for s in t.steps] == [1.0, 0.5, 0.25]
    for s in t.steps:
        (rec,) = s.layers
        np.testing.assert_allclose(rec["W_new"], rec["W"] - s.learning_rate * rec["dW"])
    assert "learning rate 0.25" in t.to_text().split("Step 3 of 3")[1]


def test_the_batch_is_recorded_as_a_copy():
    model, X, y = make_case("tanh")
    t = trace(model, X, y)
    np.testing.assert_array_equal(t.steps[0].X, X)
    original = X.copy()
    X[...] = 0.0  # the caller reuses its array
    np.testing.assert_array_equal(t.steps[0].X, original)


def test_the_first_layers_input_is_recorded_as_a_copy():
    model, X, y = make_case("tanh")
    t = trace(model, X, y)
    original = X.copy()
    X[...] = 0.0
    np.testing.assert_array_equal(t.layers[0]["X"], original)


# -- layers without weights ---------------------------------------------------------
def test_a_features_and_a_rescaling_layer():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 2))
    y = np.array([1, 0, 0, 1, 1])
    scale, offset = np.array([0.5, 2.0, -1.0]), np.array([0.1, 0.0, -0.2])

    def build():
        m = ml.Sequential(
            [
                ml.Features("x1,x2,x1*x2"),
                ml.Rescaling(scale, offset=offset),
                ml.Dense(2, activation="tanh"),
                ml.Dense(1, activation="sigmoid"),
            ],
            input_dim=2,
            seed=3,
        )
        m.compile("binary_crossentropy", ml.SGD(learning_rate=0.5))
        return m

    model, twin = build(), build()
    t = trace(model, X, y)
    feats, resc, d1, d2 = t.layers
    crossed = np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]])
    np.testing.assert_array_equal(feats["X"], X)
    np.testing.assert_allclose(feats["A"], crossed, rtol=1e-15)
    np.testing.assert_allclose(resc["A"], crossed * scale + offset, rtol=1e-15)
    np.testing.assert_array_equal(d1["X"], resc["A"])  # the Dense layer's X
    assert d1["W"].shape == (3, 2)

    # gradients through the weightless layers, by centered differences
    def loss_of_features(F):
        H = np.tanh((F * scale + offset) @ d1["W"] + d1["b"])
        return ref_loss(
            "binary_crossentropy", t.steps[0].Y, sigmoid(H @ d2["W"] + d2["b"])
        )

    close(feats["dA"], fd(loss_of_features, crossed), "Features dA")
    close(resc["dX"], feats["dA"], "Rescaling dX")
    params = [d1["W"].copy(), d1["b"].copy(), d2["W"].copy(), d2["b"].copy()]

    def loss_of_weights():
        H = np.tanh((crossed * scale + offset) @ params[0] + params[1])
        return ref_loss(
            "binary_crossentropy", t.steps[0].Y, sigmoid(H @ params[2] + params[3])
        )

    for got, p in zip([d1["dW"], d1["db"], d2["dW"], d2["db"]], params, strict=True):
        close(got, numerical_gradient(loss_of_weights, p, 1e-6), "weights")

    assert twin.train_step(X, y) == t.loss_before
    for got, want in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert np.array_equal(got, want)
    text = t.to_text()
    assert "Features layer 'features': (5, 2) → (5, 3)" in text
    assert "Rescaling layer 'rescaling'" in text
    json.dumps(t.to_dict(), allow_nan=False)


# -- renderings ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "shown"),
    [
        ("poisson", "dZ2 = (A2 − Y) / n    (poisson and exp differentiated together)"),
        ("poisson", "L = (1/n) Σᵢ Σₖ [yᵢₖ·log(yᵢₖ/aᵢₖ) − yᵢₖ + aᵢₖ]"),
        ("huber", "h(r) = r²/2 if |r| ≤ δ else δ·(|r| − δ/2)"),
        ("absolute_error", "L = mean over all entries of |a − y|"),
    ],
)
def test_text_of_the_regression_losses(case, shown):
    model, X, y = make_case(case)
    text = trace(model, X, y).to_text()
    assert shown in text
    assert f"L = {case}(Y, A)" not in text  # the formula, not the fallback


def test_text_of_an_exp_hidden_layer():
    model = ml.Sequential(
        [ml.Dense(2, activation="exp"), ml.Dense(1)], input_dim=2, seed=0
    )
    model.compile("mse", ml.SGD(0.1))
    text = trace(model, [[0.5, -1.0]], [2.0]).to_text()
    assert "dZ1 = dA1 ⊙ exp'(Z1) = dA1 ⊙ (A1)" in text


def test_text_walks_through_the_step():
    text = trace(neuron(), [[1.0, 1.0]], [1]).to_text()
    lines = text.splitlines()
    assert lines[0] == "Step 1 of 1: 1 example, SGD, learning rate 1"
    for part in ("Forward pass", "Loss", "Backward pass", "Update"):
        assert part in lines, part
    assert (
        lines.index("Forward pass")
        < lines.index("Backward pass")
        < lines.index("Update")
    )
    assert "L = −(1/n) Σᵢ [yᵢ·log aᵢ + (1 − yᵢ)·log(1 − aᵢ)]" in text
    assert "Z1 = X·W1 + b1    (1, 2)·(2, 1) + (1,) → (1, 1)" in text
    assert "A1 = sigmoid(Z1)" in text
    assert "dZ1 = (A1 − Y) / n" in text
    assert "dW1 = Xᵀ·dZ1" in text
    assert "W1 ← W1 − η·dW1    (η = 1)" in text
    assert "Loss after the step: 0.168 (before: 0.403)" in text
    assert "per example" not in text  # one example
    assert "more rows" not in text


def test_text_rounds_to_the_decimals_asked_for():
    t = trace(neuron(), [[1.0, 1.0]], [1])
    three, two, five = t.to_text(decimals=3), t.to_text(decimals=2), t.to_text(5)
    assert "Z1 = [  0.700]" in three
    assert "Z1 = [  0.70]" in two and "0.700" not in two
    assert "0.40319" in five  # loss_before = 0.403186...
    assert "L = 0.403   " in three
    assert "dZ1 = [ -0.332]" in three and "dZ1 = [ -0.33]" in two
    assert "0.668" in three and "0.6682" not in three
    zero = t.to_text(decimals=0)
    assert "Z1 = [   1]" in zero  # 0.7 rounds to 1, in a column 4 wide


def test_text_never_shows_minus_zero():
    model = neuron("squared_error", w=(0.0, 0.0))  # a = 0.5, dZ tiny and negative
    t = trace(model, [[1e-4, 1e-4]], [0.5004])
    assert t.layers[0]["dW"][0, 0] < 0
    assert "-0.000" not in t.to_text(decimals=3)


def test_text_shows_shapes_per_example_and_truncates_long_batches():
    model, X, y = make_case("tanh")
    t = trace(model, X[:4], y[:4])
    text = t.to_text()
    assert "Step 1 of 1: 4 examples, SGD, learning rate 0.5" in text
    assert "Z1 = X·W1 + b1    (4, 2)·(2, 3) + (3,) → (4, 3)" in text
    assert "Z2 = A1·W2 + b2    (4, 3)·(3, 1) + (1,) → (4, 1)" in text
    assert "dW1 = Xᵀ·dZ1    (2, 4)·(4, 3) → (2, 3)" in text
    assert "dA1 = dZ2·W2ᵀ    (4, 1)·(1, 3) → (4, 3)" in text
    assert "dZ1 = dA1 ⊙ tanh'(Z1) = dA1 ⊙ (1 − A1²)" in text
    assert "per example" in text
    outer = np.outer(t.layers[0]["X"][0], t.layers[0]["dZ"][0])
    assert f"example 1 = [{' '.join(f'{v:>7.3f}' for v in outer[0])}]" in text
    assert "more rows" not in text

    long = t.to_text(max_rows=3)
    assert "… 1 more rows (4×2)" in long  # X
    assert "… 1 more rows (4×3)" in long  # Z1, A1, dZ1
    lines = [line.strip() for line in long.splitlines()]
    z1 = lines.index(next(line for line in lines if line.startswith("Z1 = [")))
    assert lines[z1 + 2].startswith("[") and lines[z1 + 3] == "… 1 more rows (4×3)"
    rows_of_X = long.split("X = [")[1].split("… 1 more rows")[0]
    assert rows_of_X.count("[") == 2  # two more rows shown after the first


def text_row(values, decimals=3):
    return "[" + " ".join(f"{v:>{decimals + 4}.{decimals}f}" for v in values) + "]"


def test_text_of_an_activation_layer_model():
    model, X, y = make_case("activation_layers")
    t = trace(model, X[:2], y[:2])
    text = t.to_text()
    assert "Activation layer 'activation': (2, 3) → (2, 3)" in text
    assert "Activation layer 'activation_1'" in text
    assert f"dX = {text_row(t.layers[1]['dX'][0])}" in text
    assert f"dX = {text_row(t.layers[3]['dX'][0])}" in text


def test_text_names_each_gradient_once_with_a_dropout_layer():
    model, X, y = make_case("dropout")
    t = trace(model, X[:2], y[:2])
    lines = [line.strip() for line in t.to_text().splitlines()]
    dA1 = text_row(t.layers[0]["dA"][0])
    shown = [line for line in lines if line.startswith("dA1 = [")]
    assert len(shown) >= 1
    assert all(line == f"dA1 = {dA1}" for line in shown), (shown, dA1)


def test_the_update_rule_shown_holds_with_clipnorm():
    model = neuron(optimizer=ml.SGD(learning_rate=1.0, clipnorm=0.01))
    t = trace(model, [[1.0, 1.0]], [1])
    rec = t.layers[0]
    assert "W1 ← W1 − η·dW1" in t.to_text()
    np.testing.assert_allclose(rec["W_new"], rec["W"] - rec["dW"])


def test_a_float32_model_and_a_layer_without_bias():
    def build():
        m = ml.Sequential(
            [ml.Dense(3, activation="tanh", use_bias=False), ml.Dense(1)],
            input_dim=2,
            seed=4,
            dtype="float32",
        )
        m.compile("mse", ml.SGD(learning_rate=0.1))
        return m

    model, twin = build(), build()
    X = np.random.default_rng(2).normal(size=(5, 2))
    y = X[:, 0] - X[:, 1]
    t = trace(model, X, y, steps=2)
    assert [twin.train_step(X, y) for _ in range(2)] == [s.loss_before for s in t.steps]
    for got, want in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert np.array_equal(got, want)
    first = t.layers[0]
    assert first["W"].dtype == np.float32 and first["b"].shape == (0,)
    assert first["db"].shape == first["b_new"].shape == (0,)
    np.testing.assert_allclose(first["Z"], first["X"] @ first["W"], rtol=1e-6)
    text = t.to_text()
    assert "Z1 = X·W1    (5, 2)·(2, 3) → (5, 3)" in text
    assert "Z2 = A1·W2 + b2" in text
    assert "db1" not in text and "b1 =" not in text
    d = json.loads(json.dumps(t.to_dict(), allow_nan=False))
    assert d["steps"][0]["layers"][0]["b"] == []
    z = first["Z"][1, 2]
    assert d["steps"][0]["layers"][0]["Z"][1][2] == float(z)
    assert np.float32(d["steps"][0]["layers"][0]["Z"][1][2]) == z


def test_markdown_has_tables():
    model, X, y = make_case("tanh")
    t = trace(model, X[:4], y[:4])
    md = t.to_markdown()
    assert "|---|" in md
    assert "|---|---:|---:|---:|" in md  # a matrix of 3 columns
    assert "**Z1** (4×3)" in md
    assert "`Z1 = X·W1 + b1    (4, 2)·(2, 3) + (3,) → (4, 3)`" in md
    assert "### Forward pass" in md and "### Backward pass" in md
    assert "### Update" in md
    first = f"| 1 | {t.layers[0]['Z'][0, 0]:.3f} |"
    assert first in md
    assert "more rows" not in md
    assert "| … | 1 more rows |" in t.to_markdown(max_rows=3)
    assert f"| 1 | {t.layers[0]['Z'][0, 0]:.1f} |" in t.to_markdown(decimals=1)


def test_to_dict_round_trips_through_json_at_full_precision():
    model, X, y = make_case("dropout")
    t = trace(model, X, y, steps=2)
    d = json.loads(json.dumps(t.to_dict(), allow_nan=False))
    assert d == t.to_dict()
    assert d["loss"] == "binary_crossentropy"
    assert d["fused_output_gradient"] is True
    assert d["optimizer"]["name"] == "sgd"
    assert [layer["kind"] for layer in d["layers"]] == ["Dense", "Dropout", "Dense"]
    assert d["layers"][0]["activation"] == "tanh"
    assert len(d["steps"]) == 2
    for k, step in enumerate(d["steps"]):
        assert step["loss_before"] == t.steps[k].loss_before
        assert step["loss_after"] == t.steps[k].loss_after
        assert step["learning_rate"] == 0.5
        assert np.array_equal(step["X"], X)
        for rec, got in zip(t.steps[k].layers, step["layers"], strict=True):
            assert set(got) == set(rec)
            for key, value in rec.items():
                assert np.array_equal(np.array(got[key]), value), key
    z = t.layers[0]["Z"][2, 1]
    assert d["steps"][0]["layers"][0]["Z"][2][1] == z
    assert len(repr(z)) > 10  # a number that rounding would change


def test_to_dict_writes_non_finite_values_as_null():
    model = neuron(w=(1000.0, 1000.0))
    t = trace(model, [[1.0, 1.0]], [0])
    assert t.loss_before == pytest.approx(2000.0)  # computed from the logits
    json.dumps(t.to_dict(), allow_nan=False)
    # a non-finite entry in any array: None in its place, the rest kept
    t.layers[0]["dA"] = np.array([[np.inf, 2.0]])
    t.layers[0]["Z"] = np.array(np.nan)
    t.steps[0].loss_after = math.inf
    d = t.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["steps"][0]["layers"][0]["dA"] == [[None, 2.0]]
    assert d["steps"][0]["layers"][0]["Z"] is None
    assert d["steps"][0]["loss_after"] is None


def test_an_overflowing_gradient_is_null_in_json():
    # x tiny, weights huge: every value forward is finite, but dL/dA of the first
    # layer, W2·W3, overflows (1e20 · 1e290)
    model = ml.Sequential(
        [
            ml.Dense(1),
            ml.Dense(1, activation="relu"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=1,
    )
    W1, W2, W3 = np.array([[1.0]]), np.array([[1e20]]), np.array([[1e290]])
    model.set_weights([W1, np.zeros(1), W2, np.zeros(1), W3, np.zeros(1)])
    model.compile("binary_crossentropy", "sgd")
    t = trace(model, [[1e-20]], [0])
    assert math.isfinite(t.loss_before)
    assert np.isinf(t.layers[0]["dA"]).all()
    d = json.loads(json.dumps(t.to_dict(), allow_nan=False))
    assert d["steps"][0]["layers"][0]["dA"] == [[None]]
    assert d["steps"][0]["layers"][2]["dZ"] == [[1.0]]
    t.to_text()  # renders inf as inf


def test_a_saturated_output_has_a_non_finite_dA():
    t = trace(neuron(w=(1000.0, 1000.0)), [[1.0, 1.0]], [0])
    assert t.to_dict()["steps"][0]["layers"][0]["dA"] == [[None]]


# -- errors -------------------------------------------------------------------------
def test_trace_needs_a_compiled_model():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match=r"compile.*trace"):
        trace(model, [[1.0, 1.0]], [1])


@pytest.mark.parametrize("steps", [0, -1, 1.5, True, "2", None])
def test_bad_steps_are_refused_before_any_training(steps):
    model = neuron()
    with pytest.raises((ValueError, TypeError), match=re.escape(f"steps={steps!r}")):
        trace(model, [[1.0, 1.0]], [1], steps=steps)
    np.testing.assert_array_equal(model.get_weights()[0], [[0.1], [0.6]])
    assert model.optimizer.iterations == 0


@pytest.mark.parametrize("decimals", [-1, 1.5, "3", True, None])
@pytest.mark.parametrize("method", ["to_text", "to_markdown"])
def test_bad_decimals_are_refused(method, decimals):
    t = trace(neuron(), [[1.0, 1.0]], [1])
    message = re.escape(f"received {decimals!r}")
    with pytest.raises((ValueError, TypeError), match=message):
        getattr(t, method)(decimals=decimals)


def test_bad_targets_are_refused_by_trace():
    with pytest.raises(ValueError, match="0/1 labels"):
        trace(neuron(), [[1.0, 1.0]], [2])


# -- the explain command ------------------------------------------------------------
NEURON = [
    "explain",
    "--dataset",
    "gate:or",
    "--hidden",
    "0",
    "--loss",
    "squared_error",
    "--output-activation",
    "sigmoid",
    "--lr",
    "1",
    "--example",
    "3",
    "--weights",
    "W1=0.1,0.6;b1=0",
]


def run_cli(capsys, argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, argv, code=2):
    got, out, err = run_cli(capsys, argv)
    assert got == code, (argv, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mlplab: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_cli_explain_prints_the_single_neuron(capsys):
    code, out, err = run_cli(capsys, NEURON)
    assert code == 0, err
    assert out.startswith("Step 1 of 1: 1 example, SGD, learning rate 1\n")
    assert "Z1 = X·W1 + b1" in out
    assert "Z1 = [  0.700]" in out
    assert "X = [  1.000   1.000]" in out  # example 3 of the OR gate
    assert "L = (1/2)·mean over all entries of (a − y)²" in out
    assert "dL/dA = [ -0.332]" in out
    a = 1 / (1 + math.exp(-0.7))
    assert f"dZ1 = [{(a - 1) * a * (1 - a):>7.3f}]" in out


def test_cli_explain_markdown_and_json(capsys):
    code, md, err = run_cli(capsys, [*NEURON, "--format", "markdown"])
    assert code == 0, err
    assert "|---|---:|" in md and "| 1 | 0.700 |" in md

    code, out, err = run_cli(capsys, [*NEURON, "--format", "json"])
    assert code == 0, err
    d = json.loads(out)
    a = 1 / (1 + math.exp(-0.7))
    assert d["loss"] == "squared_error"
    assert d["steps"][0]["loss_before"] == pytest.approx(0.5 * (a - 1) ** 2, rel=1e-14)
    assert d["steps"][0]["layers"][0]["Z"] == [[pytest.approx(0.7, rel=1e-15)]]
    assert d["steps"][0]["X"] == [[1.0, 1.0]]
    assert d["steps"][0]["Y"] == [[1.0]]


def test_cli_explain_decimals_rows_and_steps(capsys):
    code, out, err = run_cli(capsys, [*NEURON, "--steps", "2", "--decimals", "2"])
    assert code == 0, err
    assert "Step 1 of 2" in out and "Step 2 of 2" in out
    assert "Z1 = [  0.70]" in out
    code, out, err = run_cli(
        capsys, ["explain", "--dataset", "gate:xor", "--hidden", "2", "--rows", "2"]
    )
    assert code == 0, err
    assert "4 examples" in out
    assert "… 2 more rows (4×2)" in out


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (["--weights", "W9=1"], "'W9=1'"),
        (["--weights", "W1=1,2,3"], "received 3"),
        (["--weights", "W1=a"], "'a'"),
        (["--weights", "b1"], "'b1'"),
        (["--example", "99"], "--example 99 is out of range: the data has 4 rows"),
        (["--example", "4"], "--example 4 is out of range: the data has 4 rows (0..3)"),
        (["--example", "0,7"], "--example 7 is out of range"),
        (["--example", "x"], "'x'"),
        (["--example", "3-1"], "'3-1'"),
        (["--steps", "0"], "--steps must be at least 1; received 0"),
        (["--rows", "0"], "--rows must be at least 1; received 0"),
    ],
)
def test_cli_explain_bad_options(capsys, change, problem):
    line = one_line_error(capsys, [*NEURON, *change])
    assert problem in line
    if "--weights" in change:
        assert "--weights" in line and "W1" in line


@pytest.mark.parametrize(
    ("rows", "count"), [("0-9", 4), ("1-2", 2), ("0,2", 2), ("2", 1), ("all", 4)]
)
def test_cli_explain_example_selects_rows(capsys, rows, count):
    argv = ["explain", "--dataset", "gate:or", "--hidden", "0", "--format", "json"]
    code, out, err = run_cli(capsys, [*argv, "--example", rows])
    assert code == 0, err
    X = json.loads(out)["steps"][0]["X"]
    gate = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert len(X) == count
    assert all(row in gate for row in X)
    if rows == "0,2":
        assert X == [gate[0], gate[2]]


def test_cli_explain_bad_decimals_exit_2(capsys):
    line = one_line_error(capsys, [*NEURON, "--decimals", "-1"])
    assert "-1" in line


# -- the gradcheck command ----------------------------------------------------------
def gradcheck_rows(out):
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("dense") and "/" in parts[0]:
            rows[parts[0]] = (float(parts[3]), parts[4])
    return rows


@pytest.fixture
def planted():
    """The path of the planted bugs; the activations and modules its import
    registers are removed afterwards."""
    modules = set(sys.modules)
    yield str(PLANTED)
    for name in ("buggy_elu", "tanh_over_n"):
        if name in activations.names():
            activations.REGISTRY.unregister(name)
    for name in set(sys.modules) - modules:
        if name.startswith("mlplab_user_"):
            del sys.modules[name]


def test_cli_gradcheck_passes_a_correct_model(capsys):
    code, out, err = run_cli(capsys, ["gradcheck", "--samples", "40"])
    assert code == 0, err
    assert "relative error" in out
    assert "threshold: relative error <= 1e-06" in out
    assert "gradient check on 32 examples" in out
    rows = gradcheck_rows(out)
    assert set(rows) == {"dense/W", "dense/b", "dense_1/W", "dense_1/b"}
    for name, (err_, verdict) in rows.items():
        assert verdict == "pass", name
        assert err_ < 1e-8, name
    assert "all 4 arrays pass" in out


@pytest.mark.parametrize("activation", ["buggy_elu", "tanh_over_n"])
def test_cli_gradcheck_catches_the_planted_bugs(capsys, planted, activation):
    argv = ["gradcheck", "--import", planted, "--activation", activation]
    for _ in range(2):  # importing the same file again must work too
        code, out, err = run_cli(capsys, [*argv, "--samples", "40"])
        assert code == 1, err
        rows = gradcheck_rows(out)
        assert rows["dense/W"][1] == rows["dense/b"][1] == "FAIL"
        assert rows["dense/W"][0] > 1e-2
        assert rows["dense_1/W"][1] == rows["dense_1/b"][1] == "pass"
        assert "2 of 4 arrays FAIL; the worst entry is dense/" in out
    assert activation in activations.names()


def test_cli_gradcheck_threshold_decides(capsys, planted):
    argv = ["gradcheck", "--import", planted, "--activation", "tanh_over_n"]
    code, out, _ = run_cli(capsys, [*argv, "--threshold", "0.99"])
    assert code == 0
    assert "threshold: relative error <= 0.99" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--import", "missing.py"], "--import: no such file: missing.py"),
        (["--threshold", "0"], "--threshold must be > 0; received 0"),
        (["--eps", "-1"], "--eps must be > 0; received -1"),
        (["--activation", "nope"], "nope"),
    ],
)
def test_cli_gradcheck_bad_options(capsys, argv, problem):
    assert problem in one_line_error(capsys, ["gradcheck", *argv])


def test_explain_uses_an_imported_activation(capsys, planted):
    code, out, err = run_cli(
        capsys,
        [
            *["explain", "--import", planted, "--activation", "buggy_elu"],
            *["--hidden", "2", "--dataset", "gate:xor", "--example", "1"],
        ],
    )
    assert code == 0, err
    assert "Dense 2 → 2, buggy_elu" in out
    assert "buggy_elu'(Z1)" in out


# -- registering one's own components -------------------------------------------------
@pytest.fixture
def registry_guard():
    before = {family: set(family.names()) for family in (activations, losses)}
    yield
    for family, names in before.items():
        for name in set(family.names()) - names:
            family.REGISTRY.unregister(name)


def make_softsign():
    class Softsign(activations.ActivationFunction):
        name = "softsign_test"

        def forward(self, Z, out=None):
            return np.divide(Z, 1.0 + np.abs(Z), out=out)

        def derivative(self, Z, A):
            return 1.0 / (1.0 + np.abs(Z)) ** 2

    return Softsign


def test_register_an_activation(registry_guard):
    cls = make_softsign()
    assert activations.register(cls) is cls
    assert activations.register(cls) is cls  # the same class again is fine
    assert "softsign_test" in activations.names()
    again = make_softsign()  # the same definition run again replaces it
    assert activations.register(again) is again
    assert activations.REGISTRY["softsign_test"] is again

    model = ml.Sequential(
        [ml.Dense(3, activation="softsign_test"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    model.compile("binary_crossentropy", "sgd")
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0) * 1
    assert ml.gradcheck(model, X, y).max_relative_error < 1e-7
    t = trace(model, X, y)
    np.testing.assert_allclose(
        t.layers[0]["A"], t.layers[0]["Z"] / (1 + np.abs(t.layers[0]["Z"]))
    )
    assert "softsign_test'(Z1)" in t.to_text()


def test_register_errors(registry_guard):
    with pytest.raises(TypeError, match=r"ActivationFunction.*int"):
        activations.register(int)
    with pytest.raises(TypeError, match="subclass"):
        activations.register(losses.SquaredError)
    with pytest.raises(TypeError, match="subclass"):
        activations.register(np.tanh)

    class Nameless(activations.ActivationFunction):
        pass

    with pytest.raises(ValueError, match="Nameless needs a class attribute name"):
        activations.register(Nameless)

    class Blank(activations.ActivationFunction):
        name = "  "

    with pytest.raises(ValueError, match="Blank"):
        activations.register(Blank)

    class MyTanh(activations.Tanh):
        name = "tanh"

    with pytest.raises(ValueError, match="'tanh' is taken by Tanh"):
        activations.register(MyTanh)
    # even a class that looks like a rerun of mlplab's own (same qualified name)
    lookalike = type("Tanh", (activations.Tanh,), {"name": "tanh"})
    assert lookalike.__qualname__ == activations.Tanh.__qualname__
    with pytest.raises(ValueError, match="'tanh' is taken by Tanh"):
        activations.register(lookalike)
    assert activations.REGISTRY["tanh"] is activations.Tanh

    class Other(activations.ActivationFunction):
        name = "softsign_test"

    first = activations.register(make_softsign())
    with pytest.raises(ValueError, match="'softsign_test' is taken by Softsign"):
        activations.register(Other)
    assert activations.REGISTRY["softsign_test"] is first

    with pytest.raises(TypeError, match="Loss"):
        losses.register(activations.Tanh)

    class MyMSE(losses.Loss):
        name = "mse"

    with pytest.raises(ValueError, match="'mse' is taken"):
        losses.register(MyMSE)


def make_log_cosh(buggy=False):
    class LogCosh(losses.Loss):
        """mean over all entries of log cosh(a - y)"""

        name = "log_cosh_test"

        def __call__(self, Y, A):
            return float(np.mean(np.log(np.cosh(A - Y))))

        def gradient(self, Y, A, out=None):
            g = np.tanh(A - Y)
            return np.divide(g, 1.0 if buggy else A.size, out=out)

    return LogCosh


@pytest.mark.parametrize("buggy", [False, True])
def test_register_a_loss_that_gradcheck_checks(registry_guard, buggy):
    cls = make_log_cosh(buggy)
    assert losses.register(cls) is cls
    assert "log_cosh_test" in losses.names()
    model = ml.Sequential(
        [ml.Dense(3, activation="tanh"), ml.Dense(1)], input_dim=2, seed=0
    )
    model.compile("log_cosh_test", "sgd")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), rng.normal(size=8)
    report = ml.gradcheck(model, X, y)
    assert report.passed() is not buggy
    if not buggy:
        assert report.max_relative_error < 1e-7
        t = trace(model, X, y)
        out = t.layers[-1]
        close(
            out["dA"],
            fd(lambda A: np.mean(np.log(np.cosh(A - y[:, None]))), out["A"]),
            "custom loss dA",
        )
        assert "L = log_cosh_test(Y, A)" in t.to_text()
