"""Train/test splits, scalers and one-hot encoding."""

import json

import numpy as np
import pytest

from mlplab.preprocessing import (
    MinMaxScaler,
    StandardScaler,
    one_hot,
    scaler_from_config,
    train_test_split,
)

# -- train_test_split ---------------------------------------------------------------


def _indexed(n, n_features=2):
    """Rows whose first column is their index, and labels equal to the index,
    so that a split can be traced back to the rows."""
    X = np.column_stack([np.arange(n), np.zeros((n, n_features - 1))])
    return X, np.arange(n)


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"),
    [
        (10, 0.25, 3),
        (10, 0.3, 3),
        (100, 0.07, 7),  # 0.07 * 100 = 7.000000000000001
        (7, 0.5, 4),  # rounded up
        (10, 3, 3),
        (2, 1, 1),
    ],
)
def test_split_sizes(n, test_size, n_test):
    X, y = _indexed(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size, seed=0)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == n - n_test


@pytest.mark.parametrize("stratify", [False, True])
def test_split_is_a_partition_with_rows_kept_together(stratify):
    X, _ = _indexed(50)
    y = np.arange(50) % 3
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=stratify, seed=1
    )
    train, test = X_train[:, 0].astype(int), X_test[:, 0].astype(int)
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(50))
    np.testing.assert_array_equal(y_train, train % 3)
    np.testing.assert_array_equal(y_test, test % 3)
    # both parts shuffled, not in row or class order
    assert train.tolist() != sorted(train.tolist())
    assert test.tolist() != sorted(test.tolist())
    assert y_test.tolist() != sorted(y_test.tolist())


@pytest.mark.parametrize("stratify", [False, True])
def test_split_is_deterministic_for_a_seed(stratify):
    X, y = _indexed(40)
    y = y % 2
    first = train_test_split(X, y, stratify=stratify, seed=7)
    again = train_test_split(X, y, stratify=stratify, seed=7)
    other = train_test_split(X, y, stratify=stratify, seed=8)
    for a, b in zip(first, again, strict=True):
        assert a.tobytes() == b.tobytes()
    assert not np.array_equal(first[1], other[1])


def test_split_keeps_dtypes_and_accepts_lists():
    X_train, X_test, y_train, y_test = train_test_split(
        [[1, 2], [3, 4], [5, 6], [7, 8]], ["a", "b", "a", "b"], test_size=2, seed=0
    )
    assert X_train.dtype.kind == "i" and X_test.shape == (2, 2)
    assert y_train.dtype.kind == "U" and len(y_test) == 2


def test_stratified_split_keeps_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100.0).reshape(-1, 1)
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=True, seed=0)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]


def test_stratified_split_rounds_by_largest_remainder():
    y = np.repeat([0, 1, 2], [41, 37, 22])  # shares of 10: 4.1, 3.7, 2.2
    _, _, y_train, y_test = train_test_split(
        np.zeros((100, 1)), y, test_size=10, stratify=True, seed=0
    )
    assert np.bincount(y_test).tolist() == [4, 4, 2]
    assert y_train.tolist() != sorted(y_train.tolist())  # shuffled across classes


def test_stratified_split_puts_small_classes_in_both_parts():
    y = np.repeat([0, 1, 2, 3, 4], [2, 2, 3, 1, 92])
    X = np.zeros((100, 1))
    for seed in range(5):
        _, _, y_train, y_test = train_test_split(
            X, y, test_size=0.1, stratify=True, seed=seed
        )
        assert len(y_test) == 10
        for label in (0, 1, 2, 4):  # every class of 2 or more
            assert label in y_train and label in y_test


def test_stratified_split_without_room_for_every_class():
    y = np.repeat([0, 1, 2, 3], 5)
    _, _, y_train, y_test = train_test_split(
        np.zeros((20, 1)), y, test_size=2, stratify=True, seed=0
    )
    assert len(y_test) == 2 and len(set(y_test.tolist())) == 2
    assert set(y_train.tolist()) == {0, 1, 2, 3}


def test_stratify_by_another_array():
    y = np.arange(40.0)  # regression targets
    groups = np.repeat([0, 1], [30, 10])
    X_train, X_test, y_train, y_test = train_test_split(
        y.reshape(-1, 1), y, test_size=0.5, stratify=groups, seed=0
    )
    np.testing.assert_array_equal(X_train[:, 0], y_train)
    np.testing.assert_array_equal(X_test[:, 0], y_test)
    assert np.sum(y_test >= 30) == 5 and np.sum(y_test < 30) == 15


def test_stratify_one_hot_labels():
    y = one_hot(np.repeat([0, 1], [16, 4]))
    _, _, _, y_test = train_test_split(
        np.zeros((20, 1)), y, test_size=0.25, stratify=True, seed=0
    )
    assert y_test.sum(axis=0).tolist() == [4.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_size": 1.5}, ValueError, r"received test_size=1\.5"),
        ({"test_size": 0.0}, ValueError, r"received test_size=0\.0"),
        ({"test_size": 1.0}, ValueError, r"\(0, 1\); received test_size=1\.0"),
        ({"test_size": 0}, ValueError, r"1\.\.9 for 10 samples.*test_size=0"),
        ({"test_size": 10}, ValueError, "test_size=10"),
        ({"test_size": -2}, ValueError, "test_size=-2"),
        ({"test_size": 0.96}, ValueError, "test_size=0.96 of 10 samples leaves no"),
        ({"test_size": "0.2"}, TypeError, "test_size='0.2'"),
        ({"test_size": True}, TypeError, "test_size=True"),
        ({"seed": -1}, ValueError, "seed=-1"),
        ({"stratify": np.zeros(3)}, ValueError, r"shape \(3,\)"),
    ],
)
def test_split_errors_say_what_was_received(kwargs, error, match):
    X, y = _indexed(10)
    with pytest.raises(error, match=match):
        train_test_split(X, y, **kwargs)


def test_split_length_mismatch_and_tiny_inputs():
    with pytest.raises(ValueError, match="5 rows in X and 4 in y"):
        train_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"at least 2 samples.*received 1"):
        train_test_split(np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match="one row per sample"):
        train_test_split(3.0, 1)


# -- scalers -------------------------------------------------------------------------

X_HAND = np.array([[1.0, 10.0, -2.0], [3.0, 10.0, 0.0], [5.0, 10.0, 8.0]])


def test_standard_scaler_by_hand():
    scaler = StandardScaler().fit(X_HAND)
    std = np.sqrt(8.0 / 3.0)  # of 1, 3, 5 around 3, with ddof=0
    np.testing.assert_allclose(scaler.mean_, [3.0, 10.0, 2.0])
    np.testing.assert_allclose(scaler.scale_, [std, 1.0, np.sqrt(56.0 / 3.0)])
    Z = scaler.transform(X_HAND)
    np.testing.assert_allclose(Z[:, 0], [-2 / std, 0.0, 2 / std])
    assert scaler.n_features_in_ == 3 and scaler.n_samples_seen_ == 3


def test_standard_scaler_gives_mean_zero_std_one(rng):
    X = rng.normal(loc=[5.0, -3.0, 100.0], scale=[2.0, 0.01, 50.0], size=(200, 3))
    Z = StandardScaler().fit_transform(X)
    assert Z.dtype == np.float64
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)


# seven copies of 0.1 or 2.2 do not average to exactly 0.1 or 2.2
@pytest.mark.parametrize("value", [0.0, 0.1, 2.2, -7.3e5])
def test_constant_column_maps_to_zero_exactly(value):
    X = np.column_stack([np.arange(7.0), np.full(7, value)])
    scaler = StandardScaler().fit(X)
    assert scaler.scale_[1] == 1.0
    Z = scaler.transform(X)
    assert np.all(Z[:, 1] == 0.0) and np.isfinite(Z).all()
    np.testing.assert_array_equal(scaler.inverse_transform(Z)[:, 1], value)


def test_minmax_scaler_by_hand():
    scaler = MinMaxScaler().fit(X_HAND)
    np.testing.assert_array_equal(scaler.data_min_, [1.0, 10.0, -2.0])
    np.testing.assert_array_equal(scaler.data_max_, [5.0, 10.0, 8.0])
    np.testing.assert_array_equal(scaler.data_range_, [4.0, 0.0, 10.0])
    np.testing.assert_allclose(scaler.scale_, [0.25, 1.0, 0.1])
    np.testing.assert_allclose(scaler.min_, [-0.25, -10.0, 0.2])
    expected = [[0.0, 0.0, 0.0], [0.5, 0.0, 0.2], [1.0, 0.0, 1.0]]
    np.testing.assert_allclose(scaler.transform(X_HAND), expected, atol=1e-15)


def test_minmax_feature_range_and_values_outside_it():
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit([[0.0], [10.0]])
    np.testing.assert_allclose(
        scaler.transform([[0.0], [5.0], [10.0], [20.0]]), [[-1], [0], [1], [3]]
    )
    assert scaler.feature_range == (-1.0, 1.0)


def test_minmax_constant_column_maps_to_range_minimum():
    Z = MinMaxScaler(feature_range=(2, 3)).fit_transform([[4.0, 1.0], [4.0, 2.0]])
    np.testing.assert_array_equal(Z[:, 0], [2.0, 2.0])


@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler])
def test_inverse_transform_round_trip(make, rng):
    X = rng.normal(size=(30, 4)) * [1.0, 10.0, 0.001, 1e4]
    scaler = make().fit(X)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)


@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler])
def test_scaler_input_errors(make):
    scaler = make()
    with pytest.raises(ValueError, match="not fitted yet"):
        scaler.transform(X_HAND)
    with pytest.raises(ValueError, match="not fitted yet"):
        scaler.inverse_transform(X_HAND)
    scaler.fit(X_HAND)
    with pytest.raises(ValueError, match=r"X has 2 features.*fitted on 3"):
        scaler.transform(X_HAND[:, :2])
    with pytest.raises(ValueError, match="1-D"):
        scaler.transform(X_HAND[0])
    with pytest.raises(ValueError, match="NaN"):
        make().fit([[1.0, np.nan]])


@pytest.mark.parametrize("feature_range", [(1, 0), (0, 0), (0,), "ab", (0, np.inf)])
def test_minmax_bad_feature_range(feature_range):
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range=feature_range)


@pytest.mark.parametrize(
    "make", [StandardScaler, MinMaxScaler, lambda: MinMaxScaler((-2, 5))]
)
def test_config_round_trip_through_json(make, rng):
    X = rng.normal(size=(20, 3))
    X[:, 2] = 4.0
    unfitted = make()
    copy = scaler_from_config(json.loads(json.dumps(unfitted.get_config())))
    assert type(copy) is type(unfitted) and not hasattr(copy, "n_features_in_")
    assert repr(copy) == repr(unfitted)
    fitted = make().fit(X)
    config = fitted.get_config()
    copy = scaler_from_config(json.loads(json.dumps(config)))
    assert copy.get_config() == config
    assert copy.n_samples_seen_ == 20
    Y = rng.normal(size=(5, 3))
    assert copy.transform(Y).tobytes() == fitted.transform(Y).tobytes()


def test_config_contents():
    config = MinMaxScaler((-1, 1)).fit([[0.0], [2.0]]).get_config()
    assert config == {
        "class_name": "MinMaxScaler",
        "feature_range": [-1.0, 1.0],
        "data_min_": [0.0],
        "data_max_": [2.0],
        "n_features_in_": 1,
        "n_samples_seen_": 2,
    }
    assert StandardScaler().get_config() == {"class_name": "StandardScaler"}


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"class_name": "RobustScaler"}, "'class_name' in"),
        ("StandardScaler", "'class_name' in"),
        ({"class_name": "StandardScaler", "mean_": [0.0]}, "needs all of"),
        (
            {"class_name": "StandardScaler", "mean_": [0.0], "scale_": [0.0]},
            "scale_ must be positive",
        ),
        (
            {"class_name": "StandardScaler", "mean_": [0.0, 1.0], "scale_": [1.0]},
            "same length",
        ),
        (
            {"class_name": "MinMaxScaler", "data_min_": ["a"], "data_max_": [1.0]},
            "data_min_=",
        ),
        (
            {"class_name": "MinMaxScaler", "data_min_": [2.0], "data_max_": [1.0]},
            "data_min_ <= data_max_",
        ),
    ],
)
def test_bad_configs(config, match):
    with pytest.raises(ValueError, match=match):
        scaler_from_config(config)


# -- one_hot -------------------------------------------------------------------------


def test_one_hot():
    Y = one_hot(np.array([2, 0, 1, 2]))
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1, 2]])
    np.testing.assert_array_equal(one_hot([1, 1], n_classes=4), [[0, 1, 0, 0]] * 2)
    np.testing.assert_array_equal(one_hot([0.0, 1.0]), np.eye(2))
    np.testing.assert_array_equal(one_hot([[1], [0]]), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(one_hot([True, False]), [[0, 1], [1, 0]])
    assert one_hot([], n_classes=3).shape == (0, 3)


@pytest.mark.parametrize(
    ("y", "n_classes", "match"),
    [
        ([0, -1], None, "received -1 at index 1"),
        ([0, 1.5], None, "received 1.5 at index 1"),
        ([0, 3], 3, r"label 3 \(at index 1\) is out of range for n_classes=3"),
        ([[0, 1], [1, 0]], None, r"received shape \(2, 2\)"),
        (["a", "b"], None, "dtype <U1"),
        ([], None, "needs n_classes"),
        ([0], 0, "n_classes=0"),
    ],
)
def test_one_hot_errors(y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        one_hot(y, n_classes=n_classes)
