"""L-BFGS: the objective's gradient, convergence on two-moons, bits, SciPy's
stopping rules, the refusals, callbacks, divergence, model files and the
command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mlplab as ml
from mlplab import optimizers
from mlplab.cli import main
from mlplab.config import RunConfig
from mlplab.gradcheck import numerical_gradient, relative_error
from mlplab.training import Trainer

X, y = ml.datasets.make_moons(200, noise=0.2, seed=0)


def moons_model(
    opt: ml.optimizers.Optimizer | None = None,
    seed: int = 0,
    dtype: str = "float64",
    hidden: int = 5,
    metrics: tuple[str, ...] = ("accuracy",),
) -> ml.Sequential:
    """The README's tutorial network: 2-5-1, tanh, He init, sigmoid output."""
    model = ml.Sequential(
        [
            ml.Dense(hidden, activation="tanh", kernel_initializer="he_normal"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=seed,
        dtype=dtype,
    )
    model.compile("binary_crossentropy", opt or ml.LBFGS(), metrics=list(metrics))
    return model


class Recording(ml.LBFGS):
    """An LBFGS that keeps the objective and start point it was given."""

    def minimize(self, fun, x0, maxiter, callback=None):
        self.fun, self.x0 = fun, x0.copy()
        return super().minimize(fun, x0, maxiter, callback)


class Weights(ml.Callback):
    """The weights (one flat copy) and the logs at the end of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.flat: list[np.ndarray] = []
        self.logs: list[dict] = []
        self.calls: list[tuple[str, int]] = []
        self.evaluations = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("end", epoch))
        self.flat.append(np.concatenate([w.ravel() for w in self.model.get_weights()]))
        self.logs.append(dict(logs or {}))

    def on_train_batch_end(self, batch, logs=None):
        self.evaluations += 1


# -- the objective --------------------------------------------------------------------
NETWORKS = {
    "sigmoid/binary_crossentropy": ("tanh", "sigmoid", "binary_crossentropy", 1),
    "softmax/categorical_crossentropy": (
        "sigmoid",
        "softmax",
        "categorical_crossentropy",
        3,
    ),
    "linear/mse": ("elu", "linear", "mse", 2),
    "linear/squared_error": ("tanh", "linear", "squared_error", 1),
    "linear/huber": ("sigmoid", "linear", "huber", 1),
    "exp/poisson": ("tanh", "exp", "poisson", 1),
}


def _targets(loss: str, outputs: int, rng: np.random.Generator, n: int) -> np.ndarray:
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=n)
    if loss == "categorical_crossentropy":
        return rng.integers(0, outputs, size=n)
    if loss == "poisson":
        return rng.poisson(2.0, size=n).astype(float)
    return rng.normal(size=(n, outputs))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 1e-2])
@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_objective_gradient_matches_numerical_differentiation(
    network: str, l2: float, weighted: bool, rng: np.random.Generator
) -> None:
    hidden_act, out_act, loss, outputs = NETWORKS[network]
    n = 30
    Xr = rng.normal(size=(n, 3))
    yr = _targets(loss, outputs, rng, n)
    reg = ml.L2(l2) if l2 else None
    model = ml.Sequential(
        [
            ml.Dense(4, activation=hidden_act, kernel_regularizer=reg),
            ml.Dense(outputs, activation=out_act, kernel_regularizer=reg),
        ],
        input_dim=3,
        seed=1,
    )
    opt = Recording()
    model.compile(loss, opt)
    sw = rng.uniform(0.1, 3.0, size=n) if weighted else None
    model.fit(Xr, yr, epochs=1, sample_weight=sw)
    x = opt.x0.copy()
    loss_value, grad = opt.fun(x.copy())
    assert grad.dtype == np.float64 and grad.shape == x.shape
    assert isinstance(loss_value, float)
    numeric = numerical_gradient(lambda: opt.fun(x.copy())[0], x, eps=1e-6)
    assert relative_error(grad, numeric) < 1e-7
    if not weighted:
        # The same loss and gradient as the model's own public computation.
        model.set_weights(model.get_weights())
        np.copyto(model.flat_params, x)
        expected_loss, expected_grads = model.loss_and_gradients(Xr, yr, training=True)
        assert loss_value == pytest.approx(expected_loss, rel=1e-12)
        np.testing.assert_allclose(
            grad, np.concatenate([g.ravel() for g in expected_grads]), rtol=1e-12
        )


def test_the_objective_returns_a_copy_of_the_gradients() -> None:
    opt = Recording()
    model = moons_model(opt)
    model.fit(X, y, epochs=1)
    x = opt.x0.copy()
    _, g1 = opt.fun(x)
    _, g2 = opt.fun(x + 0.1)
    assert not np.array_equal(g1, g2)
    assert g1 is not model.flat_grads and g2 is not model.flat_grads


def test_sample_weight_two_counts_a_sample_twice() -> None:
    w = np.ones(len(y))
    w[:50] = 2.0
    weighted = moons_model()
    hw = weighted.fit(X, y, epochs=5, sample_weight=w)
    doubled = moons_model()
    hd = doubled.fit(np.vstack([X, X[:50]]), np.concatenate([y, y[:50]]), epochs=5)
    np.testing.assert_allclose(hw.history["loss"], hd.history["loss"], rtol=1e-9)


# -- what it reaches ------------------------------------------------------------------
def test_reaches_in_few_iterations_what_gradient_descent_needs_many_epochs_for() -> (
    None
):
    target = 0.08
    lbfgs = moons_model()
    hist = lbfgs.fit(X, y, epochs=150)
    reached = next(i for i, v in enumerate(hist.history["loss"]) if v < target)
    assert reached < 100
    sgd = moons_model(ml.SGD(0.3))
    sgd_hist = sgd.fit(X, y, epochs=20 * (reached + 1))
    assert min(sgd_hist.history["loss"]) > target
    assert lbfgs.evaluate(X, y)["accuracy"] >= 0.95


def test_each_epoch_is_one_iteration_and_logs_the_loss_at_its_weights() -> None:
    model = moons_model()
    seen = Weights()
    hist = model.fit(
        X, y, epochs=40, callbacks=[seen], validation_data=(X[:50], y[:50])
    )
    result = model.optimizer.result
    assert result.nit == len(hist.history["loss"]) == len(seen.flat) == 40
    assert result.status == 1 and "ITERATIONS" in result.message
    assert seen.evaluations == result.nfev
    assert hist.history["loss"][-1] == result.fun
    np.testing.assert_array_equal(seen.flat[-1], model.flat_params)
    probe = moons_model()
    for e in (0, 17, 39):
        np.copyto(probe.flat_params, seen.flat[e])
        train = probe.evaluate(X, y)
        val = probe.evaluate(X[:50], y[:50])
        assert hist.history["loss"][e] == pytest.approx(train["loss"], rel=1e-12)
        assert hist.history["accuracy"][e] == train["accuracy"]
        assert hist.history["val_loss"][e] == pytest.approx(val["loss"], rel=1e-12)
        assert hist.history["val_accuracy"][e] == val["accuracy"]
    # Each iteration lowers the loss (the line search asks for a decrease).
    assert all(np.diff(hist.history["loss"]) < 0)


def test_callbacks_see_epoch_begin_and_end_in_order() -> None:
    seen = Weights()
    model = moons_model()
    model.fit(X, y, epochs=6, callbacks=[seen])
    expected = [(kind, e) for e in range(6) for kind in ("begin", "end")]
    assert seen.calls == expected


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_same_bits(dtype: str) -> None:
    runs = []
    for _ in range(2):
        model = moons_model(dtype=dtype)
        hist = model.fit(X, y, epochs=30, validation_split=0.2)
        runs.append((model.flat_params.copy(), hist.history))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    assert runs[0][0].dtype == np.dtype(dtype)
    other = moons_model(seed=1, dtype=dtype)
    other.fit(X, y, epochs=30, validation_split=0.2)
    assert not np.array_equal(other.flat_params, runs[0][0])


def test_the_learning_rate_does_not_matter() -> None:
    a, b = (
        moons_model(ml.LBFGS(learning_rate=1e-4)),
        moons_model(ml.LBFGS(learning_rate=5.0)),
    )
    a.fit(X, y, epochs=20)
    b.fit(X, y, epochs=20)
    np.testing.assert_array_equal(a.flat_params, b.flat_params)


# -- SciPy's stopping rules -----------------------------------------------------------
@pytest.mark.parametrize("max_fun", [5, 20, 60])
def test_max_fun_limits_the_evaluations(max_fun: int) -> None:
    free = moons_model()
    free.fit(X, y, epochs=300)
    assert free.optimizer.result.nfev > 100
    seen = Weights()
    model = moons_model(ml.LBFGS(max_fun=max_fun))
    hist = model.fit(X, y, epochs=300, callbacks=[seen])
    result = model.optimizer.result
    assert result.status == 1 and "EVALUATIONS" in result.message
    # checked after each iteration: the last line search may go a little over
    assert max_fun <= result.nfev <= max_fun + 20
    assert seen.evaluations == result.nfev
    assert len(hist.history["loss"]) == result.nit < free.optimizer.result.nit


@pytest.mark.parametrize("tol", [1e-1, 1e-2, 1e-3])
def test_tol_stops_when_the_gradient_is_small(tol: float) -> None:
    model = moons_model(ml.LBFGS(tol=tol))
    hist = model.fit(X, y, epochs=1000)
    result = model.optimizer.result
    assert result.status == 0 and "PGTOL" in result.message
    assert len(hist.history["loss"]) == result.nit < 1000
    _, grads = model.loss_and_gradients(X, y)
    assert max(float(np.abs(g).max()) for g in grads) <= tol


def test_a_smaller_tol_runs_longer() -> None:
    nits = []
    for tol in (1e-1, 1e-3):
        model = moons_model(ml.LBFGS(tol=tol))
        model.fit(X, y, epochs=1000)
        nits.append(model.optimizer.result.nit)
    assert nits[0] < nits[1]


def test_run_twice_restarts_the_minimization() -> None:
    model = moons_model()
    trainer = Trainer(model, X, y)
    assert trainer.lbfgs_result is None
    trainer.run(5)
    first = trainer.lbfgs_result
    trainer.run(5)
    assert trainer.epoch == 10 and len(trainer.history.history["loss"]) == 10
    assert trainer.lbfgs_result is model.optimizer.result is not first
    assert trainer.lbfgs_result.nit == 5
    assert model.optimizer.iterations == 10
    # A fresh start forgets the curvature: not the bits of one run(10).
    whole = moons_model()
    whole.fit(X, y, epochs=10)
    assert not np.array_equal(whole.flat_params, model.flat_params)
    trainer.finish()


def test_lbfgs_result_is_none_for_other_optimizers() -> None:
    trainer = Trainer(moons_model(ml.Adam()), X, y)
    trainer.run(2)
    assert trainer.lbfgs_result is None


# -- refusals -------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 32, 199])
def test_mini_batches_are_refused(batch_size: int) -> None:
    model = moons_model()
    before = model.flat_params.copy()
    message = (
        f"L-BFGS takes the full batch; received batch_size={batch_size} for 200 "
        "samples; leave batch_size=None"
    )
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, epochs=3, batch_size=batch_size)
    np.testing.assert_array_equal(model.flat_params, before)


@pytest.mark.parametrize("batch_size", [None, 200, 1000])
def test_a_batch_of_every_sample_is_the_full_batch(batch_size: int | None) -> None:
    model = moons_model()
    model.fit(X, y, epochs=3, batch_size=batch_size)
    reference = moons_model()
    reference.fit(X, y, epochs=3)
    np.testing.assert_array_equal(model.flat_params, reference.flat_params)


def test_validation_split_counts_the_training_samples() -> None:
    hist = moons_model().fit(X, y, epochs=2, batch_size=170, validation_split=0.2)
    assert len(hist.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="batch_size=150 for 160 samples"):
        moons_model().fit(X, y, epochs=2, batch_size=150, validation_split=0.2)


def test_dropout_is_refused_and_rate_zero_accepted() -> None:
    def with_dropout(rate: float) -> ml.Sequential:
        model = ml.Sequential(
            [ml.Dense(5, activation="tanh"), ml.Dropout(rate), ml.Dense(1)],
            input_dim=2,
            seed=0,
        )
        model.compile("mse", ml.LBFGS())
        return model

    with pytest.raises(ValueError, match=r"dropout.*Dropout rates \[0\.2\]"):
        with_dropout(0.2).fit(X, y, epochs=2)
    assert len(with_dropout(0.0).fit(X, y, epochs=2).history["loss"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"max_fun": 0}, ValueError, "max_fun=0"),
        ({"max_fun": 2.5}, TypeError, "max_fun=2.5"),
        ({"tol": -1.0}, ValueError, "tol=-1.0"),
        ({"tol": "small"}, TypeError, "tol='small'"),
        ({"memory": 0}, ValueError, "memory=0"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate=-1.0"),
        ({"clipnorm": 1.0}, ValueError, "clipnorm=1.0"),
    ],
)
def test_bad_hyperparameters(kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        ml.LBFGS(**kwargs)


def test_single_steps_are_refused() -> None:
    model = moons_model()
    before = model.flat_params.copy()
    with pytest.raises(ValueError, match="L-BFGS takes no single gradient steps"):
        model.train_step(X, y)
    np.testing.assert_array_equal(model.flat_params, before)


# -- callbacks ------------------------------------------------------------------------
def test_early_stopping_stops_the_minimizer() -> None:
    stop = ml.EarlyStopping(monitor="loss", min_delta=0.05, patience=2)
    model = moons_model()
    hist = model.fit(X, y, epochs=200, callbacks=[stop])
    result = model.optimizer.result
    assert result.status == 99 and "StopIteration" in result.message
    n = len(hist.history["loss"])
    assert n == result.nit < 200
    assert model.stop_training
    # stopped because the last two epochs improved by less than min_delta
    losses = hist.history["loss"]
    assert losses[-3] - losses[-1] < 2 * 0.05


def test_early_stopping_restores_the_best_weights() -> None:
    seen = Weights()
    stop = ml.EarlyStopping(
        monitor="val_loss", patience=3, restore_best_weights=True, min_delta=1e-3
    )
    model = moons_model(hidden=20)
    hist = model.fit(
        X[:60], y[:60], epochs=300, callbacks=[stop, seen], validation_data=(X, y)
    )
    best = int(np.argmin(hist.history["val_loss"]))
    assert len(hist.history["loss"]) < 300
    np.testing.assert_array_equal(model.flat_params, seen.flat[best])


def test_history_and_model_checkpoint(tmp_path: Path) -> None:
    seen = Weights()
    path = tmp_path / "best.npz"
    check = ml.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    model = moons_model()
    hist = model.fit(X, y, epochs=25, callbacks=[check, seen])
    assert model.history is hist and set(hist.history) == {"loss", "accuracy"}
    saved = ml.persistence.load(path)
    best = int(np.argmin(hist.history["loss"]))
    np.testing.assert_array_equal(saved.flat_params, seen.flat[best])
    assert isinstance(saved.optimizer, ml.LBFGS)


def test_stop_training_from_on_epoch_end() -> None:
    class StopAt(ml.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 4:
                self.model.stop_training = True

    model = moons_model()
    trainer = Trainer(model, X, y, callbacks=[StopAt()])
    trainer.run(50)
    assert trainer.epoch == 5 and trainer.stopped
    trainer.run(10)  # a stopped trainer trains no more
    assert trainer.epoch == 5 and trainer.lbfgs_result.nit == 5


# -- divergence -----------------------------------------------------------------------
class FailingLoss(ml.losses.MeanSquaredError):
    """Mean squared error that becomes NaN from its ``after``-th call on."""

    def __init__(self, after: int) -> None:
        self.after, self.calls = after, 0

    def __call__(self, Y, A):
        self.calls += 1
        return float("nan") if self.calls > self.after else super().__call__(Y, A)


@pytest.mark.parametrize("after", [0, 1, 12])
def test_a_non_finite_loss_raises_and_keeps_the_last_iterate(after: int) -> None:
    model = ml.Sequential(
        [ml.Dense(5, activation="tanh"), ml.Dense(1)], input_dim=2, seed=0
    )
    model.compile(FailingLoss(after), ml.LBFGS())
    start = model.flat_params.copy()
    seen = Weights()
    with pytest.raises(ml.DivergenceError, match="the loss became nan") as info:
        model.fit(X, y.astype(float), epochs=100, callbacks=[seen])
    epochs_done = len(seen.flat)
    assert info.value.epoch == epochs_done and info.value.learning_rate is None
    kept = seen.flat[-1] if seen.flat else start
    np.testing.assert_array_equal(model.flat_params, kept)
    if after == 12:
        assert epochs_done >= 1


def test_a_non_finite_validation_loss_raises() -> None:
    huge = np.full((5, 2), 1e300)
    model = ml.Sequential([ml.Dense(3), ml.Dense(1)], input_dim=2, seed=0)
    model.compile("mse", ml.LBFGS())
    with pytest.raises(ml.DivergenceError) as info:
        model.fit(X, y.astype(float), epochs=5, validation_data=(huge, np.ones(5)))
    assert info.value.epoch == 0
    assert np.isfinite(model.flat_params).all()


# -- configs, model files and the command line ----------------------------------------
def test_config_round_trip_and_registry() -> None:
    opt = ml.LBFGS(max_fun=500, tol=1e-5, memory=4)
    config = opt.get_config()
    assert config == {
        "name": "lbfgs",
        "learning_rate": 1.0,
        "clipnorm": None,
        "max_fun": 500,
        "tol": 1e-5,
        "memory": 4,
    }
    again = optimizers.get(config)
    assert isinstance(again, ml.LBFGS) and again.get_config() == config
    assert "lbfgs" in optimizers.names()
    assert isinstance(optimizers.get("lbfgs"), ml.LBFGS)
    made = optimizers.create("lbfgs", 0.3, max_fun=99, tol=1e-3, momentum=0.9)
    assert made.get_config()["learning_rate"] == 0.3
    assert (made.max_fun, made.tol, made.memory) == (99, 1e-3, 10)


def test_memory_is_scipys_maxcor() -> None:
    short, long = moons_model(ml.LBFGS(memory=1)), moons_model(ml.LBFGS(memory=20))
    short.fit(X, y, epochs=30)
    long.fit(X, y, epochs=30)
    assert not np.array_equal(short.flat_params, long.flat_params)


def test_save_and_load_a_model_compiled_with_lbfgs(tmp_path: Path) -> None:
    model = moons_model(ml.LBFGS(max_fun=800, tol=1e-6, memory=7))
    model.fit(X, y, epochs=10)
    path = tmp_path / "m.npz"
    ml.persistence.save(model, path)
    loaded = ml.persistence.load(path)
    assert isinstance(loaded.optimizer, ml.LBFGS)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 10
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # Both continue alike: each fit is a fresh minimization.
    model.fit(X, y, epochs=5)
    loaded.fit(X, y, epochs=5)
    np.testing.assert_array_equal(loaded.flat_params, model.flat_params)


def test_run_config_builds_it() -> None:
    config = RunConfig(optimizer="lbfgs", lr=0.5)
    opt = config.make_optimizer()
    assert isinstance(opt, ml.LBFGS) and opt.get_config()["learning_rate"] == 0.5
    with pytest.raises(ValueError, match=r"clipnorm=1\.0"):
        RunConfig(optimizer="lbfgs", clipnorm=1.0)


def test_cli_train_with_lbfgs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "run"
    code = main(
        [
            *("train", "--optimizer", "lbfgs", "--epochs", "60", "--out", str(out)),
            *("--hidden", "5", "--activation", "tanh", "--batch-size", "full"),
        ]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    losses = metrics["loss_history"]
    assert 1 <= len(losses) <= 60
    assert losses[-1] < losses[0] / 2
    assert metrics["test_accuracy"] > 0.9
    assert "lbfgs" in (out / "config.toml").read_text()
    assert isinstance(ml.persistence.load(out / "model.npz").optimizer, ml.LBFGS)
    capsys.readouterr()


def test_cli_refuses_a_mini_batch_with_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = ["train", "--optimizer", "lbfgs", "--batch-size", "32", "--epochs", "5"]
    code = main([*argv, "--out", str(tmp_path / "run")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "L-BFGS takes the full batch; received batch_size=32 for 400" in err
    assert not (tmp_path / "run").exists()  # refused before the run folder is made


# -- the README's comparison ----------------------------------------------------------
def test_the_benchmark_script_fills_its_readme_section(tmp_path: Path) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "lbfgs.py"
    spec = importlib.util.spec_from_file_location("bench_lbfgs", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{bench.BEGIN}\nold\n{bench.END}\nafter\n")
    plot = tmp_path / "lbfgs.png"
    argv = ["--epochs", "30", "--rounds", "1", "--readme", str(readme)]
    text = bench.main([*argv, "--plot", str(plot)])
    body = readme.read_text()
    assert "old" not in body and text in body
    assert body.startswith(f"intro\n{bench.BEGIN}\n") and body.endswith("\nafter\n")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 3 and "| L-BFGS (tol 1e-4) | 30 |" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_divergence_under_lbfgs_suggests_no_learning_rate() -> None:
    """L-BFGS has no learning rate and no clipnorm: its divergence message
    names the remedies that apply to it."""
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0)
    model.compile("mse", ml.LBFGS())
    X = np.random.default_rng(0).normal(size=(20, 2)) * 1e160  # squares overflow
    with pytest.raises(ml.DivergenceError) as info:
        model.fit(X, X[:, 0], epochs=5)
    text = str(info.value)
    assert info.value.learning_rate is None
    assert "scale the inputs" in text and "L2" in text
    assert "learning rate" not in text and "clipnorm" not in text
