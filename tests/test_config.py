"""Tests for mlplab.config: RunConfig parsing, validation, variants and TOML."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from mlplab import optimizers
from mlplab.config import RunConfig, parse_value

# -- defaults -----------------------------------------------------------------


def test_defaults() -> None:
    c = RunConfig()
    assert c.dataset == "moons"
    assert c.data is None and c.label_column is None
    assert c.samples is None and c.noise is None
    assert c.features is None
    assert c.scale == "none"
    assert c.hidden == (5,)
    assert c.activation == "tanh"
    assert c.output_activation is None and c.loss is None
    assert c.optimizer == "sgd"
    assert c.lr == 0.3
    assert c.epochs == 2000
    assert c.batch_size is None
    assert c.init == "glorot_uniform"
    assert c.l2 == 0.0
    assert c.test_size == 0.2
    assert c.seed == 0
    assert c.name is None
    assert c.label == "5 tanh"


def test_names_are_normalized() -> None:
    c = RunConfig(
        dataset=" Moons ", activation="TANH", optimizer="Adam", init="HE_Normal"
    )
    assert (c.dataset, c.activation, c.optimizer, c.init) == (
        "moons",
        "tanh",
        "adam",
        "he_normal",
    )


# -- hidden -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, (5,)),
        ("5", (5,)),
        ("5,5", (5, 5)),
        (" 5 , 3 ", (5, 3)),
        ("5x5", (5, 5)),
        ("4x3x2", (4, 3, 2)),
        ([5, 5], (5, 5)),
        ((7,), (7,)),
        ([5.0], (5,)),
        (0, ()),
        ("0", ()),
        ([], ()),
        ((), ()),
    ],
)
def test_hidden_parsing(value: object, expected: tuple[int, ...]) -> None:
    assert RunConfig(hidden=value).hidden == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", -1, "-1", "0,5", [0, 5], "5,x", [2.5], "5;5"])
def test_hidden_bad_values(value: object) -> None:
    with pytest.raises(ValueError, match="hidden") as info:
        RunConfig(hidden=value)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [True, False, 2.5, None, {"a": 1}])
def test_hidden_wrong_type(value: object) -> None:
    with pytest.raises(TypeError, match="hidden") as info:
        RunConfig(hidden=value)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


# -- batch size ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("full", None), ("FULL", None), (None, None), ("32", 32), (32, 32), (1, 1)],
)
def test_batch_size_parsing(value: object, expected: int | None) -> None:
    assert RunConfig(batch_size=value).batch_size == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -4, "0", "x", 1.5, "1.5", True, ""])
def test_batch_size_bad_values(value: object) -> None:
    with pytest.raises(ValueError, match="batch_size") as info:
        RunConfig(batch_size=value)  # type: ignore[arg-type]
    assert f"batch_size={value!r}" in str(info.value)


# -- features -----------------------------------------------------------------


def test_features_are_canonicalized() -> None:
    c = RunConfig(features="x1**2, x1 * x2, x2")
    assert c.features == ("x1^2", "x1*x2", "x2")
    assert RunConfig(features=["x1**2"]).features == ("x1^2",)
    assert RunConfig(features=("x1", "x2")).features == ("x1", "x2")


@pytest.mark.parametrize("value", [None, "", []])
def test_no_features(value: object) -> None:
    assert RunConfig(features=value).features is None  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["x1^^2", "foo(x1)", "x1 +", "y1"])
def test_bad_features_refused(value: str) -> None:
    with pytest.raises(ValueError, match="feature"):
        RunConfig(features=value)  # type: ignore[arg-type]


# -- activation ---------------------------------------------------------------


def test_activation_with_parameter() -> None:
    assert RunConfig(activation="elu:2").activation_spec() == {
        "name": "elu",
        "alpha": 2.0,
    }
    assert RunConfig(activation="leaky_relu:0.1").activation_spec() == {
        "name": "leaky_relu",
        "alpha": 0.1,
    }
    assert RunConfig(activation="relu").activation_spec() == "relu"


@pytest.mark.parametrize(
    ("value", "message"),
    [("elu:x", "must be a number"), ("tanh:2", "only elu and leaky_relu")],
)
def test_bad_activation_parameter(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        RunConfig(activation=value)
    assert repr(value) in str(info.value)


def test_loss_with_parameter() -> None:
    assert RunConfig(loss="huber:2").loss_spec() == {"name": "huber", "delta": 2.0}
    assert RunConfig(loss="Huber:0.5").loss_spec() == {"name": "huber", "delta": 0.5}
    assert RunConfig(loss="absolute_error").loss_spec() == "absolute_error"
    assert RunConfig().loss_spec() is None
    again = RunConfig.from_dict(RunConfig(loss="huber:2").to_dict())
    assert again.loss_spec() == {"name": "huber", "delta": 2.0}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("huber:x", "must be a number"),
        ("mse:2", "only huber takes a parameter"),
        ("huber:-1", "delta=-1.0"),
        ("huber:inf", "delta=inf"),
    ],
)
def test_bad_loss_parameter(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RunConfig(loss=value)


def test_a_fused_loss_brings_its_output_activation() -> None:
    assert RunConfig(loss="poisson").output_spec() == "exp"
    assert RunConfig(loss="binary_crossentropy").output_spec() == "sigmoid"
    assert RunConfig(loss="huber").output_spec() is None  # the labels decide
    assert RunConfig(output_activation="tanh", loss="mse").output_spec() == "tanh"
    assert RunConfig(output_activation="exp", loss="poisson").output_spec() == "exp"
    with pytest.raises(ValueError, match=r"'poisson' goes with .*'exp'.*'linear'"):
        RunConfig(loss="poisson", output_activation="linear")


@pytest.mark.parametrize(
    "key", ["activation", "output_activation", "loss", "init", "optimizer"]
)
def test_unknown_component_name_refused_at_construction(key: str) -> None:
    with pytest.raises(ValueError, match="'no_such_thing'"):
        RunConfig(**{key: "no_such_thing"})


def test_unknown_optimizer_lists_the_aliases() -> None:
    with pytest.raises(ValueError, match="momentum") as info:
        RunConfig(optimizer="adamw")
    assert "nesterov" in str(info.value)
    assert "adam" in str(info.value)


# -- optimizer ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "nesterov"), [("momentum", False), ("nesterov", True)]
)
def test_momentum_optimizers(name: str, nesterov: bool) -> None:
    opt = RunConfig(optimizer=name, lr=0.05).make_optimizer()
    assert isinstance(opt, optimizers.SGD)
    assert opt.momentum == 0.9
    assert opt.nesterov is nesterov
    assert opt.learning_rate == 0.05


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adagrad", "adam"])
def test_optimizer_gets_the_learning_rate(name: str) -> None:
    opt = RunConfig(optimizer=name, lr=0.0123).make_optimizer()
    assert type(opt).__name__.lower() == name
    assert opt.learning_rate == 0.0123


def test_plain_sgd_has_no_momentum() -> None:
    opt = RunConfig(optimizer="sgd").make_optimizer()
    assert isinstance(opt, optimizers.SGD)
    assert opt.momentum == 0.0 and opt.nesterov is False


def test_make_optimizer_gives_fresh_instances() -> None:
    c = RunConfig(optimizer="adam")
    assert c.make_optimizer() is not c.make_optimizer()


# -- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lr", 0.0),
        ("lr", -0.1),
        ("lr", math.nan),
        ("lr", math.inf),
        ("l2", -0.01),
        ("test_size", 1.0),
        ("test_size", 1.5),
        ("test_size", -0.1),
        ("epochs", 0),
        ("seed", -1),
        ("samples", 0),
        ("noise", -0.5),
        ("scale", "zscore"),
    ],
)
def test_bad_values_show_the_value(key: str, value: object) -> None:
    with pytest.raises(ValueError) as info:
        RunConfig(**{key: value})
    assert f"{key}={value!r}" in str(info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lr", "0.1"),
        ("lr", True),
        ("epochs", 10.0),
        ("epochs", "10"),
        ("seed", True),
        ("samples", 2.5),
        ("dataset", ""),
        ("dataset", 3),
        ("loss", 3),
        ("label_column", 1.5),
        ("label_column", True),
    ],
)
def test_wrong_types_show_the_value(key: str, value: object) -> None:
    with pytest.raises(TypeError) as info:
        RunConfig(**{key: value})
    assert f"{key}={value!r}" in str(info.value)


@pytest.mark.parametrize("scale", ["none", "standard", "minmax", "Standard"])
def test_scales(scale: str) -> None:
    assert RunConfig(scale=scale).scale == scale.lower()


def test_test_size_zero_allowed() -> None:
    assert RunConfig(test_size=0).test_size == 0


# -- from_dict ----------------------------------------------------------------


def test_from_dict_accepts_dashes_and_underscores() -> None:
    c = RunConfig.from_dict(
        {"batch-size": "32", "output-activation": "softmax", "test_size": 0.5}
    )
    assert c.batch_size == 32
    assert c.output_activation == "softmax"
    assert c.test_size == 0.5


def test_from_dict_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(ValueError, match="'hiden'") as info:
        RunConfig.from_dict({"hiden": 3})
    message = str(info.value)
    for key in ("hidden", "batch_size", "lr", "epochs", "test_size", "seed"):
        assert key in message


def test_from_dict_refuses_non_mapping() -> None:
    with pytest.raises(TypeError, match="table"):
        RunConfig.from_dict([("hidden", 3)])  # type: ignore[arg-type]


# -- TOML ---------------------------------------------------------------------


ROUND_TRIP = [
    RunConfig(),
    RunConfig(
        dataset="xor",
        samples=123,
        noise=0.15,
        features="x1, x2, x1*x2, x1**2, sin(x1)",
        scale="standard",
        hidden="4x3",
        activation="elu:2",
        output_activation="sigmoid",
        loss="squared_error",
        optimizer="nesterov",
        lr=1,
        epochs=7,
        batch_size=16,
        init="he_normal",
        l2=2.5e-5,
        test_size=0.0,
        seed=42,
    ),
    RunConfig(hidden=(), features=None, name="logistic regression"),
    RunConfig(
        data='C:\\data\\my "quoted" file.csv',
        label_column="the 'kind' \"column\"",
        name='a "quoted" \\ name',
    ),
    RunConfig(data="points.npy", label_column=-1, optimizer="adam", lr=1e-4),
]


@pytest.mark.parametrize("config", ROUND_TRIP, ids=range(len(ROUND_TRIP)))
def test_toml_round_trip(config: RunConfig, tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    back = RunConfig.from_toml(path)
    assert back == config
    assert back.name == config.name  # name is not part of ==
    # Every field, not only those that take part in ==.
    assert back.to_dict() == config.to_dict()


def test_to_toml_is_valid_toml_with_expected_values() -> None:
    c = RunConfig(hidden=(), features="x1*x2", batch_size="full", name='say "hi"')
    values = tomllib.loads(c.to_toml())
    assert values["hidden"] == []
    assert values["features"] == ["x1*x2"]
    assert values["batch_size"] == "full"
    assert values["name"] == 'say "hi"'
    assert "data" not in values  # None values are left out


def test_toml_round_trip_with_control_characters_in_a_string(tmp_path: Path) -> None:
    config = RunConfig(name="first line\nsecond\tline \x01\x7f é")
    path = tmp_path / "run.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert RunConfig.from_toml(path).name == config.name


def test_from_toml_reads_dashed_keys_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        'hidden = "5,5"\nbatch-size = 8\nactivation = "relu"\nlr = 0.5\n',
        encoding="utf-8",
    )
    c = RunConfig.from_toml(str(path))
    assert c.hidden == (5, 5)
    assert c.batch_size == 8
    assert c.activation == "relu"
    assert c.lr == 0.5


def test_from_toml_missing_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ValueError, match="no such configuration file") as info:
        RunConfig.from_toml(path)
    assert str(path) in str(info.value)


def test_from_toml_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("hidden = [3,\nlr = ", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML") as info:
        RunConfig.from_toml(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("lr = -1.0\n", "lr=-1.0"),
        ("hidden = true\n", "hidden=True"),
        ("epochs = 1.5\n", "epochs=1.5"),
        ("colour = 'red'\n", "'colour'"),
    ],
)
def test_from_toml_bad_value_names_the_file(
    tmp_path: Path, text: str, shown: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        RunConfig.from_toml(path)
    message = str(info.value)
    assert str(path) in message
    assert shown in message


# -- variants -----------------------------------------------------------------


def test_replace_changes_only_the_given_keys() -> None:
    c = RunConfig(hidden=(3,), lr=0.1, seed=4, name="mine")
    d = c.replace(lr=0.5, hidden="2,2")
    assert d.lr == 0.5 and d.hidden == (2, 2)
    assert (d.seed, d.name, d.activation) == (4, "mine", "tanh")
    assert c.lr == 0.1 and c.hidden == (3,)  # the original is untouched
    assert c.replace() == c


def test_replace_validates_and_accepts_dashes() -> None:
    c = RunConfig()
    assert c.replace(**{"batch-size": "16"}).batch_size == 16
    with pytest.raises(ValueError, match="lr=-1"):
        c.replace(lr=-1)
    with pytest.raises(ValueError, match="'nope'"):
        c.replace(nope=1)


def test_replace_can_set_a_value_back_to_none() -> None:
    c = RunConfig(output_activation="softmax", features="x1")
    d = c.replace(output_activation=None, features=None)
    assert d.output_activation is None and d.features is None


def test_baseline() -> None:
    c = RunConfig(
        hidden=(8, 4), features="x1,x2,x1*x2", scale="standard", lr=0.7, seed=3
    )
    b = c.baseline()
    assert b.hidden == ()
    assert b.features is None
    assert b.name == "logistic regression"
    assert b.label == "logistic regression"
    # Same data, split and optimizer.
    assert (b.dataset, b.scale, b.lr, b.seed, b.test_size, b.optimizer) == (
        "moons",
        "standard",
        0.7,
        3,
        0.2,
        "sgd",
    )


def test_baseline_of_a_named_config_is_logistic_regression() -> None:
    b = RunConfig(hidden=(10,), name="2-10-1 sigmoid network").baseline()
    assert b.name == "logistic regression"
    assert b.label == "logistic regression"


def test_label() -> None:
    assert RunConfig(hidden=(2, 3), activation="relu").label == "2-3 relu"
    assert RunConfig(hidden=()).label == "logistic regression"
    assert RunConfig(name="custom").label == "custom"


def test_config_is_frozen_and_hashable() -> None:
    c = RunConfig()
    with pytest.raises(AttributeError):
        c.lr = 1.0  # type: ignore[misc]
    assert hash(c) == hash(RunConfig())
    assert RunConfig(name="a") == RunConfig(name="b")  # name is not compared
    assert RunConfig(seed=1) != RunConfig(seed=2)


# -- parse_value --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("epochs", "100", 100),
        ("seed", "7", 7),
        ("samples", "50", 50),
        ("lr", "0.5", 0.5),
        ("lr", "1", 1.0),
        ("l2", "1e-3", 0.001),
        ("test-size", "0.25", 0.25),
        ("noise", "0", 0.0),
        ("label_column", "2", 2),
        ("label_column", "-1", -1),
        ("label-column", "kind", "kind"),
        ("hidden", "5,5", "5,5"),
        ("batch-size", "full", "full"),
        ("batch_size", "32", "32"),
        ("activation", "elu:2", "elu:2"),
    ],
)
def test_parse_value_types(key: str, text: str, expected: object) -> None:
    value = parse_value(key, text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "text", "match"),
    [
        ("epochs", "ten", "epochs must be an integer; received 'ten'"),
        ("epochs", "1.5", "epochs must be an integer"),
        ("lr", "fast", "lr must be a number; received 'fast'"),
        ("colour", "red", "unknown option 'colour'"),
    ],
)
def test_parse_value_errors(key: str, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_value(key, text)


def test_parse_value_feeds_from_dict() -> None:
    args = {"hidden": "4x4", "epochs": "12", "lr": "0.05", "batch-size": "full"}
    c = RunConfig.from_dict({k: parse_value(k, v) for k, v in args.items()})
    assert (c.hidden, c.epochs, c.lr, c.batch_size) == ((4, 4), 12, 0.05, None)
