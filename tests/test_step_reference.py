"""The optimized training step gives the textbook's numbers.

mlplab's step keeps every weight in one flat array, reuses its work buffers,
stores activations unit by unit (Fortran order), fuses sigmoid and softmax with
their cross-entropies and takes those losses from the logits. The reference
below is the plain version: rows are samples, ``Z = X @ W + b`` and
``A = f(Z)`` layer by layer, the loss and ``dL/dA`` straight from their
formulas, the chain rule through every activation (the full Jacobian for
softmax) and the optimizers' update rules written out. It shares no code with
mlplab; it only reads the starting weights through ``get_weights()``. In
float64 the two agree to 1e-12.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

import mlplab as ml

EXACT = {"rtol": 1e-12, "atol": 1e-12}
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}

N_FEATURES = 3
HIDDEN_UNITS = (4, 3)

# Hidden activations, with the alpha the test gives those that take one (not
# their defaults, so that the parameter is seen to reach the computation).
HIDDEN = {
    "sigmoid": None,
    "tanh": None,
    "relu": None,
    "leaky_relu": 0.1,
    "elu": 0.7,
    "exp": None,
    "linear": None,
}
KINKED = {"relu", "leaky_relu", "elu"}

# Output activation, loss and number of output units.
OUTPUTS = {
    "sigmoid-bce": ("sigmoid", "binary_crossentropy", 1),
    "softmax-cce": ("softmax", "categorical_crossentropy", 3),
    "linear-squared_error": ("linear", "squared_error", 2),
    "linear-mse": ("linear", "mse", 1),
    "sigmoid-mse": ("sigmoid", "mse", 2),
    # Not fused: mlplab goes through softmax's own Jacobian-vector product.
    "softmax-mse": ("softmax", "mse", 3),
    "linear-absolute_error": ("linear", "absolute_error", 2),
    "linear-huber": ("linear", "huber", 2),
    "exp-poisson": ("exp", "poisson", 2),
}
HUBER_DELTA = 1.0  # mlplab's default

# The penalty factor of the i-th Dense layer is (i + 1) times this.
REGULARIZERS = {"l2": 0.01, "l1": 0.005}

# mlplab gets only the learning rate (and SGD's momentum): the rest are its
# defaults, which should be Keras's, written out in TextbookOptimizer.
OPTIMIZERS = {
    "sgd": {"kind": "sgd", "learning_rate": 0.3},
    "momentum": {"kind": "sgd", "learning_rate": 0.1, "momentum": 0.9},
    "nesterov": {
        "kind": "sgd",
        "learning_rate": 0.1,
        "momentum": 0.9,
        "nesterov": True,
    },
    "rmsprop": {"kind": "rmsprop", "learning_rate": 0.01},
    "adagrad": {"kind": "adagrad", "learning_rate": 0.1},
    "adam": {"kind": "adam", "learning_rate": 0.02},
}


@dataclass(frozen=True)
class Case:
    hidden: tuple[str, ...]  # activation of each hidden layer, keys of HIDDEN
    output: str  # key of OUTPUTS
    reg: str | None = None  # key of REGULARIZERS
    optimizer: str = "sgd"  # key of OPTIMIZERS
    seed: int = 0

    @property
    def lr_scale(self) -> float:
        """A tenth of the learning rate where exp units are (their slope grows
        with their output: the full rates diverge within the few steps)."""
        uses_exp = "exp" in self.hidden or OUTPUTS[self.output][0] == "exp"
        return 0.1 if uses_exp else 1.0

    @property
    def id(self) -> str:
        parts = ["-".join(self.hidden) or "no_hidden", self.output]
        parts.append(self.reg or "no_reg")
        return "/".join([*parts, self.optimizer])


# -- the textbook network ------------------------------------------------------


def _alpha(name: str) -> float:
    alpha = HIDDEN.get(name)
    assert alpha is not None
    return alpha


def activate(name: str, Z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-Z))
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.where(Z > 0, Z, 0.0)
    if name == "leaky_relu":
        return np.where(Z > 0, Z, _alpha(name) * Z)
    if name == "elu":
        return np.where(Z > 0, Z, _alpha(name) * (np.exp(Z) - 1.0))
    if name == "exp":
        return np.exp(Z)
    if name == "linear":
        return Z.copy()
    if name == "softmax":
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)
    raise AssertionError(name)


def derivative(name: str, Z: np.ndarray) -> np.ndarray:
    """f'(Z), elementwise, from Z alone."""
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-Z))
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(Z) ** 2
    if name == "relu":
        return np.where(Z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(Z > 0, 1.0, _alpha(name))
    if name == "elu":
        return np.where(Z > 0, 1.0, _alpha(name) * np.exp(Z))
    if name == "exp":
        return np.exp(Z)
    if name == "linear":
        return np.ones_like(Z)
    raise AssertionError(name)


def activation_backward(name: str, Z: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """dL/dZ from dL/dA by the chain rule."""
    if name == "softmax":
        # Per sample, J[i, j] = dA_i / dZ_j = a_i (delta_ij - a_j); dZ = dA @ J.
        A = activate(name, Z)
        k = Z.shape[1]
        J = A[:, :, None] * (np.eye(k)[None, :, :] - A[:, None, :])
        return np.einsum("ni,nij->nj", dA, J)
    return dA * derivative(name, Z)


def loss_and_dA(name: str, Y: np.ndarray, A: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean loss and its derivative with respect to the outputs A."""
    n, k = Y.shape
    if name == "binary_crossentropy":
        value = -np.sum(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A)) / n
        return value, -(Y / A - (1.0 - Y) / (1.0 - A)) / n
    if name == "categorical_crossentropy":
        return -np.sum(Y * np.log(A)) / n, -Y / A / n
    if name == "squared_error":
        return np.sum((A - Y) ** 2) / (2 * n * k), (A - Y) / (n * k)
    if name == "mse":
        return np.sum((A - Y) ** 2) / (n * k), 2.0 * (A - Y) / (n * k)
    R = A - Y
    if name == "absolute_error":
        # Rounding must not move a residual across the kink at 0.
        assert np.abs(R).min() > 1e-9, "test data too close to a kink"
        return np.sum(np.abs(R)) / (n * k), np.sign(R) / (n * k)
    if name == "huber":
        d = HUBER_DELTA
        assert np.abs(np.abs(R) - d).min() > 1e-9, "test data too close to delta"
        small = np.abs(R) <= d
        h = np.where(small, 0.5 * R**2, d * (np.abs(R) - 0.5 * d))
        return np.sum(h) / (n * k), np.where(small, R, d * np.sign(R)) / (n * k)
    if name == "poisson":
        ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0)), 0.0)
        value = np.sum(ylogy - Y * np.log(A) - Y + A) / n
        return value, (1.0 - Y / A) / n
    raise AssertionError(name)


def penalty_and_gradient(
    reg: str | None, layer: int, W: np.ndarray
) -> tuple[float, np.ndarray]:
    if reg is None:
        return 0.0, np.zeros_like(W)
    factor = REGULARIZERS[reg] * (layer + 1)
    if reg == "l2":
        return factor * np.sum(W**2), 2.0 * factor * W
    return factor * np.sum(np.abs(W)), factor * np.sign(W)


def textbook_loss_and_gradients(
    case: Case, weights: list[np.ndarray], X: np.ndarray, Y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    out_act, loss_name, _ = OUTPUTS[case.output]
    acts = [*case.hidden, out_act]
    Ws, bs = weights[0::2], weights[1::2]
    inputs, Zs = [], []
    A = X
    for act, W, b in zip(acts, Ws, bs, strict=True):
        Z = A @ W + b
        if act in KINKED:
            # Rounding must not move a unit across its kink (test data check).
            assert np.abs(Z).min() > 1e-9, "test data too close to a kink"
        inputs.append(A)
        Zs.append(Z)
        A = activate(act, Z)
    loss, dA = loss_and_dA(loss_name, Y, A)
    grads: list[np.ndarray] = [np.empty(0)] * len(weights)
    for i in range(len(acts) - 1, -1, -1):
        penalty, dpenalty = penalty_and_gradient(case.reg, i, Ws[i])
        loss += penalty
        dZ = activation_backward(acts[i], Zs[i], dA)
        grads[2 * i] = inputs[i].T @ dZ + dpenalty
        grads[2 * i + 1] = dZ.sum(axis=0)
        dA = dZ @ Ws[i].T
    return float(loss), grads


class TextbookOptimizer:
    """The update rules, array by array, with Keras's default hyperparameters."""

    def __init__(self, name: str, lr_scale: float = 1.0) -> None:
        spec = OPTIMIZERS[name]
        self.kind = spec["kind"]
        self.lr = spec["learning_rate"] * lr_scale
        self.momentum = spec.get("momentum", 0.0)
        self.nesterov = spec.get("nesterov", False)
        self.rho, self.epsilon = 0.9, 1e-7
        self.initial_accumulator_value = 0.1
        self.beta_1, self.beta_2 = 0.9, 0.999
        self.t = 0
        self.state: list[dict[str, np.ndarray]] | None = None

    def step(self, weights: list[np.ndarray], grads: list[np.ndarray]) -> list:
        if self.state is None:
            s0 = self.initial_accumulator_value if self.kind == "adagrad" else 0.0
            self.state = [
                {"v": np.zeros_like(w), "m": np.zeros_like(w), "s": np.full_like(w, s0)}
                for w in weights
            ]
        self.t += 1
        t, lr = self.t, self.lr
        new = []
        for w, g, st in zip(weights, grads, self.state, strict=True):
            if self.kind == "sgd" and not self.momentum:
                w = w - lr * g
            elif self.kind == "sgd":
                st["v"] = self.momentum * st["v"] - lr * g
                if self.nesterov:
                    w = w + self.momentum * st["v"] - lr * g
                else:
                    w = w + st["v"]
            elif self.kind == "rmsprop":
                st["s"] = self.rho * st["s"] + (1.0 - self.rho) * g**2
                w = w - lr * g / (np.sqrt(st["s"]) + self.epsilon)
            elif self.kind == "adagrad":
                st["s"] = st["s"] + g**2
                w = w - lr * g / (np.sqrt(st["s"]) + self.epsilon)
            else:  # adam, Keras's form: epsilon added to sqrt(v), not sqrt(v_hat)
                b1, b2 = self.beta_1, self.beta_2
                st["m"] = b1 * st["m"] + (1.0 - b1) * g
                st["v"] = b2 * st["v"] + (1.0 - b2) * g**2
                rate = lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)
                w = w - rate * st["m"] / (np.sqrt(st["v"]) + self.epsilon)
            new.append(w)
        return new


def textbook_step(case, opt, weights, X, Y):
    loss, grads = textbook_loss_and_gradients(case, weights, X, Y)
    return loss, opt.step(weights, grads)


# -- the mlplab side -------------------------------------------------------------


def _mlplab_activation(name: str):
    alpha = HIDDEN.get(name)
    return name if alpha is None else {"name": name, "alpha": alpha}


def _mlplab_regularizer(reg: str | None, layer: int):
    if reg is None:
        return None
    factor = REGULARIZERS[reg] * (layer + 1)
    return ml.L2(factor) if reg == "l2" else ml.L1(factor)


def mlplab_optimizer(name: str, lr_scale: float = 1.0) -> ml.optimizers.Optimizer:
    spec = OPTIMIZERS[name]
    lr = spec["learning_rate"] * lr_scale
    if spec["kind"] == "sgd":
        return ml.SGD(
            learning_rate=lr,
            momentum=spec.get("momentum", 0.0),
            nesterov=spec.get("nesterov", False),
        )
    return {"rmsprop": ml.RMSprop, "adagrad": ml.Adagrad, "adam": ml.Adam}[
        spec["kind"]
    ](learning_rate=lr)


def build(case: Case, dtype: str = "float64") -> ml.Sequential:
    """The case's compiled model, with weights drawn here (biases not zero)."""
    out_act, loss_name, k = OUTPUTS[case.output]
    layers = [
        ml.Dense(
            HIDDEN_UNITS[i],
            activation=_mlplab_activation(act),
            kernel_regularizer=_mlplab_regularizer(case.reg, i),
        )
        for i, act in enumerate(case.hidden)
    ]
    layers.append(
        ml.Dense(
            k,
            activation=out_act,
            kernel_regularizer=_mlplab_regularizer(case.reg, len(case.hidden)),
        )
    )
    model = ml.Sequential(layers, input_dim=N_FEATURES, seed=case.seed, dtype=dtype)
    rng = np.random.default_rng(500 + case.seed)
    # Smaller weights into exp units keep their outputs moderate (0.3 to 3):
    # the textbook's plain formulas are exact only there, and the steps stable.
    acts = [*case.hidden, out_act]
    model.set_weights(
        [
            rng.normal(
                scale=0.3 if w.ndim == 1 or acts[i // 2] == "exp" else 0.8,
                size=w.shape,
            )
            for i, w in enumerate(model.get_weights())
        ]
    )
    model.compile(
        loss=loss_name, optimizer=mlplab_optimizer(case.optimizer, case.lr_scale)
    )
    return model


def make_data(case: Case, n: int = 9):
    """Inputs X, labels y as mlplab takes them, and their (n, k) matrix Y."""
    rng = np.random.default_rng(1000 + case.seed)
    X = rng.normal(size=(n, N_FEATURES))
    out_act, loss_name, k = OUTPUTS[case.output]
    if loss_name == "binary_crossentropy":
        y = rng.permutation(np.arange(n) % 2)  # 0/1 labels, shape (n,)
        Y = y.reshape(-1, 1).astype(np.float64)
    elif out_act == "softmax":
        y = rng.permutation(np.arange(n) % k)  # integer labels, every class
        Y = np.eye(k)[y]
    elif case.output == "sigmoid-mse":
        y = Y = rng.uniform(0.05, 0.95, size=(n, k))
    elif loss_name == "poisson":
        y = Y = rng.poisson(1.5, size=(n, k)).astype(np.float64)  # counts
    else:
        Y = rng.normal(size=(n, k))
        y = Y.ravel() if k == 1 else Y
    return X, y, Y


def assert_weights_close(actual, expected, **tol):
    tol = tol or EXACT
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.shape == e.shape, f"array {i}: shape {a.shape} != {e.shape}"
        np.testing.assert_allclose(a, e, err_msg=f"array {i}", **tol)


# -- the cases -------------------------------------------------------------------

HIDDEN_NAMES = list(HIDDEN)
OUTPUT_NAMES = list(OUTPUTS)
OPTIMIZER_NAMES = list(OPTIMIZERS)
REG_CYCLE = [None, "l2", "l1"]


def _gradient_cases() -> list[Case]:
    cases = []
    seed = itertools.count()
    for out in OUTPUT_NAMES:
        for reg in REG_CYCLE:
            cases.append(Case((), out, reg, seed=next(seed)))
        for i, h in enumerate(HIDDEN_NAMES):
            for reg in (None, "l2"):
                cases.append(Case((h,), out, reg, seed=next(seed)))
            h2 = HIDDEN_NAMES[(i + 1) % len(HIDDEN_NAMES)]
            cases.append(Case((h, h2), out, REG_CYCLE[i % 3], seed=next(seed)))
    return cases


def _training_cases() -> list[Case]:
    """Every optimizer with every output and loss and each depth; the hidden
    activations and the regularizer rotate."""
    cases = []
    seed = itertools.count()
    rotation = itertools.count()
    for i, opt in enumerate(OPTIMIZER_NAMES):
        for j, out in enumerate(OUTPUT_NAMES):
            for depth in (0, 1, 2):
                k = next(rotation) if depth else 0
                hidden = tuple(
                    HIDDEN_NAMES[(k + d) % len(HIDDEN_NAMES)] for d in range(depth)
                )
                reg = REG_CYCLE[(i + j + depth) % len(REG_CYCLE)]
                cases.append(Case(hidden, out, reg, opt, seed=next(seed)))
    return cases


def _ids(case: Case) -> str:
    return case.id


GRADIENT_CASES = _gradient_cases()
TRAINING_CASES = _training_cases()


def test_the_cases_cover_every_combination_asked_for():
    cases = TRAINING_CASES
    assert {(c.optimizer, c.output, len(c.hidden)) for c in cases} == set(
        itertools.product(OPTIMIZER_NAMES, OUTPUT_NAMES, (0, 1, 2))
    )
    assert {(c.optimizer, h) for c in cases for h in c.hidden} == set(
        itertools.product(OPTIMIZER_NAMES, HIDDEN_NAMES)
    )
    assert {(c.optimizer, c.reg) for c in cases} == set(
        itertools.product(OPTIMIZER_NAMES, REG_CYCLE)
    )
    assert {(c.hidden[:1], c.output) for c in GRADIENT_CASES} == set(
        itertools.product([(), *((h,) for h in HIDDEN_NAMES)], OUTPUT_NAMES)
    )


# -- the textbook reference checks itself ------------------------------------------


@pytest.mark.parametrize("case", GRADIENT_CASES[:: len(GRADIENT_CASES) // 12], ids=_ids)
def test_textbook_gradients_match_finite_differences(case):
    """The reference's chain rule is right: it agrees with central
    differences of its own loss (so the comparisons below test mlplab against
    the formulas, not against a shared mistake)."""
    model = build(case)
    weights = model.get_weights()
    X, _, Y = make_data(case)
    _, grads = textbook_loss_and_gradients(case, weights, X, Y)
    h = 1e-6
    for i, w in enumerate(weights):
        numeric = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            plus = [v.copy() for v in weights]
            minus = [v.copy() for v in weights]
            plus[i][idx] += h
            minus[i][idx] -= h
            up = textbook_loss_and_gradients(case, plus, X, Y)[0]
            down = textbook_loss_and_gradients(case, minus, X, Y)[0]
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-5, atol=1e-7)


# -- float64: mlplab equals the textbook -------------------------------------------


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=_ids)
def test_loss_and_gradients_match_textbook(case):
    model = build(case)
    X, y, Y = make_data(case)
    expected_loss, expected_grads = textbook_loss_and_gradients(
        case, model.get_weights(), X, Y
    )
    loss, grads = model.loss_and_gradients(X, y)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, expected_loss, **EXACT)
    assert_weights_close(grads, expected_grads)


@pytest.mark.parametrize("case", TRAINING_CASES, ids=_ids)
def test_train_steps_match_textbook(case):
    """Four steps on batches of changing sizes (so the work buffers of several
    batch sizes are made and reused): the losses returned, taken before each
    update, and the weights after each step."""
    model = build(case)
    X, y, Y = make_data(case)
    opt = TextbookOptimizer(case.optimizer, case.lr_scale)
    weights = model.get_weights()
    for rows in (slice(None), slice(0, 5), slice(3, 9), slice(None)):
        expected_loss, weights = textbook_step(case, opt, weights, X[rows], Y[rows])
        loss = model.train_step(X[rows], y[rows])
        np.testing.assert_allclose(loss, expected_loss, **EXACT)
        assert_weights_close(model.get_weights(), weights)
    assert model.optimizer.iterations == opt.t == 4


@pytest.mark.parametrize("case", TRAINING_CASES, ids=_ids)
def test_full_batch_fit_matches_textbook(case):
    model = build(case)
    X, y, Y = make_data(case)
    opt = TextbookOptimizer(case.optimizer, case.lr_scale)
    weights = model.get_weights()
    expected = []
    for _ in range(5):
        loss, weights = textbook_step(case, opt, weights, X, Y)
        expected.append(loss)
    history = model.fit(X, y, epochs=5)  # batch_size=None: one step per epoch
    np.testing.assert_allclose(history.history["loss"], expected, **EXACT)
    assert_weights_close(model.get_weights(), weights)


def _textbook_minibatch_fit(case, weights, X, Y, epochs, batch_size, shuffle, seed):
    """Mini-batch training: each epoch draws ``rng.permutation(n)`` and takes
    consecutive slices of it; the epoch's loss is the size-weighted mean of the
    batch losses, each taken before its update."""
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    opt = TextbookOptimizer(case.optimizer, case.lr_scale)
    history = []
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle else np.arange(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss, weights = textbook_step(case, opt, weights, X[idx], Y[idx])
            total += loss * len(idx)
        history.append(total / n)
    return history, weights


@pytest.mark.parametrize("case", TRAINING_CASES, ids=_ids)
def test_shuffled_minibatch_fit_matches_textbook(case):
    """Batches of 4, 4 and 2 out of 10 samples, reshuffled every epoch from
    ``np.random.default_rng(seed)``."""
    model = build(case)
    X, y, Y = make_data(case, n=10)
    expected, weights = _textbook_minibatch_fit(
        case, model.get_weights(), X, Y, epochs=3, batch_size=4, shuffle=True, seed=7
    )
    history = model.fit(X, y, epochs=3, batch_size=4, shuffle=True, seed=7)
    np.testing.assert_allclose(history.history["loss"], expected, **EXACT)
    assert_weights_close(model.get_weights(), weights)


@pytest.mark.parametrize("case", TRAINING_CASES[::7], ids=_ids)
def test_unshuffled_minibatch_fit_matches_textbook(case):
    model = build(case)
    X, y, Y = make_data(case, n=10)
    expected, weights = _textbook_minibatch_fit(
        case, model.get_weights(), X, Y, epochs=3, batch_size=3, shuffle=False, seed=0
    )
    history = model.fit(X, y, epochs=3, batch_size=3, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], expected, **EXACT)
    assert_weights_close(model.get_weights(), weights)


def test_shuffling_changes_the_numbers():
    """The comparisons above can tell orders apart: two seeds give different
    training runs, each matched by the textbook with that seed only."""
    case = Case(("tanh",), "sigmoid-bce", None, "sgd", seed=3)
    X, y, Y = make_data(case, n=10)
    model = build(case)
    start = model.get_weights()
    runs = [
        _textbook_minibatch_fit(case, start, X, Y, 2, 4, True, seed) for seed in (7, 8)
    ]
    assert not np.allclose(runs[0][0], runs[1][0], **EXACT)
    history = model.fit(X, y, epochs=2, batch_size=4, seed=8)
    np.testing.assert_allclose(history.history["loss"], runs[1][0], **EXACT)
    assert not np.allclose(history.history["loss"], runs[0][0], **EXACT)


# -- float32 -------------------------------------------------------------------------


def _reachable_arrays(obj, path: str, seen: set[int] | None = None):
    """(path, array) for every ndarray reachable from ``obj`` through mlplab
    objects, dicts, lists and tuples."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield path, obj
        return
    if isinstance(obj, dict):
        items = [(f"{path}[{k!r}]", v) for k, v in obj.items()]
    elif isinstance(obj, list | tuple):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(obj)]
    elif type(obj).__module__.startswith("mlplab"):
        items = [(f"{path}.{k}", v) for k, v in getattr(obj, "__dict__", {}).items()]
    else:
        return
    for p, v in items:
        yield from _reachable_arrays(v, p, seen)


FLOAT32_CASES = [
    Case(("tanh", "relu"), out, "l2", opt, seed=20 + i)
    for i, (opt, out) in enumerate(
        itertools.product(("adam", "momentum"), ("softmax-cce", "sigmoid-bce"))
    )
] + [
    Case(("elu",), "linear-mse", "l1", "adam", seed=30),
    Case(("sigmoid",), "sigmoid-mse", None, "momentum", seed=31),
    Case(("exp",), "exp-poisson", "l2", "adam", seed=32),
    Case(("tanh",), "linear-huber", None, "momentum", seed=33),
]


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=_ids)
def test_float32_model_stays_float32(case):
    f32 = np.dtype(np.float32)
    model = build(case, dtype="float32")
    X, y, _ = make_data(case, n=10)
    model.fit(X, y, epochs=3, batch_size=4, seed=0)  # X and y are float64
    model.fit(X, y, epochs=2)  # and a full batch

    assert all(w.dtype == f32 for w in model.get_weights())
    assert model._flat_params.dtype == f32
    assert model._flat_grads.dtype == f32
    for layer in model.layers:
        assert set(layer.params) == set(layer.grads) == {"W", "b"}
        for key in layer.params:
            assert layer.params[key].dtype == f32, (layer.name, key)
            assert layer.grads[key].dtype == f32, (layer.name, key)
        bufs = [v for v in layer._bufs.values() if isinstance(v, np.ndarray)]
        assert len(bufs) >= 4
        assert all(v.dtype == f32 for v in bufs), {
            k: v.dtype for k, v in layer._bufs.items()
        }
    slots = [a for s in model.optimizer._slots for a in s.values()]
    assert slots  # Adam's moments or the velocity
    assert all(a.dtype == f32 for a in slots)
    assert model.optimizer._scratch
    assert all(a.dtype == f32 for a in model.optimizer._scratch)
    # Nothing else the model holds, its loss, optimizer and layers included,
    # is a float array of another precision.
    found = list(_reachable_arrays(model, "model"))
    assert len(found) >= 10
    others = {p: a.dtype for p, a in found if a.dtype.kind == "f" and a.dtype != f32}
    assert not others

    assert model.predict(X).dtype == f32
    loss, grads = model.loss_and_gradients(X, y)
    assert np.isfinite(loss)
    assert all(g.dtype == f32 for g in grads)


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=_ids)
def test_float32_steps_agree_with_float64_textbook(case):
    model = build(case, dtype="float32")
    X, y, Y = make_data(case)
    # The same inputs and targets for both (labels are exact anyway).
    X = X.astype(np.float32).astype(np.float64)
    Y = Y.astype(np.float32).astype(np.float64)
    if y.dtype.kind == "f":
        y = y.astype(np.float32).astype(np.float64)
    # float32 weights are float64 numbers: the textbook starts exactly there.
    weights = [w.astype(np.float64) for w in model.get_weights()]

    expected_loss, expected_grads = textbook_loss_and_gradients(case, weights, X, Y)
    loss, grads = model.loss_and_gradients(X, y)
    np.testing.assert_allclose(loss, expected_loss, **FLOAT32)
    assert_weights_close(grads, expected_grads, **FLOAT32)

    opt = TextbookOptimizer(case.optimizer, case.lr_scale)
    for _ in range(3):
        expected_loss, weights = textbook_step(case, opt, weights, X, Y)
        loss = model.train_step(X, y)
        np.testing.assert_allclose(loss, expected_loss, **FLOAT32)
        assert_weights_close(model.get_weights(), weights, **FLOAT32)
