"""Weight initializers: ``init(shape, rng, dtype) -> array``.

For a kernel of shape ``(fan_in, fan_out)``:

========================  =====================================================
name                      distribution
========================  =====================================================
``zeros``                 all zeros (the default for biases)
``plain``                 ``0.01 * N(0, 1)``, the classic tutorials' choice
``glorot_uniform``        ``U(-l, l)``, ``l = sqrt(6 / (fan_in + fan_out))``
``glorot_normal``         ``N(0, 2 / (fan_in + fan_out))`` (Xavier)
``he_uniform``            ``U(-l, l)``, ``l = sqrt(6 / fan_in)``
``he_normal``             ``N(0, 2 / fan_in)`` (He et al., for ReLU)
``lecun_normal``          ``N(0, 1 / fan_in)``
========================  =====================================================

The normal variants are untruncated Gaussians. All draw from the
``np.random.Generator`` they are given, so the same seed gives the same bits.

>>> import numpy as np
>>> from mlplab import initializers
>>> W = initializers.get("he_normal")((2, 5), np.random.default_rng(0))
>>> W.shape, W.dtype
((2, 5), dtype('float64'))
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._registry import Registry

__all__ = [
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "Plain",
    "Zeros",
    "get",
    "names",
]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


class Initializer:
    """Base class: subclasses implement ``__call__(shape, rng, dtype)``."""

    name: ClassVar[str] = ""

    def __call__(
        self,
        shape: tuple[int, ...],
        rng: np.random.Generator,
        dtype: Any = np.float64,
    ) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Zeros(Initializer):
    name = "zeros"

    def __call__(self, shape, rng, dtype=np.float64):
        return np.zeros(shape, dtype=dtype)


class Plain(Initializer):
    """``0.01 * N(0, 1)``: small random weights that break the symmetry."""

    name = "plain"

    def __call__(self, shape, rng, dtype=np.float64):
        return (0.01 * rng.standard_normal(shape)).astype(dtype)


class _Scaled(Initializer):
    """Variance-scaling family: ``std = sqrt(scale / fan)``."""

    scale: ClassVar[float] = 1.0
    mode: ClassVar[str] = "fan_in"  # or "fan_avg"
    uniform: ClassVar[bool] = False

    def __call__(self, shape, rng, dtype=np.float64):
        fan_in, fan_out = _fans(tuple(shape))
        fan = fan_in if self.mode == "fan_in" else (fan_in + fan_out) / 2.0
        var = self.scale / max(1.0, fan)
        if self.uniform:
            limit = np.sqrt(3.0 * var)
            W = rng.uniform(-limit, limit, size=shape)
        else:
            W = np.sqrt(var) * rng.standard_normal(shape)
        return W.astype(dtype)


class GlorotUniform(_Scaled):
    name, mode, uniform = "glorot_uniform", "fan_avg", True


class GlorotNormal(_Scaled):
    name, mode, uniform = "glorot_normal", "fan_avg", False


class HeUniform(_Scaled):
    name, scale, uniform = "he_uniform", 2.0, True


class HeNormal(_Scaled):
    name, scale, uniform = "he_normal", 2.0, False


class LecunNormal(_Scaled):
    name, scale, uniform = "lecun_normal", 1.0, False


REGISTRY: Registry[Initializer] = Registry(
    "initializer",
    Initializer,
    [Zeros, Plain, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunNormal],
    # The tutorials' other names for the same things.
    aliases={"xavier": "glorot_normal", "he": "he_normal", "random": "plain"},
)


def names() -> list[str]:
    """The registered initializer names."""
    return REGISTRY.names()


def register(cls: type[Initializer]) -> type[Initializer]:
    """Make your own initializer available by its ``name``; usable as a class
    decorator."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> Initializer:
    """Return an initializer from a name (see :func:`names`; ``"xavier"`` and
    ``"he"`` are accepted as aliases), an instance or a config dict."""
    return REGISTRY.get(identifier)
