"""Optimizers: convergence, exact update rules, schedules, clipping, validation
and the ``get`` lookup."""

import math

import numpy as np
import pytest

import mlplab as ml
from mlplab import optimizers, schedules

# One entry per optimizer variant, with a learning rate that suits the convex
# problems below.
VARIANTS = {
    "sgd": lambda lr=0.05, **kw: ml.SGD(learning_rate=lr, **kw),
    "sgd_momentum": lambda lr=0.01, **kw: ml.SGD(learning_rate=lr, momentum=0.9, **kw),
    "sgd_nesterov": lambda lr=0.01, **kw: ml.SGD(
        learning_rate=lr, momentum=0.9, nesterov=True, **kw
    ),
    "rmsprop": lambda lr=0.01, **kw: ml.RMSprop(learning_rate=lr, **kw),
    "adagrad": lambda lr=0.5, **kw: ml.Adagrad(learning_rate=lr, **kw),
    "adam": lambda lr=0.05, **kw: ml.Adam(learning_rate=lr, **kw),
}


# Optimizers that take no single steps, tested in their own files.
FULL_BATCH = {"lbfgs"}  # tests/test_lbfgs.py


def test_variants_cover_every_registered_optimizer():
    assert {make().name for make in VARIANTS.values()} | FULL_BATCH == set(
        optimizers.names()
    )


# -- convergence ---------------------------------------------------------------


def _least_squares():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(8, 3))
    w_star = np.array([1.0, -2.0, 0.5])
    b = A @ w_star

    def loss(w):
        r = A @ w - b
        return 0.5 * float(r @ r)

    def grad(w):
        return A.T @ (A @ w - b)

    return loss, grad, w_star


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_minimizes_least_squares(variant):
    loss, grad, w_star = _least_squares()
    opt = VARIANTS[variant]()
    w = np.zeros(3)
    start = loss(w)
    for _ in range(2000):
        opt.step([w], [grad(w)])
    assert loss(w) < 1e-4 * start
    np.testing.assert_allclose(w, w_star, atol=0.02)
    assert opt.iterations == 2000


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_fit_reduces_loss_of_linear_model(variant):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = ml.Sequential([ml.Dense(1)], input_dim=3, seed=0)
    model.compile(loss="mse", optimizer=VARIANTS[variant]())
    history = model.fit(X, y, epochs=60, batch_size=16, seed=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.05 * losses[0]
    assert model.evaluate(X, y)["loss"] < 0.05 * losses[0]


def test_fit_counts_one_iteration_per_batch():
    X = np.random.default_rng(2).normal(size=(10, 3))
    model = ml.Sequential([ml.Dense(1)], input_dim=3, seed=0)
    opt = ml.SGD(learning_rate=0.01)
    model.compile(loss="mse", optimizer=opt)
    model.fit(X, X[:, 0], epochs=3, batch_size=4)
    assert opt.iterations == 3 * math.ceil(10 / 4)


# -- the update rules, written out by hand ---------------------------------------

SHAPES = [(2, 3), (4,)]


def _grads_sequence(n_steps=3):
    rng = np.random.default_rng(3)
    return [[rng.normal(size=s) for s in SHAPES] for _ in range(n_steps)]


def _initial_params():
    rng = np.random.default_rng(4)
    return [rng.normal(size=s) for s in SHAPES]


def _run(opt, grads_seq):
    params = _initial_params()
    trajectory = []
    for grads in grads_seq:
        opt.step(params, grads)
        trajectory.append([p.copy() for p in params])
    return trajectory


def _reference(update, state0, grads_seq):
    """Apply ``update(w, g, state, t) -> (w, state)`` per array, t from 1."""
    params = _initial_params()
    states = [state0(p) for p in params]
    trajectory = []
    for t, grads in enumerate(grads_seq, start=1):
        for i, g in enumerate(grads):
            params[i], states[i] = update(params[i], g, states[i], t)
        trajectory.append([p.copy() for p in params])
    return trajectory


def _assert_same(got, expected):
    for step_got, step_exp in zip(got, expected, strict=True):
        for a, b in zip(step_got, step_exp, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_sgd_rule():
    lr = 0.1

    def update(w, g, s, t):
        return w - lr * g, s

    grads = _grads_sequence()
    _assert_same(_run(ml.SGD(lr), grads), _reference(update, lambda p: None, grads))


def test_sgd_momentum_rule():
    lr, mu = 0.1, 0.8

    def update(w, g, v, t):
        v = mu * v - lr * g
        return w + v, v

    grads = _grads_sequence()
    _assert_same(
        _run(ml.SGD(lr, momentum=mu), grads),
        _reference(update, np.zeros_like, grads),
    )


def test_sgd_nesterov_rule():
    lr, mu = 0.1, 0.8

    def update(w, g, v, t):
        v = mu * v - lr * g
        return w + mu * v - lr * g, v

    grads = _grads_sequence()
    _assert_same(
        _run(ml.SGD(lr, momentum=mu, nesterov=True), grads),
        _reference(update, np.zeros_like, grads),
    )


def test_rmsprop_rule():
    lr, rho, eps = 0.05, 0.7, 1e-3

    def update(w, g, s, t):
        s = rho * s + (1 - rho) * g**2
        return w - lr * g / (np.sqrt(s) + eps), s

    grads = _grads_sequence()
    _assert_same(
        _run(ml.RMSprop(lr, rho=rho, epsilon=eps), grads),
        _reference(update, np.zeros_like, grads),
    )


def test_adagrad_rule():
    lr, init, eps = 0.05, 0.5, 1e-3

    def update(w, g, s, t):
        s = s + g**2
        return w - lr * g / (np.sqrt(s) + eps), s

    grads = _grads_sequence()
    _assert_same(
        _run(ml.Adagrad(lr, initial_accumulator_value=init, epsilon=eps), grads),
        _reference(update, lambda p: np.full_like(p, init), grads),
    )


def test_adam_rule_with_bias_correction():
    lr, b1, b2, eps = 0.05, 0.8, 0.95, 1e-3

    def update(w, g, mv, t):
        m, v = mv
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        # Keras form: epsilon is added to sqrt(v), before the bias correction.
        step = lr * m_hat / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**t))
        return w - step, (m, v)

    grads = _grads_sequence()
    _assert_same(
        _run(ml.Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps), grads),
        _reference(update, lambda p: (np.zeros_like(p), np.zeros_like(p)), grads),
    )


def test_adam_first_step_moves_each_weight_by_learning_rate():
    # With bias correction, m_hat = g and v_hat = g**2 after one step.
    w = np.zeros(4)
    g = np.array([3.0, -0.2, 50.0, -7.0])
    ml.Adam(learning_rate=0.01, epsilon=1e-12).step([w], [g])
    np.testing.assert_allclose(w, -0.01 * np.sign(g), rtol=1e-9)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_reset_forgets_state(variant):
    grads = _grads_sequence(2)
    opt = VARIANTS[variant]()
    first = _run(opt, grads[:1])
    opt.reset()
    assert opt.iterations == 0
    _assert_same(_run(opt, grads[:1]), first)


def test_step_checks_gradient_count_and_shapes():
    with pytest.raises(ValueError, match="2 parameter arrays and 1 gradients"):
        ml.SGD().step([np.zeros(2), np.zeros(3)], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        ml.SGD().step([np.zeros(2)], [np.zeros(3)])


def test_step_checks_gradient_shape_on_later_steps():
    opt, w = ml.SGD(), np.zeros(3)
    opt.step([w], [np.ones(3)])
    with pytest.raises(ValueError, match=r"\(1,\)"):
        opt.step([w], [np.ones(1)])


# -- learning-rate schedules -----------------------------------------------------


def test_sgd_uses_schedule_value_at_each_iteration():
    initial, decay_steps, rate = 0.1, 2, 0.5
    opt = ml.SGD(
        learning_rate=schedules.ExponentialDecay(
            initial, decay_steps=decay_steps, decay_rate=rate
        )
    )
    w = np.zeros(2)
    g = np.array([1.0, -2.0])
    for k in range(5):
        lr_k = initial * rate ** (k / decay_steps)
        assert opt.current_learning_rate() == pytest.approx(lr_k)
        before = w.copy()
        opt.step([w], [g])
        np.testing.assert_allclose(w - before, -lr_k * g, rtol=1e-12)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_optimizer_follows_a_schedule(variant):
    # An optimizer with a schedule must match a twin whose constant learning
    # rate is set by hand to sched(k) before step k.
    sched = schedules.StepDecay(0.05, step_size=2, factor=0.3)
    with_schedule = VARIANTS[variant](lr=sched)
    by_hand = VARIANTS[variant]()
    w1, w2 = _initial_params(), _initial_params()
    for k, grads in enumerate(_grads_sequence(5)):
        by_hand.learning_rate = 0.05 * 0.3 ** (k // 2)
        with_schedule.step(w1, grads)
        by_hand.step(w2, grads)
        for a, b in zip(w1, w2, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_schedule_from_name_or_config():
    opt = ml.SGD(learning_rate={"name": "step_decay", "initial_learning_rate": 0.4})
    assert isinstance(opt.learning_rate, schedules.StepDecay)
    assert opt.current_learning_rate() == 0.4
    opt = ml.Adam(learning_rate="constant")
    assert isinstance(opt.learning_rate, schedules.Constant)


# -- clipnorm --------------------------------------------------------------------


def _clip_grads():
    # Global norm sqrt(3**2 + 4**2 + 12**2) = 13.
    return [np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([0.0, -12.0, 0.0])]


def test_clipnorm_scales_global_norm_down():
    grads = _clip_grads()
    originals = [g.copy() for g in grads]
    params = [np.zeros_like(g) for g in grads]
    ml.SGD(learning_rate=1.0, clipnorm=1.3).step(params, grads)
    for p, g in zip(params, originals, strict=True):
        np.testing.assert_allclose(p, -g / 10.0, rtol=1e-12)
    norm = math.sqrt(sum(float((p**2).sum()) for p in params))
    assert norm == pytest.approx(1.3)
    for g, orig in zip(grads, originals, strict=True):
        np.testing.assert_array_equal(g, orig)


@pytest.mark.parametrize("clipnorm", [13.0, 20.0])
def test_clipnorm_leaves_small_gradients_alone(clipnorm):
    grads = _clip_grads()
    params = [np.zeros_like(g) for g in grads]
    ml.SGD(learning_rate=1.0, clipnorm=clipnorm).step(params, grads)
    for p, g in zip(params, _clip_grads(), strict=True):
        np.testing.assert_allclose(p, -g, rtol=1e-12)


def test_clipnorm_applies_before_momentum():
    grads = _clip_grads()
    params = [np.zeros_like(g) for g in grads]
    opt = ml.SGD(learning_rate=1.0, momentum=0.5, clipnorm=1.3)
    opt.step(params, grads)
    opt.step(params, grads)
    # v1 = -g/10, v2 = 0.5 v1 - g/10; w = v1 + v2 = -2.5 g / 10.
    for p, g in zip(params, _clip_grads(), strict=True):
        np.testing.assert_allclose(p, -0.25 * g, rtol=1e-12)


# -- hyperparameter validation -----------------------------------------------------

CLASSES = [ml.SGD, ml.RMSprop, ml.Adagrad, ml.Adam]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("value", "exc", "match"),
    [
        (0, ValueError, "learning_rate=0"),
        (-1, ValueError, "learning_rate=-1"),
        (float("nan"), ValueError, "learning_rate=nan"),
        (float("inf"), ValueError, "learning_rate=inf"),
        ("abc", ValueError, "'abc'"),
        (None, TypeError, "learning_rate=None"),
        (True, TypeError, "learning_rate=True"),
        ([0.1], TypeError, r"learning_rate=\[0.1\]"),
    ],
)
def test_invalid_learning_rate(cls, value, exc, match):
    with pytest.raises(exc, match=match):
        cls(learning_rate=value)


def test_invalid_learning_rate_name_lists_schedules():
    with pytest.raises(ValueError, match="exponential_decay"):
        ml.SGD(learning_rate="abc")


def test_invalid_learning_rate_set_later():
    opt = ml.Adam()
    with pytest.raises(ValueError, match=r"learning_rate=-0\.5"):
        opt.learning_rate = -0.5
    assert opt.learning_rate == 0.001


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda: ml.SGD(momentum=1.0), ValueError, "momentum=1.0"),
        (lambda: ml.SGD(momentum=-0.1), ValueError, "momentum=-0.1"),
        (lambda: ml.SGD(momentum="high"), TypeError, "momentum='high'"),
        (lambda: ml.SGD(nesterov=True), ValueError, "momentum=0"),
        (lambda: ml.RMSprop(rho=1.0), ValueError, "rho=1.0"),
        (lambda: ml.RMSprop(epsilon=0), ValueError, "epsilon=0"),
        (lambda: ml.Adagrad(epsilon=-1e-7), ValueError, "epsilon=-1e-07"),
        (
            lambda: ml.Adagrad(initial_accumulator_value=-0.1),
            ValueError,
            "initial_accumulator_value=-0.1",
        ),
        (lambda: ml.Adam(beta_1=1), ValueError, "beta_1=1"),
        (lambda: ml.Adam(beta_2=1.5), ValueError, "beta_2=1.5"),
        (lambda: ml.Adam(epsilon=0), ValueError, "epsilon=0"),
        (lambda: ml.SGD(clipnorm=0), ValueError, "clipnorm=0"),
        (lambda: ml.Adam(clipnorm=-2.0), ValueError, "clipnorm=-2.0"),
        (lambda: ml.RMSprop(clipnorm="1"), TypeError, "clipnorm='1'"),
    ],
)
def test_invalid_hyperparameters(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# -- get -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("sgd", ml.SGD),
        ("RMSprop", ml.RMSprop),
        ("adagrad", ml.Adagrad),
        ("ADAM", ml.Adam),
    ],
)
def test_get_by_name(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls
    assert opt.iterations == 0


def test_get_returns_instance_unchanged():
    opt = ml.Adam(learning_rate=0.2)
    assert optimizers.get(opt) is opt


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize(
    "lr", [0.03, schedules.InverseTimeDecay(0.1, decay_steps=5, staircase=True)]
)
def test_config_round_trip(variant, lr):
    opt = VARIANTS[variant](lr=lr, clipnorm=2.5)
    config = opt.get_config()
    clone = optimizers.get(config)
    assert type(clone) is type(opt)
    assert clone is not opt
    assert clone.get_config() == config
    # The clone behaves the same.
    _assert_same(_run(clone, _grads_sequence()), _run(opt, _grads_sequence()))


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="'adamw'") as info:
        optimizers.get("adamw")
    for name in optimizers.names():
        assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("identifier", "exc", "match"),
    [
        (None, TypeError, "None"),
        (0.01, TypeError, "0.01"),
        ({"learning_rate": 0.1}, ValueError, "'name'"),
        ({"name": "sgd", "lr": 0.1}, ValueError, "'lr'"),
        ({"name": "sgd", "learning_rate": -1.0}, ValueError, "learning_rate=-1.0"),
    ],
)
def test_get_invalid_identifier(identifier, exc, match):
    with pytest.raises(exc, match=match):
        optimizers.get(identifier)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipnorm_survives_gradients_whose_squares_overflow(dtype):
    big = 1e19 if dtype == np.float32 else 1e160
    w = np.zeros(3, dtype=dtype)
    ml.SGD(learning_rate=0.1, clipnorm=1.0).step(
        [w], [np.array([3 * big, 4 * big, 0], dtype=dtype)]
    )
    np.testing.assert_allclose(w, [-0.06, -0.08, 0.0], rtol=1e-6)
