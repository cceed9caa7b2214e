"""Training engines: ``"numpy"`` (the default and the reference) and
``"numba"``, a compiled training step (``pip install mlplab[fast]``).

A model chooses its engine with ``Sequential(..., engine="numba")``. The
compiled engine does a whole training step (forward, loss, backward, the
optimizer's update) in one Numba kernel over the model's flat weights and the
optimizer's state arrays, which stay in the optimizer object (saving,
loading and switching engines carry on from them). It covers:

* ``Dense`` layers only, with the activations in :data:`ACTIVATIONS`;
* the losses in :data:`LOSSES` (each cross-entropy with its output activation),
  and a ``SquaredError`` with ``gradient_sums_outputs`` (the estimators');
* the optimizers ``SGD`` (momentum, Nesterov), ``RMSprop``, ``Adagrad`` and
  ``Adam``, with any learning rate or schedule, without ``clipnorm``;
* ``L1``, ``L2`` and ``L1L2`` kernel regularizers, sample weights, any batch
  size, float64 and float32, dense inputs.

Anything else is refused at ``compile`` with a ``ValueError`` naming the
component. Inference (``predict``, ``evaluate``) runs on NumPy in both
engines. The compiled step agrees with the NumPy engine to about 1e-12 in
float64 (its sums are taken in another order), not bit for bit; within the
compiled engine, the same seed gives the same bits.

``fit`` (:class:`mlplab.training.Trainer`) gives the compiled engine whole
epochs at once (:meth:`CompiledStep.epochs`): one kernel call runs several
epochs -- batches gathered in the order the training loop draws, the learning
rate of each step computed beforehand, the loss, the metrics ``accuracy``,
``mse``, ``mae`` and the validation computed in the kernel -- with the bits of
the same steps taken one call at a time (:meth:`CompiledStep.run`).

Numba is imported only when a model trains with the compiled engine; its
kernels are cached on disk, so only the first use on a machine compiles them.

>>> from mlplab import engine
>>> engine.check_engine("numpy")
'numpy'
>>> engine.check_engine("cuda")
Traceback (most recent call last):
...
ValueError: engine must be one of ['numpy', 'numba']; received 'cuda'
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import numpy as np

from . import activations, layers, losses, optimizers, regularizers

__all__ = [
    "ACTIVATIONS",
    "ENGINES",
    "LOSSES",
    "OPTIMIZERS",
    "CompiledStep",
    "EpochFeed",
    "EpochsDone",
    "check_covered",
    "check_engine",
    "numba_available",
]

ENGINES = ("numpy", "numba")
#: activation name -> kernel code
ACTIVATIONS = {
    "linear": 0,
    "sigmoid": 1,
    "tanh": 2,
    "relu": 3,
    "leaky_relu": 4,
    "elu": 5,
    "softmax": 6,
}
#: loss name -> (kernel code, factor of the squared error)
LOSSES = {
    "binary_crossentropy": (0, 0.0),
    "categorical_crossentropy": (1, 0.0),
    "squared_error": (2, 0.5),
    "mse": (2, 1.0),
}
OPTIMIZERS = ("sgd", "rmsprop", "adagrad", "adam")
_OPTIMIZER_CLASSES = (optimizers.SGD, optimizers.RMSprop, optimizers.Adagrad)
_REGULARIZER_CLASSES = (
    regularizers.L1,
    regularizers.L2,
    regularizers.L1L2,
    regularizers.Regularizer,
)
_INSTALL = "pip install mlplab[fast]"
_MAX_WORK_SIZES = 4  # batch sizes whose work arrays are kept


def _log_max(dtype: np.dtype) -> float:
    """The largest ``x`` of this dtype whose ``exp(x)`` is finite: where the
    sigmoid caps ``-z``, as :class:`mlplab.activations.Sigmoid` does."""
    x = np.log(np.finfo(dtype).max, dtype=dtype)
    with np.errstate(over="ignore"):
        while not np.isfinite(np.exp(x)):
            x = np.nextafter(x, dtype.type(0))
    return float(x)


def numba_available() -> bool:
    """Whether Numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def check_engine(engine: Any) -> str:
    """``engine`` checked: one of :data:`ENGINES`; ``"numba"`` only where
    Numba is installed (an ``ImportError`` says how to install it)."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}; received {engine!r}")
    if engine == "numba" and not numba_available():
        raise ImportError(
            "engine='numba' needs Numba, which is not installed: "
            f"{_INSTALL} (or pip install numba)"
        )
    return engine


def _refuse(what: str) -> ValueError:
    return ValueError(
        f"the numba engine does not cover {what}; use engine='numpy' for this model"
    )


def _check_layer(layer: Any) -> None:
    if type(layer) is not layers.Dense:
        raise _refuse(
            f"layer {layer.name or type(layer).__name__!r} of type "
            f"{type(layer).__name__} (it covers Dense layers only)"
        )
    name = layer.activation.name
    if name not in ACTIVATIONS or type(layer.activation) is not type(
        activations.get(name)
    ):
        raise _refuse(
            f"activation {name!r} (layer {layer.name or 'Dense'!r}); it covers "
            f"{sorted(ACTIVATIONS)}"
        )
    reg = layer.kernel_regularizer
    if reg is not None and type(reg) not in _REGULARIZER_CLASSES:
        raise _refuse(f"kernel regularizer {reg!r}; it covers L1, L2 and L1L2")


def check_covered(model_layers: list[Any], loss: Any, optimizer: Any) -> None:
    """A ``ValueError`` naming the first layer, activation, loss or optimizer
    of a model that the compiled engine does not cover (see the module
    notes)."""
    if not model_layers:
        raise _refuse("a model without layers")
    for layer in model_layers:
        _check_layer(layer)
    if loss is not None and (
        loss.name not in LOSSES
        or not (
            type(loss) is type(losses.get(loss.name))
            or (isinstance(loss, losses.SquaredError) and loss.gradient_sums_outputs)
        )
    ):
        raise _refuse(f"loss {loss.name!r}; it covers {sorted(LOSSES)}")
    if optimizer is None:
        return
    if type(optimizer) not in (*_OPTIMIZER_CLASSES, optimizers.Adam):
        raise _refuse(
            f"optimizer {type(optimizer).__name__} ({optimizer.name!r}); it covers "
            f"{list(OPTIMIZERS)}"
        )
    if optimizer.clipnorm is not None:
        raise _refuse(f"clipnorm (optimizer {optimizer!r})")


def _kernels() -> Any:
    if not numba_available():
        raise ImportError(f"engine='numba' needs Numba: {_INSTALL}")
    from . import _numba_kernels

    return _numba_kernels


class CompiledStep:
    """The compiled training step of one model (see the module notes).

    Parameters
    ----------
    model_layers : list of Dense
        The model's layers, built.
    loss : Loss
    dtype : numpy dtype
        The model's.
    """

    def __init__(self, model_layers: list[Any], loss: Any, dtype: Any) -> None:
        check_covered(model_layers, loss, None)
        self.kernels = _kernels()
        self.dtype = np.dtype(dtype)
        k = self.kernels
        self.n_layers = len(model_layers)
        self.meta = np.zeros((self.n_layers, k.META_COLS), dtype=np.int64)
        self.fmeta = np.zeros((self.n_layers, k.FMETA_COLS), dtype=self.dtype)
        offset = 0
        for i, layer in enumerate(model_layers):
            n_in, units = layer.input_dim, layer.units
            act = layer.activation
            row = self.meta[i]
            row[k.N_IN], row[k.UNITS] = n_in, units
            row[k.ACT] = ACTIVATIONS[act.name]
            row[k.USE_BIAS] = int(layer.use_bias)
            row[k.OFF_W] = row[k.OFF_B] = offset
            offset += n_in * units
            if layer.use_bias:
                row[k.OFF_B] = offset
                offset += units
            self.fmeta[i, k.F_ALPHA] = getattr(act, "alpha", 0.0)
            reg = layer.kernel_regularizer
            if reg is not None:
                self.fmeta[i, k.F_L1] = reg.l1
                self.fmeta[i, k.F_L2] = reg.l2
                self.fmeta[i, k.F_TWO_L2] = 2.0 * reg.l2
        self.n_params = offset
        self.log_max = _log_max(self.dtype)
        self.tiny = float(np.finfo(self.dtype).tiny)
        self.empty = np.empty(0, dtype=self.dtype)
        self.loss_code, self.factor = LOSSES[loss.name]
        self.sums_outputs = bool(getattr(loss, "gradient_sums_outputs", False))
        self._work: dict[int, tuple[np.ndarray, ...]] = {}
        self._hp: np.ndarray = self.empty
        self._hp_key: tuple[Any, ...] | None = None
        self._rates: tuple[np.ndarray, np.ndarray] = (self.empty, self.empty)
        self._rates_key: tuple[float, int] | None = None

    def _work_arrays(self, n: int) -> tuple[np.ndarray, ...]:
        """For batches of ``n`` samples: the work array, the layer table
        with the places of each layer's ``Z`` and ``A`` in it, the codes
        that place the gradient buffers, and the output activations, a view
        (n, outputs) of the work array (kept for a few batch sizes)."""
        kept = self._work
        if n in kept and next(reversed(kept)) == n:  # the same size as last time
            return kept[n]
        found = kept.pop(n, None)
        if found is None:
            K = self.kernels
            meta = self.meta.copy()
            offset, widest = 0, 1
            for row in meta:
                units = int(row[K.UNITS])
                widest = max(widest, units, int(row[K.N_IN]))
                row[K.OFF_Z], row[K.OFF_A] = offset, offset + units * n
                offset += 2 * units * n
            codes = np.zeros(K.CODES_LEN, dtype=np.int64)
            codes[K.C_OFF_DZ] = offset
            codes[K.C_OFF_DA] = offset + widest * n
            codes[K.C_OFF_TMP] = offset + 2 * widest * n
            work = np.empty(offset + 2 * widest * n + 3 * n, dtype=self.dtype)
            if len(self._work) >= _MAX_WORK_SIZES:
                self._work.pop(next(iter(self._work)))  # least recently used
            top, k = int(meta[-1, K.OFF_A]), int(meta[-1, K.UNITS])
            output = work[top : top + k * n].reshape(k, n).T  # (n, k), a view
            found = (work, meta, codes, output)
        self._work[n] = found
        return found

    def _settings(self, optimizer: Any) -> tuple[int, tuple[float, ...]]:
        """The optimizer's kernel code and its settings other than the learning
        rate: (momentum or rho, 1 - rho or 1 - beta_1, 1 - beta_2, epsilon)."""
        K = self.kernels
        if isinstance(optimizer, optimizers.SGD):
            code = K.SGD
            if optimizer.momentum:
                code = K.NESTEROV if optimizer.nesterov else K.MOMENTUM
            return code, (optimizer.momentum, 0.0, 0.0, 0.0)
        if isinstance(optimizer, optimizers.RMSprop):
            rho = optimizer.rho
            return K.RMSPROP, (rho, 1.0 - rho, 0.0, optimizer.epsilon)
        if isinstance(optimizer, optimizers.Adagrad):
            return K.ADAGRAD, (0.0, 0.0, 0.0, optimizer.epsilon)
        b1, b2 = optimizer.beta_1, optimizer.beta_2
        return K.ADAM, (0.0, 1.0 - b1, 1.0 - b2, optimizer.epsilon)

    def _new_hyperparameters(
        self, settings: tuple[float, ...], n: int, k: int
    ) -> np.ndarray:
        """The kernel's hyperparameter array for a batch of ``n`` samples and
        ``k`` outputs, its learning rate and Adam's step size left at 0."""
        K = self.kernels
        hp = np.zeros(K.HP_LEN, dtype=np.float64)
        hp[K.H_ONE] = 1.0
        hp[K.H_MOMENTUM], hp[K.H_DECAY1], hp[K.H_DECAY2], hp[K.H_EPS] = settings
        hp[K.H_INV_N] = 1.0 / n
        hp[K.H_FACTOR] = self.factor
        hp[K.H_GRAD_SCALE] = 2.0 * self.factor / (n if self.sums_outputs else n * k)
        hp[K.H_LOG_MAX] = self.log_max
        hp[K.H_TINY] = self.tiny
        return hp.astype(self.dtype)

    def _hyperparameters(self, optimizer: Any, n: int, k: int) -> tuple[int, Any]:
        """The optimizer's code and the kernel's hyperparameter array for a
        batch of ``n`` samples and ``k`` outputs: kept between calls, made
        again when the optimizer's settings change, its learning rate (and
        Adam's step size) written every call."""
        K = self.kernels
        code, settings = self._settings(optimizer)
        key = (n, k, code, settings)
        if key != self._hp_key:
            self._hp = self._new_hyperparameters(settings, n, k)
            self._hp_key = key
        hp = self._hp
        lr = optimizer.current_learning_rate()
        hp[K.H_LR] = lr
        if code == K.ADAM:
            hp[K.H_ALPHA] = optimizer.step_size(lr, optimizer.iterations + 1)
        return code, hp

    def _state(self, optimizer: Any, params: np.ndarray) -> tuple[Any, Any]:
        """The optimizer's state arrays for ``params`` (built as its first
        step would build them when it has none yet)."""
        state = optimizer.get_state()
        if state["slots"] is None:
            names = optimizer.slot_names
            start = getattr(optimizer, "initial_accumulator_value", 0.0)
            initial = {name: np.full_like(params, start) for name in names}
            optimizer.set_state(
                {"iterations": optimizer.iterations, "slots": [initial]}, [params]
            )
            state = optimizer.get_state()
        slots = list(state["slots"][0].values())
        s1 = slots[0] if slots else self.empty
        s2 = slots[1] if len(slots) > 1 else self.empty
        return s1, s2

    def run(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sw: np.ndarray | None,
        params: np.ndarray,
        grads: np.ndarray,
        last_finite: np.ndarray,
        optimizer: Any,
        update: bool = True,
    ) -> tuple[float, np.ndarray]:
        """One step on checked arrays: fills ``grads`` and, with ``update``,
        copies ``params`` into ``last_finite`` then updates ``params`` and the
        optimizer's state (its ``iterations`` too). Returns the loss before
        the update and the output activations, shape (n, n_outputs), a reused
        buffer. A non-finite loss changes nothing."""
        if not isinstance(X, np.ndarray):
            raise TypeError(
                "the numba engine trains on dense arrays; received a "
                f"{type(X).__name__} of shape {X.shape}: densify it with "
                "X.toarray() or use engine='numpy'"
            )
        n, n_out = Y.shape
        K = self.kernels
        work, meta, codes, output = self._work_arrays(n)
        opt_code, hp = self._hyperparameters(optimizer, n, n_out)
        codes[K.C_LOSS], codes[K.C_OPT] = self.loss_code, opt_code
        codes[K.C_UPDATE] = int(update)
        s1, s2 = self._state(optimizer, params)
        weights = self.empty if sw is None else _writable(sw, self.dtype)
        loss = K.train_step(
            _writable(X.T, self.dtype),
            _writable(Y.T, self.dtype),
            weights,
            params,
            grads,
            last_finite,
            s1,
            s2,
            meta,
            self.fmeta,
            codes,
            hp,
            work,
        )
        if update and math.isfinite(loss):
            optimizer.iterations += 1
        return float(loss), output

    def rates(self, optimizer: Any, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """The learning rate, and Adam's step size, of each of the optimizer's
        next ``steps`` steps, as :meth:`run` computes them step by step."""
        lr0 = optimizer.learning_rate
        it = optimizer.iterations
        adam = isinstance(optimizer, optimizers.Adam)
        if isinstance(lr0, float) and not adam:
            key = (lr0, steps)
            if self._rates_key != key:  # a constant rate: kept
                lrs = np.full(steps, lr0, dtype=np.float64).astype(self.dtype)
                self._rates, self._rates_key = (lrs, np.zeros_like(lrs)), key
            return self._rates
        if isinstance(lr0, float):
            lrs = np.full(steps, lr0, dtype=np.float64)
        else:  # a schedule
            lrs = np.array([optimizer.learning_rate_at(it + s) for s in range(steps)])
        alphas = np.zeros(steps, dtype=np.float64)
        if adam:
            for s in range(steps):
                alphas[s] = optimizer.step_size(float(lrs[s]), it + s + 1)
        return lrs.astype(self.dtype), alphas.astype(self.dtype)

    def _layout(self, feed: EpochFeed, code: int, settings: tuple[float, ...]) -> Any:
        """The kernel's work arrays, tables and hyperparameters for ``feed``'s
        batches and validation data, kept on the feed for this optimizer."""
        key = (id(self), code, settings)
        if feed.layout_key == key:
            return feed.layout
        K = self.kernels
        n, bs, k = feed.n, feed.batch_size, feed.Yt.shape[0]
        rem = n - (-(-n // bs) - 1) * bs
        sizes = {bs: 0, rem: 0}
        nv = feed.Xvt.shape[1]
        if nv:
            sizes[nv] = 0
        if len(sizes) > _MAX_WORK_SIZES:  # pragma: no cover - three at most
            raise AssertionError(sizes)
        work, meta, codes, _ = self._work_arrays(bs)
        work_r, meta_r, codes_r, _ = self._work_arrays(rem)
        hp = self._new_hyperparameters(settings, bs, k)
        hp_r = hp if rem == bs else self._new_hyperparameters(settings, rem, k)
        for c in (codes, codes_r):
            c[K.C_LOSS], c[K.C_OPT], c[K.C_UPDATE] = self.loss_code, code, 1
        if nv:
            work_v, meta_v, codes_v, _ = self._work_arrays(nv)
            codes_v[K.C_LOSS] = self.loss_code
        else:
            work_v, meta_v, codes_v = work, meta, codes
        xb, yb = feed.batch_buffers(bs)
        xr, yr = feed.batch_buffers(rem)
        layout = (
            (hp,),
            (meta, codes, work, xb, yb, meta_r, codes_r, work_r, xr, yr, hp_r),
            (meta_v, codes_v, work_v),
        )
        feed.layout, feed.layout_key = layout, key
        return layout

    def epochs(
        self,
        feed: EpochFeed,
        params: np.ndarray,
        grads: np.ndarray,
        last_finite: np.ndarray,
        optimizer: Any,
        n_epochs: int,
    ) -> EpochsDone:
        """``n_epochs`` epochs of ``feed``'s data in one kernel call (see
        :func:`mlplab._numba_kernels.train_epochs`): the steps :meth:`run`
        takes one by one, with the same bits. The optimizer's ``iterations``
        counts the steps taken; its state arrays, the flat weights
        ``params``, ``grads`` and ``last_finite`` (the weights before the
        last step, as in :meth:`run`) are updated in place."""
        code, settings = self._settings(optimizer)
        (hp,), batches, validation = self._layout(feed, code, settings)
        lrs, alphas = self.rates(optimizer, n_epochs * feed.n_batches)
        s1, s2 = self._state(optimizer, params)
        out = np.empty((2 + 2 * len(feed.metric_codes), n_epochs))
        status, steps, done, bad = self.kernels.train_epochs(
            feed.X,
            feed.Xt,
            feed.Yt,
            feed.sw,
            feed.order(n_epochs),
            feed.batch_size,
            params,
            grads,
            last_finite,
            s1,
            s2,
            self.fmeta,
            hp,
            lrs,
            alphas,
            *batches,
            feed.Xvt,
            feed.Yvt,
            *validation,
            feed.metric_codes,
            out,
        )
        optimizer.iterations += int(steps)
        return EpochsDone(int(status), int(steps), int(done), float(bad), out)


class EpochsDone:
    """What :meth:`CompiledStep.epochs` did: ``status`` (``DONE``,
    ``DIVERGED``, ``VAL_DIVERGED`` of :mod:`mlplab._numba_kernels`), the
    steps taken, the epochs finished, the non-finite loss that stopped it,
    and the logs table (see ``train_epochs``)."""

    def __init__(
        self, status: int, steps: int, epochs: int, bad_loss: float, out: np.ndarray
    ) -> None:
        self.status, self.steps, self.epochs = status, steps, epochs
        self.bad_loss, self.out = bad_loss, out


class EpochFeed:
    """A training set laid out for :meth:`CompiledStep.epochs`, made once per
    ``fit``: the inputs as given (n, n_in) and, for a full batch in the
    data's order, transposed (n_in, n); the targets transposed; the full
    batch's sample weights; the validation data transposed; the metrics'
    kernel codes; the random generator that shuffles."""

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sw: np.ndarray | None,
        batch_size: int,
        shuffle: bool,
        rng: np.random.Generator,
        X_val: np.ndarray | None,
        Y_val: np.ndarray | None,
        metric_codes: list[int],
        dtype: Any,
    ) -> None:
        self.n, self.batch_size = X.shape[0], batch_size
        full = batch_size >= self.n
        self.shuffle = shuffle and not full
        self.rng = rng
        d = X.shape[1]
        if full:
            self.Xt = _writable(X.T, dtype)
            self.X = np.empty((0, d), dtype=dtype)
        else:
            self.X = _writable(X, dtype)
            self.Xt = np.empty((d, 0), dtype=dtype)
        self.Yt = _writable(Y.T, dtype)
        self.sw = np.empty(0, dtype=dtype) if sw is None else _writable(sw, dtype)
        if X_val is None or Y_val is None:
            self.Xvt = np.empty((d, 0), dtype=dtype)
            self.Yvt = np.empty((self.Yt.shape[0], 0), dtype=dtype)
        else:
            self.Xvt = _writable(X_val.T, dtype)
            self.Yvt = _writable(Y_val.T, dtype)
        self.metric_codes = np.array(metric_codes, dtype=np.int64)
        self.n_batches = -(-self.n // batch_size)
        self._buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._no_order = np.empty((1, 0), dtype=np.int64)
        self.layout: Any = None  # CompiledStep._layout's, for layout_key
        self.layout_key: tuple[Any, ...] | None = None

    def order(self, n_epochs: int) -> np.ndarray:
        """Each epoch's sample order, drawn as the training loop draws it (an
        empty table when the data is not shuffled)."""
        if not self.shuffle:
            return self._no_order
        return np.stack([self.rng.permutation(self.n) for _ in range(n_epochs)])

    def batch_buffers(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Where batches of ``m`` samples are gathered (transposed)."""
        if self.Xt.shape[1]:  # a full batch, used as is
            return self.Xt, self.Yt
        if m not in self._buffers:
            dtype = self.X.dtype
            self._buffers[m] = (
                np.empty((self.X.shape[1], m), dtype=dtype),
                np.empty((self.Yt.shape[0], m), dtype=dtype),
            )
        return self._buffers[m]


def _writable(a: np.ndarray, dtype: Any) -> np.ndarray:
    """``a`` C-contiguous in ``dtype`` and writable (a copy where it is
    read-only, a memory map say): the kernels are compiled for writable
    arrays only, so that one compilation serves every call."""
    out = np.ascontiguousarray(a, dtype=dtype)
    return out if out.flags.writeable else out.copy()
