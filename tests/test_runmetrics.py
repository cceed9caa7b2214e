"""Tests for mlplab.runmetrics: the record of metrics.json.

The files in tests/data/metrics were written by mlplab before the record
existed (commit 931a092, when ``RunResult.metrics`` was a dict dumped with
``json.dumps(metrics, indent=2)``): ``metrics.json`` of a binary run with and
without a test split, a multiclass run, a run with text classes, a regression
run with and without a test split and a diverged run, and the ``results.json``
of a summary with a failed run. The record must read them and write them back
byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mlplab.config import RunConfig
from mlplab.runmetrics import RunMetrics
from mlplab.runs import FailedRun, RunResult, train, write_run

DATA = Path(__file__).parent / "data" / "metrics"
FILES = sorted(p for p in DATA.glob("*.json") if p.name != "results.json")

CLASSIFICATION_KEYS = [
    "name",
    "task",
    "classes",
    "n_train",
    "n_test",
    "n_params",
    "diverged",
    "diverged_epoch",
    "error",
    "final_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "epochs",
    "loss_history",
    "val_loss_history",
    "time_history",
    "seconds",
    "config",
]
REGRESSION_KEYS = [
    *CLASSIFICATION_KEYS[:12],
    "train_mse",
    "test_accuracy",
    "test_mse",
    *CLASSIFICATION_KEYS[13:],
]
FAILED_KEYS = ["name", "failed", "error", "diverged", "config"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_old_metrics_files_are_read_and_written_back_byte_for_byte(path: Path):
    text = path.read_text(encoding="utf-8")
    metrics = RunMetrics.from_json(text)
    assert metrics.to_json() == text
    assert RunMetrics.read(path) == metrics
    # the mapping is the file's object, key for key and in its order
    saved = json.loads(text)
    assert list(metrics) == list(saved)
    assert dict(metrics) == saved == metrics
    assert metrics.to_dict() == saved


def test_old_results_file_with_a_failed_run_is_read_and_written_back():
    text = (DATA / "results.json").read_text(encoding="utf-8")
    records = [RunMetrics.from_dict(d) for d in json.loads(text)]
    assert [m.failed for m in records] == [False, True, False, False]
    assert json.dumps([m.to_dict() for m in records], indent=2) + "\n" == text


def test_attributes_are_typed_values_of_the_file():
    m = RunMetrics.read(DATA / "binary.json")
    assert (m.task, m.classes, m.n_train, m.n_test) == ("binary", [0, 1], 64, 16)
    assert isinstance(m.final_loss, float) and isinstance(m.test_accuracy, float)
    assert m.train_mse is None and m.test_mse is None  # not in the file
    assert len(m.loss_history) == m.epochs == len(m.time_history)
    assert RunConfig.from_dict(m.config).epochs == m.epochs
    pets = RunMetrics.read(DATA / "text-classes.json")
    assert pets.classes == ["cat", "dog"] and pets.name == 'pets "v1"'
    diverged = RunMetrics.read(DATA / "diverged.json")
    assert diverged.diverged and diverged.final_loss is None
    assert isinstance(diverged.diverged_epoch, int) and "diverged" in diverged.error


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("binary", CLASSIFICATION_KEYS),
        ("multiclass", CLASSIFICATION_KEYS),
        ("regression", REGRESSION_KEYS),
        ("regression-no-split", REGRESSION_KEYS),
    ],
)
def test_the_keys_follow_the_task(name: str, keys: list[str]):
    m = RunMetrics.read(DATA / f"{name}.json")
    assert list(m) == list(m.keys()) == keys and len(m) == len(keys)
    assert ("train_mse" in m) is (m.task == "regression")
    assert "failed" not in m and "nonsense" not in m


def test_a_failed_run_has_five_keys():
    m = FailedRun(RunConfig(hidden=(2,), name="broken"), "ValueError: boom").metrics
    assert isinstance(m, RunMetrics) and m.failed
    assert list(m) == FAILED_KEYS
    assert dict(m) == {
        "name": "broken",
        "failed": True,
        "error": "ValueError: boom",
        "diverged": False,
        "config": RunConfig(hidden=(2,), name="broken").to_dict(),
    }
    assert m.get("final_loss") is None and "epochs" not in m
    with pytest.raises(KeyError):
        m["epochs"]


def test_the_record_is_read_only():
    m = RunMetrics.read(DATA / "binary.json")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.final_loss = 0.0
    with pytest.raises(TypeError):
        m["final_loss"] = 0.0
    with pytest.raises(TypeError):
        hash(m)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.pop("seconds"), "missing 'seconds'"),
        (lambda d: d.update(extra=1), "unknown 'extra'"),
        (lambda d: d.update(train_mse=0.5), "unknown 'train_mse'"),  # a binary run
        (lambda d: d.update(task="regression"), "missing 'train_mse', 'test_mse'"),
    ],
)
def test_a_file_with_other_keys_is_refused(change, match):
    values = json.loads((DATA / "binary.json").read_text(encoding="utf-8"))
    change(values)
    with pytest.raises(ValueError, match=match):
        RunMetrics.from_dict(values)


def test_a_file_that_is_not_an_object_is_refused():
    with pytest.raises(ValueError, match="JSON object"):
        RunMetrics.from_json("[1, 2]")


def test_a_run_writes_its_record_as_the_old_code_did(tmp_path: Path):
    config = RunConfig(samples=80, hidden=(4,), epochs=8, lr=0.5, seed=1)
    result = train(config)
    assert isinstance(result.metrics, RunMetrics)
    folder = write_run(result, tmp_path / "run")
    text = (folder / "metrics.json").read_text(encoding="utf-8")
    # the old writer: the dict dumped with an indent of 2
    assert text == json.dumps(dict(result.metrics), indent=2) + "\n"
    assert text == result.metrics.to_json()
    assert RunMetrics.from_json(text) == result.metrics
    # the same layout as the file written before the record, numbers aside
    old = json.loads((DATA / "binary.json").read_text(encoding="utf-8"))
    assert list(json.loads(text)) == list(old)
    for key in ("name", "task", "classes", "n_train", "n_test", "n_params", "epochs"):
        assert result.metrics[key] == old[key]
    assert result.metrics.loss_history == old["loss_history"]  # the same bits


def test_run_result_reads_a_metrics_dict():
    m = RunMetrics.read(DATA / "binary.json")
    config = RunConfig.from_dict(m.config)
    result = train(config)
    again = RunResult(config, result.data, result.model, dict(m))
    assert isinstance(again.metrics, RunMetrics) and again.metrics == m


def test_loss_curve_has_nan_where_the_loss_was_not_finite():
    m = RunMetrics(name="r", task="binary", loss_history=[1.0, None, 0.5])
    curve = m.loss_curve()
    assert curve[0] == 1.0 and curve[2] == 0.5 and curve[1] != curve[1]
