"""The keys a run takes for the playground: data_seed, per-layer activations,
dropout, l1 and feature_columns. Each is checked, parsed from the command line
and TOML, and acts on the data or the network; left out, nothing changes."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlplab import datasets, preprocessing
from mlplab.cli import main
from mlplab.cli._options import config_from_args
from mlplab.config import RunConfig, parse_value
from mlplab.layers import Dense, Dropout
from mlplab.model import Sequential
from mlplab.regularizers import L1, L1L2, L2, Regularizer
from mlplab.rundata import load_data
from mlplab.runmodel import build_model

SMALL = {"samples": 60, "epochs": 5}


def _dense(model: Sequential) -> list[Dense]:
    return [layer for layer in model.layers if isinstance(layer, Dense)]


def _round_trip(config: RunConfig, tmp_path: Path) -> RunConfig:
    path = tmp_path / "run.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    return RunConfig.from_toml(path)


def _parsed_by_train(argv: list[str]) -> RunConfig:
    from mlplab.cli import build_parser

    return config_from_args(build_parser().parse_args(["train", *argv]))


# -- defaults: nothing changes --------------------------------------------------


def test_the_new_keys_default_to_off() -> None:
    c = RunConfig()
    assert (c.data_seed, c.dropout, c.feature_columns, c.l1) == (None, None, None, 0)
    assert c.activation_specs() == ["tanh"]
    assert c.dropout_rates() == [0.0]
    assert c.seed_of_data() == 0


def test_files_of_runs_without_the_new_keys_stay_as_they_were() -> None:
    # The keys config.toml and metrics.json held before these existed.
    assert list(RunConfig().to_dict()) == [
        "dataset",
        "scale",
        "hidden",
        "activation",
        "optimizer",
        "lr",
        "epochs",
        "init",
        "l2",
        "test_size",
        "seed",
        "batch_size",
    ]
    assert "l1" not in RunConfig(l1=0).to_toml()
    assert RunConfig.from_dict(RunConfig(l1=0.0).to_dict()).l1 == 0.0


def test_defaults_build_the_network_as_before() -> None:
    # The network and data a default run had, written out by hand.
    config = RunConfig(samples=80, hidden=(4, 3), l2=0.01, seed=3, epochs=20)
    X, y = datasets.make_moons(80, seed=3)
    X_train, _, y_train, _ = preprocessing.train_test_split(
        X, y, test_size=0.2, stratify=True, seed=3
    )
    data = load_data(config)
    assert data.X_train.tobytes() == X_train.tobytes()
    assert data.y_train.tobytes() == y_train.tobytes()
    reg = L2(0.01)
    by_hand = Sequential(
        [
            Dense(4, activation="tanh", kernel_regularizer=reg),
            Dense(3, activation="tanh", kernel_regularizer=reg),
            Dense(1, activation="sigmoid", kernel_regularizer=reg),
        ],
        input_dim=2,
        seed=3,
    )
    by_hand.compile("binary_crossentropy", config.make_optimizer(), ["accuracy"])
    model = build_model(config, data)
    assert [type(layer) for layer in model.layers] == [Dense, Dense, Dense]
    for m in (by_hand, model):
        m.fit(data.X_train, data.y_train, epochs=20)
    for w, w_hand in zip(model.get_weights(), by_hand.get_weights(), strict=True):
        assert w.tobytes() == w_hand.tobytes()


# -- data_seed ------------------------------------------------------------------


def _first_weights(config: RunConfig) -> np.ndarray:
    return build_model(config, load_data(config)).get_weights()[0]


def test_data_seed_changes_the_data_and_not_the_weights() -> None:
    a = RunConfig(seed=1, data_seed=5, **SMALL)
    b = RunConfig(seed=1, data_seed=6, **SMALL)
    assert not np.array_equal(load_data(a).X_train, load_data(b).X_train)
    assert np.array_equal(_first_weights(a), _first_weights(b))


def test_seed_changes_the_weights_and_not_the_data_when_data_seed_is_set() -> None:
    a = RunConfig(seed=1, data_seed=5, **SMALL)
    b = RunConfig(seed=2, data_seed=5, **SMALL)
    da, db = load_data(a), load_data(b)
    assert da.X_train.tobytes() == db.X_train.tobytes()
    assert da.X_test is not None and db.X_test is not None
    assert da.X_test.tobytes() == db.X_test.tobytes()
    assert not np.array_equal(_first_weights(a), _first_weights(b))


def test_data_seed_seeds_generation_and_split() -> None:
    X, y = datasets.make_moons(60, seed=7)
    _, X_test, _, _ = preprocessing.train_test_split(
        X, y, test_size=0.2, stratify=True, seed=7
    )
    data = load_data(RunConfig(seed=0, data_seed=7, samples=60))
    assert data.X_test is not None and data.X_test.tobytes() == X_test.tobytes()
    # Without data_seed, seed seeds the data, as it always did.
    same = load_data(RunConfig(seed=7, samples=60))
    assert same.X_test is not None and same.X_test.tobytes() == X_test.tobytes()


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [(-1, ValueError, "data_seed=-1"), ("3", TypeError, "data_seed='3'")],
)
def test_data_seed_refused(value: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        RunConfig(data_seed=value)


# -- per-layer activations ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("Tanh, ReLU", "tanh,relu"),
        (["tanh", "relu"], "tanh,relu"),
        ("elu:2,sigmoid", "elu:2,sigmoid"),
    ],
)
def test_activation_lists_are_normalized(value: Any, stored: str) -> None:
    assert RunConfig(hidden=(3, 2), activation=value).activation == stored


def test_activation_specs_one_per_layer() -> None:
    c = RunConfig(hidden=(3, 2, 2), activation="elu:2,relu,leaky_relu:0.1")
    assert c.activation_specs() == [
        {"name": "elu", "alpha": 2.0},
        "relu",
        {"name": "leaky_relu", "alpha": 0.1},
    ]
    assert RunConfig(hidden=(3, 2), activation="elu:2").activation_specs() == [
        {"name": "elu", "alpha": 2.0},
        {"name": "elu", "alpha": 2.0},
    ]
    assert RunConfig(hidden=(), activation="relu").activation_specs() == []


def test_activation_spec_refuses_a_list() -> None:
    with pytest.raises(ValueError, match=r"activation='tanh,relu'.*activation_specs"):
        RunConfig(hidden=(3, 2), activation="tanh,relu").activation_spec()
    assert RunConfig(activation="elu:2").activation_spec() == {
        "name": "elu",
        "alpha": 2.0,
    }


@pytest.mark.parametrize(
    ("hidden", "value", "match"),
    [
        ((3, 2, 2), "tanh,relu", r"activation lists 2 names for 3 hidden layers"),
        ((3,), "tanh,relu", r"activation lists 2 names for 1 hidden layer \("),
        ((), "tanh,relu", r"activation lists 2 names for 0 hidden layers"),
        ((3, 2), "tanh,,relu", r"without empty names.*'tanh,,relu'"),
        ((3, 2), "tanh,nope", r"'nope'"),
        ((3, 2), "tanh,elu:x", r"'elu:x'.*must be a number"),
    ],
)
def test_bad_activation_lists(hidden: tuple[int, ...], value: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RunConfig(hidden=hidden, activation=value)


@pytest.mark.parametrize("value", [3, ["tanh", 3], [], True])
def test_activation_wrong_types(value: object) -> None:
    with pytest.raises(TypeError, match=re.escape(f"activation={value!r}")):
        RunConfig(activation=value)


def test_each_hidden_layer_gets_its_activation() -> None:
    config = RunConfig(hidden=(3, 2), activation="elu:2,relu", **SMALL)
    dense = _dense(build_model(config, load_data(config)))
    assert [d.activation.name for d in dense] == ["elu", "relu", "sigmoid"]
    assert dense[0].activation.get_config()["alpha"] == 2.0


def test_activation_list_label_and_baseline() -> None:
    c = RunConfig(hidden=(3, 2), activation="tanh,relu", dropout="0.2,0")
    assert c.label == "3-2 tanh,relu"
    base = c.baseline()
    assert (base.hidden, base.activation, base.dropout) == ((), "tanh", None)


# -- dropout --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (0.2, (0.2,)),
        (0, (0.0,)),
        ("0.2", (0.2,)),
        (" 0.2 , 0 ", (0.2, 0.0)),
        ([0.1, 0.5], (0.1, 0.5)),
    ],
)
def test_dropout_values(value: Any, stored: tuple[float, ...]) -> None:
    assert RunConfig(hidden=(3, 2), dropout=value).dropout == stored


@pytest.mark.parametrize(
    "value", [1.0, -0.1, "1", "0.2,x", float("nan"), "inf", [], "", [0.2, True]]
)
def test_dropout_out_of_range_refused(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(f"dropout={value!r}")) as info:
        RunConfig(hidden=(3, 2), dropout=value)
    assert "[0, 1)" in str(info.value)


def test_dropout_wrong_type_refused() -> None:
    with pytest.raises(TypeError, match=r"dropout=True"):
        RunConfig(dropout=True)


def test_dropout_list_must_match_the_hidden_layers() -> None:
    with pytest.raises(
        ValueError, match=r"dropout lists 2 rates for 3 hidden layers.*\(3, 2, 2\)"
    ):
        RunConfig(hidden=(3, 2, 2), dropout="0.2,0")


@pytest.mark.parametrize(
    ("dropout", "expected", "rates"),
    [
        (None, [Dense, Dense, Dense], []),
        ("0", [Dense, Dense, Dense], []),
        ("0.3", [Dense, Dropout, Dense, Dropout, Dense], [0.3, 0.3]),
        ("0.3,0", [Dense, Dropout, Dense, Dense], [0.3]),
        ("0,0.4", [Dense, Dense, Dropout, Dense], [0.4]),
        ("0.1,0.4", [Dense, Dropout, Dense, Dropout, Dense], [0.1, 0.4]),
    ],
)
def test_dropout_layers_follow_the_hidden_layers(
    dropout: str | None, expected: list[type], rates: list[float]
) -> None:
    config = RunConfig(hidden=(3, 2), dropout=dropout, **SMALL)
    model = build_model(config, load_data(config))
    assert [type(layer) for layer in model.layers] == expected
    got = [layer.rate for layer in model.layers if isinstance(layer, Dropout)]
    assert got == rates


def test_dropout_is_written_as_a_list() -> None:
    values = tomllib.loads(RunConfig(hidden=(3, 2), dropout="0.2,0").to_toml())
    assert values["dropout"] == [0.2, 0.0]


# -- l1 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("l1", "l2", "kind", "factors"),
    [
        (0.0, 0.0, None, {}),
        (0.0, 0.01, L2, {"l2": 0.01}),
        (0.02, 0.0, L1, {"l1": 0.02}),
        (0.02, 0.01, L1L2, {"l1": 0.02, "l2": 0.01}),
    ],
)
def test_l1_and_l2_pick_the_regularizer(
    l1: float, l2: float, kind: type | None, factors: dict[str, float]
) -> None:
    config = RunConfig(hidden=(3,), l1=l1, l2=l2, **SMALL)
    for dense in _dense(build_model(config, load_data(config))):
        reg = dense.kernel_regularizer
        if kind is None:
            assert reg is None
            continue
        assert type(reg) is kind
        assert isinstance(reg, Regularizer)
        assert {k: getattr(reg, k) for k in factors} == factors
        if kind is not L1L2:
            assert reg.get_config() == {"name": kind.__name__.lower(), **factors}


@pytest.mark.parametrize(("value", "error"), [(-0.1, ValueError), ("x", TypeError)])
def test_l1_refused(value: object, error: type) -> None:
    with pytest.raises(error, match=re.escape(f"l1={value!r}")):
        RunConfig(l1=value)


# -- feature_columns: the checks without a file -----------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("0,2", (0, 2)),
        (" x1 , x3 ", ("x1", "x3")),
        ("-2,b", (-2, "b")),
        ([0, "x3"], (0, "x3")),
        (["1"], (1,)),
        (2, (2,)),
    ],
)
def test_feature_columns_values(value: Any, stored: tuple[Any, ...]) -> None:
    assert RunConfig(data="f.csv", feature_columns=value).feature_columns == stored


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("0,0", ValueError, r"lists column 0 more than once"),
        ("a,,b", ValueError, r"without empty names"),
        ([], ValueError, r"feature_columns=\[\]"),
        ([1.5], TypeError, r"feature_columns=\[1.5\]"),
        ([True], TypeError, r"feature_columns=\[True\]"),
        (1.5, TypeError, r"feature_columns=1.5"),
    ],
)
def test_feature_columns_refused(value: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        RunConfig(data="f.csv", feature_columns=value)


def test_feature_columns_need_a_data_file() -> None:
    with pytest.raises(ValueError, match=r"feature_columns=\(0, 1\).*data=FILE"):
        RunConfig(feature_columns="0,1")


# -- feature_columns: reading the file ------------------------------------------

TABLE = np.array(
    [
        [0.5, 10.0, -1.0, 7.0, 0.0],
        [1.5, 20.0, -2.0, 8.0, 1.0],
        [2.5, 30.0, -3.0, 9.0, 0.0],
        [3.5, 40.0, -4.0, 6.0, 1.0],
    ]
)
NAMES = ["a", "b", "c", "d", "label"]


def _csv(tmp_path: Path, header: bool = True) -> Path:
    path = tmp_path / ("named.csv" if header else "plain.csv")
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        if header:
            w.writerow(NAMES)
        w.writerows(TABLE.tolist())
    return path


def _loaded(path: Path, columns: Any, **kw: Any) -> np.ndarray:
    data = load_data(
        RunConfig(data=str(path), feature_columns=columns, test_size=0, **kw)
    )
    return data.X_train


@pytest.mark.parametrize(
    ("columns", "picked"),
    [
        ("0,2", [0, 2]),
        ("c,a", [2, 0]),
        ("d", [3]),
        ([-2, "b"], [3, 1]),
    ],
)
def test_feature_columns_pick_by_index_and_name(
    tmp_path: Path, columns: Any, picked: list[int]
) -> None:
    X = _loaded(_csv(tmp_path), columns)
    assert X.tolist() == TABLE[:, picked].tolist()


def test_feature_columns_by_index_without_header(tmp_path: Path) -> None:
    X = _loaded(_csv(tmp_path, header=False), "3,1")
    assert X.tolist() == TABLE[:, [3, 1]].tolist()


def test_feature_columns_with_a_label_column_elsewhere(tmp_path: Path) -> None:
    data = load_data(
        RunConfig(
            data=str(_csv(tmp_path)),
            label_column="d",
            feature_columns="a,label",
            test_size=0,
            output_activation="linear",
        )
    )
    assert data.X_train.tolist() == TABLE[:, [0, 4]].tolist()
    assert data.y_train.tolist() == TABLE[:, 3].tolist()


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ("e", r"'e', which is not a column of the file \(5 columns\)"),
        ("7", r"7, which is not a column of the file"),
        ("label", r"'label', which is the label column"),
        ("-1", r"-1, which is the label column"),
        ("a,0", r"lists column 0 twice \(as 0\)"),
    ],
)
def test_feature_columns_not_in_the_file(
    tmp_path: Path, columns: str, match: str
) -> None:
    path = _csv(tmp_path)
    with pytest.raises(ValueError, match=match) as info:
        _loaded(path, columns)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "valid feature columns: 0 'a', 1 'b', 2 'c', 3 'd'" in message
    assert "'label'" not in message.split("valid feature columns")[1]


def test_feature_column_names_need_a_header(tmp_path: Path) -> None:
    path = _csv(tmp_path, header=False)
    with pytest.raises(ValueError, match=r"'a', but the file is read without") as e:
        _loaded(path, "a")
    assert "valid feature columns: 0, 1, 2, 3" in str(e.value)


def test_feature_columns_of_npy_and_npz_files(tmp_path: Path) -> None:
    npy = tmp_path / "table.npy"
    np.save(npy, TABLE)
    assert _loaded(npy, "2,0", label_column=-1).tolist() == TABLE[:, [2, 0]].tolist()
    npz = tmp_path / "table.npz"
    np.savez(npz, X=TABLE[:, :4], y=TABLE[:, 4].astype(int))
    assert _loaded(npz, "-1,1").tolist() == TABLE[:, [3, 1]].tolist()


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_array_files_take_no_column_names(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"table{suffix}"
    if suffix == ".npy":
        np.save(path, TABLE)
    else:
        np.savez(path, X=TABLE[:, :4], y=TABLE[:, 4].astype(int))
    kw = {"label_column": -1} if suffix == ".npy" else {}
    with pytest.raises(ValueError, match=rf"a \{suffix} file has no column names"):
        _loaded(path, "a", **kw)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(True, NAMES), (False, ["0", "1", "2", "3", "4"])],
)
def test_column_names_of_a_csv(
    tmp_path: Path, header: bool, expected: list[str]
) -> None:
    assert datasets.column_names(_csv(tmp_path, header=header)) == expected


def test_column_names_of_other_files(tmp_path: Path) -> None:
    txt = tmp_path / "table.txt"
    txt.write_text("u\tv\tw\n1\t2\t3\n")
    assert datasets.column_names(txt) == ["u", "v", "w"]
    npy = tmp_path / "table.npy"
    np.save(npy, TABLE)
    assert datasets.column_names(npy) == ["0", "1", "2", "3", "4"]
    npz = tmp_path / "table.npz"
    np.savez(npz, X=TABLE[:, :2])
    assert datasets.column_names(npz) == ["0", "1"]
    with pytest.raises(ValueError, match="no such file"):
        datasets.column_names(tmp_path / "missing.csv")


# -- TOML and the command line ----------------------------------------------------

CONFIGS = {
    "data_seed": RunConfig(seed=3, data_seed=9),
    "activation": RunConfig(hidden=(3, 2), activation="elu:2,relu"),
    "dropout": RunConfig(hidden=(3, 2), dropout="0.25,0"),
    "dropout-one": RunConfig(hidden=(3, 2), dropout=0.1),
    "l1": RunConfig(l1=1e-4, l2=0.01),
    "feature_columns": RunConfig(data="f.csv", feature_columns=[1, "x3", -1]),
}


@pytest.mark.parametrize("key", CONFIGS)
def test_toml_round_trip(key: str, tmp_path: Path) -> None:
    config = CONFIGS[key]
    back = _round_trip(config, tmp_path)
    assert back == config
    assert back.to_dict() == config.to_dict()
    assert key.split("-")[0] in tomllib.loads(config.to_toml())


@pytest.mark.parametrize(
    ("key", "text", "typed"),
    [
        ("data-seed", "7", 7),
        ("l1", "1e-3", 0.001),
        ("dropout", "0.2,0", "0.2,0"),
        ("activation", "tanh,relu", "tanh,relu"),
        ("feature_columns", "0,x2", "0,x2"),
    ],
)
def test_parse_value(key: str, text: str, typed: object) -> None:
    value = parse_value(key, text)
    assert value == typed and type(value) is type(typed)


def test_options_of_train() -> None:
    c = _parsed_by_train(
        [
            "--data-seed",
            "4",
            "--hidden",
            "3,2",
            "--activation",
            "tanh,relu",
            "--dropout",
            "0.2,0",
            "--l1",
            "0.001",
            "--data",
            "f.csv",
            "--feature-columns",
            "0,x2",
        ]
    )
    assert (c.data_seed, c.activation, c.dropout, c.l1, c.feature_columns) == (
        4,
        "tanh,relu",
        (0.2, 0.0),
        0.001,
        (0, "x2"),
    )


def test_train_with_the_new_options_reproduces_from_its_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path)
    argv = ["train", "--data", str(path), "--feature-columns", "b,0,d"]
    argv += ["--hidden", "3,2", "--activation", "tanh,relu", "--dropout", "0.1,0"]
    argv += ["--l1", "0.001", "--data-seed", "2", "--test-size", "0.5"]
    argv += ["--epochs", "30", "--no-progress"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    toml = tmp_path / "a" / "config.toml"
    assert tomllib.loads(toml.read_text())["feature_columns"] == ["b", 0, "d"]
    again = ["train", "--config", str(toml), "--no-progress"]
    assert main([*again, "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    first, second = (
        json.loads((tmp_path / run / "metrics.json").read_text()) for run in "ab"
    )
    assert first["loss_history"] == second["loss_history"]
    assert first["config"] == second["config"]
