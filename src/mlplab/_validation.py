"""Input checks at the library's boundary, with messages that name the bad value."""

from __future__ import annotations

import numbers
import sys
from typing import Any, TypeGuard

import numpy as np

DTYPES = ("float64", "float32")


def check_dtype(dtype: Any) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float64 or float32, else raise."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}; received dtype={dtype!r}")
    return dt


def check_seed(seed: Any) -> int | None:
    """A seed is a non-negative integer or None."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ValueError(
            f"seed must be a non-negative integer or None; received seed={seed!r}"
        )
    return None if seed is None else int(seed)


def make_rng(seed: Any) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a checked seed."""
    return np.random.default_rng(check_seed(seed))


def check_sample_weight(sample_weight: Any, n: int, dtype: Any) -> np.ndarray:
    """Sample weights: shape (n,), finite, non-negative, not all zero;
    returned scaled to mean 1 (so ``sum(w_i l_i) / sum(w_i)`` is
    ``mean(w_i l_i)``)."""
    w = check_array(sample_weight, "sample_weight", dtype=np.dtype(np.float64), ndim=1)
    if w.shape[0] != n:
        raise ValueError(
            f"sample_weight has {w.shape[0]} values for {n} samples; give one "
            "weight per sample"
        )
    if (w < 0).any():
        raise ValueError(
            f"sample_weight must be non-negative; received {float(w.min())!r}"
        )
    top = float(w.max())
    if top <= 0:
        raise ValueError("sample_weight is all zero; at least one must be positive")
    # Divided by the largest first, the weights lie in [0, 1]: their sum can
    # neither overflow (weights near 1e308) nor make n / sum overflow (tiny ones).
    w = w / top
    return (w * (n / float(w.sum()))).astype(dtype)


def check_positive(name: str, value: Any, *, integer: bool = False) -> Any:
    """Check that ``value`` is a finite number > 0 (an int if ``integer``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a positive integer" if integer else "a positive number"
        raise TypeError(f"{name} must be {what}; received {name}={value!r}")
    number = float(value)
    if not np.isfinite(number) or number <= 0:
        what = "a positive integer" if integer else "a positive finite number"
        raise ValueError(f"{name} must be {what}; received {name}={value!r}")
    return int(number) if integer else number


def is_int(value: Any) -> TypeGuard[int]:
    """Whether ``value`` is an integer (Python's or NumPy's), a bool not
    counting as one."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (Python's or NumPy's), a bool not
    counting as one."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value: Any, *, low: int | None = None) -> int:
    """Check that ``value`` is an integer (not a bool) ``>= low``.

    >>> check_int("epochs", 3, low=1)
    3
    >>> check_int("epochs", 0, low=1)
    Traceback (most recent call last):
    ValueError: epochs must be >= 1; received epochs=0
    >>> check_int("epochs", 2.0)
    Traceback (most recent call last):
    TypeError: epochs must be an integer; received epochs=2.0
    """
    if not is_int(value):
        raise TypeError(f"{name} must be an integer; received {name}={value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}; received {name}={value!r}")
    return int(value)


def check_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; received {name}={value!r}")
    number = float(value)
    ok_low = number >= low if low_inclusive else number > low
    ok_high = number <= high if high_inclusive else number < high
    if not (ok_low and ok_high and np.isfinite(number)):
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        raise ValueError(
            f"{name} must be in {lb}{low}, {high}{hb}; received {name}={value!r}"
        )
    return number


def all_finite(arr: np.ndarray) -> bool:
    """Whether every entry is finite, without a temporary the size of ``arr``.

    A sum is finite when every entry is (NaN and infinity propagate); only when
    it is not -- a NaN, an infinity, or finite values whose sum overflows --
    are the entries checked one by one, a block of rows at a time.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(arr, axis=None)):
            return True
    flat = arr.reshape(arr.shape[0], -1)
    step = max(1, (1 << 20) // max(1, flat.shape[1]))
    return all(
        bool(np.isfinite(flat[i : i + step]).all()) for i in range(0, len(flat), step)
    )


def check_array(
    X: Any, name: str = "X", *, dtype: np.dtype | None = None, ndim: int = 2
) -> np.ndarray:
    """Convert ``X`` to a finite float array of ``ndim`` dimensions.

    A 1-D input is accepted where 2-D is asked for only if it cannot be
    ambiguous; callers reshape labels themselves.
    """
    if X is None:
        raise TypeError(f"{name} must be an array; received None")
    arr = as_array(X, name)
    check_numeric(arr, name)
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-dimensional; received shape {arr.shape}"
        )
    if arr.size == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; received shape {arr.shape}")
    return to_finite_float(arr, name, dtype if dtype is not None else np.float64)


def as_array(X: Any, name: str) -> np.ndarray:
    """``np.asarray(X)``, a ragged list refused with a ValueError that says so."""
    try:
        return np.asarray(X)
    except Exception as exc:  # ragged lists and similar
        raise ValueError(f"{name} could not be read as an array: {exc}") from None


def check_numeric(arr: np.ndarray, name: str) -> None:
    """Refuse anything but booleans, integers and real floats (timedelta64,
    whose dtype NumPy counts among the integers, included)."""
    if arr.dtype.kind == "c":
        raise TypeError(
            f"{name} must be real; received complex values (dtype {arr.dtype})"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold numbers; received an array of dtype {arr.dtype}"
        )


def to_finite_float(
    arr: np.ndarray, name: str, dtype: Any, order: Any = "C"
) -> np.ndarray:
    """``arr`` as an array of the float ``dtype`` in ``order``; NaN, infinity
    and values too large for ``dtype`` (1e300 in float32) are refused."""
    with np.errstate(over="ignore"):  # too large for dtype: inf, refused below
        out = np.asarray(arr, dtype=dtype, order=order)
    if not all_finite(out):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
        given = arr[where]
        if np.isfinite(given):
            raise ValueError(
                f"{name} holds {given!r} at index {where}, too large for "
                f"{np.dtype(dtype).name} (at most {np.finfo(dtype).max:.4g}); "
                "scale the data"
            )
        raise ValueError(
            f"{name} contains NaN or infinity (first at index {where}: "
            f"{given!r}); remove or impute those values"
        )
    return out


def check_features(X: Any, *, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """Inputs: a 2-D array (n_samples, n_features); a 1-D array is refused."""
    arr = as_array(X, name) if X is not None else X
    if arr is not None and arr.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features); received a 1-D array of "
            f"shape {arr.shape}. Use X.reshape(-1, 1) for a single feature or "
            "X.reshape(1, -1) for a single sample"
        )
    return check_array(arr, name, dtype=dtype, ndim=2)


def is_sparse(X: Any) -> bool:
    """Whether ``X`` is a scipy.sparse matrix or array, without importing
    scipy (an object of scipy's can exist only once scipy is imported)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))


def check_sparse_features(X: Any, *, dtype: np.dtype, name: str = "X") -> Any:
    """Sparse inputs: a 2-D scipy.sparse matrix or array, returned in CSR
    format (CSR and CSC kept as matrix or array; any other format converted)
    with its stored values cast to ``dtype``, never densified. The stored
    values must be finite; a matrix already CSR of ``dtype`` is returned as
    is (not copied, not modified)."""
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features); received a sparse "
            f"array of shape {X.shape}"
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty; received shape {X.shape}")
    given_csr = X if X.format == "csr" else X.tocsr()
    check_numeric(given_csr.data, name)
    with np.errstate(over="ignore"):  # too large for dtype: inf, refused below
        csr = given_csr.astype(dtype, copy=False)
    if not all_finite(csr.data):
        k = int(np.flatnonzero(~np.isfinite(csr.data))[0])
        row = int(np.searchsorted(csr.indptr, k, side="right")) - 1
        where = (row, int(csr.indices[k]))
        given = given_csr.data[k].item()
        if np.isfinite(given):
            raise ValueError(
                f"{name} holds {given!r} at index {where}, too large for "
                f"{np.dtype(dtype).name} (at most {np.finfo(dtype).max:.4g}); "
                "scale the data"
            )
        raise ValueError(
            f"{name} contains NaN or infinity among its stored values (first at "
            f"index {where}: {given!r}); remove or impute those values"
        )
    return csr
