"""Learning-rate schedules: ``schedule(step) -> learning rate``.

``step`` counts optimizer updates (batches), starting at 0, as in Keras. A
schedule is accepted wherever a learning rate is:

>>> import mlplab as ml
>>> sched = ml.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
>>> sched(0), sched(100), sched(200)
(0.1, 0.05, 0.025)
>>> opt = ml.SGD(learning_rate=sched)
>>> ml.schedules.StepDecay(1.0, step_size=10, factor=0.1)(25)
0.01...
"""

from __future__ import annotations

import math
import numbers
from typing import Any, ClassVar

from ._registry import Registry
from ._validation import check_positive, check_range

__all__ = [
    "Constant",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "StepDecay",
    "get",
    "names",
]


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step) -> float``."""

    name: ClassVar[str] = ""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **vars(self)}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(LearningRateSchedule):
    """``lr(step) = learning_rate``."""

    name = "constant"

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)

    def __call__(self, step: int) -> float:
        return self.learning_rate


def _initial_learning_rate(value: Any) -> float:
    return check_positive("initial_learning_rate", value)


class _Decay(LearningRateSchedule):
    """What :class:`ExponentialDecay` and :class:`InverseTimeDecay` share:
    ``decay_rate`` applied over ``step / decay_steps``, floored when
    ``staircase``; ``decay_rate`` may be 0 when ``_zero_rate_allowed``."""

    _zero_rate_allowed: ClassVar[bool]

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool,
    ) -> None:
        self.initial_learning_rate = _initial_learning_rate(initial_learning_rate)
        self.decay_steps = check_positive("decay_steps", decay_steps, integer=True)
        self.decay_rate = check_range(
            "decay_rate",
            decay_rate,
            0.0,
            math.inf,
            low_inclusive=self._zero_rate_allowed,
            high_inclusive=False,
        )
        self.staircase = bool(staircase)

    def _progress(self, step: int) -> float:
        """``step / decay_steps``, floored when ``staircase``."""
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p


class ExponentialDecay(_Decay):
    """``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``,
    with the exponent floored when ``staircase``."""

    name = "exponential_decay"
    _zero_rate_allowed = False

    def __init__(
        self,
        initial_learning_rate: float = 0.01,
        decay_steps: int = 1000,
        decay_rate: float = 0.96,
        staircase: bool = False,
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase)

    def __call__(self, step: int) -> float:
        p = self._progress(step)
        return self.initial_learning_rate * self.decay_rate**p


class StepDecay(LearningRateSchedule):
    """``lr(step) = initial_learning_rate * factor ** (step // step_size)``:
    multiplied by ``factor`` every ``step_size`` steps."""

    name = "step_decay"

    def __init__(
        self,
        initial_learning_rate: float = 0.01,
        step_size: int = 1000,
        factor: float = 0.5,
    ) -> None:
        self.initial_learning_rate = _initial_learning_rate(initial_learning_rate)
        self.step_size = check_positive("step_size", step_size, integer=True)
        self.factor = check_range("factor", factor, 0.0, 1.0, low_inclusive=False)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.factor ** (step // self.step_size)


class InverseTimeDecay(_Decay):
    """``lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``,
    with the ratio floored when ``staircase``."""

    name = "inverse_time_decay"
    _zero_rate_allowed = True

    def __init__(
        self,
        initial_learning_rate: float = 0.01,
        decay_steps: int = 1000,
        decay_rate: float = 0.5,
        staircase: bool = False,
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase)

    def __call__(self, step: int) -> float:
        p = self._progress(step)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


REGISTRY: Registry[LearningRateSchedule] = Registry(
    "learning-rate schedule",
    LearningRateSchedule,
    [Constant, ExponentialDecay, StepDecay, InverseTimeDecay],
)


def names() -> list[str]:
    """The registered schedule names."""
    return REGISTRY.names()


def register(cls: type[LearningRateSchedule]) -> type[LearningRateSchedule]:
    """Make your own schedule available by its ``name``; usable as a class
    decorator."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> LearningRateSchedule:
    """A schedule from a positive number (a :class:`Constant`), a name, an
    instance or a config dict."""
    if not isinstance(identifier, bool) and isinstance(identifier, numbers.Real):
        return Constant(float(identifier))
    return REGISTRY.get(identifier)
