"""The compiled engine (``engine="numba"``) against the NumPy engine: the same
weights to 1e-12 (float64) after many steps, for every covered activation,
loss, optimizer, batch size and dtype; the gradient check; the same bits for
the same seed; refusals that name the component; configs that round-trip."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest

import mlplab as ml
from mlplab import engine, gradcheck, persistence

pytestmark = pytest.mark.skipif(
    not engine.numba_available(),
    reason="Numba is not installed (pip install mlplab[fast])",
)

HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax"]
# (loss, output activation, targets)
HEADS = [
    ("binary_crossentropy", "sigmoid", "binary"),
    ("categorical_crossentropy", "softmax", "multiclass"),
    ("squared_error", "linear", "regression"),
    ("mse", "tanh", "regression"),
    ("squared_error", "softmax", "multiclass"),
    ("mse", "sigmoid", "regression"),
    ("squared_error", "relu", "regression"),
    ("mse", "elu", "regression"),
    ("squared_error", "leaky_relu", "regression"),
]
# Settings under which training itself is well conditioned: with RMSprop's
# default epsilon at lr 0.01, or momentum 0.9 one sample at a time, the NumPy
# engine started from weights moved by 1e-16 already ends 1e-8 (RMSprop: 1e-1)
# away from itself after 1000 steps, and no two orders of summation could agree
# to 1e-12 there.
OPTIMIZERS = {
    "sgd": lambda: ml.SGD(0.1),
    "momentum": lambda: ml.SGD(0.02, momentum=0.8),
    "nesterov": lambda: ml.SGD(0.02, momentum=0.8, nesterov=True),
    "rmsprop": lambda: ml.RMSprop(0.003, epsilon=0.01),
    "adagrad": lambda: ml.Adagrad(0.05),
    "adam": lambda: ml.Adam(0.01),
}


def _data(kind: str, n: int = 60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    if kind == "binary":
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
    elif kind == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])
    else:
        y = np.stack([np.sin(X[:, 0]), 0.3 * X[:, 1] * X[:, 2]], axis=1)
    return X, y


def _model(eng, hidden, out, loss, opt, dtype="float64", reg=None, seed=3):
    units = {"binary_crossentropy": 1, "categorical_crossentropy": 3}.get(loss, 2)
    if out == "softmax":
        units = 3
    model = ml.Sequential(
        [
            ml.Dense(5, activation=hidden, kernel_regularizer=reg),
            ml.Dense(4, activation="tanh", use_bias=hidden != "relu"),
            ml.Dense(units, activation=out),
        ],
        input_dim=3,
        seed=seed,
        dtype=dtype,
        engine=eng,
    )
    model.compile(loss, opt)
    return model


def _pair(hidden, head, opt_name, dtype="float64", reg=None):
    loss, out, kind = head
    models = [
        _model(e, hidden, out, loss, OPTIMIZERS[opt_name](), dtype, reg)
        for e in ("numpy", "numba")
    ]
    return models, _data(kind)


def _assert_close(a, b, tol):
    """Every weight array of ``b`` within ``tol`` of ``a``, relative to each
    array's largest magnitude."""
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        scale = max(float(np.abs(wa).max()), 1e-300)
        assert np.abs(wa - wb).max() <= tol * scale, (np.abs(wa - wb).max(), scale)


def _assert_losses(ha, hb, key="loss"):
    """The loss histories equal to 1e-12 of their largest value: a loss is a
    sum of terms of about that size, whose rounding does not shrink with it
    (the fused cross-entropy cancels ``sum z`` against ``sum log a``)."""
    want = np.asarray(ha.history[key])
    atol = 1e-12 * float(np.abs(want).max())
    np.testing.assert_allclose(hb.history[key], want, rtol=1e-12, atol=atol)


def _fit_both(models, X, y, epochs, batch_size, sample_weight=None):
    hists = [
        m.fit(
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            seed=1,
            sample_weight=sample_weight,
        )
        for m in models
    ]
    return hists


# -- agreement with the NumPy engine --------------------------------------------
@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("head", HEADS[:3], ids=lambda h: h[0])
def test_1000_full_batch_steps_agree_to_1e_12(head, opt_name):
    (a, b), (X, y) = _pair("tanh", head, opt_name)
    ha, hb = _fit_both((a, b), X, y, epochs=1000, batch_size=None)
    _assert_close(a, b, 1e-12)
    _assert_losses(ha, hb)
    assert a.optimizer.iterations == b.optimizer.iterations == 1000


# Every head meets every hidden activation, optimizer and batch size, in a
# third of all the triples (a Latin-square-like slice keeps the run short).
WIDE = [
    pytest.param(head, hidden, opt, bs, id=f"{head[0]}-{head[1]}-{hidden}-{opt}-{bid}")
    for h, head in enumerate(HEADS)
    for a, hidden in enumerate(HIDDEN)
    for opt in sorted(OPTIMIZERS)
    for bs, bid in [(None, "full"), (16, "k"), (1, "1")]
    if (h + a + len(opt)) % 3 == 0
]


@pytest.mark.parametrize(("head", "hidden", "opt_name", "batch_size"), WIDE)
def test_every_component_agrees(head, hidden, opt_name, batch_size):
    (a, b), (X, y) = _pair(hidden, head, opt_name, reg=ml.L1L2(1e-3, 1e-3))
    epochs = {None: 200, 16: 20, 1: 3}[batch_size]
    ha, hb = _fit_both((a, b), X, y, epochs, batch_size)
    _assert_close(a, b, 1e-12)
    _assert_losses(ha, hb)


@pytest.mark.parametrize("reg", [ml.L1(0.01), ml.L2(0.01), ml.L1L2(0.01, 0.02)])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_regularizers_and_sample_weights_agree(reg, batch_size):
    (a, b), (X, y) = _pair("elu", HEADS[1], "adam", reg=reg)
    sw = np.random.default_rng(5).uniform(0.1, 3.0, size=len(X))
    ha, hb = _fit_both((a, b), X, y, 100, batch_size, sample_weight=sw)
    _assert_close(a, b, 1e-12)
    _assert_losses(ha, hb)


@pytest.mark.parametrize("head", HEADS[:3], ids=lambda h: h[0])
@pytest.mark.parametrize("opt_name", ["nesterov", "adam", "rmsprop"])
def test_float32_agrees_to_float32_precision(head, opt_name):
    # float32 rounds at 6e-8; both engines round each operation to float32,
    # but the compiled one sums in float64 and in another order, so they part
    # by a few float32 ulps per step, which 200 steps of a contracting descent
    # keep far below 2e-4 of each array's largest weight.
    (a, b), (X, y) = _pair("tanh", head, opt_name, dtype="float32")
    _fit_both((a, b), X, y, epochs=200, batch_size=None)
    assert b.get_weights()[0].dtype == np.float32
    _assert_close(a, b, 2e-4)


# -- the same training loop around it ---------------------------------------------
def test_validation_metrics_and_history_as_numpy():
    (a, b), (X, y) = _pair("relu", HEADS[0], "adam")
    for m in (a, b):
        m.compile("binary_crossentropy", ml.Adam(0.01), metrics=["accuracy"])
    ha, hb = (
        m.fit(X, y, epochs=30, batch_size=20, validation_split=0.25, seed=2)
        for m in (a, b)
    )
    assert (
        ha.history.keys()
        == hb.history.keys()
        == {
            "loss",
            "accuracy",
            "val_loss",
            "val_accuracy",
        }
    )
    for key in ha.history:
        _assert_losses(ha, hb, key)


def test_train_step_and_loss_and_gradients_as_numpy():
    (a, b), (X, y) = _pair("sigmoid", HEADS[1], "momentum")
    la, ga = a.loss_and_gradients(X, y)
    lb, gb = b.loss_and_gradients(X, y)
    assert lb == pytest.approx(la, rel=1e-13)
    for x, z in zip(ga, gb, strict=True):
        np.testing.assert_allclose(z, x, rtol=0, atol=1e-14 * np.abs(x).max())
    assert b.optimizer.iterations == 0  # no update
    steps = [(a.train_step(X, y), b.train_step(X, y)) for _ in range(5)]
    for sa, sb in steps:
        assert sb == pytest.approx(sa, rel=1e-13)
    _assert_close(a, b, 1e-13)


@pytest.mark.parametrize("hidden", ["elu", "softmax", "leaky_relu"])
@pytest.mark.parametrize("head", HEADS[:4], ids=lambda h: f"{h[0]}-{h[1]}")
def test_gradient_check_passes(head, hidden):
    loss, out, kind = head
    model = _model("numba", hidden, out, loss, ml.SGD(0.1), reg=ml.L1L2(0.01, 0.01))
    X, y = _data(kind, 12)
    report = gradcheck(model, X, y)
    assert report.passed(), str(report)


def test_same_seed_same_bits():
    runs = []
    for _ in range(2):
        (_, b), (X, y) = _pair("tanh", HEADS[2], "adam")
        b.fit(X, y, epochs=20, batch_size=8, seed=4)
        runs.append(b.get_weights())
    for w1, w2 in zip(*runs, strict=True):
        assert w1.tobytes() == w2.tobytes()


@pytest.mark.parametrize("eng", ["numpy", "numba"])
def test_divergence_keeps_the_last_finite_weights(eng):
    X, y = _data("regression")
    model = ml.Sequential([ml.Dense(4), ml.Dense(2)], input_dim=3, seed=0, engine=eng)
    model.compile("mse", ml.SGD(1.0, momentum=0.5))
    with pytest.raises(ml.DivergenceError) as info:
        model.fit(X * 100, y, epochs=100)
    assert np.isfinite(model.flat_params).all()
    loss = model.evaluate(X * 100, y)["loss"]
    assert np.isfinite(loss)
    assert model.optimizer.iterations == info.value.epoch


def test_switching_engines_carries_the_optimizer_state_on():
    (a, b), (X, y) = _pair("tanh", HEADS[0], "adam")
    a.fit(X, y, epochs=10)
    b.fit(X, y, epochs=5)
    b.engine = "numpy"  # the moments live in the optimizer: either engine goes on
    b.fit(X, y, epochs=5)
    _assert_close(a, b, 1e-12)
    assert b.optimizer.iterations == 10


# -- refusals ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layers", "loss", "opt", "named"),
    [
        ([ml.Dense(3), ml.Dropout(0.2), ml.Dense(1)], "mse", "sgd", "Dropout"),
        ([ml.Dense(3, activation="exp"), ml.Dense(1)], "mse", "sgd", "'exp'"),
        ([ml.Dense(3), ml.Dense(1)], "huber", "sgd", "'huber'"),
        ([ml.Dense(3), ml.Dense(1)], "mse", ml.Adam(clipnorm=1.0), "clipnorm"),
        ([ml.Dense(3), ml.Dense(1)], "mse", "lbfgs", "LBFGS"),
    ],
)
def test_compile_refuses_what_the_engine_does_not_cover(layers, loss, opt, named):
    model = ml.Sequential(layers, input_dim=2, engine="numba")
    with pytest.raises(ValueError, match="numba engine does not cover") as info:
        model.compile(loss, opt)
    assert named in str(info.value)


def test_unknown_engine_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"\['numpy', 'numba'\]; received 'gpu'"):
        ml.Sequential([ml.Dense(1)], engine="gpu")


def test_sparse_input_is_refused():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    model = _model("numba", "tanh", "linear", "mse", ml.SGD(0.1))
    X, y = _data("regression")
    with pytest.raises(TypeError, match="dense arrays"):
        model.fit(scipy_sparse.csr_matrix(X), y)


# -- configs ------------------------------------------------------------------------
def test_engine_round_trips_through_save_and_load(tmp_path):
    (a, b), (X, y) = _pair("tanh", HEADS[0], "adam")
    b.fit(X, y, epochs=5)
    assert a.get_config()["engine"] == "numpy"
    assert b.get_config()["engine"] == "numba"
    persistence.save(b, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    assert loaded.engine == "numba"
    clone = copy.deepcopy(b)
    for m in (b, loaded, clone):
        m.fit(X, y, epochs=5)
    _assert_close(b, loaded, 0.0)
    _assert_close(b, clone, 0.0)


def test_import_mlplab_does_not_import_numba():
    code = "import sys, mlplab; print('numba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_without_numba_the_engine_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(engine, "numba_available", lambda: False)
    with pytest.raises(ImportError, match=r"pip install mlplab\[fast\]"):
        ml.Sequential([ml.Dense(1)], engine="numba")


def test_a_numba_model_file_loads_without_numba_on_numpy(tmp_path, monkeypatch):
    (a, b), (X, y) = _pair("tanh", HEADS[0], "adam")
    b.fit(X, y, epochs=5)
    persistence.save(b, tmp_path / "m.npz")
    monkeypatch.setattr(engine, "numba_available", lambda: False)
    with pytest.warns(UserWarning, match="uses engine='numpy'"):
        loaded = persistence.load(tmp_path / "m.npz")
    assert loaded.engine == "numpy"
    a.fit(X, y, epochs=5)
    for m in (a, loaded):
        m.fit(X, y, epochs=5)
    _assert_close(a, loaded, 1e-12)


# -- the kernel's own exponential, sigmoid and tanh (float64) -----------------------


def _wide_range():
    """Values over the whole float64 range: normal draws at many scales, and
    the edges (zeros, the branch points, saturation, overflow, subnormals)."""
    rng = np.random.default_rng(1)
    draws = [rng.normal(size=20_000) * s for s in (1e-8, 0.01, 0.3, 1, 3, 10, 300)]
    edges = [0.0, -0.0, 0.625, -0.625, 0.62499, 19.06, 20.0, -20.0, 25.0, 700.0]
    edges += [709.78, 709.79, 745.0, 745.2, 746.0, 800.0, 1e300, np.inf]
    edges += [5e-324, 1e-310, 2.2250738585072014e-308]
    edges = np.array(edges)
    return np.concatenate([*draws, edges, -edges])


def _ulps(got, want):
    """The largest difference in units of the last place of ``want``."""
    exact = got == want  # infinities and signed zeros included
    spacing = np.spacing(np.maximum(np.abs(want), np.finfo(np.float64).tiny))
    return float(np.where(exact, 0.0, np.abs(got - want) / spacing).max())


def _kernels():
    import mlplab._numba_kernels as kernels

    return kernels


def _scratch(x):
    return np.empty_like(x), np.empty_like(x), np.empty_like(x)


@pytest.mark.parametrize("name", ["vtanh", "vsigmoid", "vexp", "vlog"])
def test_kernel_transcendentals_within_a_few_ulp_of_numpy(name):
    K = _kernels()
    x = _wide_range()
    out, k1, k2 = _scratch(x)
    log_max = engine._log_max(np.dtype(np.float64))
    with np.errstate(all="ignore"):  # NumPy's reference underflows
        if name == "vtanh":
            want = np.tanh(x)
        elif name == "vsigmoid":
            want = 1 / (1 + np.exp(np.minimum(-x, log_max)))
        elif name == "vlog":
            x = np.abs(x[np.isfinite(x) & (x != 0)])
            want = np.log(x)
        else:
            x = np.clip(x, -746.0, log_max)
            want = np.exp(x)
    with np.errstate(all="raise"):  # no overflow, underflow or invalid warnings
        if name == "vtanh":
            K.vtanh(x, out, k1, k2)
        elif name == "vsigmoid":
            K.vsigmoid(x, out, k1, k2, log_max)
        elif name == "vlog":
            out, k1, k2 = _scratch(x)
            K.vlog(x, out, k1, k2)
        else:
            K.vexp(x, out, k1, k2)
    assert np.isfinite(out).all()
    assert _ulps(out, want) <= 3
    assert np.array_equal(np.signbit(out), np.signbit(want))


def test_kernel_tanh_and_sigmoid_saturate_as_numpy_does():
    K = _kernels()
    x = np.array([-np.inf, -1e300, -800.0, -40.0, 40.0, 800.0, 1e300, np.inf])
    out, k1, k2 = _scratch(x)
    K.vtanh(x, out, k1, k2)
    assert out.tolist() == [-1.0] * 4 + [1.0] * 4
    log_max = engine._log_max(np.dtype(np.float64))
    K.vsigmoid(x, out, k1, k2, log_max)
    floor = 1 / (1 + np.exp(log_max))  # the NumPy engine's smallest sigmoid
    assert out[:3].tolist() == [floor] * 3
    assert out[4:].tolist() == [1.0] * 4
    assert 0 < out[3] < 1e-17


def test_kernel_log_at_its_edges():
    x = np.array([0.0, -0.0, -1.0, np.nan, np.inf, -np.inf, 1.0])
    out, k1, k2 = _scratch(x)
    _kernels().vlog(x, out, k1, k2)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.log(x)
    assert np.array_equal(out, want, equal_nan=True)


@pytest.mark.parametrize("name", ["vtanh", "vsigmoid"])
def test_kernel_transcendentals_keep_nan(name):
    K = _kernels()
    x = np.array([np.nan, 0.5, np.nan, -3.0, np.nan])
    out, k1, k2 = _scratch(x)
    if name == "vtanh":
        K.vtanh(x, out, k1, k2)
    else:
        K.vsigmoid(x, out, k1, k2, 709.78)
    assert np.isnan(out).tolist() == np.isnan(x).tolist()


def test_the_kernels_release_the_gil():
    K = _kernels()
    for kernel in (K.train_step, K.vexp, K.vtanh, K.vsigmoid, K.vlog):
        assert kernel.targetoptions.get("nogil") is True
        assert kernel._cache.__class__.__name__ != "NullCache"  # cache=True


def test_models_train_on_several_threads_at_once_to_the_same_bits():
    from concurrent.futures import ThreadPoolExecutor

    X, y = _data("binary", 200)

    def train(seed):
        model = _model("numba", "tanh", "sigmoid", "binary_crossentropy", ml.Adam(0.01))
        model.set_weights(
            _model(
                "numpy",
                "tanh",
                "sigmoid",
                "binary_crossentropy",
                ml.Adam(0.01),
                seed=seed,
            ).get_weights()
        )
        model.fit(X, y, epochs=300)
        return model.get_weights()

    alone = [train(seed) for seed in range(4)]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(train, range(4)))
    for a, b in zip(alone, together, strict=True):
        for wa, wb in zip(a, b, strict=True):
            assert wa.tobytes() == wb.tobytes()
