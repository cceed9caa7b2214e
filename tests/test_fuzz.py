"""Bad input, tried systematically: hypothesis generates arrays, labels, sample
weights, text and binary files, damaged model files and command lines, valid
and invalid alike, and an independent oracle says which is which.

An invalid input must raise ``ValueError`` or ``TypeError`` (``ModelFormatError``
for model files) whose message shows what was received; a valid one must
succeed with a sane result (shapes, finite values, the numbers written). Never
another exception, a warning (the suite turns them into errors), a hang or a
silent wrong result. Every test is derandomized and database-free, so CI sees
the same examples on every run.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlplab as ml
from mlplab import activations, datasets, initializers, losses, persistence, recipes
from mlplab.cli import main
from mlplab.datasets import load_csv, load_file, load_npy, load_npz
from mlplab.exceptions import ModelFormatError

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def fuzz(max_examples: int) -> settings:
    """The file's settings with this many examples."""
    return settings(FUZZ, max_examples=max_examples)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Any warning is an error, also when this file runs outside the suite's
    pytest configuration."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def refused(call: Any, exc: Any, *fragments: str) -> str:
    """``call()`` raises ``exc`` (nothing else) with every fragment in its
    message; returns the message."""
    with quiet(), pytest.raises(exc) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


# == arrays for X ==================================================================
MODERATE = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
NON_FINITE = st.sampled_from([np.nan, np.inf, -np.inf])
HUGE = st.sampled_from([1e300, -1e300, 1e308, -1.7e308, 3.5e38])
F32_MAX = float(np.finfo(np.float32).max)


def _table(draw: Any, n: int, d: int) -> np.ndarray:
    return draw(hnp.arrays(np.float64, (n, d), elements=MODERATE))


def _poke(draw: Any, arr: np.ndarray, values: Any) -> tuple[np.ndarray, tuple]:
    """``arr`` (float64) with one or more entries replaced; returns the array
    and the first (C order) index replaced."""
    arr = arr.astype(np.float64)
    flat = arr.reshape(-1)
    picks = draw(
        st.lists(st.integers(0, flat.size - 1), min_size=1, max_size=3, unique=True)
    )
    for i in picks:
        flat[i] = draw(values)
    return arr, tuple(int(i) for i in np.unravel_index(min(picks), arr.shape))


@st.composite
def inputs(draw: Any, d: int = 2) -> tuple[Any, str, tuple]:
    """``(X, kind, expected)``: ``expected`` is ``()`` for a valid X of ``d``
    features, else ``(exception, *fragments of its message)``."""
    n = draw(st.integers(1, 6))
    kind = draw(
        st.sampled_from(
            [
                "float64",
                "float32",
                "int",
                "uint8",
                "bool",
                "list",
                "huge",
                "non-finite",
                "complex",
                "object",
                "str",
                "datetime",
                "timedelta",
                "1-D",
                "0-D",
                "3-D",
                "no rows",
                "no columns",
                "ragged",
                "None",
                "features",
            ]
        )
    )
    base = _table(draw, n, d)
    if kind in ("float64", "float32"):
        return base.astype(kind), kind, ()
    if kind == "int":
        return np.round(base).astype(np.int64), kind, ()
    if kind == "uint8":
        return np.abs(np.round(base) % 256).astype(np.uint8), kind, ()
    if kind == "bool":
        return base > 0, kind, ()
    if kind == "list":
        return base.tolist(), kind, ()
    if kind == "huge":
        X, _ = _poke(draw, base, HUGE)
        return X, kind, ()  # valid in float64; checked against float32 below
    if kind == "non-finite":
        X, where = _poke(draw, base, NON_FINITE)
        return X, kind, (ValueError, "NaN or infinity", str(where))
    if kind == "complex":
        return base + 1j, kind, (TypeError, "complex")
    if kind == "object":
        X = base.astype(object)
        if draw(st.booleans()):
            X[0, 0] = None
        return X, kind, (TypeError, "object")
    if kind == "str":
        X = base.astype(str)
        return X, kind, (TypeError, str(X.dtype))
    if kind == "datetime":
        X = np.round(base).astype("datetime64[s]")
        return X, kind, (TypeError, "datetime64")
    if kind == "timedelta":
        X = np.round(base).astype("timedelta64[s]")
        return X, kind, (TypeError, "timedelta64")
    if kind == "1-D":
        X = base[:, 0]
        return X, kind, (ValueError, "1-D", str(X.shape))
    if kind == "0-D":
        return np.float64(base[0, 0]), kind, (ValueError, "()")
    if kind == "3-D":
        X = base[:, :, None]
        return X, kind, (ValueError, str(X.shape))
    if kind == "no rows":
        X = base[:0]
        return X, kind, (ValueError, "empty", str(X.shape))
    if kind == "no columns":
        X = base[:, :0]
        return X, kind, (ValueError, "empty", str(X.shape))
    if kind == "ragged":
        rows = base.tolist()
        rows[-1] = rows[-1] + [1.0]
        if n == 1:
            rows.append([1.0])
        return rows, kind, (ValueError, "could not be read as an array")
    if kind == "None":
        return None, kind, (TypeError, "None")
    other = draw(st.integers(1, 4).filter(lambda k: k != d))
    return _table(draw, n, other), kind, (ValueError, f"{other} features")


def _expected_for(X: Any, kind: str, expected: tuple, dtype: str) -> tuple:
    """A float32 model refuses values beyond float32's range."""
    if expected or dtype != "float32" or kind != "huge":
        return expected
    if np.max(np.abs(X)) > F32_MAX:
        return (ValueError, "too large for float32")
    return ()


def _classifier(dtype: str = "float64", built: bool = True) -> ml.Sequential:
    model = ml.Sequential(
        [ml.Dense(3, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2 if built else None,
        seed=0,
        dtype=dtype,
    )
    model.compile("binary_crossentropy", ml.SGD(0.1), metrics=["accuracy"])
    return model


def _check_probabilities(A: Any, n: int, k: int) -> None:
    assert isinstance(A, np.ndarray) and A.shape == (n, k)
    assert np.isfinite(A).all() and (A >= 0).all() and (A <= 1).all()


@fuzz(300)
@given(
    case=inputs(),
    dtype=st.sampled_from(["float64", "float32"]),
    built=st.booleans(),
)
def test_fit_on_any_X(case, dtype, built):
    X, kind, expected = case
    expected = _expected_for(X, kind, expected, dtype)
    if kind == "features" and not built:
        expected = ()  # an unbuilt model takes the features it is given
    event(f"{kind}: {'refused' if expected else 'valid'}")
    n = len(X) if expected == () else 4
    y = np.arange(n) % 2
    model = _classifier(dtype, built)
    if expected:
        refused(lambda: model.fit(X, y, epochs=2), *expected)
        return
    try:
        with quiet():
            history = model.fit(X, y, epochs=2)
    except ml.DivergenceError:
        assert kind == "huge"  # the documented outcome of 1e300 inputs
        return
    assert len(history.history["loss"]) == 2
    assert np.isfinite(history.history["loss"]).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())
    try:
        with quiet():
            A = model.predict(X)
    except ValueError as exc:
        assert kind == "huge" and "overflow" in str(exc)
        return
    _check_probabilities(A, n, 1)


@pytest.fixture(scope="module")
def fitted():
    """A small trained classifier per dtype (predict does not change it)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    models = {}
    for dtype in ("float64", "float32"):
        model = _classifier(dtype)
        model.fit(X, y, epochs=20)
        models[dtype] = model
    return models


@fuzz(300)
@given(
    case=inputs(),
    dtype=st.sampled_from(["float64", "float32"]),
    batch_size=st.one_of(
        st.none(),
        st.integers(-2, 8),
        st.sampled_from([2.0, "3", True, np.int64(2)]),
    ),
)
def test_predict_on_any_X(fitted, case, dtype, batch_size):
    X, kind, expected = case
    model = fitted[dtype]
    expected = _expected_for(X, kind, expected, dtype)
    event(f"{kind}: {'refused' if expected else 'valid'}")
    bs_ok = batch_size is None or (
        isinstance(batch_size, int | np.integer)
        and not isinstance(batch_size, bool)
        and batch_size >= 1
    )
    if not expected and not bs_ok:
        bad = (ValueError, TypeError)
        refused(lambda: model.predict(X, batch_size=batch_size), bad, "batch_size")
        return
    if expected:
        refused(lambda: model.predict(X, batch_size=batch_size), *expected)
        return
    try:
        with quiet():
            A = model.predict(X, batch_size=batch_size)
    except ValueError as exc:
        assert kind == "huge" and "overflow" in str(exc)
        return
    n = len(X)
    _check_probabilities(A, n, 1)
    # No silent conversion: the same rows as float64 give the same output.
    with quiet():
        B = model.predict(np.asarray(X, dtype=np.float64))
    np.testing.assert_array_equal(A, B)


# == labels y ==========================================================================
_TASKS = {
    # name: (output activation, loss, outputs)
    "binary": ("sigmoid", "binary_crossentropy", 1),
    "multiclass": ("softmax", "categorical_crossentropy", 3),
    "regression": (None, "mse", 1),
    "regression-2": (None, "mse", 2),
}


def _task_model(task: str, dtype: str = "float64") -> ml.Sequential:
    activation, loss, k = _TASKS[task]
    model = ml.Sequential(
        [ml.Dense(3, activation="tanh"), ml.Dense(k, activation=activation)],
        input_dim=2,
        seed=0,
        dtype=dtype,
    )
    model.compile(loss, ml.SGD(0.05))
    return model


@st.composite
def labels(draw: Any, task: str, n: int) -> tuple[Any, str, tuple]:
    """``(y, kind, expected)`` for a model of ``task`` and ``n`` samples."""
    k = _TASKS[task][2]
    classifier = task in ("binary", "multiclass")
    kinds = [
        "valid",
        "single class",
        "as list",
        "non-finite",
        "complex",
        "str",
        "object",
        "too short",
        "too long",
        "scalar",
        "3-D",
        "wide",
        "ragged",
        "huge",
    ]
    if classifier:
        kinds += ["out of range", "fraction"]
    if task == "binary":
        kinds += ["bool"]
    if task == "multiclass":
        kinds += ["one-hot", "bad one-hot"]
    kind = draw(st.sampled_from(kinds))
    classes = 2 if task == "binary" else 3
    codes = draw(hnp.arrays(np.int64, n, elements=st.integers(0, classes - 1)))
    reals = draw(hnp.arrays(np.float64, (n, k) if k > 1 else n, elements=MODERATE))
    valid = codes if classifier else reals
    if kind == "valid":
        if task == "binary" and draw(st.booleans()):
            return codes.reshape(n, 1).astype(np.float32), kind, ()
        return valid, kind, ()
    if kind == "single class":
        return np.full(n, classes - 1) if classifier else reals * 0, kind, ()
    if kind == "as list":
        return valid.tolist(), kind, ()
    if kind == "bool":
        return codes.astype(bool), kind, ()
    if kind == "one-hot":
        dtype = draw(st.sampled_from([np.int64, np.float64, bool]))
        return np.eye(3, dtype=dtype)[codes], kind, ()
    if kind == "bad one-hot":
        Y = np.eye(3)[codes]
        Y[draw(st.integers(0, n - 1))] = draw(st.sampled_from([0.0, 0.5, 2.0, 1e308]))
        return Y, kind, (ValueError, "one-hot")
    if kind == "out of range":
        y = codes.copy()
        y[draw(st.integers(0, n - 1))] = draw(st.sampled_from([-1, classes, 7, 2**62]))
        fragment = "0/1 labels" if task == "binary" else "0..2"
        return y, kind, (ValueError, fragment)
    if kind == "fraction":
        y = codes.astype(np.float64)
        y[draw(st.integers(0, n - 1))] = 0.5
        return y, kind, (ValueError, "0.5")
    if kind == "huge":
        y = valid.astype(np.float64)
        y.reshape(-1)[draw(st.integers(0, y.size - 1))] = draw(HUGE)
        if classifier:
            return y, kind, (ValueError, "0/1 labels" if task == "binary" else "0..2")
        return y, kind, ()  # checked against float32 by the caller
    if kind == "non-finite":
        y = valid.astype(np.float64)
        y.reshape(-1)[draw(st.integers(0, y.size - 1))] = draw(NON_FINITE)
        return y, kind, (ValueError, "NaN or infinity")
    if kind == "complex":
        return valid + 0j, kind, (TypeError, "complex")
    if kind == "str":
        y = valid.astype(str)
        return y, kind, (TypeError, str(y.dtype))
    if kind == "object":
        y = valid.astype(object)
        if draw(st.booleans()):
            y.reshape(-1)[0] = None
        return y, kind, (TypeError, "object")
    if kind == "too short":
        return valid[: n - 1], kind, (ValueError, f"X has {n} samples")
    if kind == "too long":
        y = np.concatenate([valid, valid[:1]])
        return y, kind, (ValueError, f"X has {n} samples", str(y.shape))
    if kind == "scalar":
        return valid.reshape(-1)[0], kind, (ValueError, "scalar")
    if kind == "3-D":
        y = valid.reshape(n, -1)[:, :, None]
        return y, kind, (ValueError, str(y.shape))
    if kind == "wide":
        y = np.zeros((n, k + 1))
        return y, kind, (ValueError, str(y.shape))
    rows = [*valid.reshape(n, -1).tolist(), [0.0, 1.0, 2.0]]
    return rows[1:] if n > 1 else rows, kind, (ValueError, "could not be read")


@st.composite
def labelled(draw: Any) -> tuple[str, np.ndarray, Any, str, tuple]:
    task = draw(st.sampled_from(list(_TASKS)))
    n = draw(st.integers(1, 6))
    X = _table(draw, n, 2)
    y, kind, expected = draw(labels(task, n))
    return task, X, y, kind, expected


@fuzz(400)
@given(case=labelled(), dtype=st.sampled_from(["float64", "float32"]))
def test_fit_and_evaluate_on_any_labels(case, dtype):
    task, X, y, kind, expected = case
    if kind == "huge" and not expected and dtype == "float32":
        if np.max(np.abs(y)) > F32_MAX:
            expected = (ValueError, "too large for float32")
    event(f"{task} {kind}: {'refused' if expected else 'valid'}")
    model = _task_model(task, dtype)
    if expected:
        refused(lambda: model.fit(X, y, epochs=2), *expected)
        refused(lambda: model.evaluate(X, y), *expected)
        return
    try:
        with quiet():
            history = model.fit(X, y, epochs=2)
    except ml.DivergenceError:
        assert kind == "huge"  # squared errors of 1e300: the documented outcome
        return
    assert np.isfinite(history.history["loss"]).all()
    k = _TASKS[task][2]
    with quiet():
        A = model.predict(X)
        if kind != "huge":
            assert np.isfinite(model.evaluate(X, y)["loss"])
    assert A.shape == (len(X), k) and np.isfinite(A).all()
    if task == "multiclass":
        np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-5)


# == sample_weight ==================================================================
POSITIVE = st.floats(5e-324, 1e308, allow_nan=False, allow_infinity=False)


@st.composite
def sample_weights(draw: Any, n: int) -> tuple[Any, str, tuple]:
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "huge",
                "tiny",
                "int",
                "bool",
                "list",
                "negative",
                "all zero",
                "non-finite",
                "short",
                "2-D",
                "scalar",
                "complex",
                "str",
                "object",
            ]
        )
    )
    w = draw(
        hnp.arrays(np.float64, n, elements=st.floats(0, 10, allow_subnormal=False))
    )
    w[draw(st.integers(0, n - 1))] = draw(st.floats(0.5, 10))  # not all zero
    if kind == "valid":
        return w, kind, ()
    if kind == "huge":  # their sum overflows, their ratios do not
        return w * 1e307, kind, ()
    if kind == "tiny":  # subnormal: n / sum(w) overflows
        return np.where(w > 0, 5e-324, 0.0), kind, ()
    if kind == "int":
        return np.ceil(w).astype(np.int64), kind, ()
    if kind == "bool":
        return w > 0, kind, ()
    if kind == "list":
        return w.tolist(), kind, ()
    if kind == "negative":
        w[draw(st.integers(0, n - 1))] = -draw(POSITIVE)
        return w, kind, (ValueError, "non-negative", repr(float(w.min())))
    if kind == "all zero":
        return np.zeros(n), kind, (ValueError, "all zero")
    if kind == "non-finite":
        w[draw(st.integers(0, n - 1))] = draw(NON_FINITE)
        return w, kind, (ValueError, "NaN or infinity")
    if kind == "short":
        m = draw(st.integers(0, 9).filter(lambda m: m != n))
        fragment = "empty" if m == 0 else f"{m} values for {n} samples"
        return np.ones(m), kind, (ValueError, fragment)
    if kind == "2-D":
        return w[:, None], kind, (ValueError, "1-dimensional", f"({n}, 1)")
    if kind == "scalar":
        return 1.0, kind, (ValueError, "()")
    if kind == "complex":
        return w + 0j, kind, (TypeError, "complex")
    if kind == "str":
        return w.astype(str), kind, (TypeError, "<U")
    obj = w.astype(object)
    obj[0] = None
    return obj, kind, (TypeError, "object")


@st.composite
def weighted(draw: Any) -> tuple[np.ndarray, np.ndarray, Any, str, tuple]:
    n = draw(st.integers(1, 6))
    X = _table(draw, n, 2)
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    return (X, y, *draw(sample_weights(n)))


@fuzz(200)
@given(case=weighted())
def test_fit_with_any_sample_weight(case):
    X, y, w, kind, expected = case
    event(f"{kind}: {'refused' if expected else 'valid'}")
    model = _classifier()
    if expected:
        refused(lambda: model.fit(X, y, sample_weight=w), *expected)
        refused(lambda: _classifier().evaluate(X, y, sample_weight=w), *expected)
        return
    with quiet():
        history = model.fit(X, y, epochs=2, sample_weight=w)
        loss = _classifier().evaluate(X, y, sample_weight=w)["loss"]
    assert np.isfinite(history.history["loss"]).all() and np.isfinite(loss)
    # Only the weights' ratios count: scaled by a power of two (exact), the
    # same training to the bit.
    twin = _classifier()
    factor = 0.5 if kind == "huge" else 2.0  # neither overflows nor underflows
    with quiet():
        twin.fit(X, y, epochs=2, sample_weight=np.asarray(w, dtype=float) * factor)
    for a, b in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_subnormal_sample_weights_in_mini_batches():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    w = np.array([1.0, 1e-320, 1e-320, 1e-320])
    with quiet():
        _classifier().fit(X, [0, 1, 1, 0], batch_size=1, shuffle=False, sample_weight=w)


# == fit's other arguments ===========================================================
ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 4),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2", "full", np.int64(2), np.float64(0.5), [1]]),
)


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


@fuzz(200)
@given(
    epochs=ANY_SCALAR,
    batch_size=ANY_SCALAR,
    validation_split=ANY_SCALAR,
    seed=ANY_SCALAR,
)
def test_fit_arguments(epochs, batch_size, validation_split, seed):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 2)
    y = np.array([0, 1, 1, 0] * 2)
    vs = validation_split
    vs_real = isinstance(vs, float | int | np.floating | np.integer) and not isinstance(
        vs, bool
    )
    ok = {
        "epochs": _is_int(epochs) and epochs >= 1,
        "batch_size": batch_size is None or (_is_int(batch_size) and batch_size >= 1),
        "seed": seed is None or (_is_int(seed) and seed >= 0),
        "validation_split": vs_real
        and 0 <= vs < 1
        and (vs == 0 or 1 <= int(8 * vs) <= 7),
    }
    kwargs = {
        "epochs": epochs,
        "batch_size": batch_size,
        "validation_split": validation_split,
        "seed": seed,
    }
    model = _classifier()
    if all(ok.values()):
        with quiet():
            history = model.fit(X, y, **kwargs)
        assert len(history.history["loss"]) == epochs
        assert np.isfinite(history.history["loss"]).all()
        return
    with quiet(), pytest.raises((ValueError, TypeError)) as info:
        model.fit(X, y, **kwargs)
    message = str(info.value)
    # The message names one of the arguments that are wrong.
    assert any(name in message for name, good in ok.items() if not good), message


# == huge values ====================================================================
@pytest.mark.parametrize("task", list(_TASKS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_on_huge_values_trains_or_diverges_quietly(task, dtype):
    huge = 1e300 if dtype == "float64" else 1e38
    X = np.array([[huge, -huge], [1.0, huge], [-huge, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 2, 0]) if task == "multiclass" else np.array([0, 1, 1, 0])
    if task == "regression-2":
        y = np.column_stack([y, -y])
    model = _task_model(task, dtype)
    try:
        with quiet():
            model.fit(X, y, epochs=5, validation_data=(X, y))
    except ml.DivergenceError as exc:  # the documented outcome
        assert "diverged" in str(exc)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    try:
        with quiet():
            A = model.predict(X)
    except ValueError as exc:
        assert "overflow" in str(exc)
    else:
        assert np.isfinite(A).all()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_evaluate_on_huge_values_is_quiet(dtype):
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0, dtype=dtype)
    model.compile("mse")
    huge = 1e300 if dtype == "float64" else 1e38
    with quiet():
        model.evaluate(np.array([[huge, huge], [-huge, huge]]), [0.0, 1.0])


# == CSV files ======================================================================
def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


NAMES = st.from_regex(r"[a-z][a-z_]{0,5}", fullmatch=True).filter(
    lambda s: not _is_number(s)
)
CELL = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e300, 1e300, allow_nan=False, allow_subnormal=False),
)


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


@st.composite
def csv_tables(draw: Any) -> dict[str, Any]:
    """A well-formed table and how to write and read it."""
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 3))
    rows = [[draw(CELL) for _ in range(m)] for _ in range(n)]
    label_kind = draw(st.sampled_from(["int", "float", "text", "none"]))
    if label_kind == "int":
        y = [draw(st.integers(-5, 5)) for _ in range(n)]
    elif label_kind == "float":
        y = [draw(st.floats(-1e6, 1e6).filter(lambda v: v != int(v))) for _ in range(n)]
    elif label_kind == "text":
        y = [draw(NAMES) for _ in range(n)]
    else:
        y = None
    names = draw(st.lists(NAMES, min_size=m + 1, max_size=m + 1, unique=True))
    position = draw(st.integers(0, m))  # where the label column goes
    return {
        "X": rows,
        "y": y,
        "names": names,
        "position": position,
        "header": draw(st.booleans()),
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|", None])),
        "spaces": draw(st.booleans()),
        "blank_lines": draw(st.booleans()),
        "label_by_name": draw(st.booleans()),
    }


def _csv_lines(t: dict[str, Any]) -> list[list[str]]:
    lines = []
    for i, row in enumerate(t["X"]):
        cells = [_fmt(v) for v in row]
        if t["y"] is not None:
            cells.insert(t["position"], _fmt(t["y"][i]))
        lines.append(cells)
    if t["header"]:
        names = t["names"] if t["y"] is not None else t["names"][:-1]
        lines.insert(0, list(names))
    return lines


def _write_csv(path: Path, t: dict[str, Any], lines: list[list[str]]) -> None:
    sep = t["delimiter"] or " "
    if t["spaces"] and t["delimiter"] is not None:
        sep += " "
    text = "\n\n".join(sep.join(c) for c in lines) if t["blank_lines"] else None
    path.write_text(text or "\n".join(sep.join(c) for c in lines) + "\n")


def _label_arg(t: dict[str, Any]) -> Any:
    if t["y"] is None:
        return None
    if t["label_by_name"] and t["header"]:
        return t["names"][t["position"]]
    return t["position"] - (len(t["X"][0]) + 1) * (t["position"] % 2)  # +/- index


def _check_table(X: Any, y: Any, n: int | None = None) -> None:
    """What every successful read gives."""
    assert isinstance(X, np.ndarray) and X.dtype == np.float64 and X.ndim == 2
    assert X.size > 0 and np.isfinite(X).all()
    assert n is None or len(X) == n
    if y is not None:
        assert isinstance(y, np.ndarray) and y.shape == (len(X),)
        assert y.dtype.kind == "U" or y.dtype in (np.int64, np.float64)
        if y.dtype.kind != "U":
            assert np.isfinite(y).all()


@fuzz(200)
@given(t=csv_tables(), auto=st.booleans())
def test_csv_reads_back_what_was_written(tmp_path_factory, t, auto):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    _write_csv(path, t, _csv_lines(t))
    header = "auto" if auto else t["header"]
    with quiet():
        X, y = load_csv(path, _label_arg(t), header=header, delimiter=t["delimiter"])
    _check_table(X, y, len(t["X"]))
    np.testing.assert_array_equal(X, np.array(t["X"], dtype=np.float64))
    if t["y"] is None:
        assert y is None
    elif isinstance(t["y"][0], str):
        assert y.tolist() == t["y"]
    else:
        expected = np.array(t["y"], dtype=np.float64)
        integral = all(float(v).is_integer() for v in t["y"])
        assert y.dtype == (np.int64 if integral else np.float64)
        np.testing.assert_array_equal(y, expected)


_CORRUPTIONS = ["drop cell", "extra cell", "empty", "text", "nan", "1e999", "label"]


@fuzz(200)
@given(
    t=csv_tables(),
    corruption=st.sampled_from(_CORRUPTIONS),
    where=st.integers(0, 10**6),
)
def test_malformed_csv_names_the_file_and_line(tmp_path_factory, t, corruption, where):
    t["header"] = True  # line 1 names the columns; the damage is in the data
    t["blank_lines"] = False
    lines = _csv_lines(t)
    row = 1 + where % (len(lines) - 1)
    cells = lines[row]
    features = [j for j in range(len(cells)) if t["y"] is None or j != t["position"]]
    j = features[where % len(features)]
    if len(cells) == 1 and corruption in ("drop cell", "empty"):
        return  # the line would be blank, and blank lines are skipped
    if corruption == "drop cell":
        del cells[j]
    elif corruption == "extra cell":
        cells.append("1")
    elif corruption == "label":
        if t["y"] is None:
            return
        numeric = not isinstance(t["y"][0], str)
        cells[t["position"]] = "" if not numeric or len(t["X"]) == 1 else "cat"
    else:
        cells[j] = {"empty": "", "text": "abc", "nan": "nan", "1e999": "1e999"}[
            corruption
        ]
    if t["delimiter"] is None and "" in cells:
        return  # whitespace-separated files cannot hold an empty cell
    path = tmp_path_factory.mktemp("csv") / "bad.csv"
    _write_csv(path, t, lines)
    message = refused(
        lambda: load_csv(
            path, label_column=_label_arg(t), header=True, delimiter=t["delimiter"]
        ),
        ValueError,
        str(path),
    )
    assert f"line {row + 1}" in message, message


ODD_CELLS = ["", "nan", "-inf", "1e999", "abc", '"1"', '"a,b"', "1,5", " 2 ", "é"]
ODD_CELL = st.sampled_from([*ODD_CELLS, "\x00", "'", '"'])


@st.composite
def csv_like(draw: Any) -> tuple[str, str | None]:
    """Rows of numbers, now and then an odd cell, a row of another width, a
    different separator or line end, or a header."""
    # Hypothesis favours small integers: the odd choices are the large ones.
    width = 5 - draw(st.integers(1, 4))
    sep = draw(st.sampled_from([",", ", ", ";", "\t", " "]))
    rows = []
    if draw(st.booleans()):
        rows.append(draw(st.lists(NAMES, min_size=width, max_size=width)))
    for _ in range(5 - draw(st.integers(0, 5))):
        size = width if draw(st.integers(0, 19)) < 19 else draw(st.integers(1, 5))
        cell = st.one_of(CELL.map(_fmt), CELL.map(_fmt), CELL.map(_fmt), ODD_CELL)
        rows.append(draw(st.lists(cell, min_size=size, max_size=size)))
    ends = st.sampled_from(["\n"] * 6 + ["\r\n", "\r", "\n\n", ""])
    text = "".join(
        (sep if draw(st.integers(0, 19)) < 19 else ";").join(row) + draw(ends)
        for row in rows
    )
    return text, sep.strip() or None


CSV_TEXT = st.one_of(
    csv_like(),
    csv_like(),
    # Anything made of the characters that matter to a CSV reader.
    st.tuples(
        st.text(
            alphabet=st.sampled_from(
                [*"0123456789.,;\t -+eE\"'\nxnaif_\r#", "é", "\x00"]
            ),
            max_size=60,
        ),
        st.just(","),
    ),
)


@fuzz(400)
@given(
    case=CSV_TEXT,
    own_delimiter=st.integers(0, 3),
    label_column=st.sampled_from([-1, -1, None, 0, 1, -4, 4, "a", 1.0, True]),
    header=st.sampled_from(["auto", "auto", True, False, "yes", None]),
    delimiter=st.sampled_from([",", ",", ",", ";", "\t", " ", None, "", 5, "\n", '"']),
)
def test_load_csv_on_any_text(
    tmp_path_factory, case, own_delimiter, label_column, header, delimiter
):
    text, used = case
    if own_delimiter:
        delimiter = used  # mostly the one the text was written with
    path = tmp_path_factory.mktemp("csv") / "any.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        with quiet():
            X, y = load_csv(path, label_column, header, delimiter)
    except (ValueError, TypeError) as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        event("refused")
        return
    event("read")
    _check_table(X, y)
    if label_column is None:
        assert y is None


@fuzz(300)
@given(
    data=st.binary(max_size=200),
    suffix=st.sampled_from([".csv", ".txt", ".npy", ".npz", ".json", ""]),
)
def test_load_file_on_any_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"data{suffix}"
    path.write_bytes(data)
    try:
        with quiet():
            X, y = load_file(path)
    except ValueError as exc:
        message = str(exc)
        assert str(path) in message or repr(suffix) in message, message
        return
    _check_table(X, y)


# == .npy and .npz files ===============================================================
ANY_DTYPE = st.sampled_from(
    [
        *("float64", "float32", "float16", "int64", "uint8", "bool", "complex128"),
        *("<U3", "datetime64[s]", "longdouble", "object"),
    ]
)


@fuzz(250)
@given(
    arr=st.integers(0, 3).flatmap(
        lambda ndim: hnp.arrays(
            np.float64,
            hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=4),
            elements=st.one_of(MODERATE, NON_FINITE, HUGE),
        )
    ),
    dtype=ANY_DTYPE,
    label_column=st.one_of(st.none(), st.integers(-5, 5)),
)
def test_npy_files(tmp_path_factory, arr, dtype, label_column):
    path = tmp_path_factory.mktemp("npy") / "data.npy"
    with quiet(), np.errstate(all="ignore"):
        if dtype.startswith("datetime"):
            data = np.zeros(arr.shape, dtype=dtype)
        else:
            data = arr.astype(dtype)
    np.save(path, data, allow_pickle=True)
    kind = np.dtype(dtype).kind
    with np.errstate(all="ignore"):
        as_float = data.astype(np.float64) if kind in "biuf" else None
    if kind not in "biuf":
        expected: tuple = (ValueError, "pickle" if kind == "O" else str(data.dtype))
    elif data.ndim != 2:
        expected = (ValueError, str(data.shape))
    elif data.size == 0:
        expected = (ValueError, "empty")
    elif not np.isfinite(as_float).all():
        expected = (ValueError, "at index")
    elif (
        label_column is not None and not -data.shape[1] <= label_column < data.shape[1]
    ):
        expected = (ValueError, f"label_column={label_column}")
    elif label_column is not None and data.shape[1] == 1:
        expected = (ValueError, "no feature columns")
    else:
        expected = ()
    if expected:
        message = refused(lambda: load_npy(path, label_column), *expected)
        assert str(path) in message
        return
    with quiet():
        X, y = load_npy(path, label_column)
    _check_table(X, y, len(data))
    if label_column is None:
        np.testing.assert_array_equal(X, as_float)
    else:
        np.testing.assert_array_equal(X, np.delete(as_float, label_column, axis=1))
        np.testing.assert_array_equal(y, as_float[:, label_column])


@pytest.fixture(scope="module")
def npy_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("npy") / "valid.npy"
    np.save(path, np.arange(12.0).reshape(4, 3))
    return path.read_bytes()


@fuzz(300)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4
    ),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_damaged_npy_files(tmp_path_factory, npy_bytes, edits, cut):
    data = bytearray(npy_bytes)
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data) :]
    path = tmp_path_factory.mktemp("npy") / "damaged.npy"
    path.write_bytes(bytes(data))
    try:
        with quiet():
            X, y = load_npy(path, label_column=-1)
    except ValueError as exc:
        assert str(path) in str(exc)
        return
    _check_table(X, y)


@fuzz(100)
@given(
    X=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4),
        elements=MODERATE,
    ),
    y_kind=st.sampled_from(
        [
            *("int", "float", "str", "bytes", "bool", "column", "none"),
            *("short", "2-D", "complex", "nan", "non-ascii", "object"),
        ]
    ),
)
def test_npz_files(tmp_path_factory, X, y_kind):
    n = len(X)
    ys = {
        "int": (np.arange(n), ()),
        "float": (np.linspace(0.5, 1.0, n), ()),
        "str": (np.array(["a", "b"] * n)[:n], ()),
        "bytes": (np.array([b"a", b"b"] * n)[:n], ()),
        "bool": (np.arange(n) % 2 == 0, ()),
        "column": (np.arange(n)[:, None], ()),
        "none": (None, ()),
        "short": (np.arange(n + 1), (ValueError, f"{n + 1} labels")),
        "2-D": (np.zeros((n, 2)), (ValueError, f"({n}, 2)")),
        "complex": (np.zeros(n) + 1j, (ValueError, "complex")),
        "nan": (np.full(n, np.nan), (ValueError, "nan")),
        "non-ascii": (np.array([b"\xff"] * n), (ValueError, "ASCII")),
        "object": (np.array([None] * n, dtype=object), (ValueError, "pickle")),
    }
    y, expected = ys[y_kind]
    path = tmp_path_factory.mktemp("npz") / "data.npz"
    arrays = {"X": X} if y is None else {"X": X, "y": y}
    np.savez(path, **arrays)
    if expected:
        message = refused(lambda: load_npz(path), *expected)
        assert str(path) in message
        return
    with quiet():
        Xr, yr = load_npz(path)
    _check_table(Xr, yr, n)
    np.testing.assert_array_equal(Xr, X)
    if y is None:
        assert yr is None
    else:
        assert yr.tolist() == np.asarray(y).reshape(n).astype(yr.dtype).tolist()


# == model files ====================================================================
X_PROBE = np.array([[0.0, 0.0], [0.5, -1.0], [2.0, 1.0]])


class _Saved(tuple):
    """``(model, bytes of its file)``, shown briefly in hypothesis's reports."""

    def __repr__(self) -> str:
        return f"<a model and its file of {len(self[1])} bytes>"


def _saved_model(folder: Path, units: int) -> tuple[ml.Sequential, bytes]:
    """A trained, compiled model (Adam moments, dropout, a regularizer) with
    metadata, and its file's bytes."""
    model = ml.Sequential(
        [
            ml.Dense(units, activation="tanh", kernel_regularizer="l2"),
            ml.Dropout(0.2),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    model.compile("binary_crossentropy", ml.Adam(0.01), metrics=["accuracy"])
    model.fit(X_PROBE, [0, 1, 1], epochs=3)
    persistence.save(model, folder / "model.npz", metadata={"classes": ["cat", "dog"]})
    return _Saved((model, (folder / "model.npz").read_bytes()))


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """Arrays of more than 4 kB: zipfile reads (and checks) those in chunks,
    so a damaged .npy header is parsed before any checksum fails."""
    return _saved_model(tmp_path_factory.mktemp("model"), units=300)


@pytest.fixture(scope="module")
def small_model_file(tmp_path_factory):
    return _saved_model(tmp_path_factory.mktemp("model"), units=3)


def _identical(a: ml.Sequential, b: ml.Sequential) -> bool:
    return (
        a.get_config() == b.get_config()
        and all(
            np.array_equal(x, y)
            for x, y in zip(a.get_weights(), b.get_weights(), strict=True)
        )
        and a.loss.get_config() == b.loss.get_config()
        and a.optimizer.get_config() == b.optimizer.get_config()
        and a.metrics == b.metrics
        and a.optimizer.iterations == b.optimizer.iterations
        and all(
            sa.keys() == sb.keys()
            and all(np.array_equal(sa[key], sb[key]) for key in sa)
            for sa, sb in zip(a.optimizer._slots, b.optimizer._slots, strict=True)
        )
        and a.train_rng.bit_generator.state == b.train_rng.bit_generator.state
        and a._init_rng.bit_generator.state == b._init_rng.bit_generator.state
    )


def _mutate(data: bytes, how: str, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        if not out:
            break
        i = position % len(out)
        if how == "overwrite":
            out[i] = value
        elif how == "flip":
            out[i] ^= 1 << (value % 8)
        elif how == "insert":
            out[i:i] = bytes([value])
        elif how == "delete":
            del out[i : i + 1 + value % 8]
        elif how == "int32":  # length and offset fields
            word = [0, 1, 0x7FFFFFFF, 0xFFFFFFFF, value][value % 5]
            out[i : i + 4] = word.to_bytes(4, "little")
        else:  # truncate
            del out[i:]
    return bytes(out)


@fuzz(500)
@given(
    how=st.sampled_from(["overwrite", "flip", "insert", "delete", "int32", "cut"]),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=5
    ),
)
def test_damaged_model_file_loads_identically_or_is_refused(
    tmp_path_factory, model_file, how, edits
):
    original, data = model_file
    path = tmp_path_factory.mktemp("damaged") / "model.npz"
    path.write_bytes(_mutate(data, how, edits))
    try:
        with quiet():
            model = persistence.load(path)
    except ModelFormatError as exc:
        assert repr(str(path)) in str(exc)
        event(f"{how}: refused")
    else:
        assert _identical(model, original)
        event(f"{how}: identical")
    try:
        with quiet():
            metadata = persistence.read_metadata(path)
    except ModelFormatError:
        pass
    else:
        assert metadata == {"classes": ["cat", "dog"]}


@fuzz(300)
@given(
    member=st.integers(0, 6),
    offset=st.integers(6, 127),
    value=st.sampled_from(b"\x00\n\r (),:'\"{}\\#") | st.integers(0, 255),
)
def test_damaged_array_header_in_a_model_file(
    tmp_path_factory, model_file, member, offset, value
):
    """One byte of an array's .npy header (magic, length, dict) changed."""
    original, data = model_file
    headers = [i for i in range(len(data)) if data.startswith(b"\x93NUMPY", i)]
    path = tmp_path_factory.mktemp("damaged") / "model.npz"
    start = headers[member % len(headers)]
    path.write_bytes(_mutate(data, "overwrite", [(start + offset, value)]))
    try:
        with quiet():
            model = persistence.load(path)
    except ModelFormatError as exc:
        assert repr(str(path)) in str(exc)
    else:
        assert _identical(model, original)


def test_every_single_byte_flip_of_a_model_file(tmp_path, small_model_file):
    """Exhaustive: each byte of the file inverted in turn."""
    original, data = small_model_file
    path = tmp_path / "model.npz"
    outcomes = {"identical": 0, "refused": 0}
    for i in range(len(data)):
        path.write_bytes(_mutate(data, "overwrite", [(i, data[i] ^ 0xFF)]))
        try:
            with quiet():
                model = persistence.load(path)
        except ModelFormatError:
            outcomes["refused"] += 1
        else:
            assert _identical(model, original), i
            outcomes["identical"] += 1
    # Most bytes matter; some (zip timestamps, attributes) do not.
    assert outcomes["refused"] > 0.8 * len(data) and outcomes["identical"] > 0


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "relu", "sigmoid", "adam", "l2", "Dense", "w0", "PCG64"]),
        st.text(max_size=5),
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "l2", "class_name", "x"]), children)
    ),
    max_leaves=6,
)


def _json_paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _json_paths(child, (*prefix, i))


@fuzz(300)
@given(choice=st.integers(0, 10**6), value=JSON_VALUES, delete=st.booleans())
def test_edited_model_description_loads_a_working_model_or_is_refused(
    tmp_path_factory, model_file, choice, value, delete
):
    """The description re-archived with one field changed (the zip's checksums
    then hold): whatever loads must predict and save again."""
    _, data = model_file
    with np.load(io.BytesIO(data)) as npz:
        arrays = {key: npz[key] for key in npz.files}
    doc = json.loads(arrays["__mlplab__"].tobytes())
    paths = list(_json_paths(doc))[1:]
    path_in_doc = paths[choice % len(paths)]
    parent = doc
    for key in path_in_doc[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path_in_doc[-1]]
    else:
        parent[path_in_doc[-1]] = value
    arrays["__mlplab__"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    folder = tmp_path_factory.mktemp("edited")
    with open(folder / "model.npz", "wb") as f:
        np.savez(f, **arrays)
    try:
        with quiet():
            model = persistence.load(folder / "model.npz")
    except ModelFormatError:
        event("refused")
        return
    event("loaded")
    with quiet():
        A = model.predict(X_PROBE)
        persistence.save(model, folder / "again.npz")
        again = persistence.load(folder / "again.npz")
    assert A.shape == (3, model.output_dim) and np.isfinite(A).all()
    assert again.get_config() == model.get_config()


# == the command line ===============================================================
ASCII = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=10
)


def _parses(kind: type, text: str) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _float_outside(low: float, high: float, low_ok: bool, high_ok: bool) -> Any:
    """Text that is not a finite number in the interval."""

    def inside(v: float) -> bool:
        return (
            math.isfinite(v)
            and (v >= low if low_ok else v > low)
            and (v <= high if high_ok else v < high)
        )

    return st.one_of(
        st.floats(allow_nan=False).filter(lambda v: not inside(v)).map(repr),
        st.sampled_from(["nan", "inf", "-inf"]),
        ASCII.filter(lambda s: not _parses(float, s)),
    )


def _int_below(low: int) -> Any:
    return st.one_of(
        st.integers(max_value=low - 1).map(str),
        ASCII.filter(lambda s: not _parses(int, s)),
    )


def _bad_name(valid: list[str]) -> Any:
    return ASCII.filter(
        lambda s: s.strip().lower() not in valid and ":" not in s and s.strip() != ""
    ) | st.just("")


BAD_OPTIONS = {
    "hidden": st.sampled_from(["-1", "abc", "1.5", "5,0", "05", "+5", "5,,5", "x"]),
    "lr": _float_outside(0, math.inf, False, True),
    "epochs": _int_below(1),
    "batch-size": st.sampled_from(["0", "-3", "1.5", "half", "", "2,3"]),
    "samples": _int_below(1),
    "noise": _float_outside(0, math.inf, True, True),
    "test-size": _float_outside(0, 1, True, False),
    "seed": _int_below(0),
    "dataset": _bad_name(datasets.dataset_names()),
    "activation": _bad_name(activations.names()),
    "output-activation": _bad_name(activations.names()),
    "loss": _bad_name(losses.names()),
    "optimizer": _bad_name(
        ["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"]
    ),
    "init": _bad_name(initializers.names()),
    "scale": _bad_name(["none", "standard", "minmax"]),
    "l2": _float_outside(0, math.inf, True, True),
    "clipnorm": _float_outside(0, math.inf, False, True),
    "features": st.sampled_from(["x1+x2", "x0", "y", "x1^13", "sin(", ",,", "*"]),
    "data": ASCII.map(lambda s: f"missing-{s}.csv"),
    "config": ASCII.map(lambda s: f"missing-{s}.toml"),
}
FAST = ["--dataset", "moons", "--samples", "20", "--epochs", "1", "--hidden", "2"]


def _cli(argv: list[str]) -> tuple[int, str]:
    """Exit code and stderr of ``mlplab argv``, run in process."""
    out, err = io.StringIO(), io.StringIO()
    with quiet(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return code, err.getvalue()


def _one_line_exit_2(argv: list[str], *shown: str) -> str:
    """``mlplab argv`` exits with 2 and one line on stderr, which names one of
    ``shown`` (an option, or the value as typed or as repr shows it)."""
    code, err = _cli(argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, (argv, code, err)
    assert lines[0].startswith("mlplab") and "Traceback" not in err
    lowered = lines[0].lower().replace("-", "_")
    variants = [v for s in shown for v in (s, repr(s)[1:-1])]
    assert not shown or any(
        v.strip().lower().replace("-", "_") in lowered for v in variants
    ), (argv, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with a small run folder, data files and a file where a folder
    is expected."""
    folder = tmp_path_factory.mktemp("cli")
    run = folder / "run"
    code, err = _cli([*"train --no-progress --out".split(), run, *FAST])
    assert code == 0, err
    rows = "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(30))
    (folder / "data.csv").write_text("a,b,label\n" + rows)
    (folder / "x.csv").write_text("1,2\n3,4\n")
    (folder / "x3.csv").write_text("1,2,3\n")
    (folder / "a_file").write_text("not a folder")
    return folder


@pytest.fixture
def in_workdir(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    return workdir


@fuzz(200)
@given(
    option=st.sampled_from(list(BAD_OPTIONS)),
    data=st.data(),
    command=st.sampled_from(["train", "compare", "sweep"]),
)
def test_train_compare_sweep_refuse_bad_options(in_workdir, option, data, command):
    value = data.draw(BAD_OPTIONS[option])
    argv = [command, *FAST, "--no-progress", "--out", "out", f"--{option}={value}"]
    if command == "sweep":
        argv += ["--param", "lr=0.1,0.2"]
    _one_line_exit_2(argv, option, value)


@fuzz(120)
@given(
    option=st.sampled_from(list(BAD_OPTIONS)),
    data=st.data(),
    form=st.sampled_from(["variant", "param"]),
)
def test_variants_and_params_refuse_bad_values(in_workdir, option, data, form):
    value = data.draw(BAD_OPTIONS[option])
    key = option.replace("-", "_")
    if key == "config":
        return  # not a configuration key
    if form == "variant":
        if ";" in value:
            return  # ';' separates the variant's pairs
        argv = ["compare", *FAST, "--no-progress", "--variant", f"{key}={value}"]
    else:
        if "," in value or ";" in value or not value.strip():
            return  # separators, or no value at all (its own error)
        argv = ["sweep", *FAST, "--no-progress", "--param", f"{key}={value}"]
    _one_line_exit_2([*argv, "--out", "out"], key, value)


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "--variant", "hidden"],
        ["compare", "--variant", "=5"],
        ["compare", "--variant", ";;"],
        ["compare", "missing.toml"],
        ["sweep", "--param", "lr="],
        ["sweep", "--param", "=1"],
        ["sweep", "--param", "lr=0.1", "--backend", "loky", "--n-jobs", "0"],
        ["sweep", "--param", "lr=0.1", "--backend", "cloud"],
        ["sweep", "--param", "lr=0.1", "--scheduler", "tcp://x:1"],
        ["sweep", "--resume", "missing"],
        ["train", "--resume", "missing"],
        ["train", "--animate", "-1"],
        ["train", "--animate", "x"],
        ["train", "--checkpoint-every", "-2"],
        ["train", "--data", "data.csv", "--label-column", "colour"],
        ["train", "--data", "data.csv", "--label-column", "7"],
        ["train", "--data", "x.json"],
        ["train", "--config", "a_file"],
        ["train", "--features", "x3"],  # the data has two inputs
    ],
)
def test_training_commands_refuse_malformed_arguments(in_workdir, argv):
    line = _one_line_exit_2([*argv, *FAST[2:], "--no-progress", "--out", "out"])
    assert any(a.lstrip("-") in line for a in argv[1:]), line


INSPECT = {
    "example": st.sampled_from(["abc", "5-2", "99", "0-", "-1", "1,,2", "0.5"]),
    "weights": st.sampled_from(
        ["W1=abc", "W9=1", "W1=1,2,3", "W1=nan", "W1=1e400", "=", "W1=", "b1"]
    ),
    "format": ASCII.filter(lambda s: s not in ("text", "markdown", "json")),
    "steps": _int_below(1),
    "rows": _int_below(1),
    "decimals": _int_below(0),
    "threshold": _float_outside(0, math.inf, False, True),
    "eps": _float_outside(0, math.inf, False, True),
    "import": ASCII.map(lambda s: f"missing-{s}.py"),
    **{k: BAD_OPTIONS[k] for k in ("hidden", "lr", "activation", "loss", "seed")},
}
_EXPLAIN_ONLY = {"format", "steps", "rows", "decimals"}
_GRADCHECK_ONLY = {"threshold", "eps"}


@fuzz(150)
@given(
    command=st.sampled_from(["explain", "gradcheck"]),
    option=st.sampled_from(list(INSPECT)),
    data=st.data(),
)
def test_explain_and_gradcheck_refuse_bad_options(in_workdir, command, option, data):
    if option in (_GRADCHECK_ONLY if command == "explain" else _EXPLAIN_ONLY):
        return
    value = data.draw(INSPECT[option])
    argv = [command, "--dataset", "gate:or", "--hidden", "0", f"--{option}={value}"]
    _one_line_exit_2(argv, option, value)


@fuzz(80)
@given(
    case=st.sampled_from(
        [
            ("run_dir", ASCII.map(lambda s: f"missing-{s}")),
            ("--model", st.sampled_from(["a_file", "missing.npz", "data.csv"])),
            ("--data", st.sampled_from(["missing.csv", "x.csv", "x3.csv", "a_file"])),
            ("--label-column", st.sampled_from(["7", "-9", "colour", "a"])),
            ("--dataset", BAD_OPTIONS["dataset"]),
            ("--samples", BAD_OPTIONS["samples"]),
            ("--noise", BAD_OPTIONS["noise"]),
            ("--seed", ASCII.filter(lambda s: not _parses(int, s))),
        ]
    ),
    data=st.data(),
)
def test_evaluate_refuses_bad_arguments(in_workdir, case, data):
    option, values = case
    value = data.draw(values)
    if option == "run_dir":
        argv = ["evaluate", value]
    elif option == "--model":
        argv = ["evaluate", "--model", value, "--data", "data.csv"]
    elif option in ("--data", "--label-column"):
        argv = ["evaluate", "run", "--data", "data.csv", f"{option}={value}"]
    else:
        argv = ["evaluate", "run", "--dataset", "moons", f"{option}={value}"]
    # A file of labels the model does not know: the message names the label.
    _one_line_exit_2(argv, value, option.lstrip("-"), "label")


@fuzz(60)
@given(
    case=st.sampled_from(
        [
            ("--model", st.sampled_from(["a_file", "missing", "data.csv", "."])),
            (
                "--input",
                st.sampled_from(["missing.csv", "x3.csv", "data.csv", "x.json"]),
            ),
            ("--output", st.sampled_from(["missing/p.csv", "a_file/p.csv", "."])),
            ("--header", ASCII.filter(lambda s: s not in ("auto", "yes", "no"))),
        ]
    ),
    data=st.data(),
)
def test_predict_refuses_bad_arguments(in_workdir, case, data):
    option, values = case
    value = data.draw(values)
    argv = ["predict", "--model", "run", "--input", "x.csv", f"{option}={value}"]
    _one_line_exit_2(argv, value, option.lstrip("-"))


@fuzz(40)
@given(name=ASCII.filter(lambda s: s.strip().lower() not in recipes.RECIPES))
def test_report_and_recipe_refuse_unknown_names(in_workdir, name):
    _one_line_exit_2(["report", f"missing-{name}"], "missing")
    _one_line_exit_2(["recipe", "run", "--", name])


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--quick", "--colour"],
        ["demo", "--out"],
        ["recipe", "run"],
        ["recipe", "fly"],
        ["report"],
    ],
)
def test_usage_errors(in_workdir, argv):
    _one_line_exit_2(argv)


@pytest.mark.parametrize(
    ("classes", "shown"),
    [(["a"], "1 classes"), (["a", "b", "c"], "3 classes")],
)
def test_predict_refuses_a_model_file_with_the_wrong_classes(
    in_workdir, classes, shown
):
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    persistence.save(model, "classes.npz", metadata={"classes": classes})
    _one_line_exit_2(["predict", "--model", "classes.npz", "--input", "x.csv"], shown)


def test_predict_a_multi_label_model(in_workdir):
    model = ml.Sequential([ml.Dense(3, activation="sigmoid")], input_dim=2, seed=0)
    persistence.save(model, "multi.npz")
    out = io.StringIO()
    with quiet(), contextlib.redirect_stdout(out):
        assert main(["predict", "--model", "multi.npz", "--input", "x.csv"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split(",") == [
        *(f"prediction_{j}" for j in (1, 2, 3)),
        *(f"p_{j}" for j in (1, 2, 3)),
    ]
    expected = model.predict(np.array([[1.0, 2.0], [3.0, 4.0]]))
    for line, p in zip(lines[1:], expected, strict=True):
        cells = line.split(",")
        assert [int(c) for c in cells[:3]] == (p >= 0.5).astype(int).tolist()
        np.testing.assert_allclose([float(c) for c in cells[3:]], p, rtol=1e-5)


@pytest.mark.parametrize(
    "text", ["def broken(:\n", "raise RuntimeError('boom')\n", "import no_such_mod\n"]
)
def test_a_failing_import_file_is_one_line(in_workdir, text):
    Path("user.py").write_text(text)
    _one_line_exit_2(
        ["explain", "--import", "user.py", "--dataset", "gate:or"], "user.py"
    )


# -- bugs this file found, kept as regression tests ------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["train", *FAST, "--no-progress", "--out", "a_file/run"],
        ["compare", *FAST, "--no-progress", "--out", "a_file/run"],
        ["sweep", *FAST, "--no-progress", "--param", "lr=1", "--out", "a_file/run"],
        ["sweep", "--resume", "a_file"],
        ["recipe", "run", "logic-gates", "--quick", "--out", "a_file/run"],
        ["demo", "--quick", "--out", "a_file/run"],
    ],
)
def test_an_output_folder_under_a_file_is_one_line(in_workdir, argv):
    _one_line_exit_2(argv, "a_file")


def test_a_run_diverging_in_its_first_epoch_reports_the_divergence(in_workdir):
    code, err = _cli(["train", *FAST, "--no-progress", "--l2", "1e308", "--out", "d"])
    assert code == 1 and "history has no" not in err, err


def test_a_sweep_whose_runs_all_fail_names_their_error(in_workdir):
    argv = ["sweep", *FAST, "--no-progress", "--param", "features=x3", "--out", "s"]
    _one_line_exit_2(argv, "x3")


def test_standard_scaling_of_huge_values_is_quiet(in_workdir):
    rows = "".join(f"{1e300 * (i % 3)},{i % 5},{i % 2}\n" for i in range(30))
    Path("huge.csv").write_text("a,b,label\n" + rows)
    argv = ["train", *FAST, "--no-progress", "--data", "huge.csv", "--scale"]
    _cli([*argv, "standard", "--out", "huge"])


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "--dataset", "gate:or", "--weights", "W1=1e300", "--lr", "1e308"],
        ["gradcheck", "--dataset", "gate:or", "--eps", "1e308"],
    ],
)
def test_explain_and_gradcheck_of_huge_values_are_quiet(in_workdir, argv):
    _cli(argv)


def test_make_moons_names_a_bad_seed():
    refused(lambda: datasets.make_moons(10, seed=-3), ValueError, "seed=-3")


@pytest.mark.parametrize("classes", [5, [{"a": 1}, [2]]])
def test_a_model_file_with_malformed_classes_is_named(in_workdir, classes):
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    persistence.save(model, "odd.npz", metadata={"classes": classes})
    _one_line_exit_2(
        ["evaluate", "--model", "odd.npz", "--data", "data.csv"], "classes"
    )
