"""scikit-learn estimators over mlplab: ``MLPClassifier`` and ``MLPRegressor``.

They take scikit-learn's parameter names and defaults and keep its fitted
attributes, so they drop into a ``Pipeline``, ``GridSearchCV`` or
``cross_val_score`` in place of ``sklearn.neural_network``'s. Underneath, each
``fit`` builds an mlplab :class:`~mlplab.Sequential` (``Dense`` layers, with
``Dropout`` where asked) and calls its ``fit`` once, for ``max_iter`` epochs.
What scikit-learn's loop does after each epoch and mlplab's does not -- the
``tol`` / ``n_iter_no_change`` stopping rule, early stopping on a validation
score, the ``invscaling`` and ``adaptive`` learning rates, ``t_`` -- is one
callback, :class:`_SklearnEpochEnd`. The trained model stays on the estimator
as ``model_``.

>>> from sklearn.datasets import load_iris
>>> from sklearn.preprocessing import StandardScaler
>>> from mlplab.estimators import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> X = StandardScaler().fit_transform(X)
>>> clf = MLPClassifier((16,), learning_rate_init=0.01, max_iter=500,
...                     random_state=0).fit(X, y)
>>> clf.n_iter_ < 500, clf.score(X, y) > 0.95
(True, True)
>>> [W.shape for W in clf.coefs_], clf.out_activation_, clf.model_.count_params()
([(4, 16), (16, 3)], 'softmax', 131)

Where the two libraries differ (by design; each point is repeated where it
applies):

* ``solver`` also takes ``"rmsprop"`` and ``"adagrad"``. With ``"lbfgs"``,
  ``loss_curve_`` holds the loss after each L-BFGS iteration (scikit-learn
  keeps none) and dropout is refused (its random masks change the loss
  that L-BFGS minimizes).
* ``alpha`` is an :class:`~mlplab.L2` penalty on every weight matrix, scaled
  as scikit-learn's: ``L2(alpha / (2 * batch_size * mean_weight))``, whose
  gradient is ``alpha * W / batch_size`` (``mean_weight`` is the mean sample
  weight, 1 without weights). scikit-learn divides by the size (the weight
  sum) of each batch, so its smaller last batch is penalized a little more;
  with one batch per epoch the two are the same.
* Weights start from ``kernel_initializer`` (default Glorot uniform:
  scikit-learn's bound ``sqrt(6 / (fan_in + fan_out))``, where scikit-learn
  uses ``sqrt(2 / ...)`` for logistic units) and biases from zero
  (scikit-learn draws them from the same range as the weights).
* Early stopping holds out a stratified ``validation_fraction`` for binary
  *and* multiclass targets (scikit-learn 1.9 stratifies binary ones only),
  never for multi-label ones.
* The regressor's ``loss`` also takes ``"mse"``, ``"absolute_error"`` and
  ``"huber"``; with ``"poisson"`` a negative target is a ValueError
  (scikit-learn documents ``y >= 0`` but trains on to a NaN loss).
* ``dropout``, ``kernel_initializer``, ``dtype``, ``engine``,
  ``class_weight`` (classifier), ``val_loss_curve_``, ``model_`` and
  ``transform`` have no scikit-learn counterpart.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from . import activations, initializers, losses, optimizers
from . import engine as engine_module
from ._validation import check_dtype, is_int, is_real
from .callbacks import Callback
from .exceptions import DivergenceError
from .layers import Dense, Dropout, Layer
from .model import Sequential
from .optimizers import Optimizer
from .regularizers import L2

__all__ = ["MLPClassifier", "MLPRegressor"]

# scikit-learn's names for two of mlplab's activations, and back for the output.
_ALIASES = {"identity": "linear", "logistic": "sigmoid"}
_OUT_NAMES = {
    "sigmoid": "logistic",
    "softmax": "softmax",
    "linear": "identity",
    "exp": "exp",
}
_REGRESSION_LOSSES = ("squared_error", "mse", "absolute_error", "huber", "poisson")
_SOLVERS = ("lbfgs", "adam", "sgd", "rmsprop", "adagrad")
_SCHEDULES = ("constant", "invscaling", "adaptive")
# Sparse X (a TF-IDF matrix, say) stays sparse: the first layer's product is
# a sparse-dense one, batches are row slices (see Sequential.fit).
_SPARSE = ("csr", "csc")
_AUTO_BATCH = 200  # batch_size="auto" is min(200, n_samples), as scikit-learn's
# The numeric parameters' ranges: (low, high, low_open, high_open), checked in
# this order.
_RANGES: dict[str, tuple[float, float, bool, bool]] = {
    "alpha": (0.0, np.inf, False, False),
    "learning_rate_init": (0.0, np.inf, True, False),
    "power_t": (0.0, np.inf, False, False),
    "tol": (0.0, np.inf, False, False),
    "momentum": (0.0, 1.0, False, True),
    "beta_1": (0.0, 1.0, False, True),
    "beta_2": (0.0, 1.0, False, True),
    "epsilon": (0.0, np.inf, True, False),
    "validation_fraction": (0.0, 1.0, False, True),
}


@dataclass(frozen=True)
class _Architecture:
    """What a model is built from; warm_start and partial_fit need the same."""

    hidden: tuple[int, ...]
    activations: tuple[str, ...]  # mlplab's names
    dropout: tuple[float, ...]
    dtype: np.dtype | None  # None: the input's float dtype
    n_outputs: int | None = None
    output: str | None = None  # the output activation, mlplab's name


class _SklearnEpochEnd(Callback):
    """What scikit-learn's ``_fit_stochastic`` does after each epoch, run by
    mlplab's loop: count the epoch and the samples seen (``n_iter_``, ``t_``),
    record the loss (and, with early stopping, the validation score and loss,
    keeping the best weights), set the ``invscaling`` learning rate, and on
    ``tol`` / ``n_iter_no_change`` divide an ``adaptive`` learning rate by 5
    or stop."""

    def __init__(
        self, est: _BaseMLP, n_train: int, validation: tuple[Any, Any, Any] | None
    ) -> None:
        super().__init__()
        self.est = est
        self.n_train = n_train
        self.validation = validation  # (X_val, y_val, sample_weight_val)
        self.stopped = False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        est, model = self.est, self.model
        assert model is not None and model.optimizer is not None and logs is not None
        loss = float(logs["loss"])
        est.n_iter_ += 1
        est.t_ += self.n_train
        est.loss_ = loss
        est.loss_curve_.append(loss)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")
        if self.validation is None:  # the training loss decides
            improved = self._loss_improved(loss)
        else:  # the validation score decides; the best weights are kept
            improved = self._score_improved(float(logs["val_loss"]))
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        schedule = est.learning_rate if est.solver == "sgd" else "constant"
        if schedule == "invscaling":
            lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
            model.optimizer.learning_rate = lr
        if est._no_improvement_count > est.n_iter_no_change:
            self._no_improvement(schedule)

    def _loss_improved(self, loss: float) -> bool:
        """Whether the loss is ``tol`` below the best so far; records it."""
        est = self.est
        best_loss = est.best_loss_
        assert best_loss is not None  # None only with early stopping
        est.best_loss_ = min(best_loss, loss)
        return not loss > best_loss - est.tol

    def _score_improved(self, val_loss: float) -> bool:
        """Whether the validation score is ``tol`` above the best so far;
        records it and the validation loss, and keeps the best weights."""
        est, model = self.est, self.model
        scores, best = est.validation_scores_, est.best_validation_score_
        assert scores is not None and est.val_loss_curve_ is not None
        assert best is not None and self.validation is not None and model is not None
        est.val_loss_curve_.append(val_loss)
        score = est._validation_score(*self.validation)
        scores.append(score)
        if est.verbose:
            print(f"Validation score: {score:f}")
        if score > best:
            est.best_validation_score_ = score
            est._best_weights = model.get_weights()
        return not score < best + est.tol  # True for a NaN score, as scikit-learn

    def _no_improvement(self, schedule: str) -> None:
        """After ``n_iter_no_change`` epochs without improvement: divide an
        ``adaptive`` learning rate by 5 while it is above 1e-6, else stop."""
        est, model = self.est, self.model
        assert model is not None and model.optimizer is not None
        talk = bool(est.verbose)
        what = "Validation score" if self.validation else "Training loss"
        msg = (
            f"{what} did not improve more than tol={est.tol:f} for "
            f"{est.n_iter_no_change} consecutive epochs."
        )
        lr = model.optimizer.current_learning_rate()
        if schedule == "adaptive" and lr > 1e-6:
            model.optimizer.learning_rate = lr / 5.0
            est._no_improvement_count = 0
            if talk:
                print(f"{msg} Setting learning rate to {lr / 5.0:f}")
            return
        if talk:
            small = " Learning rate too small." if schedule == "adaptive" else ""
            print(f"{msg}{small} Stopping.")
        self.stopped = True
        model.stop_training = True


_PARAMETERS = """
    hidden_layer_sizes : int or sequence of int, default (100,)
        The units of each hidden layer; ``()`` for none.
    activation : str or sequence of str, default "relu"
        The hidden layers' activation, one for all or one per layer: "relu",
        "tanh", "logistic" (mlplab's "sigmoid"), "identity" ("linear") or
        another of mlplab's ("leaky_relu", "elu", "exp").
    solver : {"lbfgs", "adam", "sgd", "rmsprop", "adagrad"}, default "adam"
        "lbfgs" is SciPy's L-BFGS-B on the full batch (``mlplab.LBFGS``),
        scikit-learn's choice for small data sets: ``max_iter`` iterations,
        ``max_fun`` loss evaluations and ``tol`` on the projected gradient
        bound it; ``batch_size``, ``shuffle``, ``early_stopping`` and
        ``n_iter_no_change`` do not apply, and ``partial_fit`` is not there.
    alpha : float, default 1e-4
        L2 penalty, ``L2(alpha / (2 * batch_size * mean_weight))`` on every
        weight matrix, so that its gradient is ``alpha * W / batch_size`` as in
        scikit-learn (``mean_weight``: the mean sample weight, 1 without).
    batch_size : int or "auto", default "auto"
        Mini-batch size; "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        For ``solver="sgd"`` only, as in scikit-learn. "invscaling": after
        each epoch the rate becomes ``learning_rate_init / (t_ + 1) **
        power_t``. "adaptive": where training would stop on ``tol``, the rate
        is divided by 5 instead, until it is below 1e-6.
    learning_rate_init : float, default 0.001
    power_t : float, default 0.5
    max_iter : int, default 200
        The most epochs one ``fit`` trains for.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, RandomState instance or None, default None
        An int is the seed of the mlplab model (initial weights, shuffling,
        dropout) and of the early-stopping split: same int, same bits.
    tol : float, default 1e-4
    verbose : bool or int, default False
        As scikit-learn: any true value prints "Iteration 3, loss = 0.42"
        after each epoch (and the validation score, and why training
        stopped) on stdout.
    warm_start : bool, default False
        ``fit`` goes on training the fitted model (with a new optimizer, as
        scikit-learn) instead of a new one.
    momentum : float in [0, 1), default 0.9
    nesterovs_momentum : bool, default True
        For ``solver="sgd"``.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the training data (stratified for
        classes) and stop when the validation score (accuracy, R²) has not
        improved by ``tol`` for ``n_iter_no_change`` epochs; the weights of
        the best epoch are put back.
    validation_fraction : float, default 0.1
    beta_1, beta_2 : float in [0, 1), default 0.9, 0.999
        Adam's.
    epsilon : float, default 1e-8
        Adam's, RMSprop's and Adagrad's.
    n_iter_no_change : int or np.inf, default 10
        Training stops once the training loss (the validation score with
        early stopping) has not improved by ``tol`` for more than this many
        epochs in a row; ``np.inf`` never stops early.
    max_fun : int, default 15000
        For ``solver="lbfgs"``: the most loss evaluations (a limit reached
        warns with a ``ConvergenceWarning``).
    dropout : float or sequence of float, default 0.0
        Dropout rate after each hidden layer, one for all or one per layer.
    kernel_initializer : str or Initializer, default "glorot_uniform"
        How the weight matrices start (biases start at zero).
    dtype : {None, "float64", "float32"}, default None
        The precision of the model's weights and computations; None follows
        the input, as scikit-learn: float32 ``X`` trains float32 weights and
        gives float32 predictions, anything else float64.
    engine : {"numpy", "numba"}, default "numpy"
        The training engine of ``model_`` (see :mod:`mlplab.engine`):
        ``"numba"``, the compiled engine (``pip install mlplab[fast]``),
        trains the same steps faster on tutorial-sized networks (a few
        units; with tens of units and more the NumPy engine is faster), to
        1e-12 of the NumPy engine's weights rather than the same bits. It
        takes dense ``X`` and the solvers ``"sgd"``, ``"adam"``,
        ``"rmsprop"`` and ``"adagrad"``, without dropout; anything else is
        a ValueError naming it.
"""

_ATTRIBUTES = """
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (units of layer i, units of layer i + 1); views
        of the model's weights (writing into them changes the model).
    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (units of layer i + 1,); views too.
    n_iter_ : int
        Epochs trained by the last ``fit`` (1 after ``partial_fit``).
    t_ : int
        Training samples seen since the model was created.
    loss_ : float
        The last epoch's mean training loss, penalty included.
    loss_curve_ : list of float
        One per epoch (kept across ``warm_start`` fits and ``partial_fit``).
    best_loss_ : float or None
        The lowest of ``loss_curve_``; None with early stopping.
    validation_scores_ : list of float or None
        The validation score after each epoch, with early stopping.
    best_validation_score_ : float or None
    val_loss_curve_ : list of float or None
        The validation loss after each epoch (unweighted, penalty included),
        with early stopping.
    n_layers_ : int
        Hidden layers + 2.
    n_outputs_ : int
    out_activation_ : str
        "logistic", "softmax", "identity" or "exp" (``loss="poisson"``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Where ``X`` was a DataFrame with string column names.
    model_ : Sequential
        The trained mlplab model.
"""


def _stochastic_solver(est: Any) -> bool:
    """``partial_fit`` is there for the stochastic solvers only, as in
    scikit-learn (``hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")``
    is False)."""
    if est.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. lbfgs is "
            "not stochastic."
        )
    return True


class _BaseMLP(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """What ``MLPClassifier`` and ``MLPRegressor`` share; the subclasses
    encode the targets and choose the output layer, the loss and the score.

    ``transform`` (a hidden layer's activations) makes them transformers too,
    as scikit-learn's ``LinearDiscriminantAnalysis``: ``fit_transform``,
    ``get_feature_names_out`` (``mlpclassifier0``, ... for the last hidden
    layer's units) and ``set_output`` come with it.
    """

    # -- checking the parameters (at fit time, as scikit-learn) -----------------------
    def _fail(self, name: str, what: str) -> NoReturn:
        value = getattr(self, name)
        raise ValueError(
            f"{type(self).__name__}: {name} must be {what}; received {name}={value!r}"
        )

    def _check_params(self) -> _Architecture:
        """Check every parameter, in a fixed order (the first bad one is
        reported); return the architecture they ask for."""
        hidden = self._hidden_layer_sizes()
        names = self._activations(len(hidden))
        rates = self._per_layer("dropout", len(hidden))
        if not all(is_real(r) and 0.0 <= r < 1.0 for r in rates):
            self._fail("dropout", "a rate in [0, 1) or a list, one per hidden layer")
        self._choice("solver", _SOLVERS)
        self._choice("learning_rate", _SCHEDULES)
        for name, bounds in _RANGES.items():
            self._number(name, *bounds)
        self._check_loop_params()
        try:
            initializers.get(self.kernel_initializer)
        except (TypeError, ValueError) as err:
            self._fail("kernel_initializer", f"an initializer ({err})")
        try:
            dtype = None if self.dtype is None else check_dtype(self.dtype)
        except ValueError:
            self._fail("dtype", "None, 'float64' or 'float32'")
        check_random_state(self.random_state)  # its own message names the value
        self._check_engine(rates)
        self._check_own_params()
        return _Architecture(hidden, names, tuple(float(r) for r in rates), dtype)

    def _check_engine(self, dropout: tuple[Any, ...]) -> None:
        """``engine`` one of the engines; ``"numba"`` installed (an
        ImportError says how), with a solver and layers it covers."""
        try:
            engine_module.check_engine(self.engine)
        except ValueError:
            self._fail("engine", " or ".join(repr(e) for e in engine_module.ENGINES))
        if self.engine == "numba":
            if self.solver == "lbfgs":
                self._fail(
                    "engine",
                    "'numpy' with solver='lbfgs' (the compiled engine trains with "
                    "'sgd', 'adam', 'rmsprop' and 'adagrad')",
                )
            if any(rate > 0 for rate in dropout):
                self._fail(
                    "engine", "'numpy' with dropout (the compiled engine has none)"
                )

    def _hidden_layer_sizes(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        many = isinstance(sizes, Iterable) and not isinstance(sizes, str)
        hidden = tuple(sizes) if many else (sizes,)
        if not all(is_int(h) and h >= 1 for h in hidden):
            self._fail("hidden_layer_sizes", "a positive integer or a list of them")
        return tuple(int(h) for h in hidden)

    def _activations(self, n: int) -> tuple[str, ...]:
        """The hidden layers' activations, by mlplab's names."""
        names = []
        for name in self._per_layer("activation", n):
            try:
                names.append(activations.get(_ALIASES.get(name, name)).name)
            except (TypeError, ValueError) as err:
                self._fail("activation", f"'identity', 'logistic' or {err}")
        return tuple(names)

    def _check_loop_params(self) -> None:
        """The training loop's parameters: epochs, stopping, batches, flags."""
        if not (is_int(self.max_iter) and self.max_iter >= 1):
            self._fail("max_iter", "a positive integer")
        if not (is_int(self.max_fun) and self.max_fun >= 1):
            self._fail("max_fun", "a positive integer")
        if not (
            (is_int(self.n_iter_no_change) and self.n_iter_no_change >= 1)
            or (is_real(self.n_iter_no_change) and self.n_iter_no_change == np.inf)
        ):
            self._fail("n_iter_no_change", "a positive integer or np.inf")
        if not (
            (isinstance(self.batch_size, str) and self.batch_size == "auto")
            or (is_int(self.batch_size) and self.batch_size >= 1)
        ):
            self._fail("batch_size", "'auto' or a positive integer")
        for flag in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                self._fail(flag, "True or False")
        if not (
            isinstance(self.verbose, bool | np.bool_)
            or (is_int(self.verbose) and self.verbose >= 0)
        ):
            self._fail("verbose", "a bool or an integer >= 0")

    def _check_own_params(self) -> None:
        """The subclass's own parameters."""

    def _per_layer(self, name: str, n: int) -> tuple[Any, ...]:
        value = getattr(self, name)
        if not isinstance(value, list | tuple):
            return (value,) * n
        if len(value) != n:
            self._fail(name, f"one value or a list of {n}, one per hidden layer")
        return tuple(value)

    def _choice(self, name: str, options: tuple[str, ...]) -> None:
        if not (
            isinstance(getattr(self, name), str) and getattr(self, name) in options
        ):
            self._fail(name, f"one of {options}")

    def _number(
        self,
        name: str,
        low: float,
        high: float = np.inf,
        low_open: bool = False,
        high_open: bool = False,
    ) -> None:
        v = getattr(self, name)
        if not (
            is_real(v)
            and np.isfinite(v)
            and (v > low if low_open else v >= low)
            and (v < high if high_open else v <= high)
        ):
            lb, hb = "(" if low_open else "[", ")" if high_open else "]"
            self._fail(name, f"a number in {lb}{low:g}, {high:g}{hb}")

    # -- training ---------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Train for at most ``max_iter`` epochs: a new model, or the fitted
        one with ``warm_start``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (or a 0/1 indicator matrix, multi-label), or
            regression targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights: each batch's loss is their weighted mean.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            ``mlplab.DivergenceError`` (a ``ValueError``) with scikit-learn's
            message, "Solver produced non-finite parameter weights...", if the
            loss becomes NaN or infinite (lower ``learning_rate_init``). With
            ``early_stopping`` the fit ends instead, with the best weights.
        """
        return self._fit(X, y, sample_weight)

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        incremental: bool = False,
        classes: Any = None,
    ) -> Any:
        arch = self._check_params()
        if incremental and self.early_stopping:
            raise ValueError(
                f"{type(self).__name__}: partial_fit does not support "
                "early_stopping=True"
            )
        go_on = self.warm_start or incremental
        first = not hasattr(self, "model_") or not go_on
        adopt = first and go_on and bool(self._assigned)  # coefs_ assigned
        X, y = self._validate(X, y, arch.dtype if first else self.model_.dtype, first)
        arch = dataclasses.replace(arch, dtype=X.dtype)  # X's, unless dtype given
        # what the model learns: Y and its number of output units
        Y, n_outputs = self._encode(y, first, incremental, classes)
        sw = self._sample_weight(sample_weight, y, incremental)
        seed = self._seed()
        lbfgs = self.solver == "lbfgs"
        early = self.early_stopping and not lbfgs  # as scikit-learn: ignored
        train, val_data, val_score_data = (X, Y, sw), None, None
        if early:
            train, val_data, val_score_data = self._split(X, Y, y, sw, seed)
        if first:
            self._initialize(arch, X.shape[1], n_outputs, seed)
            if adopt:
                self._adopt_assigned()
        else:
            self._check_architecture(arch, n_outputs)
            if early and self.validation_scores_ is None:
                self._start_early_stopping()  # warm start with it newly on
        n_train = train[0].shape[0]
        batch_size = n_train if lbfgs else self._batch_size(n_train)
        X_tr, Y_tr, sw_tr = self._penalize(train, batch_size)
        if not incremental or first:  # a new optimizer per fit, as scikit-learn
            self.model_.engine = "numpy"  # the new optimizer is checked at compile
            self.model_.compile(loss=self._loss(), optimizer=self._new_optimizer())
        if self.model_.engine != self.engine:  # partial_fit keeps its compiled plan
            self.model_.engine = self.engine
        if lbfgs:
            self._train_lbfgs(X_tr, Y_tr, sw_tr)
            return self
        monitor = _SklearnEpochEnd(self, X_tr.shape[0], val_score_data)
        epochs = 1 if incremental else self.max_iter
        self._train(X_tr, Y_tr, sw_tr, epochs, batch_size, val_data, monitor)
        if early:
            self.model_.set_weights(self._best_weights)
        if not (incremental or monitor.stopped) and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _validate(
        self, X: Any, y: Any, dtype: np.dtype | None, reset: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """``X`` and ``y`` checked by scikit-learn (``reset``: a new fit, which
        records ``n_features_in_``); a one-column ``y`` made 1-D. ``X`` is cast
        to ``dtype``; None keeps float32 and makes anything else float64;
        sparse with the NumPy engine only."""
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=isinstance(self, RegressorMixin),
            dtype=(np.float64, np.float32) if dtype is None else dtype,
            reset=reset,
            # the compiled engine trains on dense arrays: scikit-learn's
            # TypeError says to densify
            accept_sparse=False if self.engine == "numba" else _SPARSE,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _penalize(
        self, train: tuple[np.ndarray, np.ndarray, Any], batch_size: int
    ) -> tuple[np.ndarray, np.ndarray, Any]:
        """Put ``alpha``'s L2 penalty on every weight matrix; return the
        training data, with no sample weights where they are all equal."""
        X_tr, Y_tr, sw_tr = train
        mean_weight = 1.0 if sw_tr is None else float(sw_tr.mean())
        if sw_tr is not None and (sw_tr == sw_tr[0]).all():
            sw_tr = None  # equal weights: a batch's weighted mean is its mean
        l2 = self.alpha / (2.0 * batch_size * mean_weight)
        for layer in self._dense_layers():
            layer.kernel_regularizer = L2(l2)  # gradient alpha * W / batch_size
        return X_tr, Y_tr, sw_tr

    def _train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sw: Any,
        epochs: int,
        batch_size: int,
        val_data: tuple[Any, Any] | None,
        monitor: _SklearnEpochEnd,
    ) -> None:
        """The model's ``fit``, with the estimator's words for a divergence;
        an interruption keeps what was learned, as scikit-learn."""
        self.n_iter_ = 0
        try:
            self.model_.fit(
                X,
                Y,
                epochs=epochs,
                batch_size=batch_size,
                shuffle=self.shuffle,
                validation_data=val_data,
                callbacks=[monitor],
                verbose=0,
                sample_weight=sw,
            )
        except DivergenceError as err:
            if self.early_stopping:
                # as scikit-learn: the diverged epoch scores NaN, and fit ends
                # with the best weights put back
                self._record_divergence(monitor)
                return
            # scikit-learn's words first (code matches them), then the
            # estimator's knobs rather than the engine's
            lr = self.learning_rate_init
            err.args = (
                "Solver produced non-finite parameter weights. The input data may "
                f"contain large values and need to be preprocessed. "
                f"({type(self).__name__}: training diverged after {self.n_iter_} "
                f"complete epoch(s) of this fit: the loss became {err.loss}; the "
                "model keeps the last weights that gave a finite loss. Lower "
                f"learning_rate_init (it is {lr:g}; try {lr / 10:g}) or scale the "
                "inputs, e.g. StandardScaler first in a Pipeline.)",
            )
            raise
        except KeyboardInterrupt:  # _train, _fit, fit: the caller is 4 up
            warnings.warn("Training interrupted by user.", stacklevel=4)

    def _train_lbfgs(self, X: Any, Y: np.ndarray, sw: Any) -> None:
        """``solver="lbfgs"``: one minimization of the full-batch loss (with
        ``alpha``'s penalty) by SciPy's L-BFGS-B, at most ``max_iter``
        iterations and ``max_fun`` loss evaluations, stopping where the
        projected gradient is below ``tol`` -- scikit-learn's semantics. A
        stop on a limit warns, as scikit-learn's."""
        self.n_iter_ = 0
        try:
            history = self.model_.fit(
                X, Y, epochs=self.max_iter, shuffle=False, sample_weight=sw
            )
        except DivergenceError as err:
            err.args = (
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed. "
                f"({type(self).__name__}: L-BFGS diverged: the loss became "
                f"{err.loss}; scale the inputs, e.g. StandardScaler first in a "
                "Pipeline.)",
            )
            raise
        result = self.model_.optimizer.result  # type: ignore[union-attr]
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.loss_ = float(result.fun)
        self.loss_curve_.extend(float(v) for v in history.history.get("loss", []))
        self.t_ += X.shape[0] * self.n_iter_
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}):\n{result.message}.\n\nIncrease the "
                f"number of iterations to improve the convergence (max_iter="
                f"{self.max_iter}), or max_fun (it is {self.max_fun}), or scale "
                "the data.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _record_divergence(self, monitor: _SklearnEpochEnd) -> None:
        """The epoch that diverged, as scikit-learn records it: a NaN loss
        and validation score; training stops there."""
        self.n_iter_ += 1
        self.loss_ = np.nan
        self.loss_curve_.append(np.nan)
        assert self.validation_scores_ is not None and self.val_loss_curve_ is not None
        self.validation_scores_.append(np.nan)
        self.val_loss_curve_.append(np.nan)
        monitor.stopped = True

    def _seed(self) -> int:
        """The seed of a new model and of the early-stopping split: an integer
        ``random_state`` itself, else one drawn from it."""
        rs = self.random_state
        if is_int(rs) and 0 <= rs < 2**32:
            return int(rs)
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))

    def _initialize(
        self, arch: _Architecture, n_features: int, n_outputs: int, seed: int
    ) -> None:
        """A new model and fresh fitted attributes (scikit-learn's
        ``_initialize``)."""
        out = self._output_activation()
        init = self.kernel_initializer
        layers: list[Layer] = []
        for units, act, rate in zip(
            arch.hidden, arch.activations, arch.dropout, strict=True
        ):
            layers.append(Dense(units, act, init, kernel_regularizer=L2(0.0)))
            if rate > 0:
                layers.append(Dropout(rate))
        layers.append(Dense(n_outputs, out, init, kernel_regularizer=L2(0.0)))
        self.model_ = Sequential(
            layers, input_dim=n_features, seed=seed, dtype=arch.dtype
        )
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(arch.hidden) + 2
        self.out_activation_ = _OUT_NAMES[out]
        self.t_ = 0
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self._start_early_stopping()
        else:
            self.best_loss_: float | None = np.inf
            self.validation_scores_: list[float] | None = None
            self.best_validation_score_: float | None = None
            self.val_loss_curve_: list[float] | None = None

    def _start_early_stopping(self) -> None:
        self.validation_scores_ = []
        self.val_loss_curve_ = []
        self.best_validation_score_ = -np.inf
        self.best_loss_ = None
        self._best_weights = self.model_.get_weights()

    def _architecture(self) -> _Architecture:
        """The fitted model's architecture."""
        layers = self.model_.layers
        hidden, names, rates = [], [], []
        for layer, after in itertools.pairwise(layers):
            if isinstance(layer, Dense):
                hidden.append(layer.units)
                names.append(layer.activation.name)
                rates.append(after.rate if isinstance(after, Dropout) else 0.0)
        out = layers[-1]
        assert isinstance(out, Dense)
        return _Architecture(
            tuple(hidden),
            tuple(names),
            tuple(rates),
            self.model_.dtype,
            out.units,
            out.activation.name,
        )

    def _check_architecture(self, arch: _Architecture, n_outputs: int) -> None:
        """warm_start and partial_fit go on training the fitted model."""
        have = self._architecture()
        want = _Architecture(
            arch.hidden,
            arch.activations,
            arch.dropout,
            arch.dtype,
            n_outputs,
            self._output_activation(),
        )
        if have != want:
            raise ValueError(
                f"{type(self).__name__}: warm_start and partial_fit go on training "
                f"the fitted model, {have}, but the parameters and targets now ask "
                f"for {want}. Set warm_start=False to train a new model"
            )

    def _split(
        self, X: np.ndarray, Y: np.ndarray, y: np.ndarray, sw: Any, seed: int
    ) -> tuple[tuple[Any, Any, Any], tuple[Any, Any], tuple[Any, Any, Any]]:
        """Hold out ``validation_fraction`` of the samples for early stopping:
        ``(X_train, Y_train, sw_train)``, ``(X_val, Y_val)`` for the
        validation loss and ``(X_val, y_val, sw_val)`` for the score."""
        idx_train, idx_val = train_test_split(
            np.arange(X.shape[0]),
            random_state=seed,
            test_size=self.validation_fraction,
            stratify=self._strata(y),
        )
        if idx_val.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__}: The validation set is too small "
                f"({idx_val.shape[0]} of {X.shape[0]} samples). Increase "
                f"validation_fraction (it is {self.validation_fraction}) or the "
                "size of your data set"
            )
        sw_tr, sw_val = (None, None) if sw is None else (sw[idx_train], sw[idx_val])
        X_val = X[idx_val]
        train = (X[idx_train], Y[idx_train], sw_tr)
        return train, (X_val, Y[idx_val]), (X_val, y[idx_val], sw_val)

    def _batch_size(self, n: int) -> int:
        if self.batch_size == "auto":
            return min(_AUTO_BATCH, n)
        if self.batch_size > n:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is "
                "going to be clipped",
                stacklevel=4,  # _batch_size, _fit, fit: the caller is 4 up
            )
        return min(self.batch_size, n)

    @property
    def _optimizer(self) -> Optimizer:
        """The fitted model's optimizer (scikit-learn's estimators keep theirs
        under this name; its ``learning_rate`` is the current rate)."""
        check_is_fitted(self)
        opt = self.model_.optimizer
        assert opt is not None
        return opt

    def _new_optimizer(self) -> Optimizer:
        return optimizers.create(
            self.solver,
            self.learning_rate_init,
            momentum=self.momentum,
            nesterov=bool(self.nesterovs_momentum) and self.momentum > 0,
            epsilon=self.epsilon,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            max_fun=self.max_fun,
            tol=self.tol,
        )

    def _sample_weight(
        self, sample_weight: Any, y: np.ndarray, incremental: bool
    ) -> np.ndarray | None:
        """Non-negative weights of shape (n_samples,), not all zero, or None."""
        if sample_weight is None:
            return None
        n = y.shape[0]
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.ndim == 0:
            w = np.full(n, float(w))
        if w.shape != (n,):
            raise ValueError(
                f"sample_weight must have shape ({n},), one weight per sample; "
                f"received shape {w.shape}"
            )
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("sample_weight must be finite and non-negative")
        if not w.any():
            raise ValueError("sample_weight is zero on every sample")
        return w

    def _dense_layers(self) -> list[Dense]:
        return [layer for layer in self.model_.layers if isinstance(layer, Dense)]

    # -- what the subclasses decide ---------------------------------------------------
    def _encode(
        self, y: Any, first: bool, incremental: bool, classes: Any
    ) -> tuple[np.ndarray, int]:
        """The targets as the model learns them, and the number of outputs."""
        raise NotImplementedError

    def _output_activation(self) -> str:
        raise NotImplementedError

    def _loss(self) -> str:
        raise NotImplementedError

    def _strata(self, y: np.ndarray) -> np.ndarray | None:
        """What the early-stopping split is stratified on (None: not)."""
        return None

    def _validation_score(self, X: np.ndarray, y: np.ndarray, sw: Any) -> float:
        raise NotImplementedError

    # -- the fitted model -------------------------------------------------------------
    def _outputs(self, X: Any) -> np.ndarray:
        """The output layer's activations, ``X`` checked as at fit time."""
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=self.model_.dtype, accept_sparse=_SPARSE
        )
        return self.model_.predict(X)

    def transform(self, X: Any, layer: int | None = None) -> np.ndarray:
        """The activations of a hidden layer: the last one, or hidden layer
        ``layer`` counted from 1 (dropout off, as in ``predict``).

        With ``set_output(transform="pandas")`` the columns are named after
        the last hidden layer's units (``get_feature_names_out``): ask for
        another layer on arrays only.

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[layer - 1])
        """
        check_is_fitted(self)
        n_hidden = self.n_layers_ - 2
        k = n_hidden if layer is None else layer
        if not (is_int(k) and 1 <= k <= n_hidden):
            raise ValueError(
                f"layer must be a hidden layer, from 1 to {n_hidden}; received "
                f"layer={layer!r}"
                if n_hidden
                else f"{type(self).__name__}.transform needs a hidden layer; "
                "this model has none (hidden_layer_sizes=())"
            )
        X = validate_data(
            self, X, reset=False, dtype=self.model_.dtype, accept_sparse=_SPARSE
        )
        outputs = self.model_.layer_outputs(X)
        dense = [i for i, x in enumerate(self.model_.layers) if isinstance(x, Dense)]
        return outputs[dense[k - 1]]

    @property
    def _n_features_out(self) -> int:
        """The units of the last hidden layer (what ``transform`` gives)."""
        return self._dense_layers()[-2].units if self.n_layers_ > 2 else 0

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.engine != "numba"  # it trains on dense X
        try:  # transform gives arrays of the model's dtype
            tags.transformer_tags.preserves_dtype = (
                ["float64", "float32"]
                if self.dtype is None
                else [check_dtype(self.dtype).name]
            )
        except ValueError:
            pass  # fit will say what is wrong with dtype
        return tags

    @property
    def coefs_(self) -> list[np.ndarray]:
        return self._weights("W")

    @coefs_.setter
    def coefs_(self, value: Any) -> None:
        self._assign("W", value)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        return self._weights("b")

    @intercepts_.setter
    def intercepts_(self, value: Any) -> None:
        self._assign("b", value)

    def _weights(self, key: str) -> list[np.ndarray]:
        """Views of the model's weight matrices (``W``) or biases (``b``);
        before a fit, the lists assigned to ``coefs_`` / ``intercepts_``."""
        if not hasattr(self, "model_") and key in self._assigned:
            return self._assigned[key]
        check_is_fitted(self)
        return [layer.params[key] for layer in self._dense_layers()]

    def _assign(self, key: str, value: Any) -> None:
        """Write ``value`` into the model's weights; before a fit, keep the
        list: ``partial_fit`` (or ``fit`` with ``warm_start``) then starts
        from it, as scikit-learn's."""
        if not isinstance(value, list | tuple):
            raise TypeError(
                f"{type(self).__name__}: coefs_ and intercepts_ take a list of "
                f"arrays, one per layer; received {type(value).__name__}"
            )
        if not hasattr(self, "model_"):
            self._assigned[key] = value
            return
        views = self._weights(key)
        if len(value) != len(views):
            raise ValueError(
                f"{type(self).__name__}: the model has {len(views)} layers; "
                f"received {len(value)} arrays"
            )
        for i, (view, new) in enumerate(zip(views, value, strict=True)):
            new = np.asarray(new, dtype=view.dtype)
            if new.shape != view.shape:
                raise ValueError(
                    f"{type(self).__name__}: layer {i} has shape {view.shape}; "
                    f"received an array of shape {new.shape}"
                )
            view[...] = new

    @property
    def _assigned(self) -> dict[str, Any]:
        """Weights assigned before the first fit (see :meth:`_assign`)."""
        return self.__dict__.setdefault("_assigned_weights", {})

    def _adopt_assigned(self) -> None:
        """Start the new model from the assigned ``coefs_`` and
        ``intercepts_``."""
        assigned = self.__dict__.pop("_assigned_weights", {})
        if set(assigned) != {"W", "b"}:
            raise ValueError(
                f"{type(self).__name__}: assign both coefs_ and intercepts_ to "
                "start from given weights"
            )
        dtype = self.model_.dtype
        weights = []
        for W, b in zip(assigned["W"], assigned["b"], strict=True):
            weights += [np.asarray(W, dtype=dtype), np.asarray(b, dtype=dtype)]
        self.model_.set_weights(weights)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = f"""A multi-layer perceptron classifier: scikit-learn's
    ``MLPClassifier`` over an mlplab ``Sequential``.

    Binary targets get one sigmoid output and binary cross-entropy, multiclass
    targets a softmax output and categorical cross-entropy, and multi-label
    targets (a 0/1 indicator matrix) one sigmoid output per label.

    Parameters
    ----------
    class_weight : None, "balanced" or dict, default None
        Weights per class, multiplied into ``sample_weight`` ("balanced":
        ``n_samples / (n_classes * count)``; a dict for ``partial_fit``).{_PARAMETERS}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,){_ATTRIBUTES}
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(), MLPClassifier((8,), max_iter=1000, random_state=0)
    ... )
    >>> clf.fit(X, y).score(X, y) > 0.97
    True
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: Any = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: Any = 10,
        max_fun: int = 15000,
        dropout: Any = 0.0,
        kernel_initializer: Any = "glorot_uniform",
        class_weight: Any = None,
        dtype: Any = None,
        engine: str = "numpy",
    ) -> None:
        _store_arguments(self, locals())

    def _check_own_params(self) -> None:
        cw = self.class_weight
        if not (
            cw is None
            or isinstance(cw, dict)
            or (isinstance(cw, str) and cw == "balanced")
        ):
            self._fail("class_weight", "None, 'balanced' or a dict {class: weight}")

    def _encode(
        self, y: Any, first: bool, incremental: bool, classes: Any
    ) -> tuple[np.ndarray, int]:
        # As scikit-learn's LabelBinarizer, without its repeated checks of y:
        # classes_ sorted by unique_labels; one sigmoid unit for two classes
        # (or one), a softmax over k > 2, a sigmoid per label for multi-label.
        name = type(self).__name__
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass", "multilabel-indicator"):
            check_classification_targets(y)  # scikit-learn's error, if it has one
            raise ValueError(
                f"{name} takes class labels of shape (n_samples,) or a 0/1 "
                f"indicator matrix (multi-label); y is {kind!r}"
            )
        multilabel = kind == "multilabel-indicator"
        if first:
            if incremental and classes is None:
                raise ValueError(
                    f"{name}: classes must be passed on the first call to partial_fit"
                )
            self.classes_ = unique_labels(
                y if classes is None or multilabel else classes
            )
            self._multilabel = multilabel
        else:
            self._check_classes(y, multilabel, incremental, classes)
        if incremental and not multilabel:
            unknown = np.setdiff1d(np.unique(y), self.classes_)
            if len(unknown):
                raise ValueError(
                    f"{name}: y has classes not in classes_ {self.classes_}: {unknown}"
                )
        k = len(self.classes_)
        if multilabel:
            return y, k
        if k > 2:
            return np.searchsorted(self.classes_, y), k  # labels 0..k-1, softmax
        return (y == self.classes_[-1]).astype(np.int8) * (k == 2), 1  # 0/1

    def _check_classes(
        self, y: Any, multilabel: bool, incremental: bool, classes: Any
    ) -> None:
        """warm_start and later partial_fit calls keep the classes."""
        name = type(self).__name__
        if multilabel != self._multilabel:
            raise ValueError(
                f"{name}: y is {'' if multilabel else 'not '}a multi-label indicator "
                "matrix, unlike in the fit that warm_start or partial_fit go on from"
            )
        if classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):
            raise ValueError(
                f"{name}: classes={classes!r} is not the same as on the first "
                f"call to partial_fit, {self.classes_!r}"
            )
        if self.warm_start and not incremental and not multilabel:
            seen = np.unique(y)
            if not np.array_equal(seen, self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {seen}"
                )

    def _output_activation(self) -> str:
        softmax = not self._multilabel and len(self.classes_) > 2
        return "softmax" if softmax else "sigmoid"

    def _loss(self) -> str:
        return (
            "categorical_crossentropy"
            if self.out_activation_ == "softmax"
            else "binary_crossentropy"
        )

    def _strata(self, y: np.ndarray) -> np.ndarray | None:
        if self._multilabel:
            return None
        if len(self.classes_) == 2:
            # as scikit-learn: on the binarized labels, one boolean column (so
            # its message names the classes 'False' and 'True'); the same split
            # as on the labels themselves
            return (y == self.classes_[-1]).reshape(-1, 1)
        return y

    def _sample_weight(
        self, sample_weight: Any, y: np.ndarray, incremental: bool
    ) -> np.ndarray | None:
        w = super()._sample_weight(sample_weight, y, incremental)
        if self.class_weight is None:
            return w
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                f"{type(self).__name__}: class_weight='balanced' is not supported "
                "by partial_fit; give a dict, e.g. from sklearn.utils."
                "compute_class_weight('balanced', classes=classes, y=y_all)"
            )
        per_class = compute_sample_weight(self.class_weight, y)
        w = per_class if w is None else w * per_class
        if not w.any():
            raise ValueError("sample_weight * class_weight is zero on every sample")
        return w

    def _labels(self, A: np.ndarray) -> np.ndarray:
        """Class labels from output activations (scikit-learn's thresholds)."""
        if self._multilabel:
            return (A > 0.5).astype(int)
        if A.shape[1] > 1:
            return self.classes_[A.argmax(axis=1)]
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, A.shape[0])
        return self.classes_[(A[:, 0] > 0.5).astype(np.intp)]

    def _validation_score(self, X: np.ndarray, y: np.ndarray, sw: Any) -> float:
        A = self.model_.predict(X)
        if not np.isfinite(A).all():
            return np.nan
        return float(accuracy_score(y, self._labels(A), sample_weight=sw))

    @available_if(_stochastic_solver)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, *, sample_weight: Any = None
    ) -> MLPClassifier:
        """One epoch over ``(X, y)``, going on from the fitted model if there
        is one (same optimizer state).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), optional
            Every class of the whole data set; required on the first call
            (``y`` need not hold them all).
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels, shape (n_samples,) (an indicator matrix (n_samples,
        n_labels) for multi-label targets)."""
        return self._labels(self._outputs(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, shape (n_samples, n_classes), columns in the order of
        ``classes_`` (for multi-label targets, each label's probability)."""
        A = self._outputs(X)
        if self.n_outputs_ == 1:
            p = A.ravel()
            return np.column_stack([1.0 - p, p])
        return A

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = f"""A multi-layer perceptron regressor: scikit-learn's
    ``MLPRegressor`` over an mlplab ``Sequential``, with a linear output unit
    per target (an ``exp`` one with ``loss="poisson"``).

    Parameters
    ----------
    loss : {{"squared_error", "mse", "absolute_error", "huber", "poisson"}}, \
default "squared_error"
        "squared_error" is half the mean squared error, as scikit-learn's;
        "mse" is Keras's, without the half; "absolute_error" the mean of
        ``|prediction - y|``; "huber" the Huber loss with delta 1 (squared
        error within 1 of the target, absolute error beyond: robust to
        outliers; scale ``y`` to match). "poisson" is half the Poisson
        deviance, as scikit-learn's, for counts and other targets ``y >= 0``
        (a ValueError otherwise), with an ``exp`` output unit (the log link;
        ``out_activation_ == "exp"``), so predictions are positive.
        (scikit-learn's first positional parameter; a keyword here, as in the
        classifier.){_PARAMETERS}
    Attributes
    ----------{_ATTRIBUTES}
    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, (200, 2))
    >>> y = np.column_stack([X[:, 0] * X[:, 1], X.sum(axis=1)])
    >>> reg = MLPRegressor((32,), learning_rate_init=0.01, max_iter=500,
    ...                    random_state=0).fit(X, y)
    >>> reg.predict(X).shape, reg.score(X, y) > 0.9
    ((200, 2), True)
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        loss: str = "squared_error",
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: Any = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: Any = 10,
        max_fun: int = 15000,
        dropout: Any = 0.0,
        kernel_initializer: Any = "glorot_uniform",
        dtype: Any = None,
        engine: str = "numpy",
    ) -> None:
        _store_arguments(self, locals())

    def _check_own_params(self) -> None:
        self._choice("loss", _REGRESSION_LOSSES)

    def _encode(
        self, y: Any, first: bool, incremental: bool, classes: Any
    ) -> tuple[np.ndarray, int]:
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                f"{type(self).__name__}: loss='poisson' requires non-negative y; "
                f"received values from {y.min().item()!r} to {y.max().item()!r}"
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return Y, Y.shape[1]

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "linear"

    def _loss(self) -> Any:
        return _SklearnSquaredError() if self.loss == "squared_error" else self.loss

    def _validation_score(self, X: np.ndarray, y: np.ndarray, sw: Any) -> float:
        A = self.model_.predict(X)
        if not np.isfinite(A).all():
            return np.nan
        return float(r2_score(y, A.ravel() if y.ndim == 1 else A, sample_weight=sw))

    @available_if(_stochastic_solver)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over ``(X, y)``, going on from the fitted model if there
        is one (same optimizer state).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) for one target, else (n_samples,
        n_outputs)."""
        A = self._outputs(X)
        return A.ravel() if self.n_outputs_ == 1 else A

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


class _SklearnSquaredError(losses.SquaredError):
    """scikit-learn's ``squared_error`` for several targets: the value is half
    the mean over all entries of ``(a - y)**2`` (``loss_`` agrees), but the
    gradient is ``(a - y) / n``, that of half the mean over samples of the
    *sum* over targets -- ``n_outputs`` times the value's derivative. With
    one target the two agree, bit for bit with mlplab's ``squared_error``;
    with more, this keeps the trajectory of scikit-learn's ``MLPRegressor``.
    """

    gradient_sums_outputs = True  # the compiled engine's scale for it

    def gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        out = np.subtract(A, Y, out=out)
        out *= 1.0 / A.shape[0]
        return out


def _store_arguments(est: BaseEstimator, arguments: dict[str, Any]) -> None:
    """``__init__`` stores its arguments under their own names and does
    nothing else (scikit-learn's rule: ``fit`` checks them)."""
    for name, value in arguments.items():
        if name != "self":
            setattr(est, name, value)
