"""``Sequential``: a stack of layers with a loss, an optimizer and metrics.

The model owns every weight in one flat array and every gradient in another;
each layer's ``params`` and ``grads`` are views into them. That makes a
training step cheap at tutorial scale, where the cost is the number of NumPy
calls: the optimizer updates all weights with a few calls, and a snapshot of
the weights (kept to survive divergence) is a single copy.

>>> import numpy as np
>>> import mlplab as ml
>>> model = ml.Sequential([ml.Dense(3, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> [w.shape for w in model.get_weights()]
[(2, 3), (3,), (3, 1), (1,)]

What the rest of mlplab uses
----------------------------
Besides the user-facing methods (``compile``, ``fit``, ``predict``,
``evaluate``, ``get_weights`` ...), the model offers the other modules of the
package (the training loop, explain, gradcheck, persistence, the plots) these
members, and nothing else of it is used outside this file:

========================================  ====================================
member                                    what it does
========================================  ====================================
``require_compiled(what)``                the (loss, optimizer), or a
                                          ValueError naming ``what``
``check_inputs(X, name)``                 X checked and cast to the model's
                                          dtype; builds the model on first use.
                                          A scipy.sparse X stays sparse (CSR):
                                          batches are its row slices
``encode_targets(y, n, name)``            labels or targets checked and encoded
                                          as an (n, n_outputs) matrix
``forward(X, training)``                  the output activations (a reused
                                          buffer: copy it to keep it)
``loss_value(Y, A, sw)``                  the loss of that forward pass, with
                                          the regularization term
``backward(Y, A, sw)``                    fills ``flat_grads`` from that pass
``step(X, Y, sw)``                        one optimizer step on checked arrays:
                                          forward, loss, backward, update;
                                          returns (loss before, outputs)
``compiled_epochs(feed, n)``              ``n`` epochs in one compiled-engine
                                          kernel call (``engine="numba"``)
``restore_last_finite()``                 undo a diverged step
``evaluate_arrays(X, Y, batch_size, sw)``  ``evaluate`` on checked arrays
``output_labels(A)``                      class labels from output activations
``flat_params``, ``flat_grads``           every weight / gradient in one array
``weight_views``                          ``get_weights()`` as live views
``fused``, ``task``, ``init_rng``         see their docstrings
========================================  ====================================

The training loop is :class:`mlplab.training.Trainer`: ``fit`` builds one and
runs it, and the trainer calls ``step`` once per batch.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from . import activations, losses, optimizers
from . import engine as engine_module
from ._validation import (
    all_finite,
    check_dtype,
    check_features,
    check_positive,
    check_sample_weight,
    check_seed,
    check_sparse_features,
    is_sparse,
)
from .callbacks import History
from .exceptions import DivergenceError
from .layers import Activation, Dense, Layer, WorkArrays, deserialize
from .metrics import check_output_metric, output_metric
from .targets import encode_targets
from .tasks import infer_task
from .training import Trainer, check_epochs

__all__ = ["Sequential"]

_PREDICT_CHUNK = 4096  # rows per forward pass in predict / evaluate


class Sequential:
    """A linear stack of layers.

    Parameters
    ----------
    layers : list of Layer, optional
    input_dim : int, optional
        Number of input features. If omitted, the model is built on the first
        call of ``fit``, ``predict``, ``evaluate`` or ``loss_and_gradients``.
    seed : int, optional
        Fixes the initial weights and, unless ``fit`` gets its own ``seed``, the
        shuffling and dropout masks. The same seeds give bit-identical weights.
    dtype : {"float64", "float32"}
        The precision of every weight, activation and gradient.
    name : str
    engine : {"numpy", "numba"}, default "numpy"
        What runs each training step: NumPy (the reference), or one compiled
        Numba kernel (``pip install mlplab[fast]``), for the models
        :mod:`mlplab.engine` covers (``compile`` refuses the others, naming
        the component). Inference runs on NumPy in both.

    Attributes
    ----------
    layers : list of Layer
    loss, optimizer : set by ``compile``
    history : History of the last ``fit``
    stop_training : bool
        A callback sets it to end ``fit`` after the current epoch.
    """

    def __init__(
        self,
        layers: Iterable[Layer] | None = None,
        input_dim: int | None = None,
        seed: int | None = None,
        dtype: Any = "float64",
        name: str = "sequential",
        engine: str = "numpy",
    ) -> None:
        self._engine = engine_module.check_engine(engine)
        self._compiled: engine_module.CompiledStep | None = None
        self.seed = check_seed(seed)
        self.dtype = check_dtype(dtype)
        self.name = name
        self.layers: list[Layer] = []
        self.input_dim: int | None = None
        self.output_dim: int | None = None
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[str] = []
        self.history = History()
        self.stop_training = False
        self._fused = False  # cross-entropy fused with the output activation
        init_seq, train_seq = np.random.SeedSequence(seed).spawn(2)
        self._init_rng = np.random.default_rng(init_seq)
        self.train_rng = np.random.default_rng(train_seq)
        self._flat_params = np.empty(0, dtype=self.dtype)
        self._flat_grads = np.empty(0, dtype=self.dtype)
        self._last_finite = np.empty(0, dtype=self.dtype)
        self._flat_list, self._grad_list = [self._flat_params], [self._flat_grads]
        self._last_finite_valid = False
        self._param_views: list[np.ndarray] = []
        self._param_names: list[str] = []
        self._buffers = WorkArrays()
        # The layers reuse their work buffers, so inference from several
        # threads at once takes turns: predict and evaluate are thread-safe.
        self._infer_lock = threading.RLock()
        for layer in layers or ():
            self.add(layer)
        if input_dim is not None:
            self.build(input_dim)

    # -- construction ------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer (before the model is built)."""
        if not isinstance(layer, Layer):
            raise TypeError(
                f"a Sequential model takes Layer instances (Dense, Activation, "
                f"Dropout); received {layer!r} of type {type(layer).__name__}"
            )
        if self.built:
            raise ValueError(
                "cannot add a layer to a model that is already built; create a new "
                "Sequential with all its layers"
            )
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"layer {layer!r} is already in this model")
        self.layers.append(layer)

    @property
    def built(self) -> bool:
        return self.output_dim is not None

    @property
    def engine(self) -> str:
        """``"numpy"`` or ``"numba"``: what runs the training steps. Set it to
        switch engines; the weights and the optimizer's state carry over."""
        return self._engine

    @engine.setter
    def engine(self, value: str) -> None:
        value = engine_module.check_engine(value)
        if value == "numba":
            engine_module.check_covered(self.layers, self.loss, self.optimizer)
        self._engine, self._compiled = value, None

    # -- what the rest of mlplab reads (see the module notes) ---------------------
    @property
    def flat_params(self) -> np.ndarray:
        """Every weight in one 1-D array, in the order of ``get_weights()``;
        each layer's ``params`` are views into it, and the optimizer updates
        it as the single array ``[flat_params]``."""
        return self._flat_params

    @property
    def flat_grads(self) -> np.ndarray:
        """The gradients of the last backward pass, laid out as
        ``flat_params``."""
        return self._flat_grads

    @property
    def weight_views(self) -> list[np.ndarray]:
        """The arrays of ``get_weights()`` as live views into ``flat_params``
        (writing into one changes the model; ``get_weights`` gives copies)."""
        return list(self._param_views)

    @property
    def fused(self) -> bool:
        """Whether the loss is differentiated together with the output
        activation (cross-entropy with softmax or sigmoid, poisson with exp):
        its backward pass then starts at the output layer's ``Z``."""
        return self._fused

    @property
    def init_rng(self) -> np.random.Generator:
        """The generator that draws initial weights (``train_rng`` draws the
        shuffling and dropout masks); both are saved with the model."""
        return self._init_rng

    def build(self, input_dim: int) -> None:
        """Create the weights for inputs of ``input_dim`` features."""
        if not self.layers:
            raise ValueError("the model has no layers; add at least one Dense layer")
        counts: dict[str, int] = {}
        dim = input_dim
        for layer in self.layers:
            base = type(layer).__name__.lower()
            if layer.name is None:
                k = counts.get(base, 0)
                layer.name = base if k == 0 else f"{base}_{k}"
            counts[base] = counts.get(base, 0) + 1
            dim = layer.build(dim, self._init_rng, self.dtype)
            layer.rng = self.train_rng
        self.input_dim = self.layers[0].input_dim
        self._check_output_activation()
        self._fused = self._output_layer_fuses()
        # One flat array for all weights, one for all gradients; the layers get
        # views, in the order of get_weights().
        total = sum(p.size for layer in self.layers for p in layer.params.values())
        self._flat_params = np.empty(total, dtype=self.dtype)
        self._flat_grads = np.zeros(total, dtype=self.dtype)
        self._last_finite = np.empty(total, dtype=self.dtype)
        self._last_finite_valid = False  # no step has given a finite loss yet
        self._bind_views(copy_values=True)
        self._regularized = [
            layer
            for layer in self.layers
            if isinstance(layer, Dense) and layer.kernel_regularizer is not None
        ]
        self.output_dim = dim
        self._compiled = None
        if self.optimizer is not None:
            self.optimizer.reset()

    def _bind_views(self, copy_values: bool) -> None:
        """Point every layer's params and grads at slices of the flat arrays,
        in the order of get_weights(); with ``copy_values`` the layers' current
        values are moved in, otherwise the flat arrays are authoritative."""
        self._param_views, self._param_names = [], []
        self._flat_list, self._grad_list = [self._flat_params], [self._flat_grads]
        offset = 0
        for layer in self.layers:
            pviews, gviews = {}, {}
            for key, value in layer.params.items():
                end = offset + value.size
                pviews[key] = self._flat_params[offset:end].reshape(value.shape)
                gviews[key] = self._flat_grads[offset:end].reshape(value.shape)
                offset = end
                self._param_views.append(pviews[key])
                self._param_names.append(f"{layer.name}/{key}")
            if copy_values:
                layer.bind(pviews, gviews)
            else:
                layer.params, layer.grads = pviews, gviews

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_infer_lock", None)  # a lock cannot be copied or pickled
        state["_compiled"] = None  # the compiled step is made again on use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # copy.deepcopy (used by scikit-learn's clone and grid searches) copies
        # each array on its own, which would cut the layers' weights loose from
        # the flat arrays the optimizer updates: bind them again.
        self.__dict__.update(state)
        self.__dict__.setdefault("_engine", "numpy")
        self.__dict__.setdefault("_compiled", None)
        self._infer_lock = threading.RLock()
        if self.built:
            self._bind_views(copy_values=False)

    def _ensure_built(self, n_features: int) -> None:
        if not self.built:
            self.build(n_features)
        elif n_features != self.input_dim:
            raise ValueError(
                f"X has {n_features} features, but the model was built for "
                f"input_dim={self.input_dim}"
            )

    # -- output activation, task and targets ------------------------------------
    @property
    def output_activation(self) -> activations.ActivationFunction:
        """The activation of the last Dense or Activation layer."""
        for layer in reversed(self.layers):
            if isinstance(layer, Dense | Activation):
                return layer.activation
        return activations.Linear()

    def _output_layer_fuses(self) -> bool:
        last = self.layers[-1] if self.layers else None
        return isinstance(last, Dense | Activation) and (
            self.loss is not None
            and self.loss.fused_activation is not None
            and last.activation.name == self.loss.fused_activation
        )

    def _check_output_activation(self) -> None:
        if self.loss is None or not self.layers:
            return
        need = self.loss.fused_activation
        if need is not None and not self._output_layer_fuses():
            last = self.layers[-1]
            got = getattr(last, "activation", None)
            units = self._output_units() or "k"
            raise ValueError(
                f"loss {self.loss.name!r} needs a final layer with activation "
                f"{need!r}, e.g. Dense({units}, activation={need!r}): the two are "
                f"differentiated together. The last layer, {last.name!r}, "
                + (
                    f"is {type(last).__name__}, with no activation"
                    if got is None
                    else f"has activation {got.name!r}"
                )
            )
        if self.output_activation.name == "softmax" and self.layers[-1].output_dim == 1:
            raise ValueError(
                "a softmax over a single output unit is always 1; use "
                "Dense(1, activation='sigmoid') for two classes or Dense(k, "
                "activation='softmax') for k classes"
            )

    def _output_units(self) -> int | None:
        """The number of outputs, known from the last Dense layer even before
        the model is built."""
        for layer in reversed(self.layers):
            if isinstance(layer, Dense):
                return layer.units
        return self.output_dim

    @property
    def task(self) -> str:
        """``"multiclass"`` (softmax output), ``"binary"`` (sigmoid output) or
        ``"regression"`` (anything else)."""
        return infer_task(output_activation=self.output_activation.name)

    def encode_targets(self, y: Any, n: int, name: str = "y") -> np.ndarray:
        """Validate labels ``y`` and encode them as an (n, n_outputs) matrix,
        output by output like the layers' activations (Fortran order); see
        :func:`mlplab.targets.encode_targets`."""
        assert self.output_dim is not None
        return encode_targets(
            y,
            n,
            n_outputs=self.output_dim,
            task=self.task,
            loss=self.loss,
            dtype=self.dtype,
            name=name,
        )

    def check_inputs(self, X: Any, name: str = "X") -> np.ndarray:
        """``X`` checked: a 2-D array of finite numbers, cast to the model's
        dtype, with the model's number of features (the model is built for
        it on first use).

        A scipy.sparse matrix or array stays sparse: it comes back in CSR
        format (other formats converted), its stored values cast and checked,
        for a model whose first layer takes sparse input (``Dense``); any
        other first layer refuses it with a TypeError.
        """
        if not is_sparse(X):
            arr = check_features(X, dtype=self.dtype, name=name)
            self._ensure_built(arr.shape[1])
            return arr
        csr = check_sparse_features(X, dtype=self.dtype, name=name)
        if self.layers and not self.layers[0].accepts_sparse:
            self.layers[0].check_dense_input(csr)
        self._ensure_built(csr.shape[1])
        return csr

    # -- compile -------------------------------------------------------------------
    def compile(
        self,
        loss: Any = "binary_crossentropy",
        optimizer: Any = "sgd",
        metrics: Sequence[str] | None = None,
    ) -> None:
        """Choose the loss, the optimizer and the metrics reported by ``fit``
        and ``evaluate``.

        Parameters
        ----------
        loss : str or Loss
            ``"binary_crossentropy"`` (sigmoid output),
            ``"categorical_crossentropy"`` (softmax output), ``"poisson"``
            (exp output; non-negative targets), ``"squared_error"``, ``"mse"``,
            ``"absolute_error"`` or ``"huber"`` (any output; ``{"name":
            "huber", "delta": 2.0}`` or ``losses.Huber(2.0)`` for another
            ``delta``).
        optimizer : str or Optimizer, default "sgd"
            ``"sgd"``, ``"rmsprop"``, ``"adagrad"``, ``"adam"`` (default
            hyperparameters), or an instance.
        metrics : str or list of str, optional
            Among ``"accuracy"`` (sigmoid or softmax output), ``"mse"``, ``"mae"``.
        """
        loss_obj = losses.get(loss)
        opt = optimizers.get(optimizer)
        if self._engine == "numba":
            engine_module.check_covered(self.layers, loss_obj, opt)
        names = [metrics] if isinstance(metrics, str) else list(metrics or [])
        for m in names:
            check_output_metric(m)
        previous = self.loss
        self.loss = loss_obj
        try:
            self._check_output_activation()
            if "accuracy" in names and self.task == "regression":
                raise ValueError(
                    "metric 'accuracy' needs a sigmoid or softmax output layer; the "
                    f"output activation is {self.output_activation.name!r}. Use "
                    "'mse' or 'mae' for regression"
                )
        except ValueError:
            self.loss = previous
            raise
        opt.reset()  # a fresh start, even for an instance used before
        self.optimizer, self.metrics = opt, names
        self._fused = self._output_layer_fuses()
        self._compiled = None

    def require_compiled(self, what: str) -> tuple[losses.Loss, optimizers.Optimizer]:
        if self.loss is None or self.optimizer is None:
            raise ValueError(
                f"call model.compile(loss=..., optimizer=...) before {what}"
            )
        return self.loss, self.optimizer

    # -- the forward and backward passes ---------------------------------------------
    def forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        A = X
        for layer in self.layers:
            A = layer.forward(A, training)
        return A

    def _penalty(self) -> float:
        return sum((layer.penalty() for layer in self._regularized), 0.0)

    def loss_value(
        self, Y: np.ndarray, A: np.ndarray, sw: np.ndarray | None = None
    ) -> float:
        """The loss of the last forward pass, whose output was ``A``, with the
        regularization term. A cross-entropy fused with the output activation
        is computed from the logits (the output layer's ``Z``), which stays
        exact where the probabilities round to 0 or 1. ``sw``: sample weights
        scaled to mean 1 over this batch (the loss is then their weighted
        mean)."""
        loss = self.loss
        assert loss is not None
        if sw is not None:
            Z = self.layers[-1].pre_activation if self._fused else None
            value = float(np.dot(sw, loss.per_sample(Y, A, Z))) / A.shape[0]
        elif self._fused:
            value = loss.fused_value(Y, A, self.layers[-1].pre_activation)
        else:
            value = loss(Y, A)
        if self._regularized:
            value += self._penalty()
        return value

    def backward(
        self, Y: np.ndarray, A: np.ndarray, sw: np.ndarray | None = None
    ) -> None:
        """Fill the flat gradient array from the last forward pass (``sw``:
        sample weights of mean 1, scaling each sample's gradient)."""
        loss = self.loss
        assert loss is not None
        layers = self.layers
        last = layers[-1]
        if self._fused:
            # dZ of the output layer, written straight into that layer's buffer
            dZ = loss.fused_gradient(Y, A, out=last.dZ_buffer())
            if sw is not None:
                dZ *= sw[:, None]
            dX = last.backward_dZ(dZ, need_dX=len(layers) > 1)
        else:
            dA = self._buffers.get(A.shape[0], lambda n: {"d": A.shape}, self.dtype)
            grad = loss.gradient(Y, A, out=dA["d"])
            if sw is not None:
                grad *= sw[:, None]
            dX = last.backward(grad, need_dX=len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            dX = layers[i].backward(dX, need_dX=i > 0)  # type: ignore[arg-type]

    def step(
        self, X: np.ndarray, Y: np.ndarray, sw: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """One optimizer step on validated arrays; returns the loss before the
        step and the output activations it was computed from. ``sw``: sample
        weights of mean 1 over the batch, or None.

        Raises DivergenceError (leaving the last finite weights) if the loss is
        not finite.
        """
        opt = self.optimizer
        assert opt is not None
        if self._engine == "numba":
            return self._compiled_step(X, Y, sw, opt)
        A = self.forward(X, True)
        loss = self.loss_value(Y, A, sw)
        if not math.isfinite(loss):
            self.restore_last_finite()
            raise DivergenceError(loss, learning_rate=opt.current_learning_rate())
        np.copyto(self._last_finite, self._flat_params)
        self._last_finite_valid = True
        self.backward(Y, A, sw)
        opt.step(self._flat_list, self._grad_list)
        return loss, A

    def _compiled_plan(self) -> engine_module.CompiledStep:
        if self._compiled is None:
            loss, opt = self.require_compiled("training with engine='numba'")
            engine_module.check_covered(self.layers, loss, opt)
            self._compiled = engine_module.CompiledStep(self.layers, loss, self.dtype)
        return self._compiled

    def _compiled_step(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sw: np.ndarray | None,
        opt: optimizers.Optimizer,
    ) -> tuple[float, np.ndarray]:
        """``step`` with the compiled engine (see :mod:`mlplab.engine`)."""
        loss, A = self._compiled_plan().run(
            X, Y, sw, self._flat_params, self._flat_grads, self._last_finite, opt
        )
        if not math.isfinite(loss):
            self.restore_last_finite()
            raise DivergenceError(loss, learning_rate=opt.current_learning_rate())
        self._last_finite_valid = True
        return loss, A

    def compiled_epochs(
        self, feed: engine_module.EpochFeed, n_epochs: int
    ) -> engine_module.EpochsDone:
        """``n_epochs`` epochs of ``feed``'s data in one call of the compiled
        engine's epoch kernel (see :meth:`mlplab.engine.CompiledStep.epochs`):
        the steps ``step`` would take one by one, with the same bits. A
        non-finite loss stops it where ``step`` would raise; the caller reads
        that in the returned status and calls ``restore_last_finite``."""
        opt = self.optimizer
        assert opt is not None
        done = self._compiled_plan().epochs(
            feed, self._flat_params, self._flat_grads, self._last_finite, opt, n_epochs
        )
        if done.steps:
            self._last_finite_valid = True
        return done

    def restore_last_finite(self) -> None:
        """Put back the last weights that gave a finite loss and drop the
        optimizer's moments, which exploded with them."""
        if self._last_finite_valid:
            np.copyto(self._flat_params, self._last_finite)
        if self.optimizer is not None:
            self.optimizer.reset(keep_iterations=True)

    # -- public training API ------------------------------------------------------
    def loss_and_gradients(
        self, X: Any, y: Any, training: bool = False
    ) -> tuple[float, list[np.ndarray]]:
        """The loss (regularization included) and its gradient with respect to
        every weight, without updating anything.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), or a scipy.sparse matrix
        y : labels or targets (see ``fit``)
        training : bool, default False
            Run layers in training mode (dropout active).

        Returns
        -------
        loss : float
        grads : list of arrays, parallel to ``get_weights()``
        """
        self.require_compiled("loss_and_gradients")
        Xa = self.check_inputs(X)
        Y = self.encode_targets(y, Xa.shape[0])
        if self._engine == "numba" and isinstance(Xa, np.ndarray):
            loss = self._compiled_plan().run(
                Xa,
                Y,
                None,
                self._flat_params,
                self._flat_grads,
                self._last_finite,
                self.optimizer,
                update=False,
            )[0]
        else:
            A = self.forward(Xa, training)
            loss = self.loss_value(Y, A)
            self.backward(Y, A)
        offsets = np.cumsum([0] + [v.size for v in self._param_views])
        return loss, [
            self._flat_grads[offsets[i] : offsets[i + 1]].reshape(v.shape).copy()
            for i, v in enumerate(self._param_views)
        ]

    def train_step(self, X: Any, y: Any) -> float:
        """Exactly one optimizer step on this batch; returns the loss before it."""
        self.require_compiled("train_step")
        Xa = self.check_inputs(X)
        Y = self.encode_targets(y, Xa.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):  # see DivergenceError
            return self.step(Xa, Y)[0]

    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 1,
        batch_size: int | None = None,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        callbacks: Sequence[Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        sample_weight: Any = None,
    ) -> History:
        """Train for ``epochs`` passes over the data.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), or a scipy.sparse matrix
            A sparse ``X`` (CSR, CSC or any format scipy converts to CSR) is
            never densified: the first layer, a ``Dense``, multiplies it as
            sparse, and each batch is a slice of its rows. Validation data
            may be sparse too.
        y : labels or targets
            Sigmoid output: 0/1 labels, shape (n,) or (n, k). Softmax output:
            integer labels (n,) or one-hot (n, k). Otherwise (regression): (n,)
            or (n, k).
        epochs : int
        batch_size : int or None, default None
            ``None``: full-batch gradient descent (one step per epoch); ``1``:
            stochastic; ``k``: mini-batches of ``k`` (the last one may be smaller).
        shuffle : bool, default True
            Reshuffle the samples every epoch (mini-batch and stochastic only).
        validation_data : tuple (X_val, y_val), optional
        validation_split : float in [0, 1), default 0.0
            Hold out this fraction of the samples, taken from the end of
            ``X`` before any shuffling, as validation data.
        callbacks : list of Callback, optional
        verbose : {0, 1, 2}
            1: a tqdm progress bar with the loss; 2: one line per epoch.
        seed : int, optional
            Fixes shuffling and dropout for this call; by default they come from
            the model's seed.
        sample_weight : array of shape (n_samples,), optional
            Non-negative weights: each batch's loss is the weighted mean of its
            samples' losses, ``sum(w_i l_i) / sum(w_i)`` (so weights 2 count a
            sample twice). Reported metrics and the validation loss stay
            unweighted.

        Returns
        -------
        History
            ``history.history["loss"]`` holds one value per epoch (the mean of the
            batch losses, each taken before its update), and likewise each metric
            and, with validation data, ``val_loss`` and ``val_<metric>`` computed
            after the epoch.

        Raises
        ------
        DivergenceError
            If the loss becomes NaN or infinite.
        """
        self.require_compiled("fit")
        epochs = check_epochs(epochs)
        trainer = Trainer(
            self,
            X,
            y,
            batch_size=batch_size,
            shuffle=shuffle,
            validation_data=validation_data,
            validation_split=validation_split,
            callbacks=callbacks,
            verbose=verbose,
            seed=seed,
            sample_weight=sample_weight,
            epochs=epochs,
        )
        return trainer.fit(epochs)

    # -- inference -------------------------------------------------------------------
    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Output-layer activations, shape (n_samples, n_outputs): probabilities
        for sigmoid and softmax outputs. Large inputs are processed in chunks of
        ``batch_size`` rows (default 4096); a scipy.sparse ``X`` stays sparse.
        Inputs so large that the outputs overflow to NaN or infinity raise a
        ``ValueError``."""
        if not self.built:
            if X is None or not hasattr(np.asarray(X), "shape"):
                raise ValueError("the model is not built: call fit() first")
        Xa = self.check_inputs(X)
        # Inputs too large for the weights overflow: one error, not warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            A = self._predict_arrays(Xa, batch_size)
        if not all_finite(A):
            raise ValueError(
                "the predictions overflow to NaN or infinity: X holds values up to "
                f"{_largest_magnitude(Xa):.4g} and the weights up to "
                f"{float(np.abs(self._flat_params).max()):.4g}; scale the inputs as "
                "the training data was scaled"
            )
        return A

    def _forward_chunks(
        self, X: np.ndarray, batch_size: int | None
    ) -> Iterator[tuple[int, int, np.ndarray]]:
        """Inference forward passes over ``X`` in chunks of ``batch_size`` rows
        (default 4096): yields ``(start, end, A)``, ``A`` a reused buffer."""
        chunk = (
            _PREDICT_CHUNK
            if batch_size is None
            else check_positive("batch_size", batch_size, integer=True)
        )
        n = X.shape[0]
        for start in range(0, n, chunk):
            end = min(start + chunk, n)
            yield start, end, self.forward(X[start:end], False)

    def _predict_arrays(
        self, X: np.ndarray, batch_size: int | None = None
    ) -> np.ndarray:
        n = X.shape[0]
        assert self.output_dim is not None
        out = None
        with self._infer_lock:
            for start, end, A in self._forward_chunks(X, batch_size):
                if end - start == n:
                    return A.copy()
                if out is None:
                    out = np.empty((n, self.output_dim), dtype=self.dtype)
                out[start:end] = A
        assert out is not None
        return out

    def layer_outputs(self, X: Any) -> list[np.ndarray]:
        """The output of every layer for ``X`` (inference mode), in order:
        ``[A1, A2, ..., output]``, each of shape (n_samples, units) and a copy.

        >>> import numpy as np
        >>> import mlplab as ml
        >>> m = ml.Sequential([ml.Dense(3, activation="tanh"), ml.Dense(1)],
        ...                   input_dim=2, seed=0)
        >>> [A.shape for A in m.layer_outputs(np.zeros((4, 2)))]
        [(4, 3), (4, 1)]
        """
        if not self.built:
            raise ValueError("the model is not built: call fit() first")
        A = self.check_inputs(X)
        outputs = []
        with self._infer_lock:
            for layer in self.layers:
                A = layer.forward(A, False)
                outputs.append(np.array(A, order="C"))
        return outputs

    def predict_classes(self, X: Any) -> np.ndarray:
        """Predicted class labels: ``argmax`` for softmax outputs, ``p >= 0.5``
        for sigmoid outputs (shape (n,) for one output unit)."""
        A = self.predict(X)
        return self.output_labels(A)

    def output_labels(self, A: np.ndarray) -> np.ndarray:
        task = self.task
        if task == "multiclass":
            return A.argmax(axis=1)
        if task == "binary":
            labels = (A >= 0.5).astype(np.int64)
            return labels.ravel() if labels.shape[1] == 1 else labels
        raise ValueError(
            "class predictions need a sigmoid or softmax output; this model's output "
            f"activation is {self.output_activation.name!r}"
        )

    def evaluate(
        self, X: Any, y: Any, batch_size: int | None = None, sample_weight: Any = None
    ) -> dict[str, float]:
        """The loss (regularization included; with ``sample_weight``, the
        weighted mean over samples) and each compiled metric on (X, y).

        Inputs or weights so large that the outputs or the loss overflow give
        a loss of ``inf`` or NaN, without warnings: the loss measures how bad
        the model is, also then (``fit`` turns a non-finite validation loss
        into a ``DivergenceError``; ``predict`` raises a ``ValueError``, since
        it has nothing meaningful to return)."""
        self.require_compiled("evaluate")
        Xa = self.check_inputs(X)
        Y = self.encode_targets(y, Xa.shape[0])
        sw = (
            None
            if sample_weight is None
            else check_sample_weight(sample_weight, Xa.shape[0], self.dtype)
        )
        return self.evaluate_arrays(Xa, Y, batch_size, sw)

    def evaluate_arrays(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        batch_size: int | None = None,
        sw: np.ndarray | None = None,
    ) -> dict[str, float]:
        """``evaluate`` on checked arrays (overflow: a non-finite loss, quietly)."""
        n = X.shape[0]
        assert self.output_dim is not None
        A = np.empty((n, self.output_dim), dtype=self.dtype, order="F")
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            with self._infer_lock:
                for start, end, Ac in self._forward_chunks(X, batch_size):
                    A[start:end] = Ac
                    swc = None if sw is None else sw[start:end]
                    total += self.loss_value(Y[start:end], Ac, swc) * (end - start)
            logs = {"loss": total / n}  # the penalty is in each chunk's value
            for m in self.metrics:
                logs[m] = output_metric(m, Y, A, self.task)
        return logs

    # -- weights -------------------------------------------------------------------
    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"the model is not built, so it has no weights yet: give input_dim "
                f"to Sequential(...) or call fit() before {what}"
            )

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, ``[W1, b1, W2, b2, ...]``; ``W`` has shape
        ``(n_in, n_out)`` and ``Z = X @ W + b``."""
        self._require_built("get_weights()")
        return [v.copy() for v in self._param_views]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights, given in the order and shapes of
        ``get_weights()``."""
        self._require_built("set_weights()")
        views = self._param_views
        if not isinstance(weights, list | tuple) or len(weights) != len(views):
            got = len(weights) if isinstance(weights, list | tuple) else repr(weights)
            raise ValueError(
                f"set_weights needs a list of {len(views)} arrays "
                f"({', '.join(self._param_names)}); received {got}"
            )
        arrays = []
        for name, view, w in zip(self._param_names, views, weights, strict=True):
            arr = np.asarray(w)
            if arr.shape != view.shape:
                raise ValueError(
                    f"weight {name} must have shape {view.shape}; received {arr.shape}"
                )
            if not np.issubdtype(arr.dtype, np.number):
                raise TypeError(
                    f"weight {name} must hold numbers; received dtype {arr.dtype}"
                )
            with np.errstate(over="ignore"):  # too large for float32: inf, refused
                arr = arr.astype(self.dtype)
            if not np.isfinite(arr).all():
                raise ValueError(
                    f"weight {name} must be finite; received "
                    f"{int((~np.isfinite(arr)).sum())} NaN or infinite values"
                )
            arrays.append(arr)
        for view, arr in zip(views, arrays, strict=True):
            view[...] = arr
        self._last_finite_valid = False

    @property
    def weight_names(self) -> list[str]:
        """Names of the arrays of ``get_weights()``, e.g. ``"dense/W"``."""
        self._require_built("weight_names")
        return list(self._param_names)

    def count_params(self) -> int:
        self._require_built("count_params()")
        return int(self._flat_params.size)

    # -- description -----------------------------------------------------------------
    def summary(self, print_fn: Any = print) -> None:
        """Print the layers, their output shapes and parameter counts."""
        rows = [("Layer (type)", "Activation", "Output shape", "Params")]
        for layer in self.layers:
            act = getattr(layer, "activation", None)
            out = f"(None, {layer.output_dim})" if layer.built else "?"
            n = sum(p.size for p in layer.params.values()) if layer.built else "?"
            rows.append(
                (
                    f"{layer.name or '?'} ({type(layer).__name__})",
                    act.name if act is not None else "",
                    out,
                    str(n),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        text = [f'Model: "{self.name}"', line]
        for i, r in enumerate(rows):
            text.append(
                "  ".join(
                    c.rjust(w) if j == 3 else c.ljust(w)
                    for j, (c, w) in enumerate(zip(r, widths, strict=True))
                ).rstrip()
            )
            if i == 0:
                text.append(line)
        text.append(line)
        total = self.count_params() if self.built else "? (not built)"
        text.append(f"Total params: {total}")
        print_fn("\n".join(text))

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input_dim": self.input_dim,
            "seed": self.seed,
            "dtype": self.dtype.name,
            "engine": self._engine,
            "layers": [layer.get_config() for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """A new, untrained model with the architecture of ``config``.

        A config with ``engine="numba"`` read where Numba is not installed
        gives a model with the NumPy engine, with a warning (the two engines
        train the same model)."""
        engine = config.get("engine", "numpy")
        if engine == "numba" and not engine_module.numba_available():
            warnings.warn(
                "this model was saved with engine='numba', but Numba is not "
                "installed: it uses engine='numpy' (pip install mlplab[fast] "
                "for the compiled engine)",
                UserWarning,
                stacklevel=2,
            )
            engine = "numpy"
        return cls(
            [deserialize(c) for c in config["layers"]],
            input_dim=config.get("input_dim"),
            seed=config.get("seed"),
            dtype=config.get("dtype", "float64"),
            name=config.get("name", "sequential"),
            engine=engine,
        )

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{layers}], input_dim={self.input_dim})"


def _largest_magnitude(X: Any) -> float:
    """The largest absolute value in ``X``, an array or a scipy.sparse matrix
    (whose stored values are read, without densifying it)."""
    values = X.data if is_sparse(X) else X
    return float(np.abs(values).max(initial=0.0))
