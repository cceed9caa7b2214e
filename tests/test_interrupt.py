"""Nothing lost: checkpoints, Ctrl-C / SIGTERM that stop at the end of an
epoch and save, and resumed runs that end bit for bit where an uninterrupted
run ends."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mlplab as ml
import mlplab.runs as runs_module
from mlplab import sweep
from mlplab._interrupt import GracefulInterrupt, Interrupted
from mlplab.cli import main
from mlplab.persistence import read_metadata
from mlplab.runs import train


def _kill_at(monkeypatch, epoch, signum):
    """Send ``signum`` to this process at the end of epoch ``epoch`` (from 0)
    of the next run, through the run's own clock callback."""
    original = runs_module._Clock

    class Killer(original):
        def on_epoch_end(self, e, logs=None):
            super().on_epoch_end(e, logs)
            if e == epoch:
                os.kill(os.getpid(), signum)

    monkeypatch.setattr(runs_module, "_Clock", Killer)


def _same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


CONFIGS = {
    "sgd momentum, mini-batches": ml.RunConfig(
        samples=120,
        hidden=(5,),
        epochs=30,
        batch_size=16,
        optimizer="momentum",
        lr=0.05,
        seed=1,
    ),
    "adam": ml.RunConfig(
        samples=100,
        hidden=(4, 3),
        epochs=25,
        batch_size=10,
        optimizer="adam",
        lr=0.01,
        seed=2,
        activation="relu",
    ),
    "full batch, L2, features": ml.RunConfig(
        dataset="xor",
        samples=80,
        hidden=(3,),
        epochs=40,
        features=("x1", "x2", "x1*x2"),
        l2=0.001,
        seed=3,
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_interrupted_then_resumed_equals_uninterrupted(
    name, signum, code, tmp_path, monkeypatch
):
    config = CONFIGS[name]
    whole = train(config, tmp_path / "whole")
    stop_at = 7 + len(name) % 5  # an arbitrary epoch
    _kill_at(monkeypatch, stop_at, signum)
    with GracefulInterrupt() as interrupt, pytest.raises(Interrupted) as info:
        train(config, tmp_path / "cut", interrupt=interrupt)
    assert info.value.exit_code == code
    assert f"interrupted after epoch {stop_at + 1} of {config.epochs}" in str(
        info.value
    )
    assert f"mlplab train --resume {tmp_path / 'cut'}" in str(info.value)
    assert read_metadata(tmp_path / "cut" / "checkpoint.npz")["epoch"] == stop_at + 1
    monkeypatch.undo()
    resumed = train(config, tmp_path / "cut", resume=True)
    _same_weights(whole.model, resumed.model)
    assert resumed.metrics["loss_history"] == whole.metrics["loss_history"]
    assert len(resumed.metrics["time_history"]) == config.epochs
    saved = json.loads((tmp_path / "cut" / "metrics.json").read_text())
    assert saved["loss_history"] == whole.metrics["loss_history"]


def test_the_signal_handlers_are_put_back():
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with GracefulInterrupt():
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_second_ctrl_c_stops_at_once():
    with GracefulInterrupt() as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requested and interrupt.signum == signal.SIGINT
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)


def test_checkpoint_every_and_resume_extending_the_run(tmp_path):
    config = ml.RunConfig(samples=60, hidden=(3,), epochs=12, batch_size=8, seed=5)
    first = train(config, tmp_path / "r", checkpoint_every=5)
    meta = read_metadata(tmp_path / "r" / "checkpoint.npz")
    assert meta["epoch"] == 12  # saved at 5, 10 and after the last epoch
    assert meta["history"]["loss"] == first.metrics["loss_history"]
    longer = train(config.replace(epochs=20), tmp_path / "r", resume=True)
    straight = train(config.replace(epochs=20), tmp_path / "straight")
    _same_weights(longer.model, straight.model)
    assert longer.metrics["epochs"] == 20


def test_model_checkpoint_callback(tmp_path):
    X, y = ml.datasets.make_moons(60, seed=0)
    model = ml.Sequential(
        [ml.Dense(4, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    model.compile("binary_crossentropy", ml.SGD(0.5))
    every = ml.ModelCheckpoint(tmp_path / "e{epoch}.npz", every=3)
    best = ml.ModelCheckpoint(
        tmp_path / "best.npz", save_best_only=True, monitor="loss"
    )
    history = model.fit(X, y, epochs=10, callbacks=[every, best])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best.npz",
        "e10.npz",
        "e3.npz",
        "e6.npz",
        "e9.npz",
    ]
    losses = history.history["loss"]
    meta = read_metadata(tmp_path / "best.npz")
    assert meta["loss"] == min(losses) and meta["epoch"] == 1 + int(np.argmin(losses))
    restored = ml.load(tmp_path / "e10.npz")
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="every=0"):
        ml.ModelCheckpoint(tmp_path / "x.npz", every=0)
    with pytest.raises(ValueError, match="'val_loss'"):
        model.fit(
            X,
            y,
            epochs=1,
            callbacks=[
                ml.ModelCheckpoint(
                    tmp_path / "v.npz", monitor="val_loss", save_best_only=True
                )
            ],
        )


def test_resume_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["train", "--resume", str(tmp_path / "empty")]) == 2
    assert "config.toml" in capsys.readouterr().err
    train(ml.RunConfig(samples=40, epochs=3), tmp_path / "r")
    assert main(["train", "--resume", str(tmp_path / "r")]) == 2
    assert "no checkpoint.npz" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "r"), "--hidden", "9"]) == 2
    assert "--hidden" in capsys.readouterr().err


def test_sigterm_to_the_command_saves_and_resumes_bit_for_bit(tmp_path):
    folder = tmp_path / "run"
    script = Path(sys.executable).parent / "mlplab"
    if not script.exists():
        pytest.skip("the mlplab console script is not installed")
    argv = [
        str(script),
        "train",
        "--samples",
        "50",
        "--hidden",
        "3",
        "--epochs",
        "3000000",
        "--no-progress",
        "--out",
        str(folder),
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.time() + 60
    while not (folder / "config.toml").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # well inside the training loop
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"mlplab train --resume {folder}" in lines[0]
    done = read_metadata(folder / "checkpoint.npz")["epoch"]
    assert 0 < done < 3000000
    # Resume only a little further, and compare with a run that never stopped.
    assert (
        main(
            [
                "train",
                "--resume",
                str(folder),
                "--epochs",
                str(done + 50),
                "--no-progress",
            ]
        )
        == 0
    )
    config = ml.RunConfig.from_toml(folder / "config.toml")
    straight = train(config, tmp_path / "straight")
    _same_weights(ml.load(folder / "model.npz"), straight.model)


def test_an_interrupted_sweep_keeps_its_finished_runs_and_resumes(
    tmp_path, monkeypatch
):
    base = ml.RunConfig(samples=60, epochs=15, test_size=0.25)
    grid = {"hidden": ["1", "2", "3"]}
    whole = sweep.run(base, grid)
    original = runs_module._Clock
    calls = []

    class KillInSecondRun(original):
        def on_epoch_end(self, e, logs=None):
            super().on_epoch_end(e, logs)
            if e == 0:
                calls.append(1)
                if len(calls) == 2:  # in the second run
                    os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(runs_module, "_Clock", KillInSecondRun)
    with GracefulInterrupt() as interrupt, pytest.raises(Interrupted) as info:
        sweep.run(base, grid, out=tmp_path, interrupt=interrupt)
    assert "interrupted after 1 of 3 runs" in str(info.value)
    assert f"mlplab sweep --resume {tmp_path}" in str(info.value)
    assert (tmp_path / "01-hidden=1" / "metrics.json").exists()
    assert not (tmp_path / "02-hidden=2").exists()
    monkeypatch.undo()
    resumed = sweep.resume(tmp_path)
    for a, b in zip(whole, resumed, strict=True):
        assert a.metrics["loss_history"] == b.metrics["loss_history"]
        _same_weights(a.model, b.model)
    assert (tmp_path / "report.html").exists()
