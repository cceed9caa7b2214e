"""Weight penalties added to the loss (Keras convention, biases never penalized).

``L1(l1)`` adds ``l1 * sum(|W|)``, ``L2(l2)`` adds ``l2 * sum(W**2)`` and
``L1L2(l1, l2)`` both. The penalty is *not* divided by the number of samples:
the classic tutorials' ``lambda / (2 m) * sum(W**2)`` is ``L2(lambda / (2 m))``.

>>> import numpy as np
>>> import mlplab as ml
>>> W = np.array([[1.0, -2.0]])
>>> ml.L2(0.5)(W), ml.L1(0.5)(W)
(2.5, 1.5)
>>> ml.L2(0.5).gradient(W)
array([[ 1., -2.]])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._registry import Registry
from ._validation import check_range

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get"]


class Regularizer:
    """``penalty(W) = l1 * sum(|W|) + l2 * sum(W**2)``.

    Parameters
    ----------
    l1, l2 : float, default 0.0
        Non-negative penalty factors.
    """

    name = "l1l2"
    _factors: ClassVar[tuple[str, ...]] = ("l1", "l2")  # in configs and repr

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_range("l1", l1, 0.0, np.inf, high_inclusive=False)
        self.l2 = check_range("l2", l2, 0.0, np.inf, high_inclusive=False)

    def __call__(self, W: np.ndarray) -> float:
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(W).sum())
        if self.l2:
            flat = W.ravel()
            penalty += self.l2 * float(np.dot(flat, flat))
        return penalty

    def gradient(self, W: np.ndarray) -> np.ndarray:
        """``l1 * sign(W) + 2 * l2 * W`` (the subgradient 0 at ``W = 0``)."""
        grad = np.zeros_like(W)
        self.add_gradient(W, grad)
        return grad

    def add_gradient(self, W: np.ndarray, grad: np.ndarray) -> None:
        """Add the penalty's gradient into ``grad`` in place."""
        if self.l2:
            grad += (2.0 * self.l2) * W
        if self.l1:
            grad += self.l1 * np.sign(W)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **{k: getattr(self, k) for k in self._factors}}

    def __repr__(self) -> str:
        # L1L2(l1=..., l2=...), L1(l1=...), L2(l2=...)
        title = "".join(k.upper() for k in self._factors)
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._factors)
        return f"{title}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|W|) + l2 * sum(W**2)``."""


class L1(Regularizer):
    """``l1 * sum(|W|)``."""

    name = "l1"
    _factors = ("l1",)

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)


class L2(Regularizer):
    """``l2 * sum(W**2)``."""

    name = "l2"
    _factors = ("l2",)

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)


REGISTRY: Registry[Regularizer] = Registry(
    "regularizer", Regularizer, [L1, L2, L1L2], allow_none=True
)


def names() -> list[str]:
    """The registered regularizer names."""
    return REGISTRY.names()


def register(cls: type[Regularizer]) -> type[Regularizer]:
    """Make your own regularizer available by its ``name``; usable as a class
    decorator."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> Regularizer | None:
    """``None``, a name (``"l1"``, ``"l2"`` with factor 0.01; ``"l1l2"`` with
    both factors 0), an instance or a config dict."""
    return REGISTRY.get(identifier)
