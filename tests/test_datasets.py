"""Synthetic generators, logic gates, real data, the registry and file loaders."""

import operator
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from mlplab import datasets
from mlplab.datasets import (
    load_csv,
    load_dataset,
    load_file,
    load_npy,
    load_npz,
    logic_gate,
    make_blobs,
    make_circles,
    make_linear,
    make_moons,
    make_spirals,
    make_xor,
)

# (function, kwargs, n_features, label set)
GENERATOR_CASES = {
    "moons": (make_moons, {}, 2, {0, 1}),
    "circles": (make_circles, {}, 2, {0, 1}),
    "spirals": (make_spirals, {}, 2, {0, 1}),
    "spirals-4": (make_spirals, {"n_classes": 4}, 2, {0, 1, 2, 3}),
    "blobs": (make_blobs, {}, 2, {0, 1, 2}),
    "blobs-5d": (make_blobs, {"centers": 4, "n_features": 5}, 5, {0, 1, 2, 3}),
    "linear": (make_linear, {}, 2, {0, 1}),
    "linear-3d": (make_linear, {"n_features": 3}, 3, {0, 1}),
    "xor": (make_xor, {}, 2, {0, 1}),
}


@pytest.mark.parametrize("case", GENERATOR_CASES)
@pytest.mark.parametrize("n", [1, 2, 201])
def test_generator_shapes_dtypes_labels(case, n):
    make, kwargs, d, labels = GENERATOR_CASES[case]
    X, y = make(n_samples=n, seed=0, **kwargs)
    assert X.shape == (n, d) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    if n == 201:
        assert set(y.tolist()) == labels


@pytest.mark.parametrize("case", ["circles", "spirals", "spirals-4", "blobs"])
def test_generator_classes_are_balanced(case):
    make, kwargs, _, labels = GENERATOR_CASES[case]
    _, y = make(n_samples=203, seed=0, **kwargs)
    counts = np.bincount(y)
    assert len(counts) == len(labels)
    assert counts.sum() == 203 and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("case", GENERATOR_CASES)
def test_same_seed_same_bits_other_seed_other_data(case):
    make, kwargs, _, _ = GENERATOR_CASES[case]
    X1, y1 = make(n_samples=50, seed=3, **kwargs)
    X2, y2 = make(n_samples=50, seed=3, **kwargs)
    X3, _ = make(n_samples=50, seed=4, **kwargs)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("case", GENERATOR_CASES)
def test_points_are_shuffled(case):
    make, kwargs, _, _ = GENERATOR_CASES[case]
    _, y = make(n_samples=100, seed=0, **kwargs)
    assert len(set(y[:20].tolist())) > 1


def test_make_moons_bits_unchanged():
    X, y = make_moons(333, noise=0.2, seed=7)
    expected = [
        [1.7508736582548392, 0.14312869710478412],
        [1.4283635100378091, -0.8416412495102816],
        [0.2067247559598168, -0.6495088957703069],
    ]
    np.testing.assert_allclose(X[:3], expected, rtol=0, atol=1e-14)
    assert y[:12].tolist() == [1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("make", "kwargs", "match"),
    [
        (make_circles, {"n_samples": 0}, "n_samples=0"),
        (make_circles, {"noise": -0.1}, "noise=-0.1"),
        (make_circles, {"factor": 1.0}, "factor=1.0"),
        (make_circles, {"factor": 0}, "factor=0"),
        (make_spirals, {"n_classes": 1}, "n_classes=1"),
        (make_spirals, {"noise": float("nan")}, "noise=nan"),
        (make_blobs, {"centers": 0}, "centers=0"),
        (make_blobs, {"cluster_std": -1.0}, "cluster_std=-1.0"),
        (make_blobs, {"centers": [[0, 0, 0]], "n_features": 2}, "n_features=2"),
        (make_linear, {"n_features": 0}, "n_features=0"),
        (make_xor, {"seed": -1}, "seed=-1"),
        (make_xor, {"seed": 1.5}, "seed=1.5"),
    ],
)
def test_generator_errors_name_the_value(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_generator_type_errors():
    with pytest.raises(TypeError, match="n_samples"):
        make_circles(n_samples=2.5)
    with pytest.raises(TypeError, match="noise"):
        make_xor(noise="high")


def test_circles_without_noise_lie_on_the_two_radii():
    X, y = make_circles(101, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-12)
    assert np.sum(y == 0) == 51  # the outer circle gets the odd point


def test_circles_noise_moves_points_off_the_circles():
    X, y = make_circles(200, noise=0.1, seed=0)
    spread = np.hypot(X[y == 0, 0], X[y == 0, 1]).std()
    assert 0.05 < spread < 0.2


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spirals_without_noise_follow_their_arms(k):
    X, y = make_spirals(60 * k, n_classes=k, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    for j in range(k):
        np.testing.assert_allclose(np.sort(r[y == j]), np.linspace(0, 1, 60))
    t = 4 * r + 2 * np.pi * y / k
    np.testing.assert_allclose(X, np.column_stack([r * np.sin(t), r * np.cos(t)]))


def test_spirals_noise_perturbs_the_angle_only():
    X0, y0 = make_spirals(100, noise=0.0, seed=0)
    X1, y1 = make_spirals(100, noise=0.5, seed=0)
    np.testing.assert_array_equal(y0, y1)
    assert not np.allclose(X0, X1)
    r0 = np.sort(np.hypot(X0[:, 0], X0[:, 1]))
    np.testing.assert_allclose(r0, np.sort(np.hypot(X1[:, 0], X1[:, 1])))


def test_blobs_with_given_centers_and_no_spread():
    centers = np.array([[0.0, 0.0, 1.0], [10.0, -3.0, 2.0]])
    X, y = make_blobs(11, centers=centers, cluster_std=0.0, seed=0)
    assert X.shape == (11, 3)
    np.testing.assert_array_equal(X, centers[y])


def test_blobs_random_centers_lie_in_the_box():
    X, y = make_blobs(30, centers=6, n_features=4, cluster_std=0.0, seed=1)
    assert np.all(np.abs(X) <= 5.0)
    assert len(np.unique(X, axis=0)) == 6
    assert all(len(np.unique(X[y == j], axis=0)) == 1 for j in range(6))


def test_blobs_spread_is_cluster_std():
    X, y = make_blobs(3000, centers=[[1.0, -1.0]], cluster_std=2.0, seed=0)
    assert set(y.tolist()) == {0}
    np.testing.assert_allclose(X.std(axis=0), 2.0, rtol=0.05)
    np.testing.assert_allclose(X.mean(axis=0), [1.0, -1.0], atol=0.15)


@pytest.mark.parametrize("d", [2, 5])
def test_linear_without_noise_is_separable(d):
    X, y = make_linear(300, noise=0.0, n_features=d, seed=2)
    assert 0.2 < y.mean() < 0.8
    assert np.all(np.abs(X) <= 1.0)
    # feasible: some w with (2y - 1) * (X @ w) >= 1 for every row
    s = 2.0 * y - 1.0
    res = linprog(
        np.zeros(d), A_ub=-(s[:, None] * X), b_ub=-np.ones(len(y)), bounds=(None, None)
    )
    assert res.status == 0


def test_linear_hyperplane_is_random():
    directions = []
    for seed in range(4):
        X, y = make_linear(400, noise=0.0, seed=seed)
        d = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
        directions.append(d / np.linalg.norm(d))
    cosines = np.abs(np.array(directions) @ np.array(directions).T)
    assert np.all(cosines[~np.eye(4, dtype=bool)] < 0.99)


def test_linear_with_noise_is_not_separable():
    X, y = make_linear(300, noise=0.5, seed=2)
    s = 2.0 * y - 1.0
    res = linprog(
        np.zeros(2), A_ub=-(s[:, None] * X), b_ub=-np.ones(300), bounds=(None, None)
    )
    assert res.status == 2  # infeasible


def test_xor_without_noise_follows_the_sign_rule():
    X, y = make_xor(400, noise=0.0, seed=0)
    assert np.all(np.abs(X) >= 0.1) and np.all(np.abs(X) <= 1.0)
    expected = [int((a > 0) != (b > 0)) for a, b in X.tolist()]
    assert y.tolist() == expected
    quadrant = (X[:, 0] > 0) * 2 + (X[:, 1] > 0)
    assert np.bincount(quadrant, minlength=4).min() > 70


def test_xor_noise_is_added_after_labelling():
    X0, y0 = make_xor(400, noise=0.0, seed=0)
    X1, y1 = make_xor(400, noise=0.3, seed=0)
    np.testing.assert_array_equal(y0, y1)
    assert 0.2 < (X1 - X0).std() < 0.4


# -- logic gates ------------------------------------------------------------------

GATE_OPS = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "nor": lambda a, b: not (a or b),
    "xor": operator.xor,
    "xnor": lambda a, b: a == b,
}


@pytest.mark.parametrize("name", GATE_OPS)
def test_logic_gate_truth_tables(name):
    X, y = logic_gate(name)
    assert X.dtype == np.float64 and y.dtype == np.int64 and y.shape == (4,)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    expected = [int(GATE_OPS[name](bool(a), bool(b))) for a, b in X.tolist()]
    assert y.tolist() == expected


def test_logic_gate_is_case_insensitive_and_lists_valid_names():
    assert logic_gate(" XoR ")[1].tolist() == [0, 1, 1, 0]
    assert set(datasets.GATES) == set(GATE_OPS)
    with pytest.raises(ValueError, match="'implies'") as info:
        logic_gate("implies")
    for name in GATE_OPS:
        assert repr(name) in str(info.value)


# -- real data sets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "n_classes"),
    [
        ("digits", (1797, 64), 10),
        ("breast_cancer", (569, 30), 2),
        ("iris", (150, 4), 3),
        ("wine", (178, 13), 3),
    ],
)
def test_real_data_sets(name, shape, n_classes):
    X, y = datasets.REAL[name]()
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(n_classes))
    assert X.flags.c_contiguous


# -- the registry -----------------------------------------------------------------


def test_dataset_names_cover_every_family():
    names = datasets.dataset_names()
    assert names[:6] == ["moons", "circles", "spirals", "blobs", "linear", "xor"]
    assert {"digits", "breast_cancer", "iris", "wine"} <= set(names)
    assert {f"gate:{g}" for g in GATE_OPS} <= set(names)


@pytest.mark.parametrize("name", list(datasets.GENERATORS))
def test_load_dataset_passes_given_arguments(name):
    make = datasets.GENERATORS[name]
    X, y = load_dataset(name, n_samples=40, noise=0.05, seed=5)
    key = "cluster_std" if name == "blobs" else "noise"
    X2, y2 = make(n_samples=40, seed=5, **{key: 0.05})
    assert X.tobytes() == X2.tobytes() and y.tobytes() == y2.tobytes()


@pytest.mark.parametrize("name", list(datasets.GENERATORS))
def test_load_dataset_keeps_defaults_for_none(name):
    X, y = load_dataset(name.upper(), seed=1)
    X2, y2 = datasets.GENERATORS[name](seed=1)
    assert X.tobytes() == X2.tobytes() and y.tobytes() == y2.tobytes()


def test_load_dataset_real_and_gates():
    X, y = load_dataset("Breast-Cancer", seed=3)  # the seed is ignored
    assert X.shape == (569, 30)
    X, y = load_dataset("gate:XNOR")
    assert y.tolist() == [1, 0, 0, 1]


@pytest.mark.parametrize("name", ["iris", "gate:and"])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 10}, r"n_samples=10 does not apply"),
        ({"noise": 0.1}, r"noise=0.1 does not apply"),
        ({"n_samples": 10, "noise": 0.0}, r"n_samples=10 and noise=0.0 do not"),
    ],
)
def test_load_dataset_refuses_arguments_for_fixed_sets(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_dataset(name, **kwargs)


@pytest.mark.parametrize("name", ["moon", "gate:maybe", "xor-gate", "", 3])
def test_load_dataset_unknown_names_list_valid_ones(name):
    with pytest.raises(ValueError, match="Valid names") as info:
        load_dataset(name)
    message = str(info.value)
    assert repr(name) in message
    for valid in datasets.dataset_names():
        assert repr(valid) in message


def test_load_dataset_passes_errors_through():
    with pytest.raises(ValueError, match="n_samples=-5"):
        load_dataset("moons", n_samples=-5)


# -- CSV and text files -------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


CSV_HEADER = "x1,x2,label\n1,2,0\n3.5,-4,1\n\n5,6e1,1\n"


@pytest.mark.parametrize("header", ["auto", True])
@pytest.mark.parametrize("label_column", [-1, 2, "label"])
def test_csv_with_header(tmp_path, header, label_column):
    path = _write(tmp_path, "h.csv", CSV_HEADER)
    X, y = load_csv(path, label_column=label_column, header=header)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.tolist() == [[1, 2], [3.5, -4], [5, 60]]
    assert y.tolist() == [0, 1, 1]


@pytest.mark.parametrize("header", ["auto", False])
def test_csv_without_header(tmp_path, header):
    path = _write(tmp_path, "n.csv", "0,1,2\n3,4,5\n")
    X, y = load_csv(str(path), label_column=0, header=header)
    assert X.tolist() == [[1, 2], [4, 5]] and y.tolist() == [0, 3]


def test_csv_without_labels(tmp_path):
    path = _write(tmp_path, "n.csv", "a,b\n0,1\n3,4\n")
    X, y = load_csv(path, label_column=None)
    assert y is None and X.tolist() == [[0, 1], [3, 4]]


def test_csv_header_false_makes_line_one_data(tmp_path):
    path = _write(tmp_path, "n.csv", "x,y\n0,1\n")
    with pytest.raises(ValueError, match=r"line 1, column 0 \(counting from 0\)"):
        load_csv(path, header=False)


def test_csv_string_labels_stay_class_names(tmp_path):
    path = _write(tmp_path, "s.csv", "1,2,dog\n3,4,cat\n5,6,emu\n7,8,cat\n")
    X, y = load_csv(path)  # no header: line 1 holds numbers
    assert X.shape == (4, 2)
    assert y.dtype.kind == "U" and y.tolist() == ["dog", "cat", "emu", "cat"]


def test_csv_float_labels_stay_float(tmp_path):
    path = _write(tmp_path, "r.csv", "x,target\n1,0.5\n2,1.0\n3,2\n")
    X, y = load_csv(path)
    assert X.tolist() == [[1], [2], [3]]
    assert y.dtype == np.float64 and y.tolist() == [0.5, 1.0, 2.0]


def test_csv_integral_float_labels_become_int(tmp_path):
    path = _write(tmp_path, "r.csv", "1,0.0\n2,1.0\n3,2e0\n")
    _, y = load_csv(path)
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2]


def test_csv_spaces_quotes_and_delimiter(tmp_path):
    path = _write(tmp_path, "q.csv", 'a;"b";c\n 1 ; "2" ;0\n\n  \n3;4;1\n')
    X, y = load_csv(path, delimiter=";")
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]


def test_csv_label_name_implies_header_in_auto_mode(tmp_path):
    path = _write(tmp_path, "n.csv", "1,2,3\n4,5,6\n7,8,9\n")
    X, y = load_csv(path, label_column="3")
    assert X.tolist() == [[4, 5], [7, 8]] and y.tolist() == [6, 9]


def test_csv_whitespace_delimiter(tmp_path):
    path = tmp_path / "w.txt"
    np.savetxt(path, np.array([[0.1, 0.2, 0.0], [0.3, 0.4, 1.0]]))
    X, y = load_csv(path, delimiter=None)
    assert X.tolist() == [[0.1, 0.2], [0.3, 0.4]] and y.tolist() == [0, 1]


# (file name, content, kwargs, line in the message, problem in the message)
BAD_CSV = {
    "ragged": ("ragged.csv", "a,b,c,d\n1,2,3,4\n\n1,2,3\n", {}, "line 4", "3 fields"),
    "not-a-number": (
        "nan_cell.csv",
        "x1,x2,y\n1,2,0\n\n1,2,0\n1,abc,1\n",
        {},
        "line 5",
        "column 'x2': 'abc' is not a number",
    ),
    "no-header-not-a-number": (
        "nh.csv",
        "1,2,0\n1,?,1\n",
        {},
        "line 2",
        "column 1 (counting from 0): '?' is not a number",
    ),
    "nan": ("n.csv", "x,y\n1,0\nnan,1\n", {}, "line 3", "'nan' is not a finite"),
    "inf": ("i.csv", "x,z,y\n1,2,0\n1,-inf,1\n", {}, "line 3", "column 'z': '-inf'"),
    "empty-cell": ("e.csv", "x,z,y\n1,2,0\n1,,1\n", {}, "line 3", "'z' is empty"),
    "empty-label": ("l.csv", "x,z,y\n1,2,0\n1,2,\n", {}, "line 3", "'y' is empty"),
    "nan-label": ("nl.csv", "x,y\n1,0\n2,NaN\n", {}, "line 3", "'NaN' is not a finite"),
    "mixed-labels": ("m.csv", "1,0\n2,dog\n", {}, "line 2", "mixes numbers and text"),
    "header-only": ("h.csv", "x,y\n", {}, "line 1", "no data rows"),
    "missing-name": (
        "mn.csv",
        "x,y\n1,0\n",
        {"label_column": "target"},
        "line 1",
        "no column named 'target'",
    ),
    "index-out-of-range": (
        "ix.csv",
        "x,y\n1,0\n",
        {"label_column": 2},
        None,  # a bad index is about the columns, not about a line
        "label_column=2 is out of range for 2 columns",
    ),
    "name-without-header": (
        "nh2.csv",
        "1,0\n",
        {"label_column": "y", "header": False},
        "line 1",
        "read without a header",
    ),
}


@pytest.mark.parametrize("case", BAD_CSV)
def test_malformed_csv_names_file_line_and_problem(tmp_path, case):
    name, text, kwargs, line, problem = BAD_CSV[case]
    path = _write(tmp_path, name, text)
    with pytest.raises(ValueError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert name in message and problem in message
    assert line is None or re.search(rf"\b{line}\b", message)


def test_csv_module_errors_name_the_line(tmp_path):
    path = _write(tmp_path, "big.csv", f'1,2\n3,"{"x" * 200_000}"\n')
    with pytest.raises(ValueError, match=r"big\.csv: line 2: field larger"):
        load_csv(path)


def test_csv_missing_column_lists_available_columns(tmp_path):
    path = _write(tmp_path, "mn.csv", "x1,x2,y\n1,2,0\n")
    with pytest.raises(ValueError, match="available columns: 'x1', 'x2', 'y'"):
        load_csv(path, label_column="label")
    with pytest.raises(ValueError, match=r"valid: -3 to 2"):
        load_csv(path, label_column=-4)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_csv(tmp_path, text):
    path = _write(tmp_path, "empty.csv", text)
    with pytest.raises(ValueError, match=r"empty\.csv is empty"):
        load_csv(path)


def test_csv_single_column_is_no_features(tmp_path):
    path = _write(tmp_path, "semi.csv", "1;2;0\n3;4;1\n")
    with pytest.raises(ValueError, match=r"no feature columns.*delimiter=','"):
        load_csv(path)


def test_csv_binary_file_is_refused(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ValueError, match=r"bin\.csv is not a UTF-8 text file"):
        load_csv(path)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"header": "yes"}, ValueError, "header='yes'"),
        ({"delimiter": ",,"}, ValueError, "delimiter=',,'"),
        ({"label_column": 1.5}, TypeError, "label_column=1.5"),
        ({"label_column": True}, TypeError, "label_column=True"),
    ],
)
def test_csv_argument_errors(tmp_path, kwargs, error, match):
    path = _write(tmp_path, "ok.csv", "1,0\n")
    with pytest.raises(error, match=match):
        load_csv(path, **kwargs)


@pytest.mark.parametrize("load", [load_csv, load_npy, load_npz, load_file])
def test_missing_file(tmp_path, load):
    path = tmp_path / "nowhere.csv"
    if load in (load_npy, load_npz):
        path = path.with_suffix(".npy" if load is load_npy else ".npz")
    with pytest.raises(ValueError, match=f"no such file: {path}"):
        load(path)


def test_directory_is_not_a_file(tmp_path):
    folder = tmp_path / "data.csv"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        load_csv(folder)


# -- .npy and .npz --------------------------------------------------------------------


def test_npy_without_and_with_labels(tmp_path):
    path = tmp_path / "d.npy"
    np.save(path, np.array([[1, 2, 0], [3, 4, 1]], dtype=np.int32))
    X, y = load_npy(path)
    assert y is None and X.dtype == np.float64 and X.shape == (2, 3)
    X, y = load_npy(path, label_column=-1)
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]
    assert y.dtype == np.int64 and X.flags.c_contiguous
    X, y = load_npy(path, label_column=0)
    assert X.tolist() == [[2, 0], [4, 1]] and y.tolist() == [1, 3]


def test_npy_float_labels(tmp_path):
    path = tmp_path / "r.npy"
    np.save(path, np.array([[1.0, 0.25], [2.0, 0.5]]))
    _, y = load_npy(path, label_column=1)
    assert y.dtype == np.float64 and y.tolist() == [0.25, 0.5]


def _save_object_npy(path):
    np.save(path, np.array([[{"a": 1}, 2]], dtype=object), allow_pickle=True)


BAD_NPY = {
    "object": (_save_object_npy, "Python objects"),
    "text": (lambda p: p.write_text("1,2,3\n4,5,6\n"), "is not a .npy file"),
    "empty-file": (lambda p: p.write_bytes(b""), "is not a .npy file"),
    "1-D": (lambda p: np.save(p, np.arange(3.0)), "must be 2-D"),
    "3-D": (lambda p: np.save(p, np.zeros((2, 2, 2))), "received shape (2, 2, 2)"),
    "strings": (lambda p: np.save(p, np.array([["a", "b"]])), "dtype <U1"),
    "complex": (lambda p: np.save(p, np.ones((2, 2), complex)), "must hold numbers"),
    "nan": (lambda p: np.save(p, np.array([[1.0, np.nan]])), "index (0, 1)"),
    "no-rows": (lambda p: np.save(p, np.zeros((0, 3))), "is empty"),
    "npz": (lambda p: np.savez(p.with_suffix(".npz"), X=np.ones((1, 1))), "load_npz"),
    "truncated": (
        lambda p: p.write_bytes(b"\x93NUMPY\x01\x00garbage"),
        "could not be read",
    ),
}


@pytest.mark.parametrize("case", BAD_NPY)
def test_bad_npy_is_refused_with_the_file_name(tmp_path, case):
    write, problem = BAD_NPY[case]
    path = tmp_path / f"bad_{case}.npy"
    write(path)
    if case == "npz":
        path.with_suffix(".npz").rename(path)
    with pytest.raises(ValueError) as info:
        load_npy(path)
    assert path.name in str(info.value) and problem in str(info.value)


@pytest.mark.parametrize(
    ("label_column", "match"),
    [(3, r"label_column=3 is out of range.*-3 to 2"), (-4, "label_column=-4")],
)
def test_npy_label_column_out_of_range(tmp_path, label_column, match):
    path = tmp_path / "d.npy"
    np.save(path, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=match):
        load_npy(path, label_column=label_column)


def test_npy_single_column_with_labels(tmp_path):
    path = tmp_path / "d.npy"
    np.save(path, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="no feature columns"):
        load_npy(path, label_column=0)


def test_npz_with_and_without_labels(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.arange(6).reshape(3, 2), y=np.array([[2], [0], [2]]))
    X, y = load_npz(path)
    assert X.dtype == np.float64 and X.shape == (3, 2)
    assert y.dtype == np.int64 and y.tolist() == [2, 0, 2]
    np.savez(path, X=np.ones((2, 2)), other=np.zeros(3))
    X, y = load_npz(str(path))
    assert y is None


def test_npz_text_and_bool_labels(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.ones((3, 1)), y=np.array(["no", "yes", "no"]))
    assert load_npz(path)[1].tolist() == ["no", "yes", "no"]
    np.savez(path, X=np.ones((2, 1)), y=np.array([True, False]))
    assert load_npz(path)[1].tolist() == [1, 0]


BAD_NPZ = {
    "no-X": (lambda p: np.savez(p, data=np.ones((2, 2))), "no array named 'X'"),
    "object-X": (
        lambda p: np.savez(p, X=np.array([[None]], dtype=object)),
        "Python objects",
    ),
    "object-y": (
        lambda p: np.savez(p, X=np.ones((1, 1)), y=np.array([None], dtype=object)),
        "Python objects",
    ),
    "1-D-X": (lambda p: np.savez(p, X=np.ones(3)), "'X' must be 2-D"),
    "2-D-y": (lambda p: np.savez(p, X=np.ones((2, 2)), y=np.ones((2, 2))), "'y'"),
    "lengths": (
        lambda p: np.savez(p, X=np.ones((2, 2)), y=np.ones(3)),
        "'X' has 2 rows but 'y' has 3",
    ),
    "nan-y": (
        lambda p: np.savez(p, X=np.ones((2, 2)), y=np.array([0.0, np.inf])),
        "'y' holds inf",
    ),
    "npy": (lambda p: np.save(p.with_suffix(".npy"), np.ones((1, 1))), "load_npy"),
    "text": (lambda p: p.write_text("X,y\n1,0\n"), "is not an .npz archive"),
    "bad-zip": (lambda p: p.write_bytes(b"PK\x03\x04broken"), "could not be read"),
}


@pytest.mark.parametrize("case", BAD_NPZ)
def test_bad_npz_is_refused_with_the_file_name(tmp_path, case):
    write, problem = BAD_NPZ[case]
    path = tmp_path / f"bad_{case}.npz"
    write(path)
    if case == "npy":
        path.with_suffix(".npy").rename(path)
    with pytest.raises(ValueError) as info:
        load_npz(path)
    assert path.name in str(info.value) and problem in str(info.value)


# -- load_file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.csv", "a,b,y\n1,2,0\n3,4,1\n"),
        ("semicolon.csv", "a;b;y\n1;2;0\n3;4;1\n"),
        ("tabs.txt", "a\tb\ty\n1\t2\t0\n3\t4\t1\n"),
        ("spaces.txt", "1  2 0\n 3 4   1\n"),
        ("commas.TXT", "1,2,0\n3,4,1\n"),
    ],
)
def test_load_file_text_formats(tmp_path, name, text):
    X, y = load_file(_write(tmp_path, name, text))
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]


def test_load_file_passes_label_column_and_header(tmp_path):
    path = _write(tmp_path, "c.csv", "1,2,0\n3,4,1\n")
    X, y = load_file(path, label_column=None, header=False)
    assert y is None and X.shape == (2, 3)
    X, y = load_file(path, label_column=0)
    assert y.tolist() == [1, 3]


def test_load_file_binary_formats(tmp_path):
    np.save(tmp_path / "a.npy", np.array([[1.0, 0.0], [2.0, 1.0]]))
    X, y = load_file(tmp_path / "a.npy")
    assert y is None and X.shape == (2, 2)
    X, y = load_file(tmp_path / "a.npy", label_column=1)
    assert y.tolist() == [0, 1]
    np.savez(tmp_path / "a.npz", X=np.ones((2, 2)), y=np.array([1, 0]))
    X, y = load_file(tmp_path / "a.npz")
    assert y.tolist() == [1, 0]
    X, y = load_file(tmp_path / "a.npz", label_column=None)
    assert y is None and X.shape == (2, 2)


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("a.xlsx", {}, r"unsupported extension '\.xlsx'.*\.csv, \.txt, \.npy, \.npz"),
        ("noext", {}, "unsupported extension ''"),
        ("a.npz", {"label_column": 0}, "label_column does not apply to .npz"),
        ("a.npy", {"header": True}, "header applies to .csv and .txt"),
        ("a.npy", {"label_column": "y"}, "no column names"),
    ],
)
def test_load_file_errors(tmp_path, name, kwargs, match):
    path = tmp_path / name
    if name.endswith(".npz"):
        np.savez(path, X=np.ones((2, 2)))
    else:
        np.save(tmp_path / "a.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match=match):
        load_file(path, **kwargs)


def test_load_file_missing_file(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        load_file(tmp_path / "gone.npz")


def test_exports():
    for name in datasets.__all__:
        assert hasattr(datasets, name)
