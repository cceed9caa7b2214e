"""Learning-rate schedules: formulas, ``get`` and argument checks."""

import math

import numpy as np
import pytest

from mlplab import schedules
from mlplab.schedules import Constant, ExponentialDecay, InverseTimeDecay, StepDecay


@pytest.mark.parametrize("step", [0, 1, 7, 10_000])
def test_constant(step):
    assert Constant(0.05)(step) == 0.05


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (0, 0.1),
        (5, 0.1 * math.sqrt(0.5)),
        (10, 0.05),
        (25, 0.1 * 0.5**2 * math.sqrt(0.5)),
    ],
)
def test_exponential_decay(step, expected):
    sched = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert sched(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("step", "expected"),
    [(0, 0.1), (5, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (25, 0.025)],
)
def test_exponential_decay_staircase(step, expected):
    sched = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert sched(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("step", "expected"), [(0, 1.0), (9, 1.0), (10, 0.1), (25, 0.01), (30, 0.001)]
)
def test_step_decay(step, expected):
    assert StepDecay(1.0, step_size=10, factor=0.1)(step) == pytest.approx(
        expected, rel=1e-12
    )


def test_step_decay_factor_one_is_constant():
    sched = StepDecay(0.3, step_size=2, factor=1.0)
    assert [sched(k) for k in range(6)] == [0.3] * 6


@pytest.mark.parametrize(
    ("step", "expected"),
    [(0, 0.2), (2, 0.2 / 1.25), (4, 0.2 / 1.5), (7, 0.2 / 1.875), (8, 0.1)],
)
def test_inverse_time_decay(step, expected):
    sched = InverseTimeDecay(0.2, decay_steps=4, decay_rate=0.5)
    assert sched(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("step", "expected"),
    [(0, 0.2), (2, 0.2), (4, 0.2 / 1.5), (7, 0.2 / 1.5), (8, 0.1)],
)
def test_inverse_time_decay_staircase(step, expected):
    sched = InverseTimeDecay(0.2, decay_steps=4, decay_rate=0.5, staircase=True)
    assert sched(step) == pytest.approx(expected, rel=1e-12)


def test_inverse_time_decay_rate_zero_is_constant():
    sched = InverseTimeDecay(0.2, decay_steps=4, decay_rate=0.0)
    assert {sched(k) for k in range(10)} == {0.2}


@pytest.mark.parametrize(
    "sched",
    [
        ExponentialDecay(1.0, 3, 0.9),
        ExponentialDecay(1.0, 3, 0.9, staircase=True),
        StepDecay(1.0, 3, 0.9),
        InverseTimeDecay(1.0, 3, 0.9),
        InverseTimeDecay(1.0, 3, 0.9, staircase=True),
    ],
)
def test_decays_never_increase_and_stay_positive(sched):
    values = np.array([sched(k) for k in range(50)])
    assert values[0] == 1.0
    assert (np.diff(values) <= 0).all()
    assert (values > 0).all()
    assert values[-1] < 0.5


# -- get -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.1, 2, np.float64(0.25)])
def test_get_number_gives_constant(value):
    sched = schedules.get(value)
    assert isinstance(sched, Constant)
    assert sched(123) == float(value)


@pytest.mark.parametrize("value", [np.float32(0.25), np.int64(2)])
def test_get_numpy_scalar_gives_constant(value):
    assert schedules.get(value)(0) == float(value)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("constant", Constant),
        ("exponential_decay", ExponentialDecay),
        ("Step_Decay", StepDecay),
        (" inverse_time_decay ", InverseTimeDecay),
    ],
)
def test_get_by_name(name, cls):
    assert type(schedules.get(name)) is cls


def test_names():
    assert set(schedules.names()) == {
        "constant",
        "exponential_decay",
        "step_decay",
        "inverse_time_decay",
    }


def test_get_returns_instance_unchanged():
    sched = StepDecay(0.5, 2, 0.5)
    assert schedules.get(sched) is sched


@pytest.mark.parametrize(
    "sched",
    [
        Constant(0.3),
        ExponentialDecay(0.1, 7, 0.5, staircase=True),
        StepDecay(0.2, 3, 0.25),
        InverseTimeDecay(0.4, 9, 2.0),
    ],
)
def test_config_round_trip(sched):
    config = sched.get_config()
    clone = schedules.get(config)
    assert type(clone) is type(sched)
    assert clone.get_config() == config
    assert [clone(k) for k in range(0, 40, 3)] == [sched(k) for k in range(0, 40, 3)]


def test_get_from_partial_config_uses_defaults():
    sched = schedules.get({"name": "step_decay", "initial_learning_rate": 2.0})
    assert sched(0) == 2.0
    assert sched.step_size == StepDecay().step_size


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="'cosine'") as info:
        schedules.get("cosine")
    for name in schedules.names():
        assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("identifier", "exc", "match"),
    [
        (0, ValueError, "learning_rate=0"),
        (-0.5, ValueError, r"learning_rate=-0\.5"),
        (float("nan"), ValueError, "learning_rate=nan"),
        (True, TypeError, "True"),
        (None, TypeError, "None"),
        ([0.1], TypeError, r"\[0\.1\]"),
        ({"name": "bogus"}, ValueError, "bogus"),
        ({"name": "constant", "lr": 0.1}, ValueError, "'lr'"),
    ],
)
def test_get_invalid(identifier, exc, match):
    with pytest.raises(exc, match=match):
        schedules.get(identifier)


# -- argument checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda: Constant(-1), ValueError, "learning_rate=-1"),
        (lambda: Constant("0.1"), TypeError, "learning_rate='0.1'"),
        (
            lambda: ExponentialDecay(initial_learning_rate=0),
            ValueError,
            "initial_learning_rate=0",
        ),
        (lambda: ExponentialDecay(decay_steps=0), ValueError, "decay_steps=0"),
        (lambda: ExponentialDecay(decay_steps=2.5), TypeError, r"decay_steps=2\.5"),
        (lambda: ExponentialDecay(decay_rate=0), ValueError, "decay_rate=0"),
        (lambda: ExponentialDecay(decay_rate=-1.0), ValueError, r"decay_rate=-1\.0"),
        (
            lambda: ExponentialDecay(decay_rate=math.inf),
            ValueError,
            "decay_rate=inf",
        ),
        (lambda: StepDecay(initial_learning_rate=-0.1), ValueError, "=-0.1"),
        (lambda: StepDecay(step_size=0), ValueError, "step_size=0"),
        (lambda: StepDecay(step_size=True), TypeError, "step_size=True"),
        (lambda: StepDecay(factor=0), ValueError, "factor=0"),
        (lambda: StepDecay(factor=1.5), ValueError, r"factor=1\.5"),
        (lambda: InverseTimeDecay(decay_steps=-2), ValueError, "decay_steps=-2"),
        (lambda: InverseTimeDecay(decay_rate=-0.1), ValueError, r"decay_rate=-0\.1"),
        (
            lambda: InverseTimeDecay(initial_learning_rate=math.nan),
            ValueError,
            "initial_learning_rate=nan",
        ),
    ],
)
def test_invalid_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
