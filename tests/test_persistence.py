import io
import json
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

import mlplab as ml
from mlplab import persistence
from mlplab.exceptions import ModelFormatError


# -- models and data ---------------------------------------------------------------
def _data(task, n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if task == "binary":
        y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    elif task == "softmax":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])  # 3 classes
    else:
        y = np.column_stack([X @ [1.0, -2.0, 0.5], np.sin(X[:, 0])])
    return X, y


def _model(
    task="binary",
    hidden=(4,),
    activation="tanh",
    reg=None,
    dropout=0.0,
    dtype="float64",
    seed=0,
):
    layers = []
    for units in hidden:
        layers.append(ml.Dense(units, activation=activation, kernel_regularizer=reg))
        if dropout:
            layers.append(ml.Dropout(dropout))
    out = {"binary": (1, "sigmoid"), "softmax": (3, "softmax"), "regression": (2, None)}
    units, act = out[task]
    layers.append(ml.Dense(units, activation=act))
    return ml.Sequential(layers, input_dim=3, seed=seed, dtype=dtype)


_LOSS = {
    "binary": "binary_crossentropy",
    "softmax": "categorical_crossentropy",
    "regression": "mse",
}
_METRICS = {"binary": ["accuracy"], "softmax": ["accuracy"], "regression": ["mae"]}


def _trained(task="binary", optimizer=None, epochs=3, batch_size=8, **kw):
    model = _model(task, **kw)
    model.compile(_LOSS[task], optimizer or ml.Adam(0.01), _METRICS[task])
    X, y = _data(task)
    model.fit(X, y, epochs=epochs, batch_size=batch_size)
    return model


def _assert_same_model(a, b):
    X, _ = _data("binary")
    assert b.get_config() == a.get_config()
    assert b.weight_names == a.weight_names
    assert b.dtype == a.dtype
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert wb.dtype == wa.dtype
        np.testing.assert_array_equal(wb, wa)
    pa, pb = a.predict(X), b.predict(X)
    assert pb.dtype == pa.dtype
    np.testing.assert_array_equal(pb, pa)
    assert all(layer.rng is b.train_rng for layer in b.layers)
    assert b.train_rng.bit_generator.state == a.train_rng.bit_generator.state
    assert b._init_rng.bit_generator.state == a._init_rng.bit_generator.state


# -- round trips -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("task", "kw"),
    [
        ("binary", {}),
        ("binary", {"hidden": ()}),
        ("softmax", {"hidden": (5, 4)}),
        ("regression", {"hidden": (3,)}),
        ("binary", {"reg": ml.L2(0.01)}),
        ("binary", {"dropout": 0.3}),
        ("softmax", {"activation": ml.activations.get({"name": "elu", "alpha": 2.0})}),
        ("regression", {"dtype": "float32", "hidden": (4, 3)}),
    ],
)
def test_round_trip_compiled(tmp_path, task, kw):
    model = _trained(task, **kw)
    path = tmp_path / "model.npz"
    persistence.save(model, path)
    loaded = persistence.load(path)
    _assert_same_model(model, loaded)
    assert loaded.loss.get_config() == model.loss.get_config()
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.metrics == model.metrics
    assert loaded.optimizer.iterations == model.optimizer.iterations == 15
    X, y = _data(task)
    assert loaded.evaluate(X, y) == model.evaluate(X, y)


@pytest.mark.parametrize(
    ("loss", "output", "hidden"),
    [
        ({"name": "huber", "delta": 2.5}, None, "tanh"),
        ("absolute_error", None, "relu"),
        ("poisson", "exp", "exp"),
    ],
)
def test_round_trip_of_the_regression_losses(tmp_path, loss, output, hidden):
    model = ml.Sequential(
        [ml.Dense(4, activation=hidden), ml.Dense(2, activation=output)],
        input_dim=3,
        seed=0,
    )
    model.compile(loss, ml.Adam(0.01))
    X, _ = _data("regression")
    y = np.random.default_rng(1).poisson(2.0, size=(40, 2))  # counts: valid for all
    model.fit(X, y, epochs=2, batch_size=8)
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    _assert_same_model(model, loaded)
    assert loaded.loss.get_config() == model.loss.get_config()
    if isinstance(loss, dict):
        assert loaded.loss.delta == 2.5
    assert loaded.evaluate(X, y) == model.evaluate(X, y)


@pytest.mark.parametrize("hidden", [(), (3,), (4, 2)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip_uncompiled(tmp_path, hidden, dtype):
    model = _model("binary", hidden=hidden, dtype=dtype, seed=None)
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(str(tmp_path / "m.npz"))
    _assert_same_model(model, loaded)
    assert loaded.loss is None and loaded.optimizer is None
    assert loaded.dtype == np.dtype(dtype)


def test_float32_stays_float32(tmp_path):
    model = _trained(dtype="float32")
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    assert {w.dtype for w in loaded.get_weights()} == {np.dtype("float32")}
    slots = loaded.optimizer._slots
    assert {a.dtype for s in slots for a in s.values()} == {np.dtype("float32")}
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert {npz[k].dtype.name for k in npz.files if k != "__mlplab__"} == {
            "float32"
        }


def test_file_layout(tmp_path):
    model = _trained(optimizer=ml.SGD(0.1, momentum=0.9))
    path = tmp_path / "model.npz"
    persistence.save(model, path)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == [
            "__mlplab__",
            "s0_velocity",
            "w0",
            "w1",
            "w2",
            "w3",
        ]
        doc = json.loads(npz["__mlplab__"].tobytes().decode("utf-8"))
    assert doc["format"] == "mlplab-model"
    assert doc["format_version"] == persistence.FORMAT_VERSION == 1
    assert doc["mlplab_version"] == ml.__version__
    assert doc["model"] == model.get_config()
    assert doc["compile"]["metrics"] == ["accuracy"]
    assert doc["optimizer_state"] == {"iterations": 15, "slots": [["velocity"]]}
    assert [w["key"] for w in doc["weights"]] == ["w0", "w1", "w2", "w3"]
    assert doc["weights"][0] == {
        "name": "dense/W",
        "key": "w0",
        "shape": [3, 4],
        "dtype": "float64",
    }
    assert doc["rng_state"] == model.train_rng.bit_generator.state


def test_schedule_and_optimizer_settings_round_trip(tmp_path):
    sched = ml.schedules.ExponentialDecay(0.1, decay_steps=5, decay_rate=0.5)
    opt = ml.SGD(sched, momentum=0.8, nesterov=True, clipnorm=1.0)
    model = _trained(optimizer=opt)
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    assert loaded.optimizer.get_config() == opt.get_config()
    assert loaded.optimizer.current_learning_rate() == opt.current_learning_rate()


# -- resuming training -------------------------------------------------------------
_RESUME_OPTIMIZERS = {
    "sgd_momentum": lambda: ml.SGD(0.1, momentum=0.9),
    "adam": lambda: ml.Adam(0.01),
    "sgd_nesterov_schedule": lambda: ml.SGD(
        ml.schedules.InverseTimeDecay(0.1, decay_steps=3, decay_rate=0.5),
        momentum=0.5,
        nesterov=True,
    ),
    "rmsprop": lambda: ml.RMSprop(0.01),
    "adagrad": lambda: ml.Adagrad(0.1),
}


def _resume(model, X, y):
    history = model.fit(X, y, epochs=3, batch_size=8)
    return model.get_weights(), history.history["loss"]


@pytest.mark.parametrize("opt", sorted(_RESUME_OPTIMIZERS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_resumed_training_is_bit_identical(tmp_path, opt, dtype):
    X, y = _data("binary")
    model = _trained(
        optimizer=_RESUME_OPTIMIZERS[opt](), dropout=0.3, hidden=(6,), dtype=dtype
    )
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    w_loaded, loss_loaded = _resume(loaded, X, y)
    w_orig, loss_orig = _resume(model, X, y)
    assert loss_loaded == loss_orig
    for a, b in zip(w_orig, w_loaded, strict=True):
        assert b.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(b, a)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 30


@pytest.mark.parametrize("forget", ["rng", "optimizer"])
def test_resume_check_can_fail(tmp_path, forget):
    # The test above must be able to fail: drop one piece of the saved state
    # and the continuation differs.
    X, y = _data("binary")
    model = _trained(optimizer=ml.Adam(0.01), dropout=0.3, hidden=(6,))
    persistence.save(model, tmp_path / "m.npz")
    loaded = persistence.load(tmp_path / "m.npz")
    if forget == "rng":
        loaded.train_rng.bit_generator.state = np.random.default_rng(
            1
        ).bit_generator.state
    else:
        loaded.optimizer.reset(keep_iterations=True)
    w_loaded, _ = _resume(loaded, X, y)
    w_orig, _ = _resume(model, X, y)
    assert not np.array_equal(w_loaded[0], w_orig[0])


# -- writing -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["model.npz", "model", "model.bin", "my model.v2"])
def test_file_has_exactly_the_given_name(tmp_path, name):
    persistence.save(_model(), tmp_path / name)
    assert os.listdir(tmp_path) == [name]
    persistence.load(tmp_path / name)


def test_overwrite_replaces_the_file(tmp_path):
    path = tmp_path / "m.npz"
    persistence.save(_model(seed=1), path)
    second = _model(seed=2)
    persistence.save(second, path)
    _assert_same_model(second, persistence.load(path))
    assert os.listdir(tmp_path) == ["m.npz"]


def test_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        persistence.save(_model(), tmp_path / "m.npz")
    finally:
        os.umask(old)
    if os.name == "posix":
        assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644


def _fail_replace(*args, **kwargs):
    raise OSError("disk full (simulated)")


def _fail_savez(file, *args, **kwargs):
    file.write(b"PK\x03\x04 half an archive")
    raise RuntimeError("interrupted (simulated)")


@pytest.mark.parametrize(
    ("target", "replacement", "error"),
    [
        (persistence.os, ("replace", _fail_replace), OSError),
        (persistence.np, ("savez", _fail_savez), RuntimeError),
    ],
)
def test_failed_save_keeps_the_previous_file(
    tmp_path, monkeypatch, target, replacement, error
):
    path = tmp_path / "m.npz"
    first = _trained()
    persistence.save(first, path)
    before = path.read_bytes()
    monkeypatch.setattr(target, *replacement)
    with pytest.raises(error, match="simulated"):
        persistence.save(_model(seed=5), path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind
    assert path.read_bytes() == before
    _assert_same_model(first, persistence.load(path))


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(persistence.os, "replace", _fail_replace)
    with pytest.raises(OSError, match="simulated"):
        persistence.save(_model(), tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_save_refuses_unbuilt_model(tmp_path):
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match=r"not built.*fit\(\)"):
        persistence.save(model, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_save_refuses_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        persistence.save(_model(), tmp_path / "nope" / "m.npz")
    assert not (tmp_path / "nope").exists()


def test_save_refuses_a_folder_as_target(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        persistence.save(_model(), tmp_path)


def test_save_refuses_non_model(tmp_path):
    with pytest.raises(TypeError, match="Sequential"):
        persistence.save([np.zeros(3)], tmp_path / "m.npz")


def test_save_refuses_config_json_cannot_store(tmp_path):
    model = ml.Sequential([ml.Dense(1)], input_dim=2, name=object())
    with pytest.raises(ValueError, match="JSON cannot store"):
        persistence.save(model, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where", ["weights", "slots"])
def test_save_refuses_non_finite_state(tmp_path, where):
    model = _trained()
    if where == "weights":
        model._flat_params[0] = np.nan
    else:
        model.optimizer._slots[0]["v"][0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        persistence.save(model, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_save_refuses_optimizer_state_of_another_model(tmp_path):
    model = _trained()
    model.optimizer.reset()
    model.optimizer.step([np.zeros(2)], [np.ones(2)])  # state for 2 weights
    with pytest.raises(ValueError, match="does not match this model"):
        persistence.save(model, tmp_path / "m.npz")


def test_save_refuses_config_that_would_not_load(tmp_path):
    class MyDense(ml.Dense):
        pass

    model = ml.Sequential([MyDense(1)], input_dim=2)
    with pytest.raises(ValueError, match="would not load back"):
        persistence.save(model, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


# -- refusing bad files ------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    """A valid file: a trained model with Adam state (slots s0_m, s0_v)."""
    path = tmp_path / "good.npz"
    persistence.save(_trained(), path)
    return path


def _entries(path):
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _header(doc):
    return np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)


def _rewrite(src, dst, edit=None, arrays=None, drop=()):
    """Copy of the model file ``src`` with its JSON edited, arrays replaced or
    added, and some dropped."""
    entries = _entries(src)
    doc = json.loads(entries["__mlplab__"].tobytes())
    if edit is not None:
        edit(doc)
    entries["__mlplab__"] = _header(doc)
    for key in drop:
        del entries[key]
    entries.update(arrays or {})
    with open(dst, "wb") as f:
        np.savez(f, **entries)  # allow_pickle=True: object arrays get pickled
    return dst


def _refused(path, match):
    with pytest.raises(ModelFormatError, match=match) as info:
        persistence.load(path)
    assert isinstance(info.value, ValueError)
    assert os.fspath(path) in str(info.value)
    return info.value


def test_missing_file(tmp_path):
    _refused(tmp_path / "absent.npz", "no such file")


def test_folder_is_refused(tmp_path):
    _refused(tmp_path, "folder")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    _refused(saved, "damaged|not an mlplab model file")


def test_empty_file(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    _refused(tmp_path / "e.npz", r"not a \.npz archive")


def test_random_bytes(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "r.npz").write_bytes(rng.bytes(2000))
    _refused(tmp_path / "r.npz", r"not a \.npz archive")
    (tmp_path / "z.npz").write_bytes(b"PK\x03\x04" + rng.bytes(2000))
    _refused(tmp_path / "z.npz", "damaged")


def test_plain_npy_file(tmp_path):
    with open(tmp_path / "a.npz", "wb") as f:
        np.save(f, np.zeros(3))
    _refused(tmp_path / "a.npz", r"not a \.npz archive")


def test_plain_npz_without_description(tmp_path):
    np.savez(tmp_path / "plain.npz", w0=np.zeros((3, 4)))
    _refused(tmp_path / "plain.npz", r"plain \.npz archive")


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b'{"format": NaN}', "not valid JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
    ],
)
def test_bad_json(saved, tmp_path, payload, match):
    bad = _rewrite(
        saved,
        tmp_path / "b.npz",
        arrays={"__mlplab__": np.frombuffer(payload, np.uint8)},
    )
    _refused(bad, match)


def test_description_of_wrong_dtype(saved, tmp_path):
    text = _entries(saved)["__mlplab__"].tobytes()
    as_int = np.frombuffer(text, np.uint8).astype(np.int64)
    _refused(
        _rewrite(saved, tmp_path / "b.npz", arrays={"__mlplab__": as_int}), "dtype"
    )


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def edit(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _delete(key):
    return lambda doc: doc.pop(key)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("format", "keras-model"), "format is 'keras-model'"),
        (_delete("format"), "format is None"),
        (_set("format_version", 0), "format_version must be a positive integer"),
        (_set("format_version", "1"), "format_version must be a positive integer"),
        (
            _set("format_version", 2),
            r"newer mlplab \(format version 2, this mlplab reads up to 1\)",
        ),
        (_delete("rng_state"), "no 'rng_state' field"),
        (
            _set("model", "layers", 0, "class_name", "Conv2D"),
            "bad model config.*Conv2D",
        ),
        (_set("model", "layers", 0, "units", -3), "bad model config.*units=-3"),
        (_set("model", "layers", 0, "bias", 1), "bad model config.*bias"),
        (_set("model", "input_dim", None), "positive integer input_dim"),
        (_set("model", "dtype", "int8"), "dtype must be one of"),
        (_set("model", "layers", {}), "list of 'layers'"),
        (_set("compile", "loss", {"name": "hinge"}), "bad compile settings.*hinge"),
        (_set("compile", "metrics", ["auc"]), "bad compile settings.*auc"),
        (_set("compile", None), "both be null or neither"),
        (_set("optimizer_state", "iterations", -1), "iterations must be >= 0"),
        (_set("optimizer_state", "iterations", 1.5), "integer 'iterations'"),
        (_set("weights", 0, "name", "other/W"), "named 'other/W'"),
        (_set("weights", 0, "key", "w9"), "key 'w0'"),
        (_set("weights", 0, "dtype", "int64"), "dtype 'int64'"),
        (_set("weights", 0, "shape", [4, 3]), r"the model needs shape \(3, 4\)"),
        (_set("weights", 0, "shape", [-1, 3]), "invalid shape"),
        (_set("weights", {}), "'weights' must be a list"),
        (_set("weights", 0, {"name": "dense/W"}), "must be an object with 'name'"),
        (_set("compile", "metrics", "accuracy"), "'compile' must be null or hold"),
        (_set("optimizer_state", "slots", "m"), "'slots' must be null or lists"),
        (_set("rng_state", "bit_generator", "MT19937"), "PCG64"),
        (_set("rng_state", "state", "state", "x"), "bad 'rng_state'"),
    ],
)
def test_bad_description(saved, tmp_path, edit, match):
    _refused(_rewrite(saved, tmp_path / "b.npz", edit=edit), match)


def test_missing_array(saved, tmp_path):
    _refused(_rewrite(saved, tmp_path / "b.npz", drop=["w1"]), r"missing: \['w1'\]")
    _refused(_rewrite(saved, tmp_path / "c.npz", drop=["s0_v"]), "missing.*s0_v")


def test_extra_array(saved, tmp_path):
    extra = {"w4": np.zeros(3)}
    _refused(_rewrite(saved, tmp_path / "b.npz", arrays=extra), r"not list: \['w4'\]")


def test_array_listed_with_fewer_weights_than_the_model(saved, tmp_path):
    def edit(doc):
        doc["weights"].pop()

    bad = _rewrite(saved, tmp_path / "b.npz", edit=edit, drop=["w3"])
    _refused(bad, "lists 3 weight arrays; the model has 4")


def test_wrong_shape(saved, tmp_path):
    w0 = _entries(saved)["w0"]
    bad = _rewrite(saved, tmp_path / "b.npz", arrays={"w0": w0[:2]})
    _refused(bad, r"'w0' has shape \(2, 4\); expected \(3, 4\)")
    v = _entries(saved)["s0_v"]
    bad = _rewrite(saved, tmp_path / "c.npz", arrays={"s0_v": v[:-1]})
    _refused(bad, "'s0_v' has shape")


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.complex128, np.bool_])
def test_wrong_dtype(saved, tmp_path, dtype):
    w0 = _entries(saved)["w0"]
    bad = _rewrite(saved, tmp_path / "b.npz", arrays={"w0": w0.astype(dtype)})
    _refused(bad, f"'w0' has dtype {np.dtype(dtype)}; expected float64")


def test_other_byte_order_is_accepted(saved, tmp_path):
    entries = _entries(saved)
    swapped = entries["w0"].astype(entries["w0"].dtype.newbyteorder())
    loaded = persistence.load(
        _rewrite(saved, tmp_path / "b.npz", arrays={"w0": swapped})
    )
    np.testing.assert_array_equal(loaded.get_weights()[0], entries["w0"])


@pytest.mark.parametrize("key", ["w2", "s0_m"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_values(saved, tmp_path, key, value):
    arr = _entries(saved)[key].copy()
    arr.flat[1] = value
    _refused(_rewrite(saved, tmp_path / "b.npz", arrays={key: arr}), "NaN or infinite")


def test_slot_names_must_match_the_optimizer(saved, tmp_path):
    def edit(doc):
        doc["optimizer_state"]["slots"] = [["m", "velocity"]]

    entries = _entries(saved)
    bad = _rewrite(
        saved,
        tmp_path / "b.npz",
        edit=edit,
        arrays={"s0_velocity": entries["s0_v"]},
        drop=["s0_v"],
    )
    _refused(bad, r"holds \['m', 'velocity'\]")


class _Touch:
    """Unpickling this creates the file ``path``: the side effect a hostile
    model file would aim for."""

    def __init__(self, path):
        self.path = pathlib.Path(path)

    def __reduce__(self):
        return (pathlib.Path.touch, (self.path,))


def _object_array(marker):
    arr = np.empty(1, dtype=object)
    arr[0] = _Touch(marker)
    return arr


def test_pickle_payload_would_run_if_unpickled(tmp_path):
    # The control for the tests below: the payload does act when unpickled.
    marker = tmp_path / "pwned"
    np.save(tmp_path / "obj.npy", _object_array(marker), allow_pickle=True)
    np.load(tmp_path / "obj.npy", allow_pickle=True)
    assert marker.exists()


@pytest.mark.parametrize("key", ["w0", "s0_m", "__mlplab__", "extra"])
def test_pickled_array_is_never_unpickled(saved, tmp_path, key):
    marker = tmp_path / "pwned"
    bad = _rewrite(saved, tmp_path / "b.npz", arrays={key: _object_array(marker)})
    _refused(bad, "Python objects|not list")
    assert not marker.exists()


def test_whole_file_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "p.npz").write_bytes(pickle.dumps(_Touch(marker)))
    _refused(tmp_path / "p.npz", r"not a \.npz archive")
    with open(tmp_path / "q.npz", "wb") as f:
        np.save(f, _object_array(marker), allow_pickle=True)
    _refused(tmp_path / "q.npz", r"not a \.npz archive")
    assert not marker.exists()


def test_non_npy_entry(saved, tmp_path):
    with zipfile.ZipFile(saved, "a") as zf:
        zf.writestr("notes.txt", "hello")
    _refused(saved, "unexpected entry 'notes.txt'")


def _recompress(src, dst, compress_type):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info), compress_type=compress_type)
    return dst


def test_compressed_archive_loads(saved, tmp_path):
    loaded = persistence.load(
        _recompress(saved, tmp_path / "c.npz", zipfile.ZIP_DEFLATED)
    )
    _assert_same_model(persistence.load(saved), loaded)


def test_unsupported_compression(saved, tmp_path):
    bad = _recompress(saved, tmp_path / "c.npz", zipfile.ZIP_BZIP2)
    _refused(bad, "unsupported zip compression")


def test_description_must_be_1d_and_small(saved, tmp_path, monkeypatch):
    text = _entries(saved)["__mlplab__"]
    bad = _rewrite(saved, tmp_path / "b.npz", arrays={"__mlplab__": text[None, :]})
    _refused(bad, "1-D array of bytes")
    monkeypatch.setattr(persistence, "_MAX_HEADER_BYTES", 100)
    _refused(saved, "more than a model description can be")


def test_huge_declared_shape_is_refused_before_reading(tmp_path):
    # A .npy header that claims 10**15 bytes over a few bytes of data: refused
    # from the header, without allocating.
    header = {"descr": "|u1", "fortran_order": False, "shape": (10**15,)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(tmp_path / "h.npz", "w") as zf:
        zf.writestr("__mlplab__.npy", buf.getvalue() + b"{}")
    _refused(tmp_path / "h.npz", "too large")


# -- metadata -------------------------------------------------------------------------
def test_metadata_round_trip(tmp_path):
    path = tmp_path / "m.npz"
    classes = list(np.unique(np.array([3, 1, 2, 1])))  # NumPy integers
    meta = {"classes": classes, "features": ["x", "y"], "note": None, "p": 0.25}
    persistence.save(_trained(), path, metadata=meta)
    assert persistence.read_metadata(path) == {**meta, "classes": [1, 2, 3]}
    persistence.load(path)


def test_metadata_defaults_to_empty(saved):
    assert persistence.read_metadata(saved) == {}


@pytest.mark.parametrize(
    ("metadata", "error", "match"),
    [
        (["classes"], TypeError, "dict with string keys"),
        ({1: "a"}, TypeError, "dict with string keys"),
        ({"f": float("nan")}, ValueError, "JSON cannot store"),
        ({"f": object()}, ValueError, "JSON cannot store"),
    ],
)
def test_bad_metadata_is_refused(tmp_path, metadata, error, match):
    with pytest.raises(error, match=match):
        persistence.save(_model(), tmp_path / "m.npz", metadata=metadata)
    assert os.listdir(tmp_path) == []


def test_metadata_must_be_an_object_in_the_file(saved, tmp_path):
    bad = _rewrite(saved, tmp_path / "b.npz", edit=_set("metadata", [1]))
    _refused(bad, "'metadata' must be a JSON object")
    with pytest.raises(ModelFormatError, match="must be a JSON object"):
        persistence.read_metadata(bad)


def test_read_metadata_refuses_bad_files(tmp_path):
    with pytest.raises(ModelFormatError, match="no such file"):
        persistence.read_metadata(tmp_path / "absent.npz")
    np.savez(tmp_path / "plain.npz", w0=np.zeros(2))
    with pytest.raises(ModelFormatError, match=r"plain \.npz archive"):
        persistence.read_metadata(tmp_path / "plain.npz")
