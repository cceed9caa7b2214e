"""One registry mechanism for every component family; optimizers' state and
construction from names; the task decided in one place."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import mlplab as ml
from mlplab import (
    activations,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from mlplab._registry import Registry
from mlplab.tasks import infer_task

FAMILIES = {
    "activation": (activations, activations.ActivationFunction),
    "loss": (losses, losses.Loss),
    "initializer": (initializers, initializers.Initializer),
    "optimizer": (optimizers, optimizers.Optimizer),
    "learning-rate schedule": (schedules, schedules.LearningRateSchedule),
    "regularizer": (regularizers, regularizers.Regularizer),
    "metric": (metrics, metrics.OutputMetric),
    "layer": (layers, layers.Layer),
}


@pytest.mark.parametrize("kind", sorted(FAMILIES))
def test_every_family_has_one_registry_with_get_register_names(kind):
    module, base = FAMILIES[kind]
    registry = module.REGISTRY
    assert isinstance(registry, Registry)
    assert registry.kind == kind and registry.base is base
    assert module.names() == registry.names() and module.names()
    assert module.register is not None
    for name in module.names():
        cls = registry[name]
        assert issubclass(cls, base)


@pytest.mark.parametrize(
    "kind", [k for k in sorted(FAMILIES) if k not in ("layer", "metric")]
)
def test_get_resolves_names_instances_and_configs(kind):
    module, base = FAMILIES[kind]
    for name in module.names():
        obj = module.get(name)
        assert isinstance(obj, base)
        assert module.get(obj) is obj
        again = module.get(obj.get_config())
        assert type(again) is type(obj)
    with pytest.raises(ValueError, match=f"unknown {kind} 'no_such'. Valid names: "):
        module.get("no_such")
    with pytest.raises(TypeError, match=f"a {kind} must be a name"):
        module.get(3.5 + 1j)


def test_register_adds_and_guards_names():
    class Base:
        name = ""

    class One(Base):
        name = "one"

    reg = Registry("thing", Base, [One], aliases={"uno": "one"})
    assert type(reg.get(" ONE ")) is One and type(reg.get("uno")) is One

    class Two(Base):
        name = "two"

    assert reg.register(Two) is Two and reg.names() == ["one", "two"]

    class Other(Base):
        name = "one"

    with pytest.raises(ValueError, match="the thing name 'one' is taken by One"):
        reg.register(Other)
    with pytest.raises(TypeError, match="register takes a subclass of Base"):
        reg.register(int)
    reg.unregister("two")
    assert reg.names() == ["one"]
    with pytest.raises(TypeError, match="a thing is required; received None"):
        reg.get(None)
    with pytest.raises(ValueError, match="bad thing config"):
        reg.get({"name": "one", "unexpected": 1})


def test_a_registered_metric_is_reported_by_fit():
    @metrics.register
    class MaxError(metrics.OutputMetric):
        name = "max_error"

        def __call__(self, Y, A, task):
            return float(np.abs(A - Y).max())

    try:
        X, y = ml.datasets.make_moons(40, seed=0)
        m = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
        m.compile("binary_crossentropy", "sgd", metrics=["max_error"])
        hist = m.fit(X, y, epochs=2)
        assert len(hist.history["max_error"]) == 2
        assert 0 < hist.history["max_error"][0] <= 1
    finally:
        metrics.REGISTRY.unregister("max_error")
    with pytest.raises(ValueError, match="unknown metric 'max_error'"):
        m.compile("binary_crossentropy", "sgd", metrics=["max_error"])


# -- optimizers: state and construction -------------------------------------------
@pytest.mark.parametrize(
    "opt",
    [
        ml.SGD(0.1),
        ml.SGD(0.1, momentum=0.9, nesterov=True),
        ml.RMSprop(0.01),
        ml.Adagrad(0.1),
        ml.Adam(0.01),
    ],
    ids=lambda o: repr(o),
)
def test_state_round_trip_continues_bit_for_bit(opt):
    rng = np.random.default_rng(0)
    p = rng.normal(size=7)
    grads = [rng.normal(size=7) for _ in range(6)]
    a = copy.deepcopy(opt)
    pa = p.copy()
    for g in grads[:3]:
        a.step([pa], [g])
    state = copy.deepcopy(a.get_state())
    assert state["iterations"] == 3
    assert [list(s) for s in state["slots"]] == [list(a.slot_names)]
    b = copy.deepcopy(opt)
    pb = pa.copy()
    b.set_state(state, [pb])
    for g in grads[3:]:
        a.step([pa], [g])
        b.step([pb], [g])
    np.testing.assert_array_equal(pa, pb)
    assert b.iterations == 6


def test_set_state_refuses_a_state_that_does_not_fit():
    opt = ml.Adam()
    with pytest.raises(ValueError, match=r"holds \['velocity'\]; Adam\(.*\) keeps"):
        opt.set_state(
            {"iterations": 1, "slots": [{"velocity": np.zeros(3)}]}, [np.zeros(3)]
        )
    with pytest.raises(
        ValueError, match="state is for 2 parameter arrays; the model has 1"
    ):
        opt.set_state({"iterations": 1, "slots": [{}, {}]}, [np.zeros(3)])
    with pytest.raises(ValueError, match="has shape"):
        opt.set_state(
            {"iterations": 1, "slots": [{"m": np.zeros(2), "v": np.zeros(2)}]},
            [np.zeros(3)],
        )
    opt.set_state({"iterations": 4, "slots": None}, [np.zeros(3)])
    assert opt.get_state() == {"iterations": 4, "slots": None}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sgd", ml.SGD(0.2, momentum=0.3)),
        ("momentum", ml.SGD(0.2, momentum=0.9)),
        ("nesterov", ml.SGD(0.2, momentum=0.9, nesterov=True)),
        ("adam", ml.Adam(0.2, beta_1=0.8, epsilon=1e-8)),
        ("rmsprop", ml.RMSprop(0.2, epsilon=1e-8)),
        ("ADAGRAD", ml.Adagrad(0.2, epsilon=1e-8)),
    ],
)
def test_create_takes_the_hyperparameters_each_optimizer_has(name, expected):
    opt = optimizers.create(name, 0.2, momentum=0.3, beta_1=0.8, epsilon=1e-8)
    if name in ("momentum", "nesterov"):
        opt = optimizers.create(name, 0.2)
    assert opt.get_config() == expected.get_config()


def test_create_names_the_presets_in_its_error():
    with pytest.raises(ValueError, match=r"Also 'momentum' and 'nesterov'\."):
        optimizers.create("lbfgsx", 0.1)


# -- the task ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "task"),
    [
        (dict(output_activation="softmax"), "multiclass"),
        (dict(output_activation="sigmoid"), "binary"),
        (dict(output_activation="elu:2"), "regression"),
        (dict(output_activation="linear", labels=[0, 1]), "regression"),
        (dict(labels=[0, 1, 1]), "binary"),
        (dict(labels=["a", "b", "c"]), "multiclass"),
        (dict(labels=[0.5, 2.0]), "regression"),
        (dict(labels=[[0, 1], [1, 0]]), "regression"),
        (dict(outputs=np.array([[0.2, 0.8]])), "multiclass"),
        (dict(outputs=np.array([[0.2], [1.0]])), "binary"),
        (dict(outputs=np.array([[-0.2], [1.0]])), "regression"),
    ],
)
def test_infer_task(kwargs, task):
    assert infer_task(**kwargs) == task


def test_the_model_and_runs_agree_with_infer_task():
    for act in ("softmax", "sigmoid", "tanh", "exp"):
        m = ml.Sequential([ml.Dense(2, activation=act)], input_dim=2)
        assert m.task == infer_task(output_activation=act)
    with pytest.raises(TypeError, match="needs output_activation, labels or outputs"):
        infer_task()
