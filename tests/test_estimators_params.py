"""The estimators' parameters and warnings: the two share one parameter list
with the same defaults, documented once; bad parameters are reported in a
fixed order with their full message; and the warnings point at the caller's
line, not into mlplab.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from mlplab.estimators import _PARAMETERS, MLPClassifier, MLPRegressor
from mlplab.model import Sequential

OWN = {MLPClassifier: "class_weight", MLPRegressor: "loss"}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


def _defaults(cls: type) -> dict[str, object]:
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self"
    }


def test_both_estimators_take_the_same_shared_parameters():
    clf, reg = _defaults(MLPClassifier), _defaults(MLPRegressor)
    clf.pop(OWN[MLPClassifier])
    reg.pop(OWN[MLPRegressor])
    assert clf == reg
    assert list(clf)[:2] == ["hidden_layer_sizes", "activation"]


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_every_parameter_is_explicit_and_documented(cls):
    params = inspect.signature(cls.__init__).parameters.values()
    kinds = {p.kind for p in params if p.name != "self"}
    assert kinds <= {
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    }
    assert set(cls().get_params()) == set(_defaults(cls))
    for name in _defaults(cls):
        documented = re.search(rf"^    {name}\b|^    \w+, {name} :", _PARAMETERS, re.M)
        assert documented or name == OWN[cls], name
        assert name in (cls.__doc__ or "")


def _message(cls: type, X, y, **params) -> str:
    with pytest.raises(ValueError) as info:
        cls(**params).fit(X, y)
    return str(info.value)


# One bad value each, in the order fit checks them: with all of them bad, the
# first is reported; with it fixed, the next.
ORDER = [
    ("hidden_layer_sizes", 0, "a positive integer or a list of them"),
    ("activation", "softplus", "'identity', 'logistic' or "),
    ("dropout", 1.0, "a rate in [0, 1) or a list, one per hidden layer"),
    ("solver", "newton", "one of ('lbfgs', 'adam', 'sgd', 'rmsprop', 'adagrad')"),
    ("learning_rate", "cyclic", "one of ('constant', 'invscaling', 'adaptive')"),
    ("alpha", -1.0, "a number in [0, inf]"),
    ("learning_rate_init", 0.0, "a number in (0, inf]"),
    ("power_t", -1.0, "a number in [0, inf]"),
    ("tol", -0.1, "a number in [0, inf]"),
    ("momentum", 1.0, "a number in [0, 1)"),
    ("beta_1", 1.0, "a number in [0, 1)"),
    ("beta_2", -0.1, "a number in [0, 1)"),
    ("epsilon", 0.0, "a number in (0, inf]"),
    ("validation_fraction", 1.0, "a number in [0, 1)"),
    ("max_iter", 0, "a positive integer"),
    ("max_fun", 0, "a positive integer"),
    ("n_iter_no_change", 0, "a positive integer or np.inf"),
    ("batch_size", 0, "'auto' or a positive integer"),
    ("shuffle", "yes", "True or False"),
    ("warm_start", 1, "True or False"),
    ("nesterovs_momentum", None, "True or False"),
    ("early_stopping", np.int64(1), "True or False"),
    ("verbose", -1, "a bool or an integer >= 0"),
    ("kernel_initializer", "orthogonal", "an initializer ("),
    ("dtype", "int32", "None, 'float64' or 'float32'"),
]


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_bad_parameters_are_reported_in_order(cls, data):
    X, y = data
    bad = {name: value for name, value, _ in ORDER}
    for name, value, what in ORDER:
        message = _message(cls, X, y, **bad)
        assert message.startswith(f"{cls.__name__}: {name} must be {what}"), message
        assert message.endswith(f"; received {name}={value!r}"), message
        del bad[name]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_numbers_must_be_real_and_finite(data):
    X, y = data
    for value in (True, np.bool_(False), float("nan"), "1", None):
        message = _message(MLPClassifier, X, y, alpha=value)
        assert message == (
            f"MLPClassifier: alpha must be a number in [0, inf]; "
            f"received alpha={value!r}"
        )
    for value in (True, 2.0, np.float64(3.0)):
        message = _message(MLPClassifier, X, y, max_iter=value)
        assert "max_iter must be a positive integer" in message
    est = MLPClassifier((4,), max_iter=np.int64(2), n_iter_no_change=np.inf)
    assert est.fit(X, y).n_iter_ == 2


def test_the_subclass_parameters_come_last(data):
    X, y = data
    message = _message(MLPRegressor, X, y, dtype="int32", loss="hinge")
    assert "dtype must be" in message
    message = _message(MLPRegressor, X, y, loss="hinge")
    assert message == (
        "MLPRegressor: loss must be one of ('squared_error', 'mse', "
        "'absolute_error', 'huber', 'poisson'); received loss='hinge'"
    )
    message = _message(MLPClassifier, X, y, class_weight="auto")
    assert message == (
        "MLPClassifier: class_weight must be None, 'balanced' or a dict "
        "{class: weight}; received class_weight='auto'"
    )


def test_per_layer_values_need_one_per_hidden_layer(data):
    X, y = data
    message = _message(MLPClassifier, X, y, hidden_layer_sizes=(4, 4), dropout=[0.1])
    assert message == (
        "MLPClassifier: dropout must be one value or a list of 2, one per hidden "
        "layer; received dropout=[0.1]"
    )


def test_partial_fit_refuses_early_stopping_after_the_checks(data):
    X, y = data
    est = MLPClassifier(early_stopping=True, alpha=-1.0)
    with pytest.raises(ValueError, match="alpha must be"):
        est.partial_fit(X, y, classes=[0, 1])
    est.set_params(alpha=0.0)
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        est.partial_fit(X, y, classes=[0, 1])


# -- where the warnings point -----------------------------------------------------


def test_convergence_warning_points_at_the_caller(data):
    X, y = data
    with pytest.warns(ConvergenceWarning) as record:
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    assert record[0].filename == __file__


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_batch_size_warning_points_at_the_caller(data):
    X, y = data
    for est in (
        MLPClassifier((4,), batch_size=100, max_iter=2, random_state=0),
        MLPRegressor((4,), batch_size=100, random_state=0),
    ):
        with pytest.warns(UserWarning, match="batch_size") as record:
            if isinstance(est, MLPRegressor):
                est.partial_fit(X, y.astype(float))
            else:
                est.fit(X, y)
        assert record[0].filename == __file__


def test_an_interrupt_keeps_the_model_and_points_at_the_caller(data, monkeypatch):
    X, y = data

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Sequential, "fit", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user") as record:
        est = MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    assert record[0].filename == __file__
    assert est.n_iter_ == 0 and est.predict(X).shape == y.shape
