"""Splitting, scaling and encoding data before it reaches a model.

The scalers follow scikit-learn's names (``fit``, ``transform``,
``fit_transform``, ``inverse_transform``; fitted attributes end in ``_``) and,
like every mlplab component, turn into plain data with ``get_config``.

>>> import numpy as np
>>> from mlplab.preprocessing import StandardScaler, train_test_split
>>> X = np.arange(20.0).reshape(10, 2)
>>> y = np.array([0, 1] * 5)
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train.shape, X_test.shape
((8, 2), (2, 2))
>>> scaler = StandardScaler().fit(X_train)
>>> bool(np.allclose(scaler.transform(X_train).mean(axis=0), 0.0))
True
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._validation import check_features, check_positive, make_rng

__all__ = [
    "MinMaxScaler",
    "StandardScaler",
    "one_hot",
    "scaler_from_config",
    "train_test_split",
]

_FLOAT = np.dtype(np.float64)


# -- train / test split -----------------------------------------------------------


def _n_test(test_size: Any, n: int) -> int:
    """The number of test rows ``test_size`` asks for out of ``n``."""
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(
            "test_size must be a fraction in (0, 1) or a number of samples; "
            f"received test_size={test_size!r}"
        )
    if n < 2:
        raise ValueError(
            f"splitting needs at least 2 samples, one for each part; received {n}"
        )
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(
                f"test_size as a count must be in 1..{n - 1} for {n} samples, so that "
                f"both parts are non-empty; received test_size={test_size!r}"
            )
        return n_test
    fraction = float(test_size)
    if not 0.0 < fraction < 1.0:
        raise ValueError(
            "test_size as a fraction must be in (0, 1); "
            f"received test_size={test_size!r}"
        )
    # round first so that 0.7 * 10 = 7.000000000000001 gives 7, not 8
    n_test = math.ceil(round(fraction * n, 9))
    if n_test > n - 1:
        raise ValueError(
            f"test_size={test_size!r} of {n} samples leaves no training samples; "
            f"use a smaller fraction or a count in 1..{n - 1}"
        )
    return n_test


def _stratified_counts(counts: np.ndarray, n_test: int) -> np.ndarray:
    """How many of each class go to the test set: proportional to the class
    sizes, ``n_test`` in all, and where possible at least one in each part for
    every class with two or more members."""
    n = int(counts.sum())
    ideal = counts * (n_test / n)
    alloc = np.floor(ideal).astype(np.int64)
    # largest remainders first; the stable sort breaks ties by class order
    short = n_test - int(alloc.sum())
    alloc[np.argsort(alloc - ideal, kind="stable")[:short]] += 1
    low = (counts >= 2).astype(np.int64)  # classes of 2+ keep one in each part
    high = counts - low
    alloc = np.clip(alloc, low, high)
    # clipping may have moved the total; take from (or give to) the classes
    # furthest above (below) their share, first within the bounds, then beyond
    for floor, ceiling in ((low, high), (np.zeros_like(counts), counts)):
        while (excess := int(alloc.sum()) - n_test) > 0 and (alloc > floor).any():
            room = alloc > floor
            above = np.where(room, alloc - ideal, -np.inf)
            alloc[np.argsort(-above, kind="stable")[: min(excess, room.sum())]] -= 1
        while (missing := n_test - int(alloc.sum())) > 0 and (alloc < ceiling).any():
            room = alloc < ceiling
            below = np.where(room, ideal - alloc, -np.inf)
            alloc[np.argsort(-below, kind="stable")[: min(missing, room.sum())]] += 1
    return alloc


def train_test_split(
    X: Any,
    y: Any,
    test_size: float | int = 0.25,
    stratify: bool | Any = False,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them into a training and a test set.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples, ...)
        Labels or targets, one row per row of ``X`` (one-hot rows are fine).
    test_size : float or int, default 0.25
        A fraction in (0, 1) (rounded up to whole samples) or a number of test
        samples. Both parts must end up non-empty.
    stratify : bool or array-like of shape (n_samples,), default False
        ``True`` keeps the class proportions of ``y`` in both parts; an array
        gives the groups to stratify by instead. Every class with at least two
        members then appears in both parts whenever the sizes allow it.
    seed : int, optional
        The same seed gives the same split.

    Returns
    -------
    X_train, X_test, y_train, y_test : arrays
        Rows of ``X`` and ``y`` in shuffled order.

    Raises
    ------
    ValueError
        When ``X`` and ``y`` (or ``stratify``) differ in length, or
        ``test_size`` would leave a part empty.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> y = np.array([0] * 15 + [1] * 5)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, test_size=0.2, stratify=True, seed=0)
    >>> np.bincount(y_train).tolist(), np.bincount(y_test).tolist()
    ([12, 4], [3, 1])
    """
    X_arr, y_arr = _paired_rows(X, y)
    n = len(X_arr)
    n_test = _n_test(test_size, n)
    rng = make_rng(seed)
    if stratify is None or stratify is False:
        order = rng.permutation(n)
        train, test = order[n_test:], order[:n_test]
    else:
        groups = y_arr if stratify is True else np.asarray(stratify)
        train, test = _stratified_split(groups, n, n_test, rng)
    return X_arr[train], X_arr[test], y_arr[train], y_arr[test]


def _paired_rows(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` as arrays with the same number of rows."""
    X_arr, y_arr = np.asarray(X), np.asarray(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(
            "X and y must be arrays with one row per sample; received "
            f"X of shape {X_arr.shape} and y of shape {y_arr.shape}"
        )
    if len(y_arr) != len(X_arr):
        raise ValueError(
            f"X and y must have the same number of rows; received {len(X_arr)} "
            f"rows in X and {len(y_arr)} in y"
        )
    return X_arr, y_arr


def _stratified_split(
    groups: np.ndarray, n: int, n_test: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices, each class of ``groups`` divided between
    them as :func:`_stratified_counts` says, each part in random order."""
    if groups.ndim == 0 or len(groups) != n:
        raise ValueError(
            f"stratify must be True, False or one label per row ({n}); "
            f"received an array of shape {groups.shape}"
        )
    # one integer per class; rows of a 2-D y (one-hot) are classes too
    _, codes, counts = np.unique(
        groups.reshape(n, -1), axis=0, return_inverse=True, return_counts=True
    )
    codes = codes.reshape(-1)
    alloc = _stratified_counts(counts, n_test)
    # rows grouped by class, in random order within each class
    perm = rng.permutation(n)
    order = perm[np.argsort(codes[perm], kind="stable")]
    starts = np.cumsum(counts) - counts
    rank = np.arange(n) - np.repeat(starts, counts)  # position in its class
    in_test = rank < np.repeat(alloc, counts)
    test = rng.permutation(order[in_test])
    train = rng.permutation(order[~in_test])
    return train, test


# -- scalers ------------------------------------------------------------------------


class _Scaler:
    """What the scalers share: input checks, ``fit_transform``, configs."""

    _fitted_keys: tuple[str, ...] = ()
    n_features_in_: int
    n_samples_seen_: int

    def fit(self, X: Any, y: Any = None) -> _Scaler:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_fitted(self, X: Any) -> np.ndarray:
        name = type(self).__name__
        if not hasattr(self, "n_features_in_"):
            raise ValueError(
                f"this {name} is not fitted yet; call fit(X) before transforming"
            )
        X = check_features(X, dtype=_FLOAT)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but this {name} was fitted on "
                f"{self.n_features_in_}; received X of shape {X.shape}"
            )
        return X

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit to ``X``, then transform it."""
        return self.fit(X).transform(X)

    def transform(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self) -> dict[str, Any]:
        return {}

    def get_config(self) -> dict[str, Any]:
        """The class, its parameters and, once fitted, its fitted values, as
        JSON-serializable data (lists of floats)."""
        config: dict[str, Any] = {"class_name": type(self).__name__, **self._params()}
        if hasattr(self, "n_features_in_"):
            for key in self._fitted_keys:
                value = getattr(self, key)
                config[key] = value.tolist() if isinstance(value, np.ndarray) else value
        return config

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


def _mean_std(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation (``ddof=0``) without overflow.

    Each column is first divided by a power of two ``c`` close to its largest
    absolute value, so the squared deviations stay below 16 even for values
    near the float maximum; the results are multiplied back by ``c``. Scaling
    by a power of two is exact, so for ordinary data this gives the same bits
    as ``X.mean(axis=0)`` and ``X.std(axis=0)``.
    """
    # frexp: |x| = m * 2**e with m in [0.5, 1); 2**(e - 1) never overflows and
    # is 0.5 for an all-zero column.
    _, e = np.frexp(np.abs(X).max(axis=0))
    c = np.ldexp(1.0, e - 1)  # (n_features,)
    Xs = X / c
    mean = Xs.mean(axis=0) * c
    # |std| <= max |x|: only rounding in the last bit can pass the float maximum.
    with np.errstate(over="ignore"):
        std = Xs.std(axis=0) * c
    return mean, np.minimum(std, np.finfo(X.dtype).max)


class StandardScaler(_Scaler):
    """Standardize each feature to mean 0 and standard deviation 1.

    Attributes
    ----------
    mean_ : array of shape (n_features,)
    scale_ : array of shape (n_features,)
        The standard deviation of each feature (``ddof=0``), or 1 for a
        constant feature, which is then only centred (to exactly 0).
    n_features_in_ : int
    n_samples_seen_ : int

    Notes
    -----
    ``transform(X) = (X - mean_) / scale_``.

    Examples
    --------
    >>> import numpy as np
    >>> scaler = StandardScaler().fit([[0.0, 5.0], [2.0, 5.0]])
    >>> scaler.mean_.tolist(), scaler.scale_.tolist()
    ([1.0, 5.0], [1.0, 1.0])
    >>> scaler.transform([[4.0, 5.0]]).tolist()
    [[3.0, 0.0]]
    """

    _fitted_keys = ("mean_", "scale_", "n_features_in_", "n_samples_seen_")
    mean_: np.ndarray
    scale_: np.ndarray

    def fit(self, X: Any, y: Any = None) -> StandardScaler:
        """Learn each feature's mean and standard deviation from ``X`` of shape
        (n_samples, n_features); ``y`` is ignored. Returns ``self``."""
        X = check_features(X, dtype=_FLOAT)
        mean, scale = _mean_std(X)
        constant = X.max(axis=0) == X.min(axis=0)  # np.ptp could overflow
        mean[constant] = X[0, constant]  # exact, so the column maps to exactly 0
        scale[constant | (scale == 0)] = 1.0
        self.mean_, self.scale_ = mean, scale
        self.n_features_in_, self.n_samples_seen_ = X.shape[1], X.shape[0]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``(X - mean_) / scale_`` for ``X`` of shape (n_samples, n_features)."""
        X = self._check_fitted(X)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``X * scale_ + mean_``."""
        X = self._check_fitted(X)
        return X * self.scale_ + self.mean_

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StandardScaler:
        """Rebuild a scaler (fitted, if the config has fitted values)."""
        scaler = cls()
        fitted = _fitted_arrays(config, ("mean_", "scale_"))
        if fitted is not None:
            scaler.mean_, scaler.scale_ = fitted
            _set_counts(scaler, config, len(scaler.mean_))
        return scaler


class MinMaxScaler(_Scaler):
    """Scale each feature linearly onto ``feature_range``.

    Parameters
    ----------
    feature_range : (float, float), default (0, 1)
        Where each feature's training minimum and maximum go; ``min < max``.

    Attributes
    ----------
    data_min_, data_max_ : arrays of shape (n_features,)
        Each feature's minimum and maximum in the training data.
    data_range_ : array of shape (n_features,)
        ``data_max_ - data_min_``.
    scale_, min_ : arrays of shape (n_features,)
        ``transform(X) = X * scale_ + min_``; a constant feature gets
        ``scale_`` as if its range were 1, and maps to ``feature_range[0]``.
    n_features_in_ : int
    n_samples_seen_ : int

    Examples
    --------
    >>> scaler = MinMaxScaler(feature_range=(-1, 1)).fit([[0.0, 10.0], [4.0, 20.0]])
    >>> scaler.transform([[2.0, 10.0], [4.0, 30.0]]).tolist()
    [[0.0, -1.0], [1.0, 3.0]]
    """

    _fitted_keys = ("data_min_", "data_max_", "n_features_in_", "n_samples_seen_")
    data_min_: np.ndarray
    data_max_: np.ndarray
    data_range_: np.ndarray
    scale_: np.ndarray
    min_: np.ndarray

    def __init__(self, feature_range: tuple[float, float] = (0, 1)) -> None:
        try:
            low, high = (float(v) for v in feature_range)
            ok = math.isfinite(low) and math.isfinite(high) and low < high
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(
                "feature_range must be two finite numbers (min, max) with min < max; "
                f"received feature_range={feature_range!r}"
            )
        self.feature_range = (low, high)

    def _params(self) -> dict[str, Any]:
        return {"feature_range": list(self.feature_range)}

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={self.feature_range!r})"

    def _set_range(self, data_min: np.ndarray, data_max: np.ndarray) -> None:
        low, high = self.feature_range
        self.data_min_, self.data_max_ = data_min, data_max
        self.data_range_ = data_max - data_min
        span = np.where(self.data_range_ == 0, 1.0, self.data_range_)
        self.scale_ = (high - low) / span
        self.min_ = low - data_min * self.scale_

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Learn each feature's minimum and maximum from ``X`` of shape
        (n_samples, n_features); ``y`` is ignored. Returns ``self``."""
        X = check_features(X, dtype=_FLOAT)
        self._set_range(X.min(axis=0), X.max(axis=0))
        self.n_features_in_, self.n_samples_seen_ = X.shape[1], X.shape[0]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``X * scale_ + min_``; values outside the training range land outside
        ``feature_range`` (they are not clipped)."""
        X = self._check_fitted(X)
        return X * self.scale_ + self.min_

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``(X - min_) / scale_``."""
        X = self._check_fitted(X)
        return (X - self.min_) / self.scale_

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MinMaxScaler:
        """Rebuild a scaler (fitted, if the config has fitted values)."""
        scaler = cls(feature_range=config.get("feature_range", (0, 1)))
        fitted = _fitted_arrays(config, ("data_min_", "data_max_"))
        if fitted is not None:
            data_min, data_max = fitted
            if np.any(data_max < data_min):
                raise ValueError(
                    "a MinMaxScaler config needs data_min_ <= data_max_; received "
                    f"data_min_={data_min.tolist()}, data_max_={data_max.tolist()}"
                )
            scaler._set_range(data_min, data_max)
            _set_counts(scaler, config, len(data_min))
        return scaler


_SCALERS: dict[str, type[StandardScaler] | type[MinMaxScaler]] = {
    "StandardScaler": StandardScaler,
    "MinMaxScaler": MinMaxScaler,
}


def _fitted_arrays(
    config: dict[str, Any], keys: tuple[str, ...]
) -> tuple[np.ndarray, ...] | None:
    """The fitted arrays of a config, checked; ``None`` for an unfitted one."""
    present = [key in config for key in keys]
    if not any(present):
        return None
    name = config.get("class_name")
    if not all(present):
        raise ValueError(
            f"a fitted {name} config needs all of {list(keys)}; received keys "
            f"{sorted(config)}"
        )
    arrays = []
    for key in keys:
        try:
            arr = np.asarray(config[key], dtype=np.float64)
        except (TypeError, ValueError):
            arr = np.empty(0)
        if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(
                f"{name} config: {key} must be a non-empty list of finite numbers; "
                f"received {key}={config[key]!r}"
            )
        arrays.append(arr)
    if len({arr.size for arr in arrays}) != 1:
        raise ValueError(
            f"{name} config: {', '.join(keys)} must have the same length; received "
            f"lengths {[arr.size for arr in arrays]}"
        )
    if keys[1] == "scale_" and np.any(arrays[1] <= 0):
        raise ValueError(
            f"{name} config: scale_ must be positive; received {config['scale_']!r}"
        )
    return tuple(arrays)


def _set_counts(scaler: _Scaler, config: dict[str, Any], n_features: int) -> None:
    scaler.n_features_in_ = n_features
    n_seen = config.get("n_samples_seen_")
    if n_seen is not None:
        scaler.n_samples_seen_ = int(n_seen)


def scaler_from_config(config: dict[str, Any]) -> StandardScaler | MinMaxScaler:
    """Rebuild a scaler from the output of its ``get_config()``.

    Parameters
    ----------
    config : dict
        ``{"class_name": "StandardScaler" or "MinMaxScaler", ...}``.

    Examples
    --------
    >>> import json
    >>> scaler = MinMaxScaler().fit([[0.0], [2.0]])
    >>> copy = scaler_from_config(json.loads(json.dumps(scaler.get_config())))
    >>> copy.transform([[1.0]]).tolist()
    [[0.5]]
    """
    if not isinstance(config, dict) or config.get("class_name") not in _SCALERS:
        raise ValueError(
            f"a scaler config needs 'class_name' in {sorted(_SCALERS)}; "
            f"received {config!r}"
        )
    return _SCALERS[config["class_name"]].from_config(config)


# -- encoding -----------------------------------------------------------------------


def one_hot(y: Any, n_classes: int | None = None) -> np.ndarray:
    """Encode class labels ``0 .. k-1`` as rows of a ``k``-column identity.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Non-negative whole numbers (ints, bools, or floats such as ``1.0``).
    n_classes : int, optional
        The number of columns ``k``; by default ``max(y) + 1``.

    Returns
    -------
    float64 array of shape (n_samples, n_classes)

    Examples
    --------
    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(
            f"one_hot takes a 1-D array of labels; received shape {arr.shape}"
        )
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            "one_hot takes integer class labels 0..k-1; received an array of dtype "
            f"{arr.dtype} (encode text labels first, e.g. with np.unique(y, "
            "return_inverse=True))"
        )
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            raise ValueError(
                "one_hot takes whole-number class labels; received "
                f"{float(arr[bad][0])!r} at index {int(np.argmax(bad))}"
            )
    labels = arr.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"one_hot takes labels 0..k-1; received {labels.min()} at index "
            f"{int(np.argmin(labels))}"
        )
    if n_classes is None:
        if labels.size == 0:
            raise ValueError("one_hot of no labels needs n_classes")
        k = int(labels.max()) + 1
    else:
        k = check_positive("n_classes", n_classes, integer=True)
        if labels.size and labels.max() >= k:
            raise ValueError(
                f"label {labels.max()} (at index {int(np.argmax(labels))}) is out of "
                f"range for n_classes={n_classes}; labels must be in 0..{k - 1}"
            )
    out = np.zeros((labels.size, k))
    out[np.arange(labels.size), labels] = 1.0
    return out
