"""The estimators follow scikit-learn's MLP step by step: from the same
initial weights (assigned to ``coefs_`` and ``intercepts_``, which both
libraries then train from) and the same batches, every solver (sgd with and
without momentum, nesterov, adam, lbfgs), activation and loss gives the same
weights after each step, to 1e-12 in float64 -- multi-output regression
included."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network import MLPRegressor as SkRegressor

from mlplab.estimators import MLPClassifier, MLPRegressor

STEPS = 3
N, D, H = 24, 3, 5
SOLVERS = {
    "sgd": {"solver": "sgd", "momentum": 0.0},
    "momentum": {"solver": "sgd", "nesterovs_momentum": False},
    "nesterov": {"solver": "sgd"},
    "adam": {"solver": "adam"},
}
ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
TASKS = {
    # name: (estimators, targets, output units, output activation, loss)
    "regression": ("regression", 1, "identity", "squared_error"),
    "regression-3-targets": ("regression", 3, "identity", "squared_error"),
    "poisson": ("poisson", 1, "exp", "poisson"),
    "binary": ("classification", 2, "logistic", None),
    "multiclass": ("classification", 3, "softmax", None),
    "multilabel": ("multilabel", 2, "logistic", None),
}


def _problem(task: str, seed: int):
    """Inputs, targets and initial weights for ``task``."""
    rng = np.random.default_rng(seed)
    kind, k, _, _ = TASKS[task]
    X = rng.normal(size=(N, D))
    if kind == "regression":
        y = rng.normal(size=(N, k))
        y = y.ravel() if k == 1 else y
        outputs = k
    elif kind == "poisson":
        y = rng.poisson(2.0, size=N).astype(float)
        outputs = 1
    elif kind == "multilabel":
        y = rng.integers(0, 2, size=(N, k))
        outputs = k
    else:
        y = np.arange(N) % k
        outputs = 1 if k == 2 else k
    weights = (
        [rng.normal(size=(D, H)) * 0.5, rng.normal(size=(H, outputs)) * 0.5],
        [rng.normal(size=H) * 0.1, rng.normal(size=outputs) * 0.1],
    )
    return X, y, outputs, weights


def _started(est, task: str, outputs: int, weights):
    """``est`` with the given initial weights and the fitted attributes that
    scikit-learn's ``partial_fit`` reads when it goes on from assigned ones."""
    coefs, intercepts = weights
    est.coefs_ = [W.copy() for W in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    est.n_outputs_ = outputs
    est.n_layers_ = 3
    est.out_activation_ = TASKS[task][2]
    est.t_ = 0
    est.n_iter_ = 0
    est.best_loss_ = np.inf
    est.loss_curve_ = []
    est._no_improvement_count = 0
    return est


def _pair(task: str, params: dict):
    kind, _, _, loss = TASKS[task]
    if kind in ("regression", "poisson"):
        return SkRegressor(loss=loss, **params), MLPRegressor(loss=loss, **params)
    return SkClassifier(**params), MLPClassifier(**params)


def _step(est, X, y, task: str) -> None:
    kind = TASKS[task][0]
    if kind in ("classification", "multilabel"):
        est.partial_fit(X, y, classes=np.arange(TASKS[task][1]))
    else:
        est.partial_fit(X, y)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("solver", list(SOLVERS))
@pytest.mark.parametrize("task", list(TASKS))
def test_every_step_gives_scikit_learns_weights(task, solver, activation):
    if task == "poisson" and activation == "identity":
        pytest.skip("an exp output over an identity layer overflows: not a case")
    X, y, outputs, weights = _problem(task, seed=len(task) + len(activation))
    params = {
        "hidden_layer_sizes": (H,),
        "activation": activation,
        "batch_size": 8,  # three batches a step (an epoch), in order
        "shuffle": False,
        "learning_rate_init": 0.05,
        "alpha": 0.01,
        **SOLVERS[solver],
    }
    theirs, ours = (_started(e, task, outputs, weights) for e in _pair(task, params))
    for step in range(STEPS):
        _step(theirs, X, y, task)
        _step(ours, X, y, task)
        for a, b in zip(
            theirs.coefs_ + theirs.intercepts_,
            ours.coefs_ + ours.intercepts_,
            strict=True,
        ):
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-12, err_msg=f"step {step}")
        assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12, abs=1e-12)
    assert ours.t_ == theirs.t_ == STEPS * N


@pytest.mark.parametrize("iterations", [1, 2, 5])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("task", list(TASKS))
def test_lbfgs_gives_scikit_learns_weights(task, activation, iterations):
    if task == "poisson" and activation == "identity":
        pytest.skip("an exp output over an identity layer overflows: not a case")
    X, y, outputs, weights = _problem(task, seed=len(task) + len(activation))
    params = {
        "hidden_layer_sizes": (H,),
        "activation": activation,
        "solver": "lbfgs",
        "alpha": 0.01,
        "max_iter": iterations,
        "warm_start": True,  # so that fit starts from the assigned weights
    }
    theirs, ours = (_started(e, task, outputs, weights) for e in _pair(task, params))
    for est in (theirs, ours):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    for a, b in zip(
        theirs.coefs_ + theirs.intercepts_, ours.coefs_ + ours.intercepts_, strict=True
    ):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12, abs=1e-12)
