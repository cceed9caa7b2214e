"""The compiled engine's kernel: one training step of a stack of ``Dense``
layers in explicit loops, compiled by Numba (imported only by
:mod:`mlplab.engine`, when a model asks for ``engine="numba"``).

One generic kernel serves every covered model: the activations, the loss and
the optimizer are integer codes, the hyperparameters an array of the model's
dtype, so Numba compiles it once per dtype (float64, float32) and caches it on
disk. Activations and their gradients are stored unit by unit, ``(units, n)``,
as the NumPy engine's layers store them, so that every inner loop runs over
the samples of one unit, in contiguous memory.

The arithmetic follows the NumPy engine operation by operation (the same
formulas, in the same order within an element), with two differences that may
change the last bits: sums over samples and units are taken in another order
than BLAS takes them (four partial sums, which the compiler vectorizes), and in
float64 the sigmoid, the tanh and the binary cross-entropy's logarithm use this
module's own functions (:func:`vexp`, :func:`vsigmoid`, :func:`vtanh`,
:func:`vlog`: written out so that the compiler vectorizes them, their
multiplies and adds fused where the CPU has FMA; within 3 ulp of NumPy's).
Every kernel releases the GIL (``nogil=True``), so several threads can train
models at once. :func:`train_step` is one step; :func:`train_epochs` runs many
epochs of the same steps in one call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - mlplab.engine refuses the engine first

    def njit(*args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        """Without Numba the kernel stays plain Python (never called: the
        engine asks for Numba before using it)."""
        return lambda f: f


# Activation codes (meta column ACT)
LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SOFTMAX = range(7)
# Loss codes
BCE, CCE, SQUARED = range(3)
# Optimizer codes
SGD, MOMENTUM, NESTEROV, RMSPROP, ADAGRAD, ADAM = range(6)

# Columns of the per-layer integer table ``meta``
N_IN, UNITS, ACT, USE_BIAS, OFF_W, OFF_B, OFF_Z, OFF_A, META_COLS = range(9)
# Columns of the per-layer float table ``fmeta`` (model dtype)
F_ALPHA, F_L1, F_L2, F_TWO_L2, FMETA_COLS = range(5)
# Entries of ``codes``
C_LOSS, C_OPT, C_UPDATE, C_OFF_DZ, C_OFF_DA, C_OFF_TMP, CODES_LEN = range(7)
# Entries of ``hp`` (model dtype)
(
    H_ONE,
    H_LR,
    H_MOMENTUM,
    H_DECAY1,
    H_DECAY2,
    H_EPS,
    H_ALPHA,
    H_INV_N,
    H_GRAD_SCALE,
    H_FACTOR,
    H_LOG_MAX,
    H_TINY,
    HP_LEN,
) = range(13)

# The exponential written out (float64): exp(y) = 2**k * exp(r), y = k ln 2 + r,
# |r| <= ln(2) / 2, with k rounded by adding 1.5 * 2**52 (its low bits then hold
# k), ln 2 split in two (Cody and Waite) so that k * LN2_HI is exact, exp(r) by
# its Taylor series to r**13 / 13! (the next term is below 5e-18), and 2**k
# made from k's bits as two factors, so that results near the overflow and in
# the subnormal range are rounded once. Each pass is a plain loop over
# contiguous memory, which the compiler vectorizes (math.exp it cannot).
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # its low 21 bits are zeros
_LN2_LO = 1.90821492927058770002e-10
_SHIFT = 6755399441055744.0  # 1.5 * 2**52
_SHIFT_BITS = 0x4338000000000000  # its bits
_EXP_LOW = -746.0  # exp(y) rounds to 0 below about -745.13
_EXP_HIGH = 709.78  # below log(max float64) = 709.7827...
_TAYLOR = (
    1 / 2,
    1 / 6,
    1 / 24,
    1 / 120,
    1 / 720,
    1 / 5040,
    1 / 40320,
    1 / 362880,
    1 / 3628800,
    1 / 39916800,
    1 / 479001600,
    1 / 6227020800,
)
# tanh on |x| < 0.625: x + x z P(z) / Q(z), z = x * x (Cephes' coefficients)
_TP0, _TP1, _TP2 = (
    -9.64399179425052238628e-1,
    -9.92877231001918586564e1,
    -1.61468768441708447952e3,
)
_TQ1, _TQ2, _TQ3 = (
    1.12811678491632931402e2,
    2.23548839060100448583e3,
    4.84406305325125486048e3,
)


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def vexp(y, out, k1, k2):  # pragma: no cover - compiled
    """``out = exp(y)`` in float64 for ``y`` already clamped to
    [-746, 709.78] (NaN stays NaN); ``k1``, ``k2``: float64 scratch of the
    same length. ``y`` may be ``k2`` (not ``out``: the compiler vectorizes
    only loops whose arrays it can tell apart)."""
    n = y.shape[0]
    c = _TAYLOR
    for i in range(n):
        x = y[i]
        t = x * _LOG2E + _SHIFT
        kf = t - _SHIFT
        r = (x - kf * _LN2_HI) - kf * _LN2_LO
        q = c[10] + r * c[11]
        q = c[9] + r * q
        q = c[8] + r * q
        q = c[7] + r * q
        q = c[6] + r * q
        q = c[5] + r * q
        q = c[4] + r * q
        q = c[3] + r * q
        q = c[2] + r * q
        q = c[1] + r * q
        q = c[0] + r * q
        out[i] = 1.0 + (r + r * r * q)
        k1[i] = t
    b1, b2 = k1.view(np.int64), k2.view(np.int64)
    for i in range(n):
        k = b1[i] - _SHIFT_BITS
        h = k >> 1
        b1[i] = (h + 1023) << 52
        b2[i] = (k - h + 1023) << 52
    for i in range(n):
        out[i] = out[i] * k1[i] * k2[i]


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def vsigmoid(z, out, k1, k2, log_max):  # pragma: no cover - compiled
    """``out = 1 / (1 + exp(min(-z, log_max)))`` in float64, as
    :class:`mlplab.activations.Sigmoid` computes it (``log_max`` at most
    709.78), with :func:`vexp`."""
    n = z.shape[0]
    for i in range(n):
        y = -z[i]
        if y > log_max:
            y = log_max
        if y < _EXP_LOW:
            y = _EXP_LOW
        k2[i] = y
    vexp(k2, out, k1, k2)
    for i in range(n):
        out[i] = 1.0 / (1.0 + out[i])


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def vtanh(x, out, k1, k2):  # pragma: no cover - compiled
    """``out = tanh(x)`` in float64: Cephes' rational function below 0.625 in
    magnitude, ``1 - 2 / (exp(2|x|) + 1)`` with the sign of ``x`` above (|x|
    capped at 20, where tanh is 1 to the last bit), with :func:`vexp`."""
    n = x.shape[0]
    for i in range(n):
        a = abs(x[i])
        if a > 20.0:
            a = 20.0
        k2[i] = a + a
    vexp(k2, out, k1, k2)
    for i in range(n):
        v = x[i]
        big = 1.0 - 2.0 / (out[i] + 1.0)
        if v < 0:
            big = -big
        z = v * v
        p = (_TP0 * z + _TP1) * z + _TP2
        q = ((z + _TQ1) * z + _TQ2) * z + _TQ3
        small = v + v * (z * p / q)
        if v == 0:
            small = v  # tanh(-0.0) is -0.0
        out[i] = small if abs(v) < 0.625 else big


# log (float64), as fdlibm's: x = 2**k * m with m in [sqrt(2) / 2, sqrt(2)),
# f = m - 1, s = f / (2 + f), log(m) = f - s (f - R(s)) with fdlibm's
# polynomial R; k and m read from x's bits (subnormals scaled by 2**54 first).
_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_TINY64 = 2.2250738585072014e-308
_TWO54 = 18014398509481984.0
_MANTISSA = 0x000FFFFFFFFFFFFF
_SQRT_HALF_BITS = 0x3FE6A09E00000000  # about sqrt(2) / 2
_ONE_BITS = 0x3FF0000000000000


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def vlog(x, out, k1, k2):  # pragma: no cover - compiled
    """``out = log(x)`` in float64 (0 gives -inf, a negative or NaN NaN,
    inf inf); ``k1``, ``k2``: float64 scratch of the same length, distinct
    from ``x`` and ``out``."""
    n = x.shape[0]
    for i in range(n):
        v = x[i]
        k1[i] = v * _TWO54 if v < _TINY64 else v
    b1, b2 = k1.view(np.int64), k2.view(np.int64)
    for i in range(n):
        hx = b1[i] + (_ONE_BITS - _SQRT_HALF_BITS)
        b2[i] = (hx >> 52) - 1023 + _SHIFT_BITS  # k, as the bits of k + _SHIFT
        b1[i] = (hx & _MANTISSA) + _SQRT_HALF_BITS  # m
    c = _LG
    for i in range(n):
        v = x[i]
        kf = k2[i] - _SHIFT
        if v < _TINY64:
            kf -= 54.0
        f = k1[i] - 1.0
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (c[1] + w * (c[3] + w * c[5]))
        t2 = z * (c[0] + w * (c[2] + w * (c[4] + w * c[6])))
        r = t2 + t1
        hfsq = 0.5 * f * f
        y = kf * _LN2_HI - ((hfsq - (s * (hfsq + r) + kf * _LN2_LO)) - f)
        if v == 0:
            y = -math.inf
        if not v >= 0:
            y = math.nan
        if v == math.inf:
            y = v
        out[i] = y


@njit(cache=True, nogil=True, error_model="numpy")
def _activate(act, alpha, Z, A, tmp, log_max):  # pragma: no cover - compiled
    """``A = f(Z)`` for one layer; ``Z``, ``A`` of shape (units, n)."""
    u, n = Z.shape
    if act == SOFTMAX:
        mx, total = tmp[0], tmp[1]
        for i in range(n):
            mx[i] = Z[0, i]
        for j in range(1, u):
            for i in range(n):
                if Z[j, i] > mx[i]:
                    mx[i] = Z[j, i]
        total[:] = 0
        for j in range(u):
            for i in range(n):
                A[j, i] = math.exp(Z[j, i] - mx[i])
                total[i] += A[j, i]
        for j in range(u):
            for i in range(n):
                A[j, i] /= total[i]
        return
    wide = Z.itemsize == 8
    if wide and (act == SIGMOID or act == TANH):  # vectorized, float64
        for j in range(u):
            if act == SIGMOID:
                vsigmoid(Z[j], A[j], tmp[0], tmp[1], log_max)
            else:
                vtanh(Z[j], A[j], tmp[0], tmp[1])
        return
    # one loop per activation, each over contiguous samples
    for j in range(u):
        Zj, Aj = Z[j], A[j]
        if act == LINEAR:
            for i in range(n):
                Aj[i] = Zj[i]
        elif act == SIGMOID:
            for i in range(n):
                Aj[i] = 1 / (1 + math.exp(min(-Zj[i], log_max)))
        elif act == TANH:
            for i in range(n):
                Aj[i] = math.tanh(Zj[i])
        elif act == RELU:
            for i in range(n):
                z = Zj[i]
                Aj[i] = z if (z > 0 or z != z) else 0
        elif act == LEAKY_RELU:
            for i in range(n):
                z = Zj[i]
                Aj[i] = z if z > 0 else alpha * z
        else:  # ELU
            for i in range(n):
                z = Zj[i]
                Aj[i] = z if z > 0 else alpha * math.expm1(min(z, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _activation_backward(act, alpha, one, dA, Z, A, dZ, tmp):  # pragma: no cover
    """``dZ = dA * f'(Z)`` (softmax: its Jacobian-vector product)."""
    u, n = Z.shape
    if act == SOFTMAX:
        inner = tmp[0]
        inner[:] = 0
        for j in range(u):
            for i in range(n):
                inner[i] += dA[j, i] * A[j, i]
        for j in range(u):
            for i in range(n):
                dZ[j, i] = (dA[j, i] - inner[i]) * A[j, i]
        return
    for j in range(u):
        Zj, Aj, dAj, dZj = Z[j], A[j], dA[j], dZ[j]
        if act == LINEAR:
            for i in range(n):
                dZj[i] = dAj[i]
        elif act == SIGMOID:
            for i in range(n):
                dZj[i] = (one - Aj[i]) * Aj[i] * dAj[i]
        elif act == TANH:
            for i in range(n):
                dZj[i] = (one - Aj[i] * Aj[i]) * dAj[i]
        elif act == RELU:
            for i in range(n):
                dZj[i] = dAj[i] * (one if Zj[i] > 0 else 0 * one)
        elif act == LEAKY_RELU:
            for i in range(n):
                dZj[i] = dAj[i] * (one if Zj[i] > 0 else alpha)
        else:  # ELU
            for i in range(n):
                dZj[i] = dAj[i] * (one if Zj[i] > 0 else Aj[i] + alpha)


@njit(cache=True, nogil=True, error_model="numpy")
def _loss(loss_code, Yt, Z, A, sw, hp, tmp):  # pragma: no cover - compiled
    """The mean loss of the output (without the penalty), as a float64;
    ``tmp``: scratch (3, n)."""
    k, n = A.shape
    weighted = sw.shape[0] > 0
    if loss_code == BCE and not weighted and A.itemsize == 8:
        # as below, the logarithms vectorized (vlog), the sums in four parts
        la = tmp[0]
        s_z, s_yz, s_log = 0.0, 0.0, 0.0
        for j in range(k):
            Zj = Z[j]
            vlog(A[j], la, tmp[1], tmp[2])
            for i in range(n):
                la[i] = min(la[i], Zj[i])
            s_z += _dot(Zj, Zj[:0])
            s_yz += _dot(Yt[j], Zj)
            s_log += _dot(la, la[:0])
        return (s_z - s_yz - s_log) / n
    if loss_code == BCE:
        # -log a + (1 - y) z, with log a = min(log a, z) (see losses.py)
        s_z, s_yz, s_log = 0.0, 0.0, 0.0
        total = 0.0
        for i in range(n):
            row = 0.0
            for j in range(k):
                z, y = Z[j, i], Yt[j, i]
                la = min(math.log(A[j, i]), z)
                s_z += z
                s_yz += y * z
                s_log += la
                row += z - y * z - la
            if weighted:
                total += sw[i] * row
        if weighted:
            return total / n
        return (s_z - s_yz - s_log) / n
    if loss_code == CCE:
        total = 0.0
        tiny = hp[H_TINY]
        for i in range(n):
            row = 0.0
            for j in range(k):
                row += Yt[j, i] * math.log(max(A[j, i], tiny))
            total += (sw[i] * row) if weighted else row
        return -total / n
    total = 0.0  # squared error: factor * mean of (a - y)^2
    for i in range(n):
        row = 0.0
        for j in range(k):
            d = A[j, i] - Yt[j, i]
            row += d * d
        total += (sw[i] * row) if weighted else row
    return hp[H_FACTOR] * total / (n * k)


@njit(cache=True, nogil=True, error_model="numpy")
def _penalty(params, meta, fmeta):  # pragma: no cover - compiled
    total = 0.0
    for layer in range(meta.shape[0]):
        l1, l2 = fmeta[layer, F_L1], fmeta[layer, F_L2]
        if l1 == 0 and l2 == 0:
            continue
        start = meta[layer, OFF_W]
        end = start + meta[layer, N_IN] * meta[layer, UNITS]
        s1, s2 = 0.0, 0.0
        for q in range(start, end):
            w = params[q]
            s1 += abs(w)
            s2 += w * w
        if l1:
            total += l1 * s1
        if l2:
            total += l2 * s2
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def _dot(a, b):  # pragma: no cover - compiled
    """The sum of ``a * b`` (of ``a`` alone when ``b`` is empty) in four
    partial sums, element ``i`` into sum ``i % 4``, added as ``(s0 + s1) +
    (s2 + s3)``: four independent chains, which the compiler vectorizes (one
    running sum it must keep in order)."""
    n = a.shape[0]
    m = n - n % 4
    s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
    if b.shape[0] == 0:
        for i in range(0, m, 4):
            s0 += a[i]
            s1 += a[i + 1]
            s2 += a[i + 2]
            s3 += a[i + 3]
        for i in range(m, n):
            s0 += a[i]
    else:
        for i in range(0, m, 4):
            s0 += a[i] * b[i]
            s1 += a[i + 1] * b[i + 1]
            s2 += a[i + 2] * b[i + 2]
            s3 += a[i + 3] * b[i + 3]
        for i in range(m, n):
            s0 += a[i] * b[i]
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, nogil=True, error_model="numpy")
def _dense_backward(prev, dZ, W, dW, db, use_bias, two_l2, l1):  # pragma: no cover
    """The gradients of one Dense layer from its ``dZ`` (units, n)."""
    n_in, u = W.shape
    for p in range(n_in):
        for j in range(u):
            dW[p, j] = _dot(prev[p], dZ[j])
    if use_bias:
        for j in range(u):
            db[j] = _dot(dZ[j], dZ[j][:0])
    if two_l2:
        for p in range(n_in):
            for j in range(u):
                dW[p, j] += two_l2 * W[p, j]
    if l1:
        for p in range(n_in):
            for j in range(u):
                dW[p, j] += l1 * np.sign(W[p, j])


@njit(cache=True, nogil=True, error_model="numpy")
def _update(opt, params, grads, s1, s2, hp):  # pragma: no cover - compiled
    """The optimizer's update of every weight (see optimizers.py)."""
    lr, mom, eps = hp[H_LR], hp[H_MOMENTUM], hp[H_EPS]
    d1, d2 = hp[H_DECAY1], hp[H_DECAY2]
    for q in range(params.shape[0]):
        g = grads[q]
        if opt == SGD:
            params[q] -= g * lr
        elif opt == MOMENTUM or opt == NESTEROV:
            t = g * lr
            v = s1[q] * mom
            v -= t
            s1[q] = v
            if opt == NESTEROV:
                params[q] -= t
                params[q] += v * mom
            else:
                params[q] += v
        elif opt == RMSPROP or opt == ADAGRAD:
            if opt == RMSPROP:
                s1[q] = s1[q] * mom + (g * g) * d1  # mom: rho, d1: 1 - rho
            else:
                s1[q] += g * g
            params[q] -= (g / (np.sqrt(s1[q]) + eps)) * lr
        else:  # ADAM
            s1[q] += (g - s1[q]) * d1
            s2[q] += (g * g - s2[q]) * d2
            params[q] -= (s1[q] / (np.sqrt(s2[q]) + eps)) * hp[H_ALPHA]


@njit(cache=True, nogil=True, error_model="numpy")
def _forward(Xt, params, meta, fmeta, work, tmp, log_max):  # pragma: no cover
    n = Xt.shape[1]
    prev = Xt
    for layer in range(meta.shape[0]):
        n_in, u = meta[layer, N_IN], meta[layer, UNITS]
        W = params[meta[layer, OFF_W] : meta[layer, OFF_W] + n_in * u].reshape(n_in, u)
        Z = work[meta[layer, OFF_Z] : meta[layer, OFF_Z] + u * n].reshape(u, n)
        A = work[meta[layer, OFF_A] : meta[layer, OFF_A] + u * n].reshape(u, n)
        for j in range(u):
            Zj = Z[j]
            Zj[:] = 0
            for p in range(n_in):
                w, Pp = W[p, j], prev[p]
                for i in range(n):
                    Zj[i] += w * Pp[i]
            if meta[layer, USE_BIAS]:
                b = params[meta[layer, OFF_B] + j]
                for i in range(n):
                    Zj[i] += b
        _activate(meta[layer, ACT], fmeta[layer, F_ALPHA], Z, A, tmp, log_max)
        prev = A


@njit(cache=True, nogil=True, error_model="numpy")
def train_step(
    Xt, Yt, sw, params, grads, last, s1, s2, meta, fmeta, codes, hp, work
):  # pragma: no cover - compiled
    """Forward, loss, backward and (``codes[C_UPDATE]``) the optimizer's
    update, in place; returns the loss before the update. A non-finite loss
    returns at once, with nothing changed but the work array.

    ``Xt`` (n_in, n) and ``Yt`` (n_out, n) are the inputs and targets
    transposed; ``sw`` the sample weights of mean 1, or empty."""
    return _step(Xt, Yt, sw, params, grads, last, s1, s2, meta, fmeta, codes, hp, work)


@njit(cache=True, nogil=True, error_model="numpy")
def _step(
    Xt, Yt, sw, params, grads, last, s1, s2, meta, fmeta, codes, hp, work
):  # pragma: no cover - compiled
    """:func:`train_step`'s work, shared with :func:`train_epochs`."""
    n = Xt.shape[1]
    n_layers = meta.shape[0]
    one = hp[H_ONE]
    tmp = work[codes[C_OFF_TMP] : codes[C_OFF_TMP] + 3 * n].reshape(3, n)
    _forward(Xt, params, meta, fmeta, work, tmp, hp[H_LOG_MAX])
    top = n_layers - 1
    k = meta[top, UNITS]
    Z = work[meta[top, OFF_Z] : meta[top, OFF_Z] + k * n].reshape(k, n)
    A = work[meta[top, OFF_A] : meta[top, OFF_A] + k * n].reshape(k, n)
    loss_code = codes[C_LOSS]
    loss = _loss(loss_code, Yt, Z, A, sw, hp, tmp) + _penalty(params, meta, fmeta)
    if not math.isfinite(loss):
        return loss
    update = codes[C_UPDATE]
    if update:
        last[:] = params
    weighted = sw.shape[0] > 0
    dZ = work[codes[C_OFF_DZ] : codes[C_OFF_DZ] + k * n].reshape(k, n)
    if loss_code != SQUARED:  # fused with sigmoid / softmax: dZ = (A - Y) / n
        for j in range(k):
            for i in range(n):
                d = A[j, i] - Yt[j, i]
                d *= hp[H_INV_N]
                dZ[j, i] = d * sw[i] if weighted else d
    else:
        dA = work[codes[C_OFF_DA] : codes[C_OFF_DA] + k * n].reshape(k, n)
        for j in range(k):
            for i in range(n):
                d = A[j, i] - Yt[j, i]
                d *= hp[H_GRAD_SCALE]
                dA[j, i] = d * sw[i] if weighted else d
        _activation_backward(
            meta[top, ACT], fmeta[top, F_ALPHA], one, dA, Z, A, dZ, tmp
        )
    for layer in range(top, -1, -1):
        n_in, u = meta[layer, N_IN], meta[layer, UNITS]
        oW, oB = meta[layer, OFF_W], meta[layer, OFF_B]
        W = params[oW : oW + n_in * u].reshape(n_in, u)
        dW = grads[oW : oW + n_in * u].reshape(n_in, u)
        db = grads[oB : oB + u]
        dZl = work[codes[C_OFF_DZ] : codes[C_OFF_DZ] + u * n].reshape(u, n)
        if layer == 0:
            prev = Xt
        else:
            oA = meta[layer - 1, OFF_A]
            prev = work[oA : oA + n_in * n].reshape(n_in, n)
        _dense_backward(
            prev,
            dZl,
            W,
            dW,
            db,
            meta[layer, USE_BIAS],
            fmeta[layer, F_TWO_L2],
            fmeta[layer, F_L1],
        )
        if layer == 0:
            break
        dX = work[codes[C_OFF_DA] : codes[C_OFF_DA] + n_in * n].reshape(n_in, n)
        for p in range(n_in):
            dXp = dX[p]
            dXp[:] = 0
            for j in range(u):
                w, dZj = W[p, j], dZl[j]
                for i in range(n):
                    dXp[i] += w * dZj[i]
        oZ, oA = meta[layer - 1, OFF_Z], meta[layer - 1, OFF_A]
        Zp = work[oZ : oZ + n_in * n].reshape(n_in, n)
        dZp = work[codes[C_OFF_DZ] : codes[C_OFF_DZ] + n_in * n].reshape(n_in, n)
        _activation_backward(
            meta[layer - 1, ACT], fmeta[layer - 1, F_ALPHA], one, dX, Zp, prev, dZp, tmp
        )
    if update:
        _update(codes[C_OPT], params, grads, s1, s2, hp)
    return loss


# Metric codes (train_epochs' ``metrics``)
M_ARGMAX, M_THRESHOLD, M_MSE, M_MAE = range(4)
# train_epochs' status
DONE, DIVERGED, VAL_DIVERGED = range(3)


@njit(cache=True, nogil=True, error_model="numpy")
def _metric(code, Yt, A):  # pragma: no cover - compiled
    """A metric of outputs ``A`` against targets ``Yt``, both (k, n), as
    :mod:`mlplab.metrics` defines it: the share of samples whose argmax agree
    (``M_ARGMAX``), the share of entries on the same side of 0.5
    (``M_THRESHOLD``), the mean squared or absolute difference."""
    k, n = A.shape
    if code == M_ARGMAX:
        hits = 0
        for i in range(n):
            ja, jy = 0, 0
            for j in range(1, k):
                if A[j, i] > A[ja, i]:
                    ja = j
                if Yt[j, i] > Yt[jy, i]:
                    jy = j
            hits += ja == jy
        return hits / n
    if code == M_THRESHOLD:
        hits = 0
        for j in range(k):
            for i in range(n):
                hits += (A[j, i] >= 0.5) == (Yt[j, i] >= 0.5)
        return hits / (n * k)
    total = 0.0
    for j in range(k):
        for i in range(n):
            d = A[j, i] - Yt[j, i]
            total += d * d if code == M_MSE else abs(d)
    return total / (n * k)


@njit(cache=True, nogil=True, error_model="numpy")
def _gather(X, Yt, order, row, start, m, xb, yb):  # pragma: no cover - compiled
    """The batch of ``m`` samples from ``start``, in the order of
    ``order[row]`` (in the data's order when ``order`` is empty), into ``xb``
    (n_in, m) and ``yb`` (n_out, m), transposed from ``X`` (n, n_in)."""
    shuffled = order.shape[1] > 0
    for i in range(m):
        q = order[row, start + i] if shuffled else start + i
        for p in range(X.shape[1]):
            xb[p, i] = X[q, p]
        for j in range(Yt.shape[0]):
            yb[j, i] = Yt[j, q]


@njit(cache=True, nogil=True, error_model="numpy")
def train_epochs(
    X,
    Xt,
    Yt,
    sw,
    order,
    bs,
    params,
    grads,
    last,
    s1,
    s2,
    fmeta,
    hp,
    lrs,
    alphas,
    meta,
    codes,
    work,
    xb,
    yb,
    meta_r,
    codes_r,
    work_r,
    xr,
    yr,
    hp_r,
    Xvt,
    Yvt,
    meta_v,
    codes_v,
    work_v,
    metrics,
    out,
):  # pragma: no cover - compiled
    """Whole epochs of :func:`_step`, as the training loop runs them one step
    at a time: ``out.shape[1]`` epochs of ``ceil(n / bs)`` steps each.

    The data: ``Xt`` (n_in, n) used as is when one batch holds it all in
    order (``X`` then unused), else each batch gathered from ``X`` (n, n_in)
    into ``xb``, ``yb`` (a last, smaller batch into ``xr``, ``yr``, with its
    own ``meta_r``, ``codes_r``, ``work_r``, ``hp_r``), in the order of row ``epoch`` of
    ``order`` (empty: the data's order); ``sw``: the full batch's sample
    weights, or empty. Step ``s`` uses the learning rate ``lrs[s]`` and
    Adam's step size ``alphas[s]``. Validation on ``Xvt``, ``Yvt`` (empty:
    none) after each epoch, with ``meta_v``, ``codes_v``, ``work_v``.

    ``out`` (2 + 2 * len(metrics), epochs) receives each epoch's mean loss,
    validation loss, then each metric's mean over the batches and its value
    on the validation data. Returns (status, steps done, epochs done, the
    non-finite loss): ``DONE``; ``DIVERGED`` at a non-finite training loss
    (that step changed nothing); ``VAL_DIVERGED`` at a non-finite validation
    loss (after its epoch's steps)."""
    n = Yt.shape[1]
    n_metrics = metrics.shape[0]
    validate = Xvt.shape[1] > 0
    nv = Xvt.shape[1]
    direct = Xt.shape[1] == n
    step = 0
    for epoch in range(out.shape[1]):
        total = 0.0
        for c in range(n_metrics):
            out[2 + c, epoch] = 0.0
        for start in range(0, n, bs):
            m = min(bs, n - start)
            if m == bs:
                mt, ct, wk, xin, yin, hq = meta, codes, work, xb, yb, hp
            else:
                mt, ct, wk, xin, yin, hq = meta_r, codes_r, work_r, xr, yr, hp_r
            if direct:
                xin, yin = Xt, Yt
            else:
                _gather(X, Yt, order, epoch, start, m, xin, yin)
            hq[H_LR] = lrs[step]
            hq[H_ALPHA] = alphas[step]
            loss = _step(
                xin, yin, sw, params, grads, last, s1, s2, mt, fmeta, ct, hq, wk
            )
            if not math.isfinite(loss):
                return DIVERGED, step, epoch, loss
            step += 1
            total += loss * m
            if n_metrics:
                top = mt.shape[0] - 1
                k, oA = mt[top, UNITS], mt[top, OFF_A]
                A = wk[oA : oA + k * m].reshape(k, m)
                for c in range(n_metrics):
                    out[2 + c, epoch] += _metric(metrics[c], yin, A) * m
        out[0, epoch] = total / n
        for c in range(n_metrics):
            out[2 + c, epoch] /= n
        if not validate:
            out[1, epoch] = math.nan
            continue
        tmp = work_v[codes_v[C_OFF_TMP] : codes_v[C_OFF_TMP] + 3 * nv].reshape(3, nv)
        _forward(Xvt, params, meta_v, fmeta, work_v, tmp, hp[H_LOG_MAX])
        top = meta_v.shape[0] - 1
        k = meta_v[top, UNITS]
        oZ, oA = meta_v[top, OFF_Z], meta_v[top, OFF_A]
        Z = work_v[oZ : oZ + k * nv].reshape(k, nv)
        A = work_v[oA : oA + k * nv].reshape(k, nv)
        vloss = _loss(codes_v[C_LOSS], Yvt, Z, A, sw[:0], hp, tmp)
        vloss += _penalty(params, meta_v, fmeta)
        out[1, epoch] = vloss * nv / nv  # evaluate's sum of chunk losses over n
        for c in range(n_metrics):
            out[2 + n_metrics + c, epoch] = _metric(metrics[c], Yvt, A)
        if not math.isfinite(vloss):
            return VAL_DIVERGED, step, epoch, vloss
    return DONE, step, out.shape[1], 0.0
