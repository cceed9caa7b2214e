"""The model's boundary checks: each error names what it received."""

import numpy as np
import pytest

import mlplab as ml
from mlplab import activations, initializers, losses, optimizers


def _binary(input_dim=2, **compile_kw):
    model = ml.Sequential(
        [ml.Dense(3, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=input_dim,
        seed=0,
    )
    model.compile(loss="binary_crossentropy", **compile_kw)
    return model


def _softmax(k=3):
    model = ml.Sequential([ml.Dense(k, activation="softmax")], input_dim=2, seed=0)
    model.compile(loss="categorical_crossentropy")
    return model


def _regression():
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0)
    model.compile(loss="mse")
    return model


X4 = np.arange(8.0).reshape(4, 2)
Y4 = np.array([0, 1, 1, 0])


# -- unknown names ----------------------------------------------------------------


def _assert_lists(info, valid):
    message = str(info.value)
    assert "Valid names" in message
    for name in valid:
        assert repr(name) in message


def test_unknown_activation():
    with pytest.raises(ValueError, match="'relux'") as info:
        ml.Dense(3, activation="relux")
    _assert_lists(info, activations.names())


def test_unknown_initializer():
    with pytest.raises(ValueError, match="'glorot'") as info:
        ml.Dense(3, kernel_initializer="glorot")
    _assert_lists(info, initializers.names())


def test_unknown_loss():
    model = ml.Sequential([ml.Dense(1)], input_dim=2)
    with pytest.raises(ValueError, match="'hinge'") as info:
        model.compile(loss="hinge")
    _assert_lists(info, losses.names())
    assert model.loss is None


def test_unknown_optimizer():
    model = ml.Sequential([ml.Dense(1)], input_dim=2)
    with pytest.raises(ValueError, match="'adamw'") as info:
        model.compile(loss="mse", optimizer="adamw")
    _assert_lists(info, optimizers.names())


def test_unknown_metric():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match="'acc'") as info:
        model.compile(metrics=["acc"])
    _assert_lists(info, ["accuracy", "mse", "mae"])


def test_metrics_given_as_a_string():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    # A single name is taken as a list of one, not split into characters.
    model.compile(metrics="accuracy")
    assert model.metrics == ["accuracy"]


def test_accuracy_metric_needs_a_classifier():
    model = ml.Sequential([ml.Dense(1)], input_dim=2)
    with pytest.raises(ValueError, match="'linear'"):
        model.compile(loss="mse", metrics=["accuracy"])


# -- Dense arguments ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "exc", "match"),
    [
        (0, ValueError, "units=0"),
        (-3, ValueError, "units=-3"),
        (2.5, TypeError, r"units=2\.5"),
        ("5", TypeError, "units='5'"),
        (None, TypeError, "units=None"),
    ],
)
def test_dense_units(units, exc, match):
    with pytest.raises(exc, match=match):
        ml.Dense(units)


def test_dense_use_bias_must_be_bool():
    with pytest.raises(TypeError, match="'yes'"):
        ml.Dense(2, use_bias="yes")


# -- inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "shown"), [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")]
)
def test_non_finite_X(bad, shown):
    X = X4.copy()
    X[2, 1] = bad
    model = _binary()
    with pytest.raises(ValueError, match=rf"NaN or infinity.*\(2, 1\).*{shown}"):
        model.fit(X, Y4)
    with pytest.raises(ValueError, match=r"\(2, 1\)"):
        model.predict(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_y(bad):
    y = np.array([0.0, 1.0, bad, 0.0])
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        _regression().fit(X4, y)


def test_mismatched_lengths():
    with pytest.raises(ValueError, match=r"4 samples.*\(3,\)"):
        _binary().fit(X4, Y4[:3])


def test_one_dimensional_X():
    with pytest.raises(ValueError, match=r"1-D array of shape \(4,\)"):
        _binary().fit(np.arange(4.0), Y4)


def test_three_dimensional_X():
    with pytest.raises(ValueError, match=r"\(4, 2, 1\)"):
        _binary().predict(X4[:, :, None])


def test_wrong_number_of_features_after_building():
    model = _binary(input_dim=2)
    with pytest.raises(ValueError, match=r"3 features.*input_dim=2"):
        model.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"3 features.*input_dim=2"):
        model.fit(np.ones((4, 3)), Y4)


def test_predict_unbuilt_model_without_input():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="not built"):
        model.predict(None)
    assert not model.built


def test_X_of_strings():
    with pytest.raises(TypeError, match="<U"):
        _binary().predict(np.array([["a", "b"]]))


def test_empty_X():
    with pytest.raises(ValueError, match=r"empty.*\(0, 2\)"):
        _binary().predict(np.empty((0, 2)))


def test_fit_before_compile():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match="compile"):
        model.fit(X4, Y4)
    with pytest.raises(ValueError, match="compile"):
        model.evaluate(X4, Y4)


# -- labels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "shown"), [([0, 2, 1, 0], "2"), ([0, 1, -1, 0], "-1")]
)
def test_binary_crossentropy_needs_0_1_labels(labels, shown):
    with pytest.raises(ValueError, match=rf"0/1 labels.*\[{shown}\]"):
        _binary().fit(X4, np.array(labels))


def test_binary_crossentropy_refuses_soft_labels():
    with pytest.raises(ValueError, match=r"0\.5"):
        _binary().fit(X4, np.array([0.0, 0.5, 1.0, 1.0]))


def test_binary_labels_wrong_width():
    with pytest.raises(ValueError, match=r"\(4, 2\).*1 output"):
        _binary().fit(X4, np.zeros((4, 2)))


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([0, 1, 3, 2], "0..2.*3"),
        ([0, -1, 1, 2], "0..2.*-1"),
        ([0.0, 1.5, 1.0, 2.0], r"1\.5"),
    ],
)
def test_class_labels_out_of_range_or_not_integer(labels, match):
    with pytest.raises(ValueError, match=match):
        _softmax(3).fit(X4, np.array(labels))


@pytest.mark.parametrize(
    "Y",
    [
        [[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 0, 0]],  # two ones
        [[1, 0, 0], [0, 0, 0], [0, 0, 1], [1, 0, 0]],  # no one
        [[1, 0, 0], [0, 0.5, 0.5], [0, 0, 1], [1, 0, 0]],  # soft labels
    ],
)
def test_invalid_one_hot_rows(Y):
    with pytest.raises(ValueError, match="one-hot"):
        _softmax(3).fit(X4, np.array(Y))


def test_one_hot_of_wrong_width():
    with pytest.raises(ValueError, match=r"\(4, 2\).*3"):
        _softmax(3).fit(X4, np.eye(2)[[0, 1, 1, 0]])


@pytest.mark.parametrize(
    "y", [np.array(["a", "b", "a", "b"]), ["no", "yes", "no", "x"]]
)
def test_string_labels(y):
    with pytest.raises(TypeError, match="<U"):
        _softmax(2).fit(X4, y)


def test_object_labels():
    with pytest.raises(TypeError, match="object"):
        _regression().fit(X4, np.array([0, None, 1, 2], dtype=object))


# -- output layer and loss -------------------------------------------------------------


@pytest.mark.parametrize("activation", [None, "tanh", "softmax"])
def test_binary_crossentropy_needs_sigmoid_output(activation):
    units = 2 if activation == "softmax" else 1
    model = ml.Sequential([ml.Dense(units, activation=activation)], input_dim=2)
    shown = activation or "linear"
    with pytest.raises(ValueError, match=f"'sigmoid'.*'{shown}'"):
        model.compile(loss="binary_crossentropy")
    assert model.loss is None


def test_categorical_crossentropy_needs_softmax_output():
    model = ml.Sequential([ml.Dense(3, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match=r"'softmax'.*'sigmoid'"):
        model.compile(loss="categorical_crossentropy")


def test_poisson_needs_exp_output_and_says_how():
    model = ml.Sequential([ml.Dense(4, activation="relu"), ml.Dense(2)], input_dim=2)
    with pytest.raises(ValueError) as info:
        model.compile(loss="poisson")
    message = str(info.value)
    assert "loss 'poisson' needs a final layer with activation 'exp'" in message
    assert "Dense(2, activation='exp')" in message
    assert "'dense_1', has activation 'linear'" in message
    assert model.loss is None


@pytest.mark.parametrize(
    "loss", [n for n in losses.names() if losses.get(n).fused_activation]
)
@pytest.mark.parametrize("activation", [None, "tanh", "sigmoid", "softmax", "exp"])
def test_a_fused_loss_refuses_every_other_output(loss, activation):
    need = losses.get(loss).fused_activation
    model = ml.Sequential([ml.Dense(3, activation=activation)], input_dim=2)
    if activation == need:
        model.compile(loss=loss)
        assert model._fused
        return
    with pytest.raises(ValueError, match=f"'{need}'.*'{activation or 'linear'}'"):
        model.compile(loss=loss)


def test_poisson_refuses_negative_targets_and_takes_zeros():
    model = ml.Sequential([ml.Dense(1, activation="exp")], input_dim=2, seed=0)
    model.compile(loss="poisson")
    with pytest.raises(ValueError, match=r"non-negative targets.*from -1\.5 to 3"):
        model.fit(X4, [0.0, -1.5, 3.0, 2.0], epochs=1)
    with pytest.raises(ValueError, match=r"non-negative.*from -2 to 1 in y_val"):
        model.fit(X4, [0, 1, 2, 3], validation_data=(X4, [0, -2, 1, 1]), epochs=1)
    with pytest.raises(ValueError, match="non-negative"):
        model.evaluate(X4, [[0.0], [1.0], [-0.001], [1.0]])
    history = model.fit(X4 / 10, [0, 0, 3, 1], epochs=2)  # zeros are counts too
    assert all(np.isfinite(history.history["loss"]))


def test_softmax_with_one_unit_built():
    model = ml.Sequential([ml.Dense(1, activation="softmax")], input_dim=2)
    with pytest.raises(ValueError, match="single output unit"):
        model.compile(loss="categorical_crossentropy")


def test_softmax_with_one_unit_unbuilt_fails_by_fit():
    model = ml.Sequential([ml.Dense(1, activation="softmax")])
    with pytest.raises(ValueError, match="single output unit"):
        model.compile(loss="mse")
        model.fit(X4, Y4)


# -- fit arguments --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs=0"),
        ({"epochs": -2}, ValueError, "epochs=-2"),
        ({"epochs": 2.0}, TypeError, r"epochs=2\.0"),
        ({"batch_size": 0}, ValueError, "batch_size=0"),
        ({"batch_size": "32"}, TypeError, "batch_size='32'"),
        ({"validation_split": 1.0}, ValueError, r"validation_split=1\.0"),
        ({"validation_split": -0.1}, ValueError, r"validation_split=-0\.1"),
        ({"validation_split": 0.1}, ValueError, "0 for validation"),
        ({"verbose": 5}, ValueError, "verbose=5"),
        ({"seed": -1}, ValueError, "seed=-1"),
        ({"validation_data": X4}, ValueError, "ndarray"),
        (
            {"validation_data": (X4, Y4), "validation_split": 0.5},
            ValueError,
            "not both",
        ),
    ],
)
def test_invalid_fit_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _binary().fit(X4, Y4, **kwargs)


def test_invalid_validation_labels_are_named_y_val():
    with pytest.raises(ValueError, match=r"y_val.*\[3\]"):
        _binary().fit(X4, Y4, validation_data=(X4, np.array([0, 1, 3, 0])))


def test_model_seed():
    with pytest.raises(ValueError, match="seed=-5"):
        ml.Sequential([ml.Dense(1)], seed=-5)
    with pytest.raises(ValueError, match=r"seed=1\.5"):
        ml.Sequential([ml.Dense(1)], seed=1.5)


def test_model_dtype():
    with pytest.raises(ValueError, match="dtype='int32'"):
        ml.Sequential([ml.Dense(1)], dtype="int32")


def test_add_non_layer():
    with pytest.raises(TypeError, match=r"'relu'.*str"):
        ml.Sequential(["relu"])


# -- set_weights ----------------------------------------------------------------


def test_set_weights_wrong_count():
    model = _binary()
    weights = model.get_weights()
    with pytest.raises(ValueError, match=r"list of 4 arrays.*received 3"):
        model.set_weights(weights[:3])


def test_set_weights_not_a_list():
    model = _binary()
    with pytest.raises(ValueError, match="received 'W'"):
        model.set_weights("W")


def test_set_weights_wrong_shape_leaves_weights_unchanged():
    model = _binary()
    before = model.get_weights()
    bad = [w + 1.0 for w in before]
    bad[2] = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"dense_1/W.*\(3, 1\).*\(2, 2\)"):
        model.set_weights(bad)
    for got, expected in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_set_weights_non_finite(bad):
    model = _binary()
    weights = model.get_weights()
    weights[1][0] = bad
    with pytest.raises(ValueError, match="dense/b must be finite"):
        model.set_weights(weights)


def test_weights_of_unbuilt_model():
    model = ml.Sequential([ml.Dense(1)])
    with pytest.raises(ValueError, match="not built"):
        model.get_weights()
    with pytest.raises(ValueError, match="not built"):
        model.set_weights([])
