"""One training step, node by node: every value, local derivative, upstream
gradient and update of the learner's own network, with the formulas.

:func:`trace` takes ``steps`` real training steps of a compiled model (the
model ends exactly as ``train_step`` would leave it) and records, for each
step and each layer, its input ``X``, ``Z``, ``A``, the upstream gradient
``dA``, ``dZ``, the weight gradients ``dW`` and ``db``, and the weights
before (``W``, ``b``) and after (``W_new``, ``b_new``) the update. The
forward and backward values are recomputed from the weights before the step
with the textbook formulas (``Z = X·W + b``, ``dW = Xᵀ·dZ``, ...); ``dW`` and
``db`` are the gradients the optimizer used. The renderings write each
component's formula as it carries it: an activation's ``derivative_text``, the
loss's ``formula_text`` (and ``fused_gradient_text``), or, where it carries
none, its name (``softsign'(Z)``, ``L = my_loss(Y, A)``).

>>> import numpy as np
>>> import mlplab as ml
>>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
>>> model.set_weights([np.array([[0.1], [0.6]]), np.array([0.0])])
>>> model.compile("binary_crossentropy", ml.SGD(learning_rate=1.0))
>>> t = trace(model, [[1.0, 1.0]], [1])
>>> round(float(t.layers[0]["Z"][0, 0]), 3), round(t.loss_before, 4)
(0.7, 0.4032)
>>> print(t.to_text().splitlines()[0])
Step 1 of 1: 1 example, SGD, learning rate 1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .layers import Activation, Dense, Dropout, Layer
from .losses import Loss
from .model import Sequential

__all__ = ["Step", "Trace", "trace"]

# How the walkthrough names the built-in optimizers.
_OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


@dataclass
class Step:
    """One recorded training step.

    Attributes
    ----------
    loss_before, loss_after : float
        The loss on the batch before the update (the one the gradients belong
        to) and after it (inference mode, regularization included).
    learning_rate : float
        The learning rate of this step.
    X, Y : arrays
        The batch: inputs (n, d) and encoded targets (n, k).
    layers : list of dict
        One mapping per model layer. Every layer has ``"X"`` (its input),
        ``"A"`` (its output), ``"dA"`` (the gradient of the loss with respect
        to ``A``) and, except the first, ``"dX"``; a Dense layer also ``"Z"``,
        ``"dZ"``, ``"W"``, ``"b"``, ``"dW"``, ``"db"``, ``"W_new"``, ``"b_new"``
        (``b`` arrays are empty without a bias; ``dW`` and ``db`` are the
        gradients the optimizer used, after ``clipnorm`` if set); an
        Activation layer ``"Z"`` and ``"dZ"``; a Dropout layer its ``"mask"``.
        The output layer's ``dA`` is dL/dA as the formula gives it (infinite
        where a sigmoid output saturated), shown for completeness: with a
        fused loss the step starts from ``dZ = (A − Y)/n``.
    """

    loss_before: float
    loss_after: float
    learning_rate: float
    X: np.ndarray
    Y: np.ndarray
    layers: list[dict[str, np.ndarray]]


@dataclass(frozen=True)
class _Formulas:
    """The formulas the traced model's components carry for the walkthrough
    (``Loss.formula_text``, ``Loss.fused_gradient_text`` and each layer's
    ``ActivationFunction.derivative_text``); ``None`` where a component
    carries none, and the walkthrough writes its name instead."""

    loss: str | None = None
    fused_gradient: str = Loss.fused_gradient_text
    derivatives: tuple[str | None, ...] = ()  # one per layer

    @classmethod
    def of(cls, model: Sequential, loss: Loss) -> _Formulas:
        activations = [getattr(layer, "activation", None) for layer in model.layers]
        return cls(
            loss.formula_text,
            loss.fused_gradient_text,
            tuple(getattr(act, "derivative_text", None) for act in activations),
        )

    def loss_text(self, name: str) -> str:
        """The loss's formula; ``name`` is the loss's name."""
        return self.loss if self.loss is not None else f"L = {name}(Y, A)"

    def derivative(self, i: int, act: str) -> str:
        """The derivative of layer ``i``'s activation, in ``Z`` and ``A``;
        ``act`` is the activation's name."""
        text = self.derivatives[i] if i < len(self.derivatives) else None
        return text if text is not None else f"{act}'(Z)"


@dataclass
class Trace:
    """The record of :func:`trace`. ``loss_before``, ``loss_after`` and
    ``layers`` are the first step's; ``steps[k]`` holds each step."""

    steps: list[Step]
    info: list[dict[str, Any]] = field(repr=False)  # per layer: kind, name, ...
    loss_name: str = ""
    fused: bool = False
    optimizer: dict[str, Any] = field(default_factory=dict)
    # The texts of the renderings' formulas (to_dict leaves them out).
    _formulas: _Formulas = field(default_factory=_Formulas, repr=False, compare=False)

    @property
    def loss_before(self) -> float:
        return self.steps[0].loss_before

    @property
    def loss_after(self) -> float:
        return self.steps[0].loss_after

    @property
    def layers(self) -> list[dict[str, np.ndarray]]:
        return self.steps[0].layers

    # -- renderings -------------------------------------------------------------
    def to_text(self, decimals: int = 3, max_rows: int = 6) -> str:
        """A walkthrough: each formula in symbols, then with its numbers (rounded
        to ``decimals``; at most ``max_rows`` rows of a matrix shown), with shapes."""
        return _Text(self, decimals, max_rows, markdown=False).render()

    def to_markdown(self, decimals: int = 3, max_rows: int = 6) -> str:
        """The same walkthrough as Markdown, matrices as tables."""
        return _Text(self, decimals, max_rows, markdown=True).render()

    def to_dict(self) -> dict[str, Any]:
        """Everything at full precision, JSON-serializable (arrays as nested
        lists; a non-finite value, such as ``dA`` of a saturated output, as
        ``None``)."""
        return {
            "loss": self.loss_name,
            "fused_output_gradient": self.fused,
            "optimizer": self.optimizer,
            "layers": self.info,
            "steps": [
                {
                    "loss_before": _json_number(s.loss_before),
                    "loss_after": _json_number(s.loss_after),
                    "learning_rate": s.learning_rate,
                    "X": _json_array(s.X),
                    "Y": _json_array(s.Y),
                    "layers": [
                        {k: _json_array(v) for k, v in layer.items()}
                        for layer in s.layers
                    ],
                }
                for s in self.steps
            ],
        }


def _json_number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _json_array(a: np.ndarray) -> Any:
    arr = np.asarray(a, dtype=np.float64)
    if np.isfinite(arr).all():
        return arr.tolist()
    if arr.ndim == 0:
        return None
    return [_json_array(r) for r in arr]


# -- recording ----------------------------------------------------------------
def trace(model: Sequential, X: Any, y: Any, steps: int = 1) -> Trace:
    """Take ``steps`` training steps of ``model`` on the batch ``(X, y)`` and
    record each, node by node.

    Parameters
    ----------
    model : Sequential
        A compiled model; it is trained by this call, exactly as ``steps``
        calls of ``model.train_step(X, y)`` would train it.
    X : array of shape (n_samples, n_features)
        The batch: one example or many.
    y : labels or targets, as for ``fit``
    steps : int, default 1

    Returns
    -------
    Trace
    """
    loss_fn, opt = model.require_compiled("explain.trace")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer; received steps={steps!r}")
    Xa = model.check_inputs(X)
    Y = model.encode_targets(y, Xa.shape[0])
    records = []
    for _ in range(steps):
        before = [
            {k: v.copy() for k, v in layer.params.items()} for layer in model.layers
        ]
        lr = opt.current_learning_rate()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss_before = model.step(Xa, Y)[0]
            layers = _forward(model, Xa, before)
            _backward(model, loss_fn, Y, layers)
            loss_after = model.loss_value(Y, model.forward(Xa, False))
        records.append(
            Step(
                float(loss_before),
                float(loss_after),
                float(lr),
                Xa.copy(),
                np.array(Y, order="C"),
                layers,
            )
        )
    info = [_describe(layer) for layer in model.layers]
    formulas = _Formulas.of(model, loss_fn)
    return Trace(records, info, loss_fn.name, model.fused, opt.get_config(), formulas)


def _clip_scale(model: Sequential) -> float:
    """The factor the optimizer's ``clipnorm`` scaled this step's gradients
    by (1 without clipping), so that ``dW`` is the gradient it used."""
    opt = model.optimizer
    clipnorm = getattr(opt, "clipnorm", None)
    if clipnorm is None:
        return 1.0
    norm = float(np.linalg.norm(model.flat_grads))
    return clipnorm / norm if norm > clipnorm else 1.0


def _describe(layer: Layer) -> dict[str, Any]:
    act = getattr(layer, "activation", None)
    out: dict[str, Any] = {
        "name": layer.name,
        "kind": type(layer).__name__,
        "inputs": layer.input_dim,
        "units": layer.output_dim,
    }
    if act is not None:
        out["activation"] = act.name
        out["activation_config"] = act.get_config()
    return out


def _forward(
    model: Sequential, X: np.ndarray, before: list[dict[str, np.ndarray]]
) -> list[dict[str, np.ndarray]]:
    """The step's forward pass, layer by layer, recomputed from the weights
    before it by the textbook formulas: each layer's ``X`` and ``A``, and
    ``W``, ``b``, ``Z`` or a dropout ``mask``."""
    recs: list[dict[str, np.ndarray]] = []
    A = X.copy()  # the record keeps its own copy of the caller's batch
    for layer, params in zip(model.layers, before, strict=True):
        rec: dict[str, np.ndarray] = {"X": A}
        if isinstance(layer, Dense):
            W = params["W"]
            b = params.get("b", np.zeros(0, dtype=W.dtype))
            Z = A @ W + (b if b.size else 0.0)  # Z = X·W + b
            rec.update(W=W, b=b, Z=Z)
            A = layer.activation.forward(Z.copy())
        elif isinstance(layer, Activation):
            rec["Z"] = A
            A = layer.activation.forward(A.copy())
        elif isinstance(layer, Dropout):
            mask = layer.mask
            if mask is not None:
                rec["mask"] = mask.copy()
                A = A * mask
        else:  # Features, Rescaling, a user's layer: its own forward
            A = np.array(layer.forward(A, True), order="C")
        rec["A"] = np.asarray(A)
        recs.append(rec)
    return recs


def _backward(
    model: Sequential, loss: Loss, Y: np.ndarray, recs: list[dict[str, np.ndarray]]
) -> None:
    """Add the step's backward pass to the records of :func:`_forward`: each
    layer's ``dA``, ``dZ`` and ``dX`` by the textbook formulas; ``dW``,
    ``db`` and the new weights from the model."""
    clip = _clip_scale(model)
    out = recs[-1]["A"]
    # dL/dA of the output. With a fused loss it is only shown, as its formula
    # gives it (infinite where a sigmoid output saturated): the step used
    # dZ = (A − Y)/n.
    dA = loss.unfused_gradient(Y, out) if model.fused else loss.gradient(Y, out)
    dZ_fused = loss.fused_gradient(Y, out) if model.fused else None
    for i in range(len(model.layers) - 1, -1, -1):
        layer, rec = model.layers[i], recs[i]
        rec["dA"] = dA
        if isinstance(layer, Dense | Activation):
            if dZ_fused is not None and i == len(model.layers) - 1:
                dZ = dZ_fused  # (A − Y)/n, the loss and its activation together
            else:
                dZ = layer.activation.backward(dA, rec["Z"], rec["A"])
            rec["dZ"] = np.array(dZ)
            if isinstance(layer, Dense):
                _record_update(layer, rec, clip)
                dX = rec["dZ"] @ rec["W"].T  # dX = dZ·Wᵀ
            else:
                dX = rec["dZ"]
        elif isinstance(layer, Dropout):
            dX = dA * rec["mask"] if "mask" in rec else dA
        else:
            layer.forward(rec["X"], True)  # its state for this input
            back = layer.backward(dA, need_dX=True)
            dX = np.array(back) if back is not None else np.zeros_like(rec["X"])
        if i > 0:
            rec["dX"] = np.array(dX)
        dA = dX


def _record_update(layer: Dense, rec: dict[str, np.ndarray], clip: float) -> None:
    """A Dense layer's gradients as the optimizer used them (``clip``: the
    ``clipnorm`` factor) and its weights after the step."""
    dtype = rec["W"].dtype
    grads, params = layer.grads, layer.params
    rec["dW"] = grads["W"] * clip
    rec["db"] = grads["b"] * clip if "b" in grads else np.zeros(0, dtype=dtype)
    rec["W_new"] = params["W"].copy()
    rec["b_new"] = params["b"].copy() if "b" in params else np.zeros(0, dtype=dtype)


# -- rendering ----------------------------------------------------------------
def _of_layer(formula: str, L: int) -> str:
    """A formula in ``Z`` and ``A`` written for layer ``L`` (``Z1``, ``A1``)."""
    return formula.replace("A", f"A{L}").replace("Z", f"Z{L}")


class _Text:
    def __init__(self, t: Trace, decimals: int, max_rows: int, markdown: bool) -> None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
            raise ValueError(f"decimals must be an integer >= 0; received {decimals!r}")
        self.t, self.d, self.rows, self.md = t, decimals, max(1, max_rows), markdown
        self.out: list[str] = []
        self.dense = [i for i, info in enumerate(t.info) if info["kind"] == "Dense"]
        self.number = {i: j + 1 for j, i in enumerate(self.dense)}  # Dense: 1, 2, ...

    # small writers
    def line(self, text: str = "", indent: int = 0) -> None:
        self.out.append(("  " * indent + text) if text else "")

    def heading(self, text: str, level: int) -> None:
        if self.md:
            self.out += ["", "#" * level + " " + text, ""]
        else:
            self.out += ([""] if level > 1 else []) + [text]

    def formula(self, text: str, indent: int = 1) -> None:
        self.line(f"`{text}`" if self.md else text, indent)

    def num(self, x: float) -> str:
        # A Python float: NumPy's round would overflow near the float maximum.
        x = float(x)
        if not math.isfinite(x):
            return str(x)
        if abs(x) >= 1e15:  # fixed point would print up to 309 digits
            return f"{x:.{self.d}e}"
        x = round(x, self.d) + 0.0  # no "-0.000"
        return f"{x:.{self.d}f}"

    def matrix(self, name: str, M: np.ndarray, indent: int = 2) -> None:
        M = np.asarray(M)
        shape = "×".join(str(s) for s in M.shape) or "scalar"
        if M.ndim == 1:
            M = M.reshape(1, -1)
        if self.md:
            self.out.append("")
            self.out.append(f"**{name}** ({shape})")
            self.out.append("")
            cols = M.shape[1]
            self.out.append("| | " + " | ".join(f"{j + 1}" for j in range(cols)) + " |")
            self.out.append("|---|" + "---:|" * cols)
            for i, row in enumerate(M[: self.rows]):
                self.out.append(
                    f"| {i + 1} | " + " | ".join(self.num(v) for v in row) + " |"
                )
            if M.shape[0] > self.rows:
                self.out.append(f"| … | {M.shape[0] - self.rows} more rows |")
            self.out.append("")
            return
        rows = [
            " ".join(f"{self.num(v):>{self.d + 4}}" for v in r) for r in M[: self.rows]
        ]
        pad = " " * (len(name) + 3)
        for i, r in enumerate(rows):
            prefix = f"{name} = " if i == 0 else pad
            self.line(f"{prefix}[{r}]", indent)
        if M.shape[0] > self.rows:
            self.line(f"{pad}… {M.shape[0] - self.rows} more rows ({shape})", indent)

    # the walkthrough
    def render(self) -> str:
        t = self.t
        # Huge weights or steps: the products shown (per-example outer
        # products) may overflow, and are then shown as inf or nan.
        with np.errstate(over="ignore", invalid="ignore"):
            for k, step in enumerate(t.steps):
                self.step(k, step)
        return "\n".join(self.out).strip("\n") + "\n"

    def step(self, k: int, s: Step) -> None:
        n = s.X.shape[0]
        opt = self.t.optimizer.get("name", "optimizer")
        title = (
            f"Step {k + 1} of {len(self.t.steps)}: {n} example{'s' * (n != 1)}, "
            f"{_OPTIMIZER_NAMES.get(opt, opt)}, learning rate {s.learning_rate:g}"
        )
        self.heading(title, 1 if k == 0 and not self.md else 2)
        inputs = self.forward_pass(s)
        self.loss(s)
        self.backward_pass(s, inputs)
        self.update(s)
        self.line()
        self.line(
            f"Loss after the step: {self.num(s.loss_after)} "
            f"(before: {self.num(s.loss_before)})"
        )

    def forward_pass(self, s: Step) -> list[str]:
        """Write the forward pass; return the name of each layer's input."""
        self.heading("Forward pass", 3)
        prev = "X"
        inputs: list[str] = []
        for i, (info, rec) in enumerate(zip(self.t.info, s.layers, strict=True)):
            inputs.append(prev)
            if info["kind"] == "Dense":
                prev = self.dense_forward(i, info, rec, prev)
                continue
            self.line(
                f"{info['kind']} layer '{info['name']}': {rec['X'].shape} → "
                f"{rec['A'].shape}",
                1,
            )
            if "mask" in rec:
                self.formula(
                    "A = X ⊙ mask   (inverted dropout: kept units "
                    "scaled by 1/(1 − rate))",
                    2,
                )
            self.matrix("out", rec["A"], 3)
            prev = f"({info['name']})"
        return inputs

    def dense_forward(
        self, i: int, info: dict[str, Any], rec: dict[str, np.ndarray], prev: str
    ) -> str:
        """Write Dense layer ``i``'s ``Z`` and ``A`` from its input ``prev``;
        return the name of its output."""
        L = self.number[i]
        act = info.get("activation", "linear")
        shape_x, shape_w = rec["X"].shape, rec["W"].shape
        self.line(f"Layer {L}: Dense {shape_w[0]} → {shape_w[1]}, {act}", 1)
        b = " + b" + str(L) if rec["b"].size else ""
        self.formula(
            f"Z{L} = {prev}·W{L}{b}    {shape_x}·{shape_w}"
            + (f" + ({rec['b'].size},)" if rec["b"].size else "")
            + f" → {rec['Z'].shape}",
            2,
        )
        if i == 0 or self.t.info[i - 1]["kind"] != "Dense":
            self.matrix(prev, rec["X"], 3)
        self.matrix(f"W{L}", rec["W"], 3)
        if rec["b"].size:
            self.matrix(f"b{L}", rec["b"], 3)
        self.matrix(f"Z{L}", rec["Z"], 3)
        self.formula(f"A{L} = {act}(Z{L})", 2)
        self.matrix(f"A{L}", rec["A"], 3)
        return f"A{L}"

    def loss(self, s: Step) -> None:
        self.heading("Loss", 3)
        self.formula(self.t._formulas.loss_text(self.t.loss_name), 1)
        self.matrix("Y", s.Y, 2)
        self.matrix("A", s.layers[-1]["A"], 2)
        self.line(f"L = {self.num(s.loss_before)}   (regularization included)", 2)

    def backward_pass(self, s: Step, inputs: list[str]) -> None:
        """Write the backward pass; ``inputs`` names each layer's input."""
        self.heading("Backward pass", 3)
        last = len(self.t.info) - 1
        for i in range(last, -1, -1):
            info, rec = self.t.info[i], s.layers[i]
            if info["kind"] == "Dense":
                self.dense_backward(i, info, rec, inputs[i], i == last)
            elif "dX" in rec:
                self.line(
                    f"{info['kind']} layer '{info['name']}': passes the "
                    "gradient back through its own derivative",
                    1,
                )
                self.matrix("dX", rec["dX"], 3)

    def dense_backward(
        self,
        i: int,
        info: dict[str, Any],
        rec: dict[str, np.ndarray],
        inp: str,
        last: bool,
    ) -> None:
        """Write Dense layer ``i``'s ``dZ``, ``dW``, ``db`` and ``dX``; ``inp``
        names its input, ``last`` says whether it is the output layer."""
        L = self.number[i]
        act = info.get("activation", "linear")
        self.line(f"Layer {L} ({act})", 1)
        self.pre_activation_gradient(i, L, act, rec, last)
        self.weight_gradient(L, rec, inp)
        if rec["b"].size:
            self.formula(
                f"db{L} = Σᵢ dZ{L}ᵢ   (the sum of dZ{L}'s rows: each "
                "example's dz, added)",
                2,
            )
            self.matrix(f"db{L}", rec["db"], 3)
        if "dX" in rec:
            back = "dX" if inp == "X" else "d" + inp
            self.formula(
                f"{back} = dZ{L}·W{L}ᵀ    "
                f"{rec['dZ'].shape}·{rec['W'].T.shape} → "
                f"{rec['dX'].shape}",
                2,
            )
            self.matrix(back, rec["dX"], 3)

    def pre_activation_gradient(
        self, i: int, L: int, act: str, rec: dict[str, np.ndarray], last: bool
    ) -> None:
        """Write ``dZ`` of Dense layer ``i`` (number ``L``, activation
        ``act``): fused with the loss on the output layer, else by the chain
        rule through the activation's derivative."""
        t = self.t
        if last and t.fused:
            self.formula(
                f"dZ{L} = {_of_layer(t._formulas.fused_gradient, L)}    "
                f"({t.loss_name} and {act} differentiated together)",
                2,
            )
        else:
            upstream = "dL/dA" if last else f"dA{L}"
            deriv = _of_layer(t._formulas.derivative(i, act), L)
            self.formula(
                f"dZ{L} = {upstream} ⊙ {act}'(Z{L}) = {upstream} ⊙ ({deriv})", 2
            )
            self.matrix(upstream, rec["dA"], 3)
        self.matrix(f"dZ{L}", rec["dZ"], 3)

    def weight_gradient(self, L: int, rec: dict[str, np.ndarray], inp: str) -> None:
        """Write ``dW`` of Dense layer ``L`` from its input ``inp``, with the
        first examples' outer products when the batch has several."""
        n = rec["X"].shape[0]
        self.formula(
            f"dW{L} = {inp}ᵀ·dZ{L}    {rec['X'].T.shape}·{rec['dZ'].shape}"
            f" → {rec['dW'].shape}",
            2,
        )
        if n > 1:
            self.line(
                f"(per example: each example i adds {inp}ᵢᵀ·dZ{L}ᵢ, "
                "the outer product of its input row and its dZ row; "
                "the product sums them)",
                3,
            )
            for e in range(min(n, 2)):
                outer = np.outer(rec["X"][e], rec["dZ"][e])
                self.matrix(f"example {e + 1}", outer, 4)
        self.matrix(f"dW{L}", rec["dW"], 3)

    def update(self, s: Step) -> None:
        """Write the update of every Dense layer's weights."""
        opt = self.t.optimizer
        self.heading("Update", 3)
        plain = opt.get("name") == "sgd" and not opt.get("momentum")
        if opt.get("clipnorm") is not None:
            self.line(
                f"(clipnorm {opt['clipnorm']:g}: dW and db above are the "
                "gradients after clipping, as the update used them)",
                1,
            )
        for i in self.dense:
            L, rec = self.number[i], s.layers[i]
            rule = (
                f"W{L} ← W{L} − η·dW{L}"
                if plain
                else f"W{L} ← {opt.get('name')} update from dW{L}"
            )
            self.formula(rule + f"    (η = {s.learning_rate:g})", 1)
            self.matrix(f"W{L}", rec["W_new"], 2)
            if rec["b"].size:
                self.matrix(f"b{L}", rec["b_new"], 2)
