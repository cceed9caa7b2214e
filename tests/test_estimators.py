"""The scikit-learn estimators: scikit-learn's own conformance checks, parity
of accuracy with ``sklearn.neural_network``, the meta-estimators, and each
parameter and fitted attribute doing what scikit-learn's do.

The suite turns warnings into errors, and short trainings end in a
ConvergenceWarning (a warning in scikit-learn, never an error): every test
that trains briefly on purpose says so with a ``filterwarnings`` mark, and the
tests about the warning itself catch it with ``pytest.warns``.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.neural_network._base import poisson_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlplab as ml
from mlplab.estimators import MLPClassifier, MLPRegressor

short_training = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


# -- data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)
    return X, y / y.std()


def fast(cls=MLPClassifier, **params):
    """A small network that learns iris in a few hundred epochs."""
    defaults = dict(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=1000, random_state=0
    )
    return cls(**{**defaults, **params})


# -- scikit-learn's conformance checks -----------------------------------------------

FLOAT32_SGD = dict(
    hidden_layer_sizes=(8, 8),
    activation="tanh",
    solver="sgd",
    learning_rate="adaptive",
    learning_rate_init=0.05,
    max_iter=60,
    dtype="float32",
)
CONFORMANCE = [
    MLPClassifier(),
    MLPRegressor(),
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01),
    MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01),
    MLPClassifier(**FLOAT32_SGD),
    MLPRegressor(**FLOAT32_SGD),
    # The checks give poisson positive targets (its positive_only tag), on
    # which a log link needs more steps to reach their R² of 0.5.
    MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=100, learning_rate_init=0.03, loss="poisson"
    ),
    MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=100, learning_rate_init=0.01, loss="huber"
    ),
    MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=100),
    MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=100),
]
if ml.engine.numba_available():  # the compiled engine, defaults and a small network
    CONFORMANCE += [
        MLPClassifier(engine="numba"),
        MLPRegressor(engine="numba"),
        MLPClassifier(
            hidden_layer_sizes=(8,),
            max_iter=50,
            learning_rate_init=0.01,
            engine="numba",
        ),
        MLPRegressor(
            hidden_layer_sizes=(8,),
            max_iter=50,
            learning_rate_init=0.01,
            engine="numba",
        ),
    ]


def expected_failed_checks(estimator) -> dict[str, str]:
    """None with float64 (the default): every check passes. A model asked to
    compute in float32 fails up to four checks by design, and loss="poisson" one."""
    if getattr(estimator, "loss", None) == "poisson":
        return {
            "check_regressor_multioutput": (
                "the check fits negative targets without asking the positive_only "
                "tag; loss='poisson' refuses them with a ValueError, by design"
            ),
        }
    if estimator.dtype != "float32":
        return {}
    rounding = (
        "float32 arithmetic: a weighted mean and the mean over repeated rows "
        "round differently, a relative 1e-6 after training, above the check's "
        "rtol=1e-7 (the same configuration passes in float64)"
    )
    failures = {
        "check_sample_weight_equivalence_on_dense_data": rounding,
        "check_sample_weight_equivalence_on_sparse_data": rounding,
    }
    failures["check_methods_sample_order_invariance"] = (
        "float32 products of some BLAS kernels (OpenBLAS on AVX2 CPUs) round a row "
        "differently by its position in the batch, an ulp (1.2e-7 relative) above "
        "the check's rtol=1e-7; float64 passes"
    )
    if isinstance(estimator, MLPRegressor):
        failures["check_regressor_multioutput"] = (
            "dtype='float32' predicts in float32, by design; the check wants float64"
        )
    return failures


@parametrize_with_checks(
    CONFORMANCE, expected_failed_checks=expected_failed_checks, xfail_strict=False
)
def test_scikit_learn_conformance(estimator, check):
    # The checks train for a fixed, small number of epochs on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        check(estimator)


# -- parity with scikit-learn's MLPClassifier ----------------------------------------


@short_training  # scikit-learn's own run reaches max_iter on breast_cancer
@pytest.mark.parametrize("loader", [load_digits, load_breast_cancer])
def test_test_accuracy_within_one_point_of_scikit_learn(loader):
    # Same hyperparameters, same split. The two libraries draw different initial
    # weights and batches from a seed, and one breast_cancer test sample is 0.7
    # points, so compare the mean over three seeds (benchmarks/estimators.py
    # prints the full table).
    X, y = loader(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    ours, theirs = [], []
    for seed in range(3):
        params = dict(hidden_layer_sizes=(64,), max_iter=200, random_state=seed)
        ours.append(MLPClassifier(**params).fit(X_tr, y_tr).score(X_te, y_te))
        theirs.append(SkMLPClassifier(**params).fit(X_tr, y_tr).score(X_te, y_te))
    assert np.mean(ours) > 0.9
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.01, (ours, theirs)


# -- the regression losses -----------------------------------------------------------


def _counts(seed, n=400):
    """Count data with a log-linear mean, split in half."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = rng.poisson(np.exp(X @ np.array([0.6, -0.4, 0.3, 0.0]) + 0.5))
    return X[: n // 2], X[n // 2 :], y[: n // 2], y[n // 2 :]


@short_training  # squared error on raw counts takes longer than tol allows
@pytest.mark.parametrize(
    "loss", ["squared_error", "mse", "absolute_error", "huber", "poisson"]
)
def test_each_regression_loss_fits_and_reduces_its_loss(loss):
    X_tr, X_te, y_tr, y_te = _counts(0)  # counts: targets valid for every loss
    est = fast(MLPRegressor, loss=loss, max_iter=300).fit(X_tr, y_tr)
    assert est.model_.loss.name == loss
    assert est.loss_curve_[-1] < 0.6 * est.loss_curve_[0]
    assert est.score(X_te, y_te) > 0.4  # absolute_error predicts medians
    out = "exp" if loss == "poisson" else "linear"
    assert est.model_.layers[-1].activation.name == out
    assert est.out_activation_ == ("exp" if loss == "poisson" else "identity")
    if loss == "poisson":
        assert (est.predict(X_te) > 0).all()


def test_poisson_deviance_close_to_scikit_learn():
    # Same hyperparameters on the same count data; different initial weights
    # and batches, so the mean test deviance over three seeds.
    ours, theirs, truth, constant = [], [], [], []
    for seed in range(3):
        X_tr, X_te, y_tr, y_te = _counts(seed)
        rate = np.exp(X_te @ np.array([0.6, -0.4, 0.3, 0.0]) + 0.5)
        truth.append(mean_poisson_deviance(y_te, rate))
        constant.append(mean_poisson_deviance(y_te, np.full(len(y_te), y_tr.mean())))
        params = dict(
            loss="poisson",
            hidden_layer_sizes=(16,),
            learning_rate_init=0.01,
            max_iter=200,
            random_state=seed,
        )
        with warnings.catch_warnings():  # either may stop at max_iter
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours.append(MLPRegressor(**params).fit(X_tr, y_tr).predict(X_te))
            theirs.append(SkMLPRegressor(**params).fit(X_tr, y_tr).predict(X_te))
        ours[-1] = mean_poisson_deviance(y_te, ours[-1])
        theirs[-1] = mean_poisson_deviance(y_te, theirs[-1])
    # It learned the rate: nearer the true rate's deviance than a constant's.
    assert np.mean(ours) < 0.5 * (np.mean(truth) + np.mean(constant))
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.1 * np.mean(theirs), (
        ours,
        theirs,
    )


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_poisson_loss_is_scikit_learns_definition(alpha):
    # With one batch per epoch, partial_fit's loss_ is the loss of the model
    # it starts from: scikit-learn's poisson_loss plus its penalty,
    # alpha / 2 * sum(W**2) / n_samples.
    X, _, y, _ = _counts(1)
    Y = np.column_stack([y, y // 2])  # two outputs: summed, as scikit-learn's
    est = fast(MLPRegressor, loss="poisson", alpha=alpha, batch_size=len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=20).fit(X, Y)
    penalty = 0.5 * alpha * sum(np.sum(W**2) for W in est.coefs_) / len(y)
    expected = poisson_loss(Y, est.predict(X)) + penalty
    est.partial_fit(X, Y)
    assert est.loss_ == pytest.approx(expected, rel=1e-10)


def test_poisson_refuses_negative_targets_with_a_message():
    X, _, y, _ = _counts(2)
    y = y - 1.5
    for method in ("fit", "partial_fit"):
        est = MLPRegressor(loss="poisson")
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"MLPRegressor: loss='poisson' requires non-negative y; received "
                f"values from {float(y.min())!r} to {float(y.max())!r}"
            ),
        ):
            getattr(est, method)(X, y)
        assert not hasattr(est, "model_")
    assert MLPRegressor(loss="poisson").__sklearn_tags__().target_tags.positive_only
    assert not MLPRegressor().__sklearn_tags__().target_tags.positive_only


@short_training
def test_warm_start_refuses_another_output_activation(regression):
    X, y = regression
    est = fast(MLPRegressor, max_iter=5, warm_start=True).fit(X, np.abs(y))
    est.set_params(loss="huber").fit(X, np.abs(y))  # same output: goes on
    with pytest.raises(ValueError, match=r"output='linear'.*output='exp'"):
        est.set_params(loss="poisson").fit(X, np.abs(y))


# -- meta-estimators, clone, pickle --------------------------------------------------


@short_training
def test_pipeline_in_grid_search_and_cross_val_score():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), fast(max_iter=100))
    search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1.0]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.85
    assert search.best_params_["mlpclassifier__alpha"] in (1e-4, 1.0)
    assert search.best_estimator_[-1].model_.layers[0].kernel_regularizer.l2 > 0
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85
    # transform makes it a transformer: set_output must be there for pipelines
    assert make_pipeline(StandardScaler(), MLPClassifier()).set_output(
        transform="default"
    )


def test_clone_keeps_parameters_and_drops_the_fit(iris):
    X, y = iris
    est = fast(hidden_layer_sizes=(5, 3), dropout=[0.1, 0.0], alpha=0.01)
    est.fit(X, y)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "model_")
    with pytest.raises(NotFittedError):
        twin.predict(X)


@pytest.mark.parametrize(
    "roundtrip", [lambda e: pickle.loads(pickle.dumps(e)), copy.deepcopy]
)
def test_pickle_and_deepcopy_give_the_same_predictions(iris, roundtrip):
    X, y = iris
    est = fast().fit(X, y)
    proba = est.predict_proba(X)
    copied = roundtrip(est)
    np.testing.assert_array_equal(copied.predict_proba(X), proba)
    # a batch of another size: the copy makes work arrays of that size anew. Its
    # bits are compared with the original's on the same rows, since a BLAS may
    # round a row differently by its position in a batch (OpenBLAS on AVX2).
    np.testing.assert_array_equal(copied.predict_proba(X[:5]), est.predict_proba(X[:5]))
    # the copy's coefs_ are views of the copy's model, not of the original
    copied.coefs_[-1][...] = 0.0
    copied.intercepts_[-1][...] = 0.0
    np.testing.assert_allclose(copied.predict_proba(X), 1 / 3)
    np.testing.assert_array_equal(est.predict_proba(X), proba)


# -- fitted attributes ---------------------------------------------------------------


def test_fitted_attributes_of_a_classifier(iris):
    X, y = iris
    est = fast(hidden_layer_sizes=(6, 4)).fit(X, y)
    n_iter = est.n_iter_
    assert 1 <= n_iter < 1000  # stopped by tol
    assert [W.shape for W in est.coefs_] == [(4, 6), (6, 4), (4, 3)]
    assert [b.shape for b in est.intercepts_] == [(6,), (4,), (3,)]
    assert est.n_layers_ == 4 and est.n_outputs_ == 3
    assert est.out_activation_ == "softmax"
    assert est.model_.loss.name == "categorical_crossentropy"
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.n_features_in_ == 4 and not hasattr(est, "feature_names_in_")
    assert len(est.loss_curve_) == n_iter and est.loss_ == est.loss_curve_[-1]
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.val_loss_curve_ is None
    assert est.t_ == n_iter * X.shape[0]
    assert isinstance(est.model_, ml.Sequential) and est.model_.seed == 0
    np.testing.assert_array_equal(est.model_.history.history["loss"], est.loss_curve_)
    # coefs_ and intercepts_ are the model's weights, not copies
    dense = [layer for layer in est.model_.layers if isinstance(layer, ml.Dense)]
    assert all(W is d.params["W"] for W, d in zip(est.coefs_, dense, strict=True))
    assert all(b is d.params["b"] for b, d in zip(est.intercepts_, dense, strict=True))
    est.coefs_[-1][...] = 0.0
    est.intercepts_[-1][...] = 0.0
    np.testing.assert_allclose(est.predict_proba(X), 1 / 3)


def test_binary_targets_use_one_sigmoid_unit(iris):
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    est = fast().fit(X, labels)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 1
    assert est.model_.loss.name == "binary_crossentropy"
    np.testing.assert_array_equal(est.classes_, ["other", "setosa"])
    proba = est.predict_proba(X)
    assert proba.shape == (150, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert est.score(X, labels) == 1.0
    np.testing.assert_allclose(
        est.predict_log_proba(X), np.log(proba), rtol=1e-12, atol=0
    )


def test_feature_names_from_a_dataframe(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = fast().fit(frame, y)
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame.rename(columns={"a": "z"}))


def test_random_state_fixes_every_bit(iris):
    X, y = iris
    a, b = fast(random_state=7).fit(X, y), fast(random_state=7).fit(X, y)
    assert a.model_.seed == 7
    for Wa, Wb in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_array_equal(Wa, Wb)
    c = fast(random_state=np.random.RandomState(7)).fit(X, y)
    assert not np.array_equal(c.coefs_[0], a.coefs_[0])


def test_float32_model(iris):
    X, y = iris
    est = fast(dtype="float32").fit(X, y)
    assert est.coefs_[0].dtype == np.float32
    assert est.predict_proba(X).dtype == np.float32
    assert est.transform(X).dtype == np.float32
    assert est.score(X, y) > 0.9


# -- sample weights, class weights ---------------------------------------------------


def test_zero_and_integer_weights_equal_removing_and_repeating_samples(iris):
    X, y = iris
    # 150 samples: one batch per epoch, where the equivalence is exact
    rng = np.random.default_rng(0)
    w = rng.integers(0, 3, size=X.shape[0])
    weighted = fast(max_iter=30, n_iter_no_change=np.inf)
    repeated = clone(weighted)
    with pytest.warns(ConvergenceWarning):
        weighted.fit(X, y, sample_weight=w)
    with pytest.warns(ConvergenceWarning):
        repeated.fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-9
    )
    assert weighted.model_.layers[0].kernel_regularizer.l2 == pytest.approx(
        1e-4 / (2 * w.sum())
    )


def test_sample_weight_changes_the_fit(iris):
    X, y = iris
    plain = fast().fit(X, y)
    w = np.where(y == 2, 10.0, 1.0)
    weighted = fast().fit(X, y, sample_weight=w)
    assert weighted.predict_proba(X)[:, 2].mean() > plain.predict_proba(X)[:, 2].mean()
    with pytest.raises(ValueError, match="shape"):
        fast().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        fast().fit(X, y, sample_weight=-np.ones(len(y)))


def test_class_weight_is_a_sample_weight_per_class(iris):
    X, y = iris
    balanced = fast(class_weight="balanced").fit(X[:120], y[:120])
    by_hand = fast().fit(
        X[:120], y[:120], sample_weight=compute_sample_weight("balanced", y[:120])
    )
    np.testing.assert_array_equal(balanced.predict_proba(X), by_hand.predict_proba(X))
    heavy = fast(class_weight={0: 1000.0, 1: 1e-4, 2: 1e-4}).fit(X, y)
    assert np.mean(heavy.predict(X) == 0) > 0.6  # a third of the samples are 0
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported"):
        fast(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


# -- multi-label and multi-output ----------------------------------------------------


def test_multilabel_classification():
    X, Y = make_multilabel_classification(n_samples=100, n_classes=3, random_state=0)
    est = fast().fit(X, Y)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 3
    assert est.model_.loss.name == "binary_crossentropy"
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    pred = est.predict(X)
    assert pred.shape == (100, 3) and set(np.unique(pred)) <= {0, 1}
    proba = est.predict_proba(X)
    assert proba.shape == (100, 3) and not np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(pred, (proba >= 0.5).astype(int))
    assert est.score(X, Y) > 0.5  # subset accuracy


def test_multioutput_regression(regression):
    X, y = regression
    Y = np.column_stack([y, -2 * y])
    est = fast(MLPRegressor, max_iter=500).fit(X, Y)
    assert est.n_outputs_ == 2 and est.out_activation_ == "identity"
    assert est.predict(X).shape == (120, 2)
    assert est.score(X, Y) > 0.9
    single = fast(MLPRegressor, max_iter=500, loss="mse").fit(X, y)
    assert single.predict(X).shape == (120,) and single.model_.loss.name == "mse"


# -- partial_fit and warm_start ------------------------------------------------------


def test_partial_fit_trains_one_epoch_at_a_time(iris):
    X, y = iris
    est = fast(batch_size=50)
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, y)
    est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # not all in this batch
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.out_activation_ == "softmax"
    assert (est.n_iter_, est.t_, est.model_.optimizer.iterations) == (1, 100, 2)
    est.partial_fit(X, y)
    assert (est.n_iter_, est.t_, est.model_.optimizer.iterations) == (1, 250, 5)
    assert len(est.loss_curve_) == 2
    with pytest.raises(ValueError, match="classes not in classes_"):
        est.partial_fit(X, y + 1)
    with pytest.raises(ValueError, match="not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="does not support early_stopping"):
        fast(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="X has 3 features"):
        est.partial_fit(X[:, :3], y)


def test_partial_fit_of_a_regressor_continues_fit(regression):
    X, y = regression
    est = fast(MLPRegressor, max_iter=300).fit(X, y)
    steps, curve = est.model_.optimizer.iterations, list(est.loss_curve_)
    est.partial_fit(X, y)
    assert est.model_.optimizer.iterations == steps + 1  # same optimizer, going on
    assert est.loss_curve_[:-1] == curve and est.loss_curve_[-1] <= curve[0]


def test_warm_start_goes_on_from_the_fitted_weights(iris):
    X, y = iris
    est = fast(max_iter=5, n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    before = [W.copy() for W in est.coefs_]
    # a learning rate too small to move anything: what fit starts from stays
    est.set_params(warm_start=True, learning_rate_init=1e-12)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    np.testing.assert_allclose(est.coefs_[0], before[0], atol=1e-9)
    assert (len(est.loss_curve_), est.n_iter_, est.t_) == (10, 5, 1500)
    est.set_params(warm_start=False)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)  # a new model: the same initial weights as the first
    assert len(est.loss_curve_) == 5
    assert not np.allclose(est.coefs_[0], before[0], atol=1e-6)


def test_warm_start_refuses_another_architecture_or_other_classes(iris):
    X, y = iris
    est = fast(warm_start=True).fit(X, y)
    with pytest.raises(
        ValueError, match="warm_start can only be used where `y` has the same classes"
    ):
        est.fit(X[y < 2], y[y < 2])
    est.set_params(hidden_layer_sizes=(9,))
    with pytest.raises(ValueError, match="Set warm_start=False"):
        est.fit(X, y)


# -- stopping rules and learning-rate schedules --------------------------------------


def test_tol_stops_training_when_the_loss_stalls(iris):
    X, y = iris
    est = fast().fit(X, y)  # a ConvergenceWarning would fail the test
    assert est.n_iter_ < est.max_iter
    # scikit-learn's rule, replayed on the losses: an epoch counts as no
    # improvement when it misses the best loss so far by tol; training stops
    # once more than n_iter_no_change epochs in a row did
    best, count, stop = np.inf, 0, None
    for epoch, loss in enumerate(est.loss_curve_, start=1):
        count = count + 1 if loss > best - est.tol else 0
        best = min(best, loss)
        if count > est.n_iter_no_change:
            stop = epoch
            break
    assert stop == est.n_iter_ and best == est.best_loss_
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        fast(max_iter=3).fit(X, y)


def test_early_stopping_keeps_the_best_epoch():
    X, y = make_classification(n_samples=300, n_features=10, flip_y=0.2, random_state=3)
    est = MLPClassifier(
        (16,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == len(est.val_loss_curve_) == len(est.loss_curve_)
    assert est.n_iter_ == len(scores) < 200
    assert est.best_loss_ is None and est.best_validation_score_ == max(scores)
    assert scores[-1] < max(scores)  # so putting the best weights back shows
    # the validation set: the stratified split with random_state as its seed
    _, idx_val = train_test_split(
        np.arange(300), test_size=0.2, random_state=0, stratify=y
    )
    assert est.score(X[idx_val], y[idx_val]) == est.best_validation_score_
    best = int(np.argmax(scores))
    val_loss = est.model_.evaluate(X[idx_val], y[idx_val])["loss"]
    assert val_loss == pytest.approx(est.val_loss_curve_[best], rel=1e-12)
    assert est.t_ == est.n_iter_ * 240  # training samples only


def test_early_stopping_needs_two_validation_samples(regression):
    X, y = regression
    est = fast(MLPRegressor, early_stopping=True, validation_fraction=0.01)
    with pytest.raises(ValueError, match=r"validation set is too small \(1 of 50"):
        est.fit(X[:50], y[:50])


@short_training
def test_invscaling_learning_rate(iris):
    X, y = iris
    est = fast(solver="sgd", learning_rate="invscaling", power_t=0.25, max_iter=4)
    est.fit(X, y)
    lr = est.model_.optimizer.learning_rate
    assert est.t_ == 600 and lr == pytest.approx(0.01 / 601**0.25, rel=1e-15)
    est.partial_fit(X, y)
    assert est.model_.optimizer.learning_rate == pytest.approx(0.01 / 751**0.25)
    adam = fast(learning_rate="invscaling", max_iter=4).fit(X, y)
    assert adam.model_.optimizer.learning_rate == 0.01  # sgd only, as scikit-learn


def test_adaptive_learning_rate_divides_by_five(iris, capsys):
    X, y = iris
    # tol so large that no epoch improves: after n_iter_no_change + 1 = 2 such
    # epochs the rate is divided by 5 and the count restarts
    est = fast(
        solver="sgd", learning_rate="adaptive", tol=1e9, n_iter_no_change=1, max_iter=7
    )
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.model_.optimizer.learning_rate == pytest.approx(0.01 / 5**3)
    est.set_params(learning_rate_init=2e-6, verbose=True)
    est.fit(X, y)  # 4e-7 after one division, at most 1e-6: stops, converged
    out = capsys.readouterr().out
    assert est.n_iter_ == 5 and "Learning rate too small. Stopping." in out
    stop = fast(learning_rate="adaptive", tol=1e9, n_iter_no_change=1).fit(X, y)
    assert stop.n_iter_ == 3 and stop.model_.optimizer.learning_rate == 0.01


# -- transform -----------------------------------------------------------------------


def test_transform_gives_a_hidden_layer(iris):
    X, y = iris
    est = fast(hidden_layer_sizes=(6, 4), dropout=0.2).fit(X, y)
    kinds = [type(layer).__name__ for layer in est.model_.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    outputs = est.model_.layer_outputs(X)
    np.testing.assert_array_equal(est.transform(X, layer=1), outputs[0])
    np.testing.assert_array_equal(est.transform(X, layer=2), outputs[2])
    np.testing.assert_array_equal(est.transform(X), outputs[2])
    assert est.transform(X[:7], layer=1).shape == (7, 6)
    np.testing.assert_array_equal(clone(est).fit_transform(X, y), outputs[2])
    names = est.get_feature_names_out()
    np.testing.assert_array_equal(names, [f"mlpclassifier{i}" for i in range(4)])
    for bad in (0, 3, 1.0):
        with pytest.raises(ValueError, match=f"from 1 to 2; received layer={bad}"):
            est.transform(X, layer=bad)
    linear = fast(hidden_layer_sizes=()).fit(X, y)
    assert linear.n_layers_ == 2
    with pytest.raises(ValueError, match="needs a hidden layer"):
        linear.transform(X)


def test_activation_names_and_per_layer_values(iris):
    X, y = iris
    est = fast(
        hidden_layer_sizes=[5, 4],
        activation=["logistic", "identity"],
        dropout=[0.0, 0.5],
    ).fit(X, y)
    hidden = [layer for layer in est.model_.layers if isinstance(layer, ml.Dense)]
    assert [d.activation.name for d in hidden] == ["sigmoid", "linear", "softmax"]
    assert [type(layer).__name__ for layer in est.model_.layers] == [
        "Dense",
        "Dense",
        "Dropout",
        "Dense",
    ]


# -- verbose, errors -----------------------------------------------------------------


@short_training
@pytest.mark.parametrize("verbose", [True, 1, 2, 10])
def test_verbose_prints_as_scikit_learn(iris, capsys, verbose):
    X, y = iris
    fast(max_iter=2, verbose=verbose, early_stopping=True).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out.startswith("Iteration 1, loss = ")
    assert "Iteration 2, loss = " in captured.out
    assert "Validation score: " in captured.out
    assert captured.err == ""
    fast(max_iter=2, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("hidden_layer_sizes", (0,)),
        ("hidden_layer_sizes", "wide"),
        ("activation", "softplus"),
        ("activation", ["relu", "tanh"]),
        ("max_fun", 0),
        ("solver", "newton"),
        ("alpha", -1.0),
        ("batch_size", 0),
        ("learning_rate", "cyclic"),
        ("learning_rate_init", 0.0),
        ("max_iter", 0),
        ("tol", -0.1),
        ("momentum", 1.5),
        ("beta_1", 1.0),
        ("epsilon", 0.0),
        ("n_iter_no_change", 0),
        ("validation_fraction", 1.0),
        ("dropout", 1.0),
        ("kernel_initializer", "orthogonal"),
        ("dtype", "int32"),
        ("shuffle", "yes"),
        ("verbose", -1),
        ("class_weight", "auto"),
    ],
)
def test_bad_parameters_are_named_at_fit_time(iris, param, value):
    X, y = iris
    est = MLPClassifier(**{param: value})  # __init__ accepts anything
    with pytest.raises(ValueError, match=re.escape(f"{param}={value!r}")):
        est.fit(X, y)


def test_bad_regressor_loss_and_random_state(regression):
    X, y = regression
    with pytest.raises(ValueError, match=re.escape("loss='hinge'")):
        MLPRegressor(loss="hinge").fit(X, y)
    with pytest.raises(ValueError, match=r"random_state|seed"):
        MLPRegressor(random_state="abc").fit(X, y)


def test_divergence_names_learning_rate_init(iris):
    X, y = iris
    est = MLPRegressor(
        (8,), activation="identity", solver="sgd", learning_rate_init=1.0
    )
    with pytest.raises(ml.DivergenceError, match=r"learning_rate_init \(it is 1;"):
        est.fit(X * 100, y)
    assert issubclass(ml.DivergenceError, FloatingPointError)


def test_unfitted_estimator_says_so(iris):
    X, _ = iris
    for method in ("predict", "predict_proba", "transform"):
        with pytest.raises(NotFittedError):
            getattr(MLPClassifier(), method)(X)
    assert not hasattr(MLPClassifier(), "coefs_")


# -- the benchmark script ------------------------------------------------------------


def test_benchmark_script_runs_and_prints_its_tables(capsys):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "estimators.py"
    spec = importlib.util.spec_from_file_location("bench_estimators", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.main(["--quick"])
    assert text in capsys.readouterr().out
    assert "| digits | 2 |" in text and "| breast_cancer |" in text
    assert "(differ!)" not in text  # the estimator and the model by hand agree
    assert "| two-moons 500, 5 tanh, SGD full batch | " in text  # the engines table


# -- the package's attributes --------------------------------------------------------


def test_the_estimators_load_with_their_first_use():
    import subprocess
    import sys

    code = (
        "import sys, mlplab as ml; assert 'sklearn' not in sys.modules; "
        "from mlplab import MLPClassifier; "
        "assert ml.MLPRegressor is ml.estimators.MLPRegressor; "
        "assert MLPClassifier.__module__ == 'mlplab.estimators'; "
        "assert 'MLPClassifier' in dir(ml)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert ml.MLPClassifier is MLPClassifier
    with pytest.raises(AttributeError, match="no attribute 'MLPClassify'"):
        ml.MLPClassify  # noqa: B018


@short_training
def test_grid_search_on_a_dask_cluster_through_joblib(iris):
    # What the README shows: joblib's Dask backend sends the fits to the
    # cluster's worker processes; the search finds what it finds locally.
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    X, y = iris
    grid = {"alpha": [1e-4, 1.0], "hidden_layer_sizes": [(2,), (8,)]}
    local = GridSearchCV(fast(max_iter=60), grid, cv=3).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        remote = GridSearchCV(fast(max_iter=60), grid, cv=3, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
