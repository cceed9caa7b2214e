"""Hand-written NumPy training loops: the bar mlplab's engine is measured against.

The same math as mlplab's ``Sequential.fit`` -- the same initial weights, the
same batch order (one ``rng.permutation`` per epoch from the same seed), the
same loss formulas, the same optimizer updates -- written the way one writes
the fastest loop for a known network by hand, with no framework around it:

* features x samples layout (``Zt = Wt @ Xt``), so bias adds and sums over
  samples run along contiguous rows; a full batch is transposed once, while
  mini-batches are gathered as rows (a compact block) and used transposed;
* every buffer preallocated and written with ``out=``; activations computed in
  place over their pre-activations;
* sums over samples as products with a vector of ones;
* all weights in one flat array and all gradients in another, so an optimizer
  step is a few calls whatever the depth.

Only what the benchmarks need is here: tanh / sigmoid / relu hidden units;
a sigmoid output with binary cross-entropy or a softmax output with
categorical cross-entropy; SGD (with momentum) and Adam.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["matmul_floor", "train"]

_LOG_MAX = {"d": np.float64(709.782712893384), "f": np.float32(88.72283)}


def _hidden(name: str, Z: np.ndarray, mask: np.ndarray) -> None:
    """A = f(Z), in place."""
    if name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "relu":
        np.maximum(Z, 0.0, out=Z)
    elif name == "sigmoid":  # exp capped where it would overflow, as mlplab's
        np.negative(Z, out=Z)
        np.minimum(Z, _LOG_MAX[Z.dtype.char], out=Z)
        np.exp(Z, out=Z)
        Z += 1.0
        np.reciprocal(Z, out=Z)
    else:
        raise ValueError(f"unknown activation {name!r}")


def _hidden_backward(name: str, A: np.ndarray, dA: np.ndarray, tmp: np.ndarray):
    """dA *= f'(Z), from the activations A, in place."""
    if name == "tanh":
        np.multiply(A, A, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
    elif name == "relu":
        np.greater(A, 0.0, out=tmp)
    else:  # sigmoid
        np.subtract(1.0, A, out=tmp)
        tmp *= A
    dA *= tmp


def train(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    hidden: Sequence[str],
    *,
    optimizer: str = "sgd",
    learning_rate: float = 0.01,
    momentum: float = 0.0,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    epochs: int = 1,
    batch_size: int | None = None,
    seed: int | None = None,
) -> tuple[list[np.ndarray], list[float]]:
    """Train and return ``(weights, loss per epoch)``.

    ``X`` is (n, d); ``Y`` is (n, k) of 0/1 targets (k = 1: sigmoid output and
    binary cross-entropy; k > 1: softmax and categorical cross-entropy);
    ``weights`` is ``[W1, b1, W2, b2, ...]`` with ``W`` of shape (n_in, n_out)
    as in ``Sequential.get_weights()``. Shuffles with
    ``np.random.default_rng(seed).permutation(n)`` every epoch when
    ``batch_size`` is below n, as ``Sequential.fit(seed=seed)`` does.
    """
    dtype = X.dtype
    n = X.shape[0]
    bs = n if batch_size is None else min(batch_size, n)
    n_layers = len(weights) // 2
    sizes = [weights[2 * i].shape[1] for i in range(n_layers)]
    k = sizes[-1]
    # Flat weights and gradients; W is kept transposed, (n_out, n_in).
    shapes = []
    for i in range(n_layers):
        shapes += [weights[2 * i].T.shape, (sizes[i], 1)]
    total = sum(int(np.prod(s)) for s in shapes)
    theta = np.empty(total, dtype=dtype)
    grad = np.zeros(total, dtype=dtype)
    views, gviews, off = [], [], 0
    for s in shapes:
        size = int(np.prod(s))
        views.append(theta[off : off + size].reshape(s))
        gviews.append(grad[off : off + size].reshape(s))
        off += size
    for i in range(n_layers):
        views[2 * i][...] = weights[2 * i].T
        views[2 * i + 1][...] = weights[2 * i + 1].reshape(-1, 1)
    Ws, bs_ = views[0::2], views[1::2]
    dWs, dbs = gviews[0::2], gviews[1::2]

    X = np.ascontiguousarray(X)
    XT = np.ascontiguousarray(X.T) if bs == n else None  # (d, n)
    YT = np.ascontiguousarray(Y.T, dtype=dtype)  # (k, n)
    tiny = np.finfo(dtype).tiny
    buffers: dict[int, dict[str, list[np.ndarray]]] = {}

    def bufs(m: int) -> dict[str, list[np.ndarray]]:
        if m not in buffers:
            buffers[m] = {
                "Z": [np.empty((u, m), dtype) for u in sizes],
                "dA": [np.empty((u, m), dtype) for u in sizes],
                "tmp": [np.empty((u, m), dtype) for u in sizes],
                "ones": [np.ones((m, 1), dtype)],
                "X": [np.empty((m, X.shape[1]), dtype)],
                "YT": [np.empty((k, m), dtype)],
                "col": [np.empty((1, m), dtype)],
            }
        return buffers[m]

    tmp_flat = np.empty_like(theta)
    vel = np.zeros_like(theta)
    m1 = np.zeros_like(theta)
    m2 = np.zeros_like(theta)
    t = 0

    def step(Xb: np.ndarray, Yb: np.ndarray) -> float:
        nonlocal t, theta, tmp_flat, vel, m1, m2  # updated in place
        m = Xb.shape[1]
        B = bufs(m)
        Zs, dAs, tmps, ones = B["Z"], B["dA"], B["tmp"], B["ones"][0]
        # forward: Z = W A_prev + b; hidden activations in place
        A_prev = Xb
        for i in range(n_layers):
            Z = Zs[i]
            np.dot(Ws[i], A_prev, out=Z)
            Z += bs_[i]
            if i < n_layers - 1:
                _hidden(hidden[i], Z, tmps[i])
            A_prev = Z
        Z, tmp = Zs[-1], tmps[-1]
        if k == 1:  # sigmoid + binary cross-entropy: -log a + (1 - y) z
            loss = float(np.add.reduce(Z, axis=None)) - float(np.vdot(Yb, Z))
            _hidden("sigmoid", Z, tmp)
            loss -= float(np.add.reduce(np.log(Z, out=tmp), axis=None))
        else:  # softmax + categorical cross-entropy
            col = B["col"][0]
            np.max(Z, axis=0, keepdims=True, out=col)
            Z -= col
            np.exp(Z, out=Z)
            np.sum(Z, axis=0, keepdims=True, out=col)
            Z /= col
            np.maximum(Z, tiny, out=tmp)
            np.log(tmp, out=tmp)
            loss = -float(np.vdot(Yb, tmp))
        loss /= m
        # backward: dZ = (A - Y) / m at the output
        dZ = Z
        dZ -= Yb
        dZ *= 1.0 / m
        for i in range(n_layers - 1, -1, -1):
            A_in = Xb if i == 0 else Zs[i - 1]
            np.dot(dZ, A_in.T, out=dWs[i])
            np.dot(dZ, ones, out=dbs[i])
            if i > 0:
                dA = dAs[i - 1]
                np.dot(Ws[i].T, dZ, out=dA)
                _hidden_backward(hidden[i - 1], Zs[i - 1], dA, tmps[i - 1])
                dZ = dA
        # update
        if optimizer == "sgd":
            np.multiply(grad, learning_rate, out=tmp_flat)
            if momentum:
                vel *= momentum
                vel -= tmp_flat
                theta += vel
            else:
                theta -= tmp_flat
        else:  # adam
            t += 1
            alpha = learning_rate * (1.0 - beta_2**t) ** 0.5 / (1.0 - beta_1**t)
            np.subtract(grad, m1, out=tmp_flat)
            tmp_flat *= 1.0 - beta_1
            m1 += tmp_flat
            np.multiply(grad, grad, out=tmp_flat)
            tmp_flat -= m2
            tmp_flat *= 1.0 - beta_2
            m2 += tmp_flat
            np.sqrt(m2, out=tmp_flat)
            tmp_flat += epsilon
            np.divide(m1, tmp_flat, out=tmp_flat)
            tmp_flat *= alpha
            theta -= tmp_flat
        return loss

    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(n) if bs < n else None
        total_loss = 0.0
        for start in range(0, n, bs):
            if bs == n:
                Xb, Yb = XT, YT
            elif order is None:
                Xb, Yb = X[start : start + bs].T, YT[:, start : start + bs]
            else:
                idx = order[start : start + bs]
                B = bufs(idx.shape[0])
                Xb = np.take(X, idx, axis=0, out=B["X"][0], mode="clip").T
                Yb = np.take(YT, idx, axis=1, out=B["YT"][0], mode="clip")
            total_loss += step(Xb, Yb) * Xb.shape[1]
        history.append(total_loss / n)
    out = []
    for i in range(n_layers):
        out += [Ws[i].T.copy(), bs_[i].ravel().copy()]
    return out, history


def matmul_floor(
    X: np.ndarray, weights: Sequence[np.ndarray], batch_size: int
) -> float:
    """One epoch of only the matrix products a training step cannot avoid
    (forward ``W A`` per layer; backward ``dZ A.T`` per layer and ``W.T dZ``
    for all but the first), on contiguous batches; returns a checksum so the
    work cannot be skipped."""
    dtype = X.dtype
    n = X.shape[0]
    Ws = [np.ascontiguousarray(weights[2 * i].T) for i in range(len(weights) // 2)]
    sizes = [W.shape[0] for W in Ws]
    Zs = [np.empty((u, batch_size), dtype) for u in sizes]
    dWs = [np.empty_like(W) for W in Ws]
    checksum = 0.0
    for start in range(0, n - batch_size + 1, batch_size):
        Xb = X[start : start + batch_size].T  # a compact block, transposed
        A = Xb
        for W, Z in zip(Ws, Zs, strict=True):
            np.dot(W, A, out=Z)
            A = Z
        dZ = Zs[-1]
        for i in range(len(Ws) - 1, -1, -1):
            A_in = Xb if i == 0 else Zs[i - 1]
            np.dot(dZ, A_in.T, out=dWs[i])
            if i > 0:
                np.dot(Ws[i].T, dZ, out=Zs[i - 1])
                dZ = Zs[i - 1]
        checksum += float(dWs[0][0, 0])
    return checksum
