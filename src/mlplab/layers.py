"""Layers: ``Dense``, ``Activation`` and ``Dropout``.

The layer contract:

* ``build(input_dim, rng, dtype) -> output_dim`` creates ``params`` (a dict of
  arrays) and ``grads`` (same keys, same shapes).
* ``forward(X, training=False) -> A`` keeps what ``backward`` needs.
* ``backward(dA) -> dX`` fills ``grads`` and returns the gradient with respect
  to the layer's input. ``backward_dZ(dZ)`` enters below the activation, for a
  loss fused with it.
* Layers never update their own weights: an optimizer does.

Arrays returned by ``forward`` and ``backward`` are buffers that the layer
reuses on its next call with the same batch size (this is what keeps a training
step free of allocations); copy them to keep them.

Memory layout: every array keeps the shape the textbook gives it,
``(n_samples, n_units)``, but the layers store activations and their gradients
unit by unit (Fortran order: each unit's values for the whole batch are
contiguous). At tutorial scale a step is dominated by per-call overhead of
small NumPy operations, and in this layout the bias add, the sums over samples
and softmax's reductions each run along one contiguous row instead of
striding across a few units. Matrix products are written on the transposes
(``Zᵀ = Wᵀ Xᵀ``) so that BLAS always writes a contiguous result.

>>> import numpy as np
>>> import mlplab as ml
>>> layer = ml.Dense(3, activation="relu")
>>> layer.build(2, np.random.default_rng(0))
3
>>> layer.forward(np.ones((4, 2))).shape
(4, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from . import activations, initializers, regularizers
from ._registry import Registry
from ._validation import check_positive, check_range, is_sparse

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Layer",
    "Rescaling",
    "WorkArrays",
    "deserialize",
    "names",
    "register",
]

_MAX_CACHED_BATCH_SIZES = 4


class WorkArrays:
    """Work arrays per batch size, so a step allocates nothing after the first.

    A few batch sizes are kept (the mini-batch size, the last smaller batch,
    the validation set, prediction chunks); the least recently used is dropped.
    """

    def __init__(self) -> None:
        self._by_n: dict[int, dict[str, np.ndarray]] = {}
        self._last_n = -1
        self._last: dict[str, np.ndarray] = {}

    def get(
        self,
        n: int,
        shapes: Callable[[int], dict[str, tuple[int, ...]]],
        dtype: Any,
    ) -> dict[str, np.ndarray]:
        """The buffers for batch size ``n``, of the shapes ``shapes(n)`` gives,
        in Fortran order (see the module notes), with their transposes under
        ``name + "T"`` (C-contiguous, for BLAS); a buffer named ``"ones"`` is
        filled with ones, the others are left uninitialized."""
        if n == self._last_n:  # the common case: the same batch size again
            return self._last
        bufs = self._by_n.pop(n, None)
        if bufs is None:
            if len(self._by_n) >= _MAX_CACHED_BATCH_SIZES:
                self._by_n.pop(next(iter(self._by_n)))  # least recently used
            bufs = {
                k: (np.ones if k == "ones" else np.empty)(s, dtype=dtype, order="F")
                for k, s in shapes(n).items()
            }
            bufs.update({k + "T": v.T for k, v in bufs.items() if v.ndim == 2})
        self._by_n[n] = bufs  # (re)inserted last: the dict is in LRU order
        self._last_n, self._last = n, bufs
        return bufs

    def clear(self) -> None:
        self._by_n.clear()
        self._last_n, self._last = -1, {}

    # A copy (pickle, copy.deepcopy) would copy each work array on its own and
    # cut the transposed views loose from the arrays they view: a copied model
    # would then compute from stale values. Copies start empty instead, and
    # make their work arrays anew on the first call.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]


class Layer:
    """Base class of all layers.

    Attributes
    ----------
    accepts_sparse : bool
        Whether the layer takes a scipy.sparse matrix as its input (``Dense``
        does: first in a model, it multiplies sparse inputs without
        densifying them). The others refuse one with a TypeError.
    """

    accepts_sparse: ClassVar[bool] = False
    #: what the TypeError refusing sparse input advises
    sparse_advice: ClassVar[str] = (
        "a model takes sparse input with a Dense layer first; otherwise densify "
        "it with X.toarray()"
    )

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.input_dim: int | None = None
        self.output_dim: int | None = None
        self.dtype: np.dtype = np.dtype(np.float64)
        self.rng: np.random.Generator | None = None  # for stochastic layers
        self._buffers = WorkArrays()
        self._bufs: dict[str, np.ndarray] = {}  # those of the last forward pass

    def __getstate__(self) -> dict[str, Any]:
        # The last forward pass's arrays are work arrays too (see WorkArrays).
        state = self.__dict__.copy()
        state["_bufs"] = {}
        for key in ("_X", "_Z", "_A"):
            if key in state:
                state[key] = None
        return state

    @property
    def built(self) -> bool:
        return self.output_dim is not None

    def build(
        self, input_dim: int, rng: np.random.Generator | None = None, dtype: Any = None
    ) -> int:
        """Create parameters for inputs of ``input_dim`` features; return the
        number of output features."""
        self.input_dim = check_positive("input_dim", input_dim, integer=True)
        self.dtype = np.dtype(dtype if dtype is not None else np.float64)
        self.clear_work_arrays()
        self.output_dim = self._build(self.input_dim, rng or np.random.default_rng())
        return self.output_dim

    def _build(self, input_dim: int, rng: np.random.Generator) -> int:
        return input_dim

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def check_dense_input(self, X: Any) -> None:
        """Refuse a scipy.sparse ``X`` (a layer with ``accepts_sparse`` False)
        with a TypeError that says what to do instead."""
        if is_sparse(X):
            raise TypeError(
                f"{type(self).__name__} takes dense input; received a scipy.sparse "
                f"matrix of shape {X.shape}: {self.sparse_advice}"
            )

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def backward_dZ(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Backward from the gradient with respect to the pre-activation, for a
        loss fused with this layer's activation (Dense and Activation only)."""
        raise TypeError(f"{type(self).__name__} has no activation to fuse with")

    @property
    def pre_activation(self) -> np.ndarray:
        """``Z`` of the last forward pass, the input of the activation (Dense
        and Activation only): a loss fused with the activation is computed from
        it."""
        raise TypeError(f"{type(self).__name__} has no activation")

    def dZ_buffer(self) -> np.ndarray:
        """The work array for ``dZ`` of the last forward pass's batch, where a
        fused loss writes its gradient before calling ``backward_dZ`` (Dense
        and Activation only)."""
        raise TypeError(f"{type(self).__name__} has no activation")

    def work_arrays(
        self, n: int, shapes: Callable[[int], dict[str, tuple[int, ...]]]
    ) -> dict[str, np.ndarray]:
        """This layer's work arrays for a batch of ``n`` samples (reused from the
        last call with the same ``n``; see the module notes), remembered as
        those of the current forward pass. ``shapes(n)`` names them and gives
        their shapes."""
        self._bufs = self._buffers.get(n, shapes, self.dtype)
        return self._bufs

    def clear_work_arrays(self) -> None:
        """Drop the work arrays (they are made anew on the next call)."""
        self._buffers.clear()

    def penalty(self) -> float:
        """This layer's regularization term of the loss."""
        return 0.0

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Move parameters and gradients into the given arrays (views into the
        model's flat buffers), keeping the current values."""
        for key, view in params.items():
            view[...] = self.params[key]
        self.params = params
        self.grads = grads

    def get_config(self) -> dict[str, Any]:
        return {"class_name": type(self).__name__, "name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}"
            for k, v in self.get_config().items()
            if k not in ("class_name", "name")
        )
        return f"{type(self).__name__}({args})"


class _WithActivation(Layer):
    """A layer ending in an activation (Dense, Activation): a loss can be
    fused with it, starting the backward pass at its ``Z``."""

    _Z: np.ndarray | None = None

    @property
    def pre_activation(self) -> np.ndarray:
        assert self._Z is not None, "forward first"
        return self._Z

    def dZ_buffer(self) -> np.ndarray:
        return self._bufs["dZ"]


class Dense(_WithActivation):
    """Fully connected layer: ``Z = X @ W + b``, ``A = activation(Z)``.

    Parameters
    ----------
    units : int
        Number of neurons (output features), ``> 0``.
    activation : str or ActivationFunction, optional
        Applied to ``Z``; ``None`` means linear.
    kernel_initializer, bias_initializer : str or Initializer
        How ``W`` (shape ``(n_in, units)``) and ``b`` (shape ``(units,)``) start.
    kernel_regularizer : Regularizer, optional
        Penalty on ``W`` added to the loss (biases are never penalized).
    use_bias : bool, default True

    Notes
    -----
    Backward, for ``n`` samples (``dZ`` already holds the 1/n of the mean loss)::

        dZ = dA * activation'(Z)   # (n, units)
        dW = X.T @ dZ              # (n_in, units)
        db = 1.T @ dZ              # (units,) the sum over samples, as a dot
        dX = dZ @ W.T              # (n, n_in)

    ``X`` may be a scipy.sparse matrix (CSR; the model converts other
    formats): ``X @ W`` and ``X.T @ dZ`` are then sparse-dense products,
    whose results are dense, and no work array of X's shape is made.
    """

    accepts_sparse: ClassVar[bool] = True

    def __init__(
        self,
        units: int,
        activation: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        use_bias: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.units = check_positive("units", units, integer=True)
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        if not isinstance(use_bias, bool | np.bool_):
            raise TypeError(f"use_bias must be True or False; received {use_bias!r}")
        self.use_bias = bool(use_bias)
        self._X: np.ndarray | None = None
        self._Z: np.ndarray | None = None
        self._A: np.ndarray | None = None

    def _build(self, input_dim: int, rng: np.random.Generator) -> int:
        shape = (input_dim, self.units)
        self.params = {"W": self._init(self.kernel_initializer, shape, rng)}
        if self.use_bias:
            self.params["b"] = self._init(self.bias_initializer, (self.units,), rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self.units

    def _init(self, init: initializers.Initializer, shape: tuple, rng) -> np.ndarray:
        value = np.asarray(init(shape, rng, self.dtype), dtype=self.dtype)
        if value.shape != shape:
            raise ValueError(
                f"initializer {init!r} returned shape {value.shape}; expected {shape}"
            )
        return value

    def _shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        u, d = self.units, self.input_dim
        assert d is not None
        return {"Z": (n, u), "A": (n, u), "dZ": (n, u), "dX": (n, d), "ones": (n,)}

    def _sparse_shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        # A sparse X is the model's input: no dX (the first layer needs none),
        # whose (n, n_in) array could be as large as X densified.
        u = self.units
        return {"Z": (n, u), "A": (n, u), "dZ": (n, u), "ones": (n,)}

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not isinstance(X, np.ndarray):  # a scipy.sparse matrix
            return self._forward_sparse(X)
        bufs = self.work_arrays(X.shape[0], self._shapes)
        Z = bufs["Z"]  # (n, units), unit-major
        np.dot(self.params["W"].T, X.T, out=bufs["ZT"])  # Z = X @ W
        if self.use_bias:
            np.add(Z, self.params["b"], out=Z)  # Z += b, along contiguous rows
        self._X, self._Z = X, Z
        self._A = self.activation.forward(Z, out=bufs["A"])
        return self._A

    def _forward_sparse(self, X: Any) -> np.ndarray:
        """``forward`` for a scipy.sparse ``X`` (n, n_in): ``X @ W``, a
        sparse-dense product, copied into the work array ``Z``."""
        bufs = self.work_arrays(X.shape[0], self._sparse_shapes)
        Z = bufs["Z"]  # (n, units), unit-major
        np.copyto(Z, X @ self.params["W"])  # Z = X @ W, (n, units) dense
        if self.use_bias:
            np.add(Z, self.params["b"], out=Z)
        self._X, self._Z = X, Z
        self._A = self.activation.forward(Z, out=bufs["A"])
        return self._A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        assert self._Z is not None and self._A is not None, "forward first"
        dZ = self.activation.backward(dA, self._Z, self._A, out=self._bufs["dZ"])
        return self.backward_dZ(dZ, need_dX)

    def backward_dZ(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Backward from the gradient with respect to ``Z`` (a fused loss)."""
        X = self._X
        assert X is not None, "forward first"
        bufs = self._bufs  # those of the forward pass: the same batch
        W = self.params["W"]
        dZT = bufs["dZT"] if dZ is bufs["dZ"] else dZ.T
        if isinstance(X, np.ndarray):
            np.dot(X.T, dZ, out=self.grads["W"])  # dW = X.T @ dZ
        else:
            self._sparse_kernel_gradient(X, dZ)
        if self.use_bias:
            np.dot(dZT, bufs["ones"], out=self.grads["b"])  # db = sum of dZ rows
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(W, self.grads["W"])
        if not need_dX:
            return None
        if "dXT" not in bufs:  # the work arrays of a sparse X have none
            dX = np.empty((dZ.shape[0], W.shape[0]), dtype=self.dtype, order="F")
            bufs["dX"], bufs["dXT"] = dX, dX.T
        np.dot(W, dZT, out=bufs["dXT"])  # dX = dZ @ W.T
        return bufs["dX"]

    def _sparse_kernel_gradient(self, X: Any, dZ: np.ndarray) -> None:
        """``dW = X.T @ dZ`` for a scipy.sparse ``X``, written into the
        gradient array without a temporary of W's size where the batch uses
        few of the features (a mini-batch of a wide, sparse X): the rows of
        ``dW`` of features absent from the batch are zero, and the others are
        the product of X restricted to the features it uses. The sums are
        those of ``X.T @ dZ``, in the same order."""
        dW = self.grads["W"]
        used = np.zeros(X.shape[1], dtype=bool)
        used[X.indices] = True
        cols = np.flatnonzero(used)
        if 2 * cols.size > X.shape[1]:  # most features: no temporary to save
            np.copyto(dW, X.T @ dZ)  # (n_in, n) sparse @ (n, units) dense
            return
        position = np.cumsum(used) - 1  # feature -> its column among `cols`
        Xc = type(X)(
            (X.data, position[X.indices], X.indptr),
            shape=(len(X.indptr) - 1, cols.size),
        )
        dW[...] = 0.0
        dW[cols] = Xc.T @ dZ  # (n_used, units)

    def penalty(self) -> float:
        if self.kernel_regularizer is None:
            return 0.0
        return self.kernel_regularizer(self.params["W"])

    def get_config(self) -> dict[str, Any]:
        reg = self.kernel_regularizer
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation.get_config(),
            "kernel_initializer": self.kernel_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "kernel_regularizer": None if reg is None else reg.get_config(),
            "use_bias": self.use_bias,
        }


class Activation(_WithActivation):
    """Applies an activation function on its own: ``A = f(X)``.

    Parameters
    ----------
    activation : str or ActivationFunction
    """

    def __init__(self, activation: Any, name: str | None = None) -> None:
        super().__init__(name)
        self.activation = activations.get(activation)
        self._Z: np.ndarray | None = None
        self._A: np.ndarray | None = None

    def _shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        d = self.input_dim
        assert d is not None
        return {"A": (n, d), "dZ": (n, d)}

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not isinstance(X, np.ndarray):
            self.check_dense_input(X)
        bufs = self.work_arrays(X.shape[0], self._shapes)
        self._Z = X
        self._A = self.activation.forward(X, out=bufs["A"])
        return self._A

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        assert self._Z is not None and self._A is not None, "forward first"
        out = self._bufs["dZ"]  # those of the forward pass: the same batch
        return self.activation.backward(dA, self._Z, self._A, out=out)

    def backward_dZ(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        return dZ

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation.get_config()}


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability ``rate``
    and scale the rest by ``1 / (1 - rate)``; at inference, the identity.

    Parameters
    ----------
    rate : float in [0, 1)
        Fraction of inputs dropped.
    """

    def __init__(self, rate: float, name: str | None = None) -> None:
        super().__init__(name)
        self.rate = check_range("rate", rate, 0.0, 1.0, high_inclusive=False)
        self._mask: np.ndarray | None = None
        self._dX: np.ndarray | None = None

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not isinstance(X, np.ndarray):
            self.check_dense_input(X)
        if not training or self.rate == 0.0:
            self._mask = None
            return X
        if self.rng is None:
            self.rng = np.random.default_rng()
        bufs = self.work_arrays(
            X.shape[0], lambda n: dict.fromkeys(("mask", "A", "dX"), X.shape)
        )
        mask = bufs["mask"]
        self.rng.random(dtype=self.dtype, out=mask.T)  # uniform [0, 1), unit by unit
        keep = np.greater_equal(mask, self.rate, out=bufs["dX"])  # 1.0 or 0.0
        np.multiply(keep, 1.0 / (1.0 - self.rate), out=mask)
        self._mask, self._dX = mask, bufs["dX"]
        return np.multiply(X, mask, out=bufs["A"])

    @property
    def mask(self) -> np.ndarray | None:
        """The last training pass's mask (0 for a dropped input, ``1 / (1 -
        rate)`` for a kept one), or None after an inference pass."""
        return self._mask

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        if self._mask is None:
            return dA
        return np.multiply(dA, self._mask, out=self._dX)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


class Rescaling(Layer):
    """Fixed per-feature scaling, ``A = X * scale + offset``, with no weights.

    Put first in a model, it carries the input scaling a scaler learned on the
    training data (``StandardScaler``: ``scale = 1/std``, ``offset =
    -mean/std``), so the model takes raw inputs in ``predict`` and in the
    plots, and the scaling is saved with it.

    Parameters
    ----------
    scale, offset : float or sequence of float
        One value for all features, or one per feature.

    >>> import numpy as np
    >>> layer = Rescaling([0.5, 2.0], offset=[0.0, -1.0])
    >>> layer.build(2)
    2
    >>> layer.forward(np.array([[2.0, 1.0]]))
    array([[1., 1.]])
    """

    sparse_advice: ClassVar[str] = (
        "scale it with scikit-learn's MaxAbsScaler (which keeps it sparse) and "
        "leave Rescaling out, or densify it with X.toarray()"
    )

    def __init__(self, scale: Any = 1.0, offset: Any = 0.0, name: str | None = None):
        super().__init__(name)
        self.scale = self._vector("scale", scale)
        self.offset = self._vector("offset", offset)
        self._dX: np.ndarray | None = None

    @staticmethod
    def _vector(name: str, value: Any) -> np.ndarray:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must be a number or a list of numbers; received {value!r}"
            ) from None
        if arr.ndim > 1 or arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(
                f"{name} must be a finite number or a 1-D list of finite numbers; "
                f"received {value!r}"
            )
        return arr

    def _build(self, input_dim: int, rng: np.random.Generator) -> int:
        for name in ("scale", "offset"):
            size = getattr(self, name).size
            if size not in (1, input_dim):
                raise ValueError(
                    f"Rescaling has {size} {name} values for {input_dim} input "
                    "features; give one value or one per feature"
                )
        return input_dim

    def _shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        assert self.input_dim is not None
        return {"A": (n, self.input_dim), "dX": (n, self.input_dim)}

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not isinstance(X, np.ndarray):
            self.check_dense_input(X)
        bufs = self.work_arrays(X.shape[0], self._shapes)
        A = np.multiply(X, self.scale.astype(self.dtype, copy=False), out=bufs["A"])
        return np.add(A, self.offset.astype(self.dtype, copy=False), out=A)

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        if not need_dX:
            return None
        return np.multiply(dA, self.scale.astype(self.dtype), out=self._bufs["dX"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale.tolist(),
            "offset": self.offset.tolist(),
        }


_Buffers = WorkArrays  # the name pickles of mlplab 0.1 refer to

REGISTRY: Registry[Layer] = Registry(
    "layer",
    Layer,
    [Dense, Activation, Dropout, Rescaling],
    key=lambda cls: cls.__name__,
    case_sensitive=True,
)


def names() -> list[str]:
    """The class names ``deserialize`` rebuilds."""
    return REGISTRY.names()


def register(cls: type[Layer]) -> type[Layer]:
    """Make your own Layer subclass loadable from configs and model files by
    its class name; usable as a class decorator."""
    return REGISTRY.register(cls)


def deserialize(config: dict[str, Any]) -> Layer:
    """Rebuild a layer from ``get_config()`` output."""
    if not isinstance(config, dict) or config.get("class_name") not in REGISTRY:
        raise ValueError(
            f"a layer config needs 'class_name' in {sorted(REGISTRY.names())}; "
            f"received {config!r}"
        )
    kwargs = {k: v for k, v in config.items() if k != "class_name"}
    return REGISTRY[config["class_name"]](**kwargs)
