"""Save and load models without pickle: one ``.npz`` file, written atomically
and checked from end to end when it is read back.

A model file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) with:

=====================  ==========================================================
entry                  content
=====================  ==========================================================
``__mlplab__``         UTF-8 JSON (a uint8 array) describing everything else
``w0``, ``w1``, ...    the weights, in the order of ``model.get_weights()``
``s{i}_{name}``        the optimizer's state (e.g. ``s0_m``, ``s0_v`` for Adam)
=====================  ==========================================================

The JSON document holds ``format`` (``"mlplab-model"``), ``format_version``,
``mlplab_version``, ``model`` (``Sequential.get_config()``), ``compile`` (the
loss, optimizer and metrics configs, or ``null``), ``optimizer_state``
(``iterations`` and the slot names per parameter array, or ``null``),
``weights`` (name, archive key, shape and dtype of each array), and the states
of the model's two random generators (``rng_state`` for shuffling and dropout,
``init_rng_state`` for weight initialization), and the caller's ``metadata``
(any JSON object, e.g. the original class labels). Together they make training
resumed from a loaded model bit-identical to training the original on.

Loading never runs anything from the file: arrays are read with
``allow_pickle=False``, the configs are plain data, and every array's header is
checked against the description before its data is read. Anything wrong raises
:class:`~mlplab.exceptions.ModelFormatError` naming the file and the problem.

>>> import os, tempfile
>>> import numpy as np
>>> import mlplab as ml
>>> from mlplab import persistence
>>> model = ml.Sequential([ml.Dense(3, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> model.compile("binary_crossentropy", ml.Adam(0.05))
>>> X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), [0, 1, 1, 0]
>>> _ = model.fit(X, y, epochs=10)
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "xor.npz")
...     persistence.save(model, path)
...     restored = persistence.load(path)
>>> np.array_equal(restored.predict(X), model.predict(X))
True
>>> restored.optimizer.iterations
10
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Mapping
from typing import IO, Any, TypeVar

import numpy as np
from numpy.lib import format as npy_format

from . import losses, optimizers
from ._validation import DTYPES, is_int
from ._version import __version__
from .callbacks import Callback
from .exceptions import ModelFormatError
from .model import Sequential

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ModelCheckpoint",
    "load",
    "read_metadata",
    "save",
]

FORMAT = "mlplab-model"
FORMAT_VERSION = 1  # the newest version this mlplab writes and reads

_HEADER_KEY = "__mlplab__"
_MAX_HEADER_BYTES = 16 * 1024 * 1024  # the JSON of a sane model is a few kB
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip, or an empty zip
_HEADER_FIELDS = (
    "model",
    "compile",
    "optimizer_state",
    "weights",
    "rng_state",
    "init_rng_state",
)
# What a damaged or hostile file can make the zip, npy and json readers raise.
# RuntimeError covers zipfile's "encrypted" and json's RecursionError;
# SyntaxError and TokenError, NumPy parsing a damaged .npy header as Python
# (in an array of more than 4 kB, read before the zip's checksum is checked).
_READ_ERRORS = (
    OSError,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    OverflowError,
    RuntimeError,
    SyntaxError,
    tokenize.TokenError,
    zipfile.BadZipFile,
    zlib.error,
)


class _Invalid(Exception):
    """A problem with the file's content; ``load`` adds the file's name."""


# -- saving -----------------------------------------------------------------------
def save(
    model: Sequential,
    path: str | os.PathLike[str],
    *,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Write ``model`` (architecture, weights, compile settings, optimizer
    state and random generator states) to the file ``path``.

    The file is written to a temporary file in the same folder, flushed to
    disk, then renamed onto ``path``, so ``path`` holds either the previous
    file or the complete new one, never a partial write. The name is used
    exactly as given (no ``.npz`` is appended).

    Parameters
    ----------
    model : Sequential
        A built model (give ``input_dim`` or call ``fit`` first).
    path : str or path-like
        The file to create or replace; its folder must exist.
    metadata : dict, optional
        Anything else to keep with the model (class labels, feature names, a
        description), as a JSON object: string keys; values of str, int,
        float, bool, None, lists and dicts. :func:`read_metadata` gives it back.

    Raises
    ------
    ValueError
        If the model is not built, its weights or optimizer state are not
        finite, its configuration or ``metadata`` cannot be stored as JSON
        (and read back), or the folder does not exist. Nothing is written.
    TypeError
        If ``model`` is not a Sequential or ``metadata`` not a dict with
        string keys.

    Examples
    --------
    >>> import os, tempfile
    >>> import mlplab as ml
    >>> from mlplab import persistence
    >>> model = ml.Sequential([ml.Dense(2, activation="softmax")], input_dim=3)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     persistence.save(model, os.path.join(folder, "model.npz"))
    ...     sorted(os.listdir(folder))
    ['model.npz']
    """
    target, folder = _check_save_arguments(model, path, metadata)
    arrays = _serialize(model, dict(metadata or {}))
    _write_atomically(target, folder, arrays)


def _check_save_arguments(
    model: Any, path: str | os.PathLike[str], metadata: Any
) -> tuple[str, str]:
    """The target file and its folder, once the model and the metadata are
    known to be savable there."""
    if not isinstance(model, Sequential):
        raise TypeError(
            f"save() takes a Sequential model; received {type(model).__name__}"
        )
    if not model.built:
        raise ValueError(
            "the model is not built, so it has no weights to save: give input_dim "
            "to Sequential(...) or call fit() (or build()) before saving"
        )
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise ValueError(
            f"cannot save to {target!r}: the folder {folder!r} does not exist"
        )
    if os.path.isdir(target):
        raise ValueError(f"cannot save to {target!r}: it is a folder")
    if metadata is not None and not (
        isinstance(metadata, Mapping) and all(isinstance(k, str) for k in metadata)
    ):
        raise TypeError(
            f"metadata must be a dict with string keys; received {metadata!r}"
        )
    return target, folder


def _serialize(model: Sequential, metadata: dict[str, Any]) -> dict[str, np.ndarray]:
    """The archive's arrays, the JSON description under ``__mlplab__`` first."""
    arrays: dict[str, np.ndarray] = {}
    weights = []
    for i, (name, w) in enumerate(
        zip(model.weight_names, model.get_weights(), strict=True)
    ):
        _check_finite_for_save(f"weight {name}", w)
        key = f"w{i}"
        arrays[key] = w
        weights.append(
            {"name": name, "key": key, "shape": list(w.shape), "dtype": w.dtype.name}
        )
    compiled, state = _serialize_compile(model, arrays)
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlplab_version": __version__,
        "model": model.get_config(),
        "compile": compiled,
        "optimizer_state": state,
        "weights": weights,
        "rng_state": model.train_rng.bit_generator.state,
        "init_rng_state": model.init_rng.bit_generator.state,
        "metadata": metadata,
    }
    try:
        text = json.dumps(doc, indent=1, allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"this model cannot be saved: its configuration or metadata holds a "
            f"value that JSON cannot store ({exc})"
        ) from None
    _check_loads_back(json.loads(text))
    return {_HEADER_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}


def _serialize_compile(
    model: Sequential, arrays: dict[str, np.ndarray]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The ``compile`` and ``optimizer_state`` entries of the description
    (None for a model that was not compiled); the optimizer's state arrays
    are added to ``arrays`` as ``s{i}_{name}``."""
    loss, opt = model.loss, model.optimizer
    if loss is None or opt is None:
        return None, None
    compiled = {
        "loss": loss.get_config(),
        "optimizer": opt.get_config(),
        "metrics": list(model.metrics),
    }
    opt_state = opt.get_state()
    slots = opt_state["slots"]
    if slots is not None:
        flat = [model.flat_params]
        if len(slots) != len(flat) or any(
            a.shape != p.shape or a.dtype != model.dtype
            for s, p in zip(slots, flat, strict=False)
            for a in s.values()
        ):
            raise ValueError(
                "the optimizer's state does not match this model's weights (is "
                "the optimizer shared with another model?); call "
                "model.optimizer.reset() to drop it, or recompile"
            )
        for i, slot in enumerate(slots):
            for slot_name, value in slot.items():
                _check_finite_for_save(f"optimizer state {slot_name!r}", value)
                arrays[f"s{i}_{slot_name}"] = value
    state = {
        "iterations": int(opt_state["iterations"]),
        "slots": None if slots is None else [list(s) for s in slots],
    }
    return compiled, state


def _json_default(value: Any) -> Any:
    if isinstance(value, np.bool_ | np.integer | np.floating):
        return value.item()  # a NumPy scalar in a config: exact as a Python one
    raise TypeError(f"{value!r} of type {type(value).__name__}")


def _check_finite_for_save(what: str, value: np.ndarray) -> None:
    if not np.isfinite(value).all():
        raise ValueError(
            f"this model cannot be saved: its {what} holds NaN or infinite values, "
            "which load() would refuse"
        )


def _check_loads_back(doc: dict[str, Any]) -> None:
    """Refuse to write a file that load() could not read back, e.g. a custom
    layer, loss or optimizer class that the registries do not know."""
    try:
        Sequential.from_config({**doc["model"], "input_dim": None})
        if doc["compile"] is not None:
            losses.get(doc["compile"]["loss"])
            optimizers.get(doc["compile"]["optimizer"])
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"this model cannot be saved: its configuration would not load back "
            f"({exc}). Only mlplab's own layers, losses and optimizers can be saved"
        ) from None


def _write_atomically(target: str, folder: str, arrays: dict[str, np.ndarray]) -> None:
    # Typed Any for numpy's stub, which checks **kwds against allow_pickle: bool.
    payload: dict[str, Any] = arrays
    tmp, f = _open_temporary(folder, os.path.basename(target))
    try:
        with f:
            np.savez(f, **payload)  # a file object: no ".npz" appended to the name
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)  # make the rename itself durable


def _open_temporary(folder: str, base: str) -> tuple[str, IO[bytes]]:
    """A new, exclusively created file in ``folder``.

    Not ``tempfile.NamedTemporaryFile``: that creates the file with mode 0600,
    which the final file would keep; created with 0666 here, the user's umask
    applies, as for any other file the user writes.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        return name, os.fdopen(fd, "wb")
    raise FileExistsError(f"could not create a temporary file in {folder!r}")


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows, where folders cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- loading ----------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> Sequential:
    """Read a model written by :func:`save`.

    The model comes back built, with its weights, and, if it was compiled,
    compiled with the same loss, optimizer and metrics, the optimizer's step
    count and moments restored, and its random generators where they were:
    ``fit`` continues exactly as it would have on the saved model.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Sequential

    Raises
    ------
    ModelFormatError
        (a ``ValueError``) If the file is missing, is not an mlplab model
        file, is damaged, was written by a newer mlplab, or holds anything
        inconsistent: unknown layers, missing, extra or misshapen arrays,
        non-float or non-finite values, pickled objects. Nothing in the file
        is executed.

    Examples
    --------
    >>> import os, tempfile
    >>> import mlplab as ml
    >>> from mlplab import persistence
    >>> model = ml.Sequential([ml.Dense(2, activation="relu"), ml.Dense(1)],
    ...                       input_dim=3, dtype="float32")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.npz")
    ...     persistence.save(model, path)
    ...     restored = persistence.load(path)
    >>> restored.weight_names, restored.dtype
    (['dense/W', 'dense/b', 'dense_1/W', 'dense_1/b'], dtype('float32'))
    """
    return _open(path, _read)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``metadata`` given to :func:`save` (``{}`` if none), read without
    rebuilding the model.

    Raises
    ------
    ModelFormatError
        If the file is missing or is not a readable mlplab model file.

    Examples
    --------
    >>> import os, tempfile
    >>> import mlplab as ml
    >>> from mlplab import persistence
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.npz")
    ...     persistence.save(model, path, metadata={"classes": ["cat", "dog"]})
    ...     persistence.read_metadata(path)
    {'classes': ['cat', 'dog']}
    """

    def read(npz: np.lib.npyio.NpzFile) -> dict[str, Any]:
        entries = _list_entries(npz)
        return _metadata(_read_document(npz, entries[_HEADER_KEY]))

    return _open(path, read)


_T = TypeVar("_T")


def _open(
    path: str | os.PathLike[str], read: Callable[[np.lib.npyio.NpzFile], _T]
) -> _T:
    """``read(archive)`` for the model file ``path``, any failure raised as a
    ModelFormatError naming the file."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ModelFormatError(f"cannot load {name!r}: no such file")
    if os.path.isdir(name):
        raise ModelFormatError(f"cannot load {name!r}: it is a folder, not a file")
    try:
        # np.load is given an open file, not the name: given a name, it leaks
        # the file it opened when the archive turns out to be damaged.
        with open(name, "rb") as f:
            if not f.read(4).startswith(_ZIP_MAGIC):
                raise _Invalid(
                    "not an mlplab model file (it is not a .npz archive: "
                    "mlplab.persistence.save writes a zip of NumPy arrays)"
                )
            f.seek(0)
            with np.load(f, allow_pickle=False) as npz:
                if not isinstance(npz, np.lib.npyio.NpzFile):  # pragma: no cover
                    raise _Invalid("not an mlplab model file (not a .npz archive)")
                return read(npz)
    except _Invalid as exc:
        raise ModelFormatError(f"cannot load model file {name!r}: {exc}") from None
    except _READ_ERRORS as exc:
        raise ModelFormatError(
            f"cannot load model file {name!r}: the file is damaged or is not an "
            f"mlplab model file ({type(exc).__name__}: {exc})"
        ) from exc


_Entries = dict[str, zipfile.ZipInfo]  # archive key (no ".npy") -> member


def _read(npz: np.lib.npyio.NpzFile) -> Sequential:
    """The model in an open archive: description, then architecture, then
    arrays, each checked against what came before."""
    entries = _list_entries(npz)
    doc = _read_document(npz, entries[_HEADER_KEY])
    weights, slots = _check_document(doc)
    _metadata(doc)
    listed = {_HEADER_KEY} | {w["key"] for w in weights}
    listed |= {key for names in slots or [] for key in names.values()}
    if missing := sorted(listed - set(entries)):
        raise _Invalid(f"arrays listed in the description are missing: {missing}")
    if extra := sorted(set(entries) - listed):
        raise _Invalid(f"the file holds arrays its description does not list: {extra}")

    model = _build_model(doc["model"])
    _compile(model, doc["compile"])
    _restore_weights(model, npz, entries, weights)
    if model.optimizer is not None:
        _restore_optimizer(
            model, npz, entries, doc["optimizer_state"]["iterations"], slots
        )
    _restore_rng(model.train_rng, doc["rng_state"], "rng_state")
    _restore_rng(model.init_rng, doc["init_rng_state"], "init_rng_state")
    return model


def _list_entries(npz: np.lib.npyio.NpzFile) -> _Entries:
    assert npz.zip is not None
    entries: _Entries = {}
    for info in npz.zip.infolist():
        fname = info.filename
        if not fname.endswith(".npy"):
            raise _Invalid(
                f"unexpected entry {fname!r}: a model file holds .npy arrays"
            )
        if fname[:-4] in entries:
            raise _Invalid(f"the entry {fname!r} appears twice")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Invalid(f"entry {fname!r} uses an unsupported zip compression")
        entries[fname[:-4]] = info
    if _HEADER_KEY not in entries:
        raise _Invalid(
            f"no {_HEADER_KEY!r} entry: this is a plain .npz archive, not a model "
            "written by mlplab.persistence.save"
        )
    return entries


def _restore_weights(
    model: Sequential,
    npz: np.lib.npyio.NpzFile,
    entries: _Entries,
    weights: list[dict[str, Any]],
) -> None:
    dtype, names = model.dtype, model.weight_names
    if len(weights) != len(names):
        raise _Invalid(
            f"the description lists {len(weights)} weight arrays; the model has "
            f"{len(names)} ({', '.join(names)})"
        )
    values = []
    for spec, name, view in zip(weights, names, model.weight_views, strict=True):
        key, shape = spec["key"], tuple(spec["shape"])
        if spec["name"] != name:
            raise _Invalid(
                f"weight {key!r} is named {spec['name']!r}; the model's weight there "
                f"is {name!r}"
            )
        if shape != view.shape or spec["dtype"] != dtype.name:
            raise _Invalid(
                f"weight {name!r} is listed with shape {shape} and dtype "
                f"{spec['dtype']}; the model needs shape {view.shape} and dtype "
                f"{dtype.name}"
            )
        values.append(_read_array(npz, entries[key], key, view.shape, dtype))
    model.set_weights(values)


def _restore_optimizer(
    model: Sequential,
    npz: np.lib.npyio.NpzFile,
    entries: _Entries,
    iterations: int,
    slots: list[dict[str, str]] | None,
) -> None:
    """Give the optimizer its saved step count and state arrays, so the next
    step continues where the saved optimizer stopped. Names and counts are
    checked before any array is read."""
    opt, flat = model.optimizer, [model.flat_params]
    assert opt is not None
    values = None
    if slots is not None:
        try:
            opt.check_state_layout([list(names) for names in slots], len(flat))
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        values = [
            {
                slot_name: _read_array(npz, entries[key], key, p.shape, model.dtype)
                for slot_name, key in names.items()
            }
            for names, p in zip(slots, flat, strict=True)
        ]
    opt.set_state({"iterations": iterations, "slots": values}, flat)


def _read_document(npz: np.lib.npyio.NpzFile, info: zipfile.ZipInfo) -> dict[str, Any]:
    if info.file_size > _MAX_HEADER_BYTES:
        raise _Invalid(
            f"the {_HEADER_KEY!r} entry is {info.file_size} bytes, more than a "
            "model description can be"
        )
    raw = _read_array(npz, info, _HEADER_KEY, None, np.dtype(np.uint8))
    if raw.ndim != 1:
        raise _Invalid(f"the {_HEADER_KEY!r} entry must be a 1-D array of bytes")
    try:
        doc = json.loads(raw.tobytes().decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Invalid(f"the model description is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _Invalid("the model description is not a JSON object")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise _Invalid(
            f"not an mlplab model file: its format is {fmt!r}, expected {FORMAT!r}"
        )
    version = doc.get("format_version")
    if not is_int(version) or version < 1:
        raise _Invalid(f"format_version must be a positive integer; found {version!r}")
    if version > FORMAT_VERSION:
        writer = doc.get("mlplab_version")
        source = f" {writer}" if isinstance(writer, str) else ""
        raise _Invalid(
            f"written by a newer mlplab (format version {version}, this mlplab reads "
            f"up to {FORMAT_VERSION}): upgrade mlplab{source} or newer to load it"
        )
    for field in _HEADER_FIELDS:
        if field not in doc:
            raise _Invalid(f"the model description has no {field!r} field")
    return doc


def _metadata(doc: dict[str, Any]) -> dict[str, Any]:
    metadata = doc.get("metadata", {})
    if not isinstance(metadata, dict):
        raise _Invalid(f"'metadata' must be a JSON object; found {metadata!r}")
    return metadata


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a model description")


def _check_document(
    doc: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, str]] | None]:
    """Check the types in the description; return the weight specs and, per
    parameter array, the optimizer's state names with their archive keys."""
    weights = doc["weights"]
    if not isinstance(weights, list):
        raise _Invalid("'weights' must be a list")
    for i, spec in enumerate(weights):
        if not isinstance(spec, dict) or set(spec) != {"name", "key", "shape", "dtype"}:
            raise _Invalid(
                f"weights[{i}] must be an object with 'name', 'key', 'shape' and "
                f"'dtype'; found {spec!r}"
            )
        if spec["key"] != f"w{i}" or not isinstance(spec["name"], str):
            raise _Invalid(
                f"weights[{i}] must have key 'w{i}' and a name; found {spec!r}"
            )
        shape = spec["shape"]
        if not isinstance(shape, list) or not all(is_int(d) and d >= 0 for d in shape):
            raise _Invalid(f"weights[{i}] has an invalid shape {shape!r}")
        if spec["dtype"] not in DTYPES:
            raise _Invalid(
                f"weights[{i}] has dtype {spec['dtype']!r}; model weights are "
                f"{' or '.join(DTYPES)}"
            )

    compiled, state = doc["compile"], doc["optimizer_state"]
    if (compiled is None) != (state is None):
        raise _Invalid("'compile' and 'optimizer_state' must both be null or neither")
    if state is None:
        return weights, None
    if not isinstance(state, dict) or not is_int(state.get("iterations")):
        raise _Invalid(
            f"'optimizer_state' must hold an integer 'iterations'; found {state!r}"
        )
    if state["iterations"] < 0:
        raise _Invalid(
            f"optimizer iterations must be >= 0; found {state['iterations']}"
        )
    names = state.get("slots")
    if names is None:
        return weights, None
    if not isinstance(names, list) or not all(
        isinstance(n, list) and all(isinstance(s, str) and s.isidentifier() for s in n)
        for n in names
    ):
        raise _Invalid(
            f"optimizer_state 'slots' must be null or lists of names; found {names!r}"
        )
    return weights, [{s: f"s{i}_{s}" for s in n} for i, n in enumerate(names)]


def _build_model(config: Any) -> Sequential:
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise _Invalid("'model' must be a model config with a list of 'layers'")
    input_dim = config.get("input_dim")
    if not is_int(input_dim) or input_dim < 1:
        raise _Invalid(
            f"the model config needs a positive integer input_dim; found {input_dim!r}"
        )
    if config.get("dtype") not in DTYPES:
        raise _Invalid(
            f"the model's dtype must be one of {DTYPES}; found {config.get('dtype')!r}"
        )
    try:
        model = Sequential.from_config(config)
    except (ValueError, TypeError, KeyError) as exc:
        raise _Invalid(f"bad model config: {exc}") from None
    if not model.built:  # pragma: no cover - input_dim is checked above
        raise _Invalid("the model config does not build")
    return model


def _compile(model: Sequential, config: Any) -> None:
    if config is None:
        return
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("loss"), dict)
        or not isinstance(config.get("optimizer"), dict)
        or not isinstance(config.get("metrics"), list)
        or not all(isinstance(m, str) for m in config["metrics"])
    ):
        raise _Invalid(
            "'compile' must be null or hold 'loss' and 'optimizer' configs and a list "
            f"of 'metrics'; found {config!r}"
        )
    try:
        model.compile(
            loss=config["loss"],
            optimizer=config["optimizer"],
            metrics=config["metrics"],
        )
    except (ValueError, TypeError) as exc:
        raise _Invalid(f"bad compile settings: {exc}") from None


def _read_array(
    npz: np.lib.npyio.NpzFile,
    info: zipfile.ZipInfo,
    key: str,
    shape: tuple[int, ...] | None,
    dtype: np.dtype,
) -> np.ndarray:
    """The array ``key``, after its .npy header has shown the expected dtype
    and shape (or, without one, a size below ``_MAX_HEADER_BYTES``), so that
    a hostile header can neither unpickle objects nor allocate memory."""
    assert npz.zip is not None
    with npz.zip.open(info) as f:
        version = npy_format.read_magic(f)
        if version == (1, 0):
            got_shape, _, got_dtype = npy_format.read_array_header_1_0(f)
        elif version == (2, 0):
            got_shape, _, got_dtype = npy_format.read_array_header_2_0(f)
        else:
            raise _Invalid(f"array {key!r} uses an unsupported .npy version {version}")
    if got_dtype.hasobject:
        raise _Invalid(
            f"array {key!r} holds Python objects (pickled data), which are never "
            "loaded; a model file holds only float arrays"
        )
    if got_dtype.newbyteorder("=") != dtype:
        raise _Invalid(f"array {key!r} has dtype {got_dtype}; expected {dtype.name}")
    if shape is not None and got_shape != shape:
        raise _Invalid(f"array {key!r} has shape {got_shape}; expected {shape}")
    if shape is None and math.prod(got_shape) > _MAX_HEADER_BYTES:
        raise _Invalid(f"array {key!r} has shape {got_shape}, too large")
    value = npz[key]
    if not isinstance(value, np.ndarray):  # pragma: no cover - header checked
        raise _Invalid(f"entry {key!r} is not a NumPy array")
    value = value.astype(dtype, copy=False)  # native byte order
    if dtype.kind == "f" and not np.isfinite(value).all():
        raise _Invalid(
            f"array {key!r} holds {int((~np.isfinite(value)).sum())} NaN or "
            "infinite values"
        )
    return value


def _restore_rng(rng: np.random.Generator, state: Any, field: str) -> None:
    kind = type(rng.bit_generator).__name__
    if not isinstance(state, Mapping) or state.get("bit_generator") != kind:
        raise _Invalid(f"{field!r} must be the state of a {kind} generator")
    try:
        rng.bit_generator.state = dict(state)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _Invalid(f"bad {field!r}: {exc}") from None


class ModelCheckpoint(Callback):
    """Save the model (weights, optimizer state, random generator state: all
    that training needs to go on) at the end of some epochs, with
    :func:`mlplab.save` -- atomically, so a crash during a save leaves the
    previous file intact.

    Parameters
    ----------
    path : str or Path
        The file to write; ``{epoch}`` in it is replaced by the epoch number
        (counted from 1), e.g. ``"ckpt-{epoch}.npz"``.
    monitor : str, default "loss"
        The logged value ``save_best_only`` compares (``"val_loss"``, a
        metric, ...).
    save_best_only : bool, default False
        Save only when ``monitor`` improved on the best value so far.
    every : int, default 1
        Consider saving every ``every`` epochs (and always after the last).
    mode : {"min", "max"}, default "min"
        Whether lower or higher ``monitor`` values are better.
    metadata : dict, optional
        Saved with the model (``mlplab.persistence.read_metadata``), updated
        with ``epoch`` (epochs done), ``history`` (the logs so far) and the
        monitored value.
    initial_epoch : int, default 0
        Epochs done before this ``fit`` (a resumed run): counted in ``epoch``.
    initial_history : dict of lists, optional
        Their logs, which ``history`` continues.

    >>> import tempfile, pathlib
    >>> import mlplab as ml
    >>> X, y = ml.datasets.make_moons(50, seed=0)
    >>> m = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> m.compile("binary_crossentropy", "sgd")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.npz"
    >>> _ = m.fit(X, y, epochs=6, callbacks=[ModelCheckpoint(path, every=4)])
    >>> read_metadata(path)["epoch"]
    6
    """

    def __init__(
        self,
        path: Any,
        monitor: str = "loss",
        save_best_only: bool = False,
        every: int = 1,
        mode: str = "min",
        metadata: dict[str, Any] | None = None,
        initial_epoch: int = 0,
        initial_history: dict[str, list[float]] | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(path, str) and not hasattr(path, "__fspath__"):
            raise TypeError(f"path must be a str or a Path; received {path!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'; received mode={mode!r}")
        if not is_int(every) or every < 1:
            raise ValueError(
                f"every must be a positive integer; received every={every!r}"
            )
        self.path, self.monitor, self.mode = str(path), monitor, mode
        self.save_best_only, self.every = bool(save_best_only), every
        self.metadata = dict(metadata or {})
        self.initial_epoch = int(initial_epoch)
        self.initial_history = {k: list(v) for k, v in (initial_history or {}).items()}
        self.best: float | None = None
        self.saved: list[str] = []
        self.epoch = self.initial_epoch  # epochs done, counting initial_epoch
        self._logs: dict[str, list[float]] = {}

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.best = None
        self._logs = {k: list(v) for k, v in self.initial_history.items()}
        self.epoch = self.initial_epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        for k, v in logs.items():
            self._logs.setdefault(k, []).append(float(v))
        self.epoch = self.initial_epoch + epoch + 1
        if self.epoch % self.every == 0:
            self._maybe_save(logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        ran = self.epoch > self.initial_epoch
        if ran and self.epoch % self.every != 0 and not self.save_best_only:
            self.save()

    def _maybe_save(self, logs: dict[str, Any]) -> None:
        if self.save_best_only:
            if self.monitor not in logs:
                raise ValueError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which training "
                    f"does not log; logged: {sorted(logs)}"
                )
            value = float(logs[self.monitor])
            better = self.best is None or (
                value < self.best if self.mode == "min" else value > self.best
            )
            if not (better and math.isfinite(value)):
                return
            self.best = value
        self.save()

    def save(self) -> str:
        """Save now; returns the path written."""
        assert self.model is not None
        path = self.path.replace("{epoch}", str(self.epoch))
        meta = {**self.metadata, "epoch": self.epoch, "history": self._logs}
        if self.best is not None:
            meta[self.monitor] = self.best
        save(self.model, path, metadata=meta)
        self.saved.append(path)
        return path
