"""predict and evaluate from several threads at once give what one thread
gets; the lock that makes them take turns survives copying and pickling."""

import copy
import pickle
import threading

import numpy as np

import mlplab as ml


def _model():
    m = ml.Sequential(
        [ml.Dense(32, activation="tanh"), ml.Dense(3, activation="softmax")],
        input_dim=4,
        seed=0,
    )
    m.compile("categorical_crossentropy", "adam", ["accuracy"])
    return m


def test_predict_from_many_threads_at_once(rng):
    model = _model()
    inputs = [rng.normal(size=(n, 4)) for n in (1, 7, 50, 300, 5000, 9000)]
    expected = [model.predict(X) for X in inputs]
    errors = []
    start = threading.Barrier(12)

    def work(k):
        start.wait()
        for r in range(30):
            i = (k + r) % len(inputs)
            got = model.predict(inputs[i])
            if not np.array_equal(got, expected[i]):
                errors.append((k, i))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_evaluate_from_many_threads_at_once(rng):
    model = _model()
    X = rng.normal(size=(400, 4))
    y = rng.integers(0, 3, size=400)
    expected = model.evaluate(X, y)
    results = []

    def work():
        for _ in range(10):
            results.append(model.evaluate(X, y))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results) and len(results) == 60


def test_copies_and_pickles_keep_a_working_lock(rng):
    model = _model()
    X = rng.normal(size=(5, 4))
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert twin._infer_lock is not model._infer_lock
        np.testing.assert_array_equal(twin.predict(X), model.predict(X))
