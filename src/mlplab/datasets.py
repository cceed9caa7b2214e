"""Data sets: seeded synthetic sets, logic gates, real bundled data, your files.

Every synthetic generator takes a ``seed`` and returns ``(X, y)``: ``X`` a
float64 array of shape (n_samples, n_features), ``y`` int64 labels of shape
(n_samples,), or float64 targets for the regression sets :func:`make_plane`
and :func:`make_gauss`. The same seed gives the same bits. The real data sets are the
small ones bundled with scikit-learn (nothing is downloaded), and
:func:`load_file` reads your own ``.csv``, ``.txt``, ``.npy`` or ``.npz``.

>>> from mlplab import datasets
>>> X, y = datasets.make_moons(200, noise=0.2, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((200, 2), (200,), [0, 1])
>>> X, y = datasets.load_dataset("spirals", n_samples=300, seed=0)
>>> X.shape, sorted(set(y.tolist()))
((300, 2), [0, 1])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from os import PathLike
from typing import Any

import numpy as np

from ._files import (
    EXTENSIONS,
    column_names,
    load_csv,
    load_file,
    load_npy,
    load_npz,
)
from ._validation import check_array, check_positive, check_range, make_rng

__all__ = [
    "EXTENSIONS",
    "GATES",
    "GENERATORS",
    "REAL",
    "column_names",
    "dataset_names",
    "load_breast_cancer",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_file",
    "load_iris",
    "load_npy",
    "load_npz",
    "load_wine",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_gauss",
    "make_linear",
    "make_moons",
    "make_plane",
    "make_spirals",
    "make_xor",
]

Dataset = tuple[np.ndarray, np.ndarray]
StrPath = str | PathLike[str]


def _class_sizes(n: int, k: int) -> list[int]:
    """``n`` points split as evenly as possible over ``k`` classes, the first
    ``n % k`` classes getting one more."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _noise(noise: Any) -> float:
    return check_range("noise", noise, 0.0, np.inf, high_inclusive=False)


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``X`` plus Gaussian noise of standard deviation ``noise`` (none drawn
    when it is 0)."""
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``X`` and ``y`` in one random order."""
    order = rng.permutation(len(y))
    return X[order], y[order]


# -- synthetic sets ----------------------------------------------------------------


def make_moons(
    n_samples: int = 500, noise: float = 0.2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the classic set a linear model cannot
    separate.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible between the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int, optional

    Returns
    -------
    X : array of shape (n_samples, 2)
    y : int array of shape (n_samples,), labels 0 (upper moon) and 1 (lower moon)
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    rng = make_rng(seed)
    sizes = _class_sizes(n, 2)  # the upper moon gets the odd point
    t_upper = np.linspace(0.0, np.pi, sizes[0])
    t_lower = np.linspace(0.0, np.pi, sizes[1])
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X, y = _shuffled(np.vstack([upper, lower]), _labels(sizes), rng)
    return _jitter(X, noise, rng), y


def make_circles(
    n_samples: int = 500,
    noise: float = 0.1,
    factor: float = 0.5,
    seed: int | None = None,
) -> Dataset:
    """A circle inside a larger one: separable, but not by a line.

    Parameters
    ----------
    n_samples : int, default 500
        Total number of points, split as evenly as possible between the circles
        (the outer one gets the odd point).
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.5
        Radius of the inner circle, in (0, 1); the outer circle has radius 1.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
    y : int64 array of shape (n_samples,)
        0 for the outer circle, 1 for the inner one.

    Notes
    -----
    The points of each circle are evenly spaced in angle before the noise is
    added; with ``noise=0`` every point lies at radius exactly 1 or ``factor``.

    Examples
    --------
    >>> X, y = make_circles(100, noise=0.0, seed=0)
    >>> import numpy as np
    >>> sorted(set(np.round(np.hypot(X[:, 0], X[:, 1]), 9).tolist()))
    [0.5, 1.0]
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    factor = check_range(
        "factor", factor, 0.0, 1.0, low_inclusive=False, high_inclusive=False
    )
    rng = make_rng(seed)
    sizes = _class_sizes(n, 2)
    rings = []
    for size, radius in zip(sizes, (1.0, factor), strict=True):
        t = np.linspace(0.0, 2.0 * np.pi, size, endpoint=False)
        rings.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    X, y = _shuffled(np.vstack(rings), _labels(sizes), rng)
    return _jitter(X, noise, rng), y


def make_spirals(
    n_samples: int = 500,
    n_classes: int = 2,
    noise: float = 0.2,
    seed: int | None = None,
) -> Dataset:
    """Interleaved spiral arms, one per class (the CS231n toy set).

    Parameters
    ----------
    n_samples : int, default 500
        Total number of points, split as evenly as possible between the arms.
    n_classes : int, default 2
        Number of arms (classes), at least 2.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to each point's *angle*,
        in radians (as in CS231n), so points far from the centre move more.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
    y : int64 array of shape (n_samples,), labels ``0 .. n_classes - 1``

    Notes
    -----
    Along arm ``j`` the radius grows evenly from 0 to 1 while the angle sweeps
    4 radians: ``x = (r sin t, r cos t)`` with ``t = 4 r + 2 pi j / K + noise``.
    CS231n starts arm ``j`` at angle ``4 j``; starting it at ``2 pi j / K``
    spaces the arms evenly for any number of classes.

    Examples
    --------
    >>> X, y = make_spirals(300, n_classes=3, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    n = check_positive("n_samples", n_samples, integer=True)
    k = check_positive("n_classes", n_classes, integer=True)
    if k < 2:
        raise ValueError(f"n_classes must be at least 2; received n_classes={k}")
    noise = _noise(noise)
    rng = make_rng(seed)
    sizes = _class_sizes(n, k)
    order = rng.permutation(n)  # first, so the noise level leaves the order be
    r = np.concatenate([np.linspace(0.0, 1.0, size) for size in sizes])[order]
    y = _labels(sizes)[order]
    t = _jitter(4.0 * r + (2.0 * np.pi / k) * y, noise, rng)  # (n_samples,)
    return np.column_stack([r * np.sin(t), r * np.cos(t)]), y


def make_blobs(
    n_samples: int = 500,
    centers: int | Any = 3,
    n_features: int | None = None,
    cluster_std: float = 1.0,
    seed: int | None = None,
) -> Dataset:
    """Gaussian clusters, one class per centre.

    Parameters
    ----------
    n_samples : int, default 500
        Total number of points, split as evenly as possible between the centres.
    centers : int or array of shape (n_centers, n_features), default 3
        The number of centres, drawn uniformly in the box ``[-5, 5]^n_features``,
        or the centres themselves.
    n_features : int, optional
        Dimension of the points: 2 when ``centers`` is a number; read from
        ``centers`` when it is an array (if given, it must agree).
    cluster_std : float, default 1.0
        Standard deviation of each cluster, the same in every direction.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : int64 array of shape (n_samples,), the index of each point's centre

    Examples
    --------
    >>> X, y = make_blobs(90, centers=[[0, 0], [10, 10]], cluster_std=0.5, seed=0)
    >>> X.shape, X[y == 1].mean(axis=0).round().tolist()
    ((90, 2), [10.0, 10.0])
    """
    n = check_positive("n_samples", n_samples, integer=True)
    std = check_range("cluster_std", cluster_std, 0.0, np.inf, high_inclusive=False)
    if n_features is not None:
        n_features = check_positive("n_features", n_features, integer=True)
    rng = make_rng(seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = check_positive("centers", centers, integer=True)
        d = 2 if n_features is None else n_features
        means = rng.uniform(-5.0, 5.0, size=(k, d))
    else:
        means = check_array(centers, "centers")
        if n_features is not None and means.shape[1] != n_features:
            raise ValueError(
                f"centers has {means.shape[1]} columns but n_features={n_features}; "
                "leave n_features out to take it from centers"
            )
    sizes = _class_sizes(n, len(means))
    y = rng.permutation(_labels(sizes))
    X = means[y] + rng.normal(scale=std, size=(n, means.shape[1]))
    return X, y


def make_linear(
    n_samples: int = 500,
    noise: float = 0.1,
    n_features: int = 2,
    seed: int | None = None,
) -> Dataset:
    """Two classes on either side of a random hyperplane through the origin.

    Parameters
    ----------
    n_samples : int, default 500
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate after
        the labels are set, so the classes overlap near the plane.
    n_features : int, default 2
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
        Before the noise, uniform in ``[-1, 1]^n_features``.
    y : int64 array of shape (n_samples,)
        1 where ``X @ w > 0`` for the random unit normal ``w``, else 0.

    Examples
    --------
    >>> X, y = make_linear(100, n_features=3, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 3), [0, 1])
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    d = check_positive("n_features", n_features, integer=True)
    rng = make_rng(seed)
    w = rng.normal(size=d)
    w /= np.linalg.norm(w)
    X = rng.uniform(-1.0, 1.0, size=(n, d))
    y = (X @ w > 0).astype(np.int64)
    return _jitter(X, noise, rng), y


_XOR_MARGIN = 0.1  # noise-free points keep this far from the axes


def make_xor(
    n_samples: int = 500, noise: float = 0.1, seed: int | None = None
) -> Dataset:
    """Four noisy quadrants: the continuous XOR problem.

    Parameters
    ----------
    n_samples : int, default 500
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate after
        the labels are set.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
        Before the noise, uniform in ``[-1, 1]^2`` with ``|x1|, |x2| >= 0.1``,
        so that noise-free data is separable with a margin.
    y : int64 array of shape (n_samples,)
        1 where the signs of ``x1`` and ``x2`` differ (``(x1 > 0) xor (x2 > 0)``).

    Examples
    --------
    >>> X, y = make_xor(200, noise=0.0, seed=0)
    >>> bool(((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int).tolist() == y.tolist())
    True
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    rng = make_rng(seed)
    magnitude = rng.uniform(_XOR_MARGIN, 1.0, size=(n, 2))
    sign = np.where(rng.random(size=(n, 2)) < 0.5, -1.0, 1.0)
    X = magnitude * sign
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return _jitter(X, noise, rng), y


def make_plane(
    n_samples: int = 500, noise: float = 0.1, seed: int | None = None
) -> Dataset:
    """A regression set: a tilted plane, ``y = (x1 + x2) / 2`` plus noise
    (TensorFlow Playground's "plane").

    Parameters
    ----------
    n_samples : int, default 500
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each target.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
        Uniform in the square ``[-1, 1]^2``.
    y : float64 array of shape (n_samples,)
        ``(x1 + x2) / 2``, in [-1, 1] before the noise.

    Examples
    --------
    >>> X, y = make_plane(100, noise=0.0, seed=0)
    >>> y.dtype.name, bool(np.allclose(y, (X[:, 0] + X[:, 1]) / 2))
    ('float64', True)
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    rng = make_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = 0.5 * (X[:, 0] + X[:, 1])  # (n_samples,)
    return X, _jitter(y, noise, rng)


# Centres and signs of the bumps of make_gauss: TensorFlow Playground's six,
# scaled from its [-6, 6] square to [-1, 1].
_BUMPS = np.array(
    [
        [-2 / 3, 5 / 12, 1.0],
        [0.0, 5 / 12, -1.0],
        [2 / 3, 5 / 12, 1.0],
        [-2 / 3, -5 / 12, -1.0],
        [0.0, -5 / 12, 1.0],
        [2 / 3, -5 / 12, -1.0],
    ]
)
_BUMP_WIDTH = 0.2  # standard deviation of each bump


def make_gauss(
    n_samples: int = 500, noise: float = 0.1, seed: int | None = None
) -> Dataset:
    """A regression set: six Gaussian bumps, alternately up and down, in a
    square (TensorFlow Playground's "gauss").

    Parameters
    ----------
    n_samples : int, default 500
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each target.
    seed : int, optional

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
        Uniform in the square ``[-1, 1]^2``.
    y : float64 array of shape (n_samples,)
        The sum of the bumps at each point, in [-1, 1] before the noise.

    Notes
    -----
    ``y = sum_k s_k exp(-|x - c_k|^2 / (2 * 0.2^2))`` over two rows of three
    centres ``c_k`` at ``x1`` in {-2/3, 0, 2/3} and ``x2 = +-5/12``, with signs
    ``s_k`` alternating like a checkerboard.

    Examples
    --------
    >>> X, y = make_gauss(300, noise=0.0, seed=0)
    >>> X.shape, y.dtype.name, bool(-1 <= y.min() < 0 < y.max() <= 1)
    ((300, 2), 'float64', True)
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = _noise(noise)
    rng = make_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)  # (n, n_bumps)
    y = np.exp(-d2 / (2.0 * _BUMP_WIDTH**2)) @ _BUMPS[:, 2]  # (n_samples,)
    return X, _jitter(y, noise, rng)


_GATE_OUTPUTS = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}
GATES = tuple(_GATE_OUTPUTS)


def logic_gate(name: str) -> Dataset:
    """The truth table of a two-input logic gate.

    Parameters
    ----------
    name : {"and", "or", "nand", "nor", "xor", "xnor"}
        Case-insensitive.

    Returns
    -------
    X : float64 array ``[[0, 0], [0, 1], [1, 0], [1, 1]]``
    y : int64 array of shape (4,), the gate's output for each row

    Examples
    --------
    >>> X, y = logic_gate("XOR")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _GATE_OUTPUTS:
        raise ValueError(f"unknown logic gate {name!r}. {_valid(GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(_GATE_OUTPUTS[key], dtype=np.int64)


# -- real data bundled with scikit-learn ------------------------------------------


def _sklearn(name: str) -> Dataset:
    # imported here: scikit-learn takes a second to import, and only these need it
    from sklearn import datasets as sk_datasets

    X, y = getattr(sk_datasets, f"load_{name}")(return_X_y=True)
    return np.ascontiguousarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)


def load_digits() -> Dataset:
    """The 1797 8x8 images of handwritten digits bundled with scikit-learn.

    Returns
    -------
    X : float64 array of shape (1797, 64), pixel intensities 0 to 16
    y : int64 array of shape (1797,), the digits 0 to 9
    """
    return _sklearn("digits")


def load_breast_cancer() -> Dataset:
    """The Wisconsin breast cancer set bundled with scikit-learn.

    Returns
    -------
    X : float64 array of shape (569, 30), unscaled measurements
    y : int64 array of shape (569,), 0 malignant, 1 benign
    """
    return _sklearn("breast_cancer")


def load_iris() -> Dataset:
    """Fisher's iris flowers, bundled with scikit-learn.

    Returns
    -------
    X : float64 array of shape (150, 4), sepal and petal lengths and widths (cm)
    y : int64 array of shape (150,), the species 0, 1, 2

    Examples
    --------
    >>> X, y = load_iris()
    >>> X.shape, y.dtype.name
    ((150, 4), 'int64')
    """
    return _sklearn("iris")


def load_wine() -> Dataset:
    """The UCI wine recognition set bundled with scikit-learn.

    Returns
    -------
    X : float64 array of shape (178, 13), unscaled chemical measurements
    y : int64 array of shape (178,), the cultivar 0, 1, 2
    """
    return _sklearn("wine")


# -- the registry used by the command line ------------------------------------------

GENERATORS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "blobs": make_blobs,
    "linear": make_linear,
    "xor": make_xor,
    "plane": make_plane,
    "gauss": make_gauss,
}
REAL: dict[str, Callable[[], Dataset]] = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "wine": load_wine,
}
_GATE_PREFIX = "gate:"


def dataset_names() -> list[str]:
    """Every name :func:`load_dataset` accepts: generators, real sets, gates.

    >>> dataset_names()[:3]
    ['moons', 'circles', 'spirals']
    """
    return [*GENERATORS, *REAL, *(_GATE_PREFIX + gate for gate in GATES)]


def _valid(names: Any) -> str:
    return "Valid names: " + ", ".join(repr(name) for name in names) + "."


def load_dataset(
    name: str,
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int | None = None,
) -> Dataset:
    """Load a data set by name.

    Parameters
    ----------
    name : str
        A generator (``"moons"``, ``"circles"``, ``"spirals"``, ``"blobs"``,
        ``"linear"``, ``"xor"``, and the regression sets ``"plane"`` and
        ``"gauss"``), a real data set (``"digits"``,
        ``"breast_cancer"``, ``"iris"``, ``"wine"``) or a logic gate written
        ``"gate:<name>"``, e.g. ``"gate:xor"``; see :func:`dataset_names`.
        Case-insensitive; ``-`` may stand for ``_``.
    n_samples, noise : optional
        Passed to a generator when given (``None`` keeps its default). For
        ``"blobs"``, ``noise`` is the clusters' standard deviation
        (``cluster_std``). Refused for real data sets and gates, whose size is
        fixed.
    seed : int, optional
        Passed to a generator; real data sets and gates are fixed and ignore it.

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : int64 array of shape (n_samples,)
        float64 targets for the regression sets.

    Raises
    ------
    ValueError
        For an unknown name (listing the valid ones), or ``n_samples`` or
        ``noise`` given for a fixed data set.

    Examples
    --------
    >>> X, y = load_dataset("circles", n_samples=50, noise=0.05, seed=1)
    >>> X.shape
    (50, 2)
    >>> load_dataset("gate:and")[1].tolist()
    [0, 0, 0, 1]
    """
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else None
    if key in GENERATORS:
        return GENERATORS[key](**_generator_kwargs(key, n_samples, noise, seed))
    gate = key[len(_GATE_PREFIX) :] if key and key.startswith(_GATE_PREFIX) else None
    if key in REAL or gate in _GATE_OUTPUTS:
        what = "real data set" if key in REAL else "logic gate"
        _refuse_size(what, name, n_samples, noise)
        return REAL[key]() if key in REAL else logic_gate(str(gate))
    raise ValueError(f"unknown data set {name!r}. {_valid(dataset_names())}")


def _generator_kwargs(
    key: str, n_samples: int | None, noise: float | None, seed: int | None
) -> dict[str, Any]:
    """The generator's arguments: the seed, and the size and noise if given."""
    kwargs: dict[str, Any] = {"seed": seed}
    if n_samples is not None:
        kwargs["n_samples"] = n_samples
    if noise is not None:
        kwargs["cluster_std" if key == "blobs" else "noise"] = noise
    return kwargs


def _refuse_size(what: str, name: str, n_samples: Any, noise: Any) -> None:
    """A data set of fixed rows takes neither ``n_samples`` nor ``noise``."""
    given = [
        f"{arg}={value!r}"
        for arg, value in (("n_samples", n_samples), ("noise", noise))
        if value is not None
    ]
    if given:
        raise ValueError(
            f"{' and '.join(given)} {'do' if len(given) > 1 else 'does'} not "
            f"apply to the {what} {name!r}, whose rows are fixed; leave "
            f"{'them' if len(given) > 1 else 'it'} out"
        )
