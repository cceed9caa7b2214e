"""The playground's server over real HTTP: its safety checks, the session
commands, frames, uploads, exports that reproduce the run, and errors that
leave the server serving."""

from __future__ import annotations

import base64
import http.client
import json
import shlex
import time
from pathlib import Path

import numpy as np
import pytest

from mlplab import persistence
from mlplab.cli import main
from mlplab.config import RunConfig
from mlplab.playground import Playground
from mlplab.playground._frames import Plane, thin
from mlplab.playground._pageconfig import PageConfig
from mlplab.playground._uploads import safe_name
from mlplab.runs import train

SMALL = {
    "dataset": "xor",
    "samples": 120,
    "hidden": [{"units": 4, "activation": "tanh"}, {"units": 3, "activation": "relu"}],
    "lr": 0.03,
    "batch_size": 10,
}


@pytest.fixture(scope="module")
def pg():
    server = Playground(port=0).start()
    yield server
    server.stop()


class Client:
    """Requests to a playground, with its token unless told otherwise."""

    def __init__(self, pg: Playground) -> None:
        self.pg = pg

    def request(
        self,
        method: str,
        path: str,
        body: bytes | dict | None = None,
        *,
        token: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.pg.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.pg.port}", **(headers or {})}
        if token:
            sent["X-Mlplab-Token"] = self.pg.token
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        conn.request(method, path, body=raw, headers=sent)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def json(self, method: str, path: str, body: bytes | dict | None = None):
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)

    def session(self, config: dict | None = None) -> dict:
        status, info = self.json("POST", "/api/sessions", config or SMALL)
        assert status == 200, info
        return info

    def frame(self, sid: str) -> dict:
        """The first frame of the session's event stream."""
        conn = http.client.HTTPConnection("127.0.0.1", self.pg.port, timeout=30)
        conn.request(
            "GET",
            f"/api/sessions/{sid}/events",
            headers={
                "Host": f"127.0.0.1:{self.pg.port}",
                "X-Mlplab-Token": self.pg.token,
            },
        )
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "text/event-stream"
        event = None
        while True:
            line = resp.fp.readline().decode().rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "frame":
                conn.close()
                return json.loads(line[5:])


@pytest.fixture
def client(pg):
    return Client(pg)


# -- safety ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/api/options", "/static/playground.js"])
def test_a_request_without_the_token_gets_403(client, path):
    status, _, body = client.request("GET", path, token=False)
    assert status == 403
    assert b"token" in body


def test_a_wrong_token_gets_403(client):
    status, _, _ = client.request(
        "GET", "/api/options", token=False, headers={"X-Mlplab-Token": "guess"}
    )
    assert status == 403


def test_the_token_is_accepted_in_the_query(client):
    status, _, body = client.request("GET", f"/?token={client.pg.token}", token=False)
    assert status == 200
    assert client.pg.token.encode() in body  # the page's own links carry it
    assert b"{{TOKEN}}" not in body


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example:80"},
        {"Host": "attacker.test"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
    ],
)
def test_foreign_host_or_origin_gets_403(client, headers):
    status, _, body = client.request("GET", "/api/options", headers=headers)
    assert status == 403
    assert b"Host" in body or b"Origin" in body


def test_the_own_origin_is_accepted(client):
    origin = {"Origin": f"http://localhost:{client.pg.port}"}
    status, _, _ = client.request("GET", "/api/options", headers=origin)
    assert status == 200


def test_it_listens_on_the_loopback_address_only_by_default(pg):
    assert pg.server.server_address[0] == "127.0.0.1"


def test_port_zero_picks_a_free_port_and_a_taken_port_is_refused(pg):
    with pytest.raises(OSError):
        Playground(port=pg.port)
    other = Playground(port=0)
    try:
        assert other.port not in (0, pg.port)
        assert other.token != pg.token
    finally:
        other.stop()


def test_the_default_port_falls_back_to_a_free_one():
    first = Playground()
    second = Playground()
    try:
        assert first.port != second.port
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize(
    "kwargs", [{"port": -1}, {"port": 70000}, {"port": "80"}, {"idle_timeout": 0}]
)
def test_bad_server_arguments_are_refused(kwargs):
    with pytest.raises((ValueError, TypeError)):
        Playground(**kwargs)


# -- options, sessions, frames ---------------------------------------------------------
def test_options_list_the_choices(client):
    status, opts = client.json("GET", "/api/options")
    assert status == 200
    names = {d["name"]: d["task"] for d in opts["datasets"]}
    for name in ("moons", "circles", "xor", "spirals", "blobs", "linear"):
        assert names[name] == "classification"
    assert names["plane"] == names["gauss"] == "regression"
    assert names["gate:xor"] == "gate"
    assert {"sgd", "momentum", "adam"} <= set(opts["optimizers"])
    assert opts["limits"]["max_units"] >= 64
    assert "sin(x1)" in opts["features"]


def test_a_session_describes_its_data_and_network(client):
    info = client.session()
    assert info["task"] == "binary"
    assert info["layers"] == [4, 3, 1]
    assert info["activations"] == ["tanh", "relu", "sigmoid"]
    n_train, n_test = len(info["train"]["x"]), len(info["test"]["x"])
    assert n_train + n_test == 120
    assert n_test == 60  # the default test ratio, one half
    X = np.array(info["train"]["x"] + info["test"]["x"])
    x1_min, x1_max, x2_min, x2_max = info["bounds"]
    assert x1_min < X[:, 0].min() and X[:, 0].max() < x1_max
    assert x2_min < X[:, 1].min() and X[:, 1].max() < x2_max


def _image(text: str, side: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8).reshape(side, side)


def test_a_frame_has_a_heatmap_and_a_thumbnail_per_hidden_unit(client):
    info = client.session()
    frame = client.frame(info["session"])
    assert frame["epoch"] == 0
    assert _image(frame["heatmap"], info["grid"]).shape == (100, 100)
    assert [len(layer) for layer in frame["units"]] == [4, 3]
    for layer in frame["units"]:
        for unit in layer:
            assert _image(unit, info["thumb"]).shape == (50, 50)
    shapes = [np.array(w["W"]).shape for w in frame["weights"]]
    assert shapes == [(2, 4), (4, 3), (3, 1)]
    assert len(base64.b64decode(frame["predictions"]["train"])) == 60


def test_step_trains_one_epoch_and_reset_gives_the_same_first_loss(client):
    sid = client.session()["session"]
    first = client.frame(sid)
    status, answer = client.json("POST", f"/api/sessions/{sid}/step")
    assert (status, answer["epoch"]) == (200, 1)
    stepped = client.frame(sid)
    assert stepped["epoch"] == 1
    assert stepped["train_loss"] != first["train_loss"]
    client.json("POST", f"/api/sessions/{sid}/reset")
    again = client.frame(sid)
    assert again["epoch"] == 0
    assert again["train_loss"] == first["train_loss"]
    assert again["weights"] == first["weights"]
    client.json("POST", f"/api/sessions/{sid}/step")
    assert client.frame(sid)["train_loss"] == stepped["train_loss"]


def test_a_new_seed_gives_other_weights_on_the_same_data(client):
    one = client.session()
    two = client.session({**SMALL, "seed": 5})
    assert one["train"] == two["train"]
    w1 = client.frame(one["session"])["weights"]
    w2 = client.frame(two["session"])["weights"]
    assert w1 != w2


def test_a_new_data_seed_gives_other_data(client):
    one = client.session()
    two = client.session({**SMALL, "data_seed": 3})
    assert one["train"]["x"] != two["train"]["x"]


def test_play_trains_and_pause_stops_promptly(client):
    sid = client.session({**SMALL, "samples": 500})["session"]
    client.json("POST", f"/api/sessions/{sid}/play")
    time.sleep(0.5)
    start = time.perf_counter()
    status, answer = client.json("POST", f"/api/sessions/{sid}/pause")
    assert status == 200
    assert time.perf_counter() - start < 1.0
    assert answer["epoch"] > 0
    time.sleep(0.2)
    frame = client.frame(sid)
    assert frame["epoch"] == answer["epoch"]
    assert frame["running"] is False
    assert len(frame["curve"]["train"]) == min(frame["epoch"], 500)


def test_a_diverging_run_is_reported_not_raised(client):
    config = {
        **SMALL,
        "dataset": "plane",
        "lr": 10.0,
        "batch_size": None,
        "hidden": [{"units": 4, "activation": "linear"}],
    }
    sid = client.session(config)["session"]
    for _ in range(20):
        client.json("POST", f"/api/sessions/{sid}/step")
        frame = client.frame(sid)
        if frame["diverged"]:
            break
    assert frame["diverged"] is not None
    n = frame["diverged"]["epoch"]
    assert frame["diverged"]["message"] == (
        f"diverged at epoch {n} — lower the learning rate"
    )
    status, _ = client.json("GET", "/api/options")
    assert status == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"dataset": "nope"}, "dataset must be one of"),
        ({"hidden": [{"units": 0}]}, "hidden[0].units"),
        ({"hidden": [{"units": 8, "activation": "softmax"}]}, "activation"),
        ({"lr": -1}, "lr must be between"),
        ({"batch_size": 0}, "batch_size"),
        ({"colour": "red"}, "unknown configuration keys"),
        ({"features": []}, "features"),
        ({"dataset": "upload"}, "upload"),
    ],
)
def test_a_bad_configuration_gets_400_with_a_message(client, body, words):
    status, answer = client.json("POST", "/api/sessions", body)
    assert status == 400
    assert words in answer["error"]


def test_malformed_requests_get_4xx_and_the_server_keeps_serving(client):
    sid = client.session()["session"]
    cases = [
        ("POST", "/api/sessions", b"{not json"),
        ("POST", f"/api/sessions/{sid}/fly", b"{}"),
        ("GET", "/api/sessions/0123456789abcdef/events", None),
        ("GET", "/nowhere", None),
        ("GET", "/static/../../etc/passwd", None),
        ("GET", f"/api/sessions/{sid}/export/pdf", None),
        ("POST", f"/api/sessions/{sid}/explain", {"indices": [10**6]}),
    ]
    for method, path, body in cases:
        status, _, data = client.request(method, path, body)
        assert 400 <= status < 500, (path, status)
        assert json.loads(data)["error"]
    assert client.json("GET", "/api/options")[0] == 200


# -- exports ---------------------------------------------------------------------------
def _trained_session(client: Client, config: dict, epochs: int) -> str:
    sid = client.session(config)["session"]
    for _ in range(epochs):
        client.json("POST", f"/api/sessions/{sid}/step")
    return sid


@pytest.mark.parametrize(
    "config",
    [
        SMALL,
        {
            **SMALL,
            "dataset": "moons",
            "features": ["x1", "x2", "x1*x2", "sin(x1)"],
            "optimizer": "adam",
            "regularization": "l2",
            "reg_rate": 0.001,
            "hidden": [
                {"units": 5, "activation": "relu", "dropout": 0.2},
                {"units": 3, "activation": "tanh"},
            ],
        },
        {
            **SMALL,
            "dataset": "blobs",
            "optimizer": "momentum",
            "batch_size": None,
            "regularization": "l1",
            "reg_rate": 0.001,
        },
    ],
    ids=["xor", "moons-adam-dropout-l2", "blobs-momentum-l1"],
)
def test_the_exported_toml_reproduces_the_pages_losses(client, config, tmp_path):
    sid = _trained_session(client, config, 7)
    frame = client.frame(sid)
    status, headers, body = client.request("GET", f"/api/sessions/{sid}/export/toml")
    assert status == 200
    assert "config.toml" in headers["Content-Disposition"]
    path = tmp_path / "config.toml"
    path.write_bytes(body)
    metrics = train(RunConfig.from_toml(path)).metrics
    assert metrics["epochs"] == frame["epoch"] == 7
    assert metrics["final_loss"] == frame["train_loss"]
    assert metrics["test_loss"] == frame["test_loss"]


def test_the_exported_command_and_script_reproduce_the_losses(client, tmp_path, capsys):
    config = {**SMALL, "features": ["x1", "x2", "x1*x2"], "optimizer": "momentum"}
    sid = _trained_session(client, config, 4)
    frame = client.frame(sid)
    _, _, command = client.request("GET", f"/api/sessions/{sid}/export/command")
    line = command.decode().strip().splitlines()[-1]
    words = shlex.split(line)
    assert words[:2] == ["mlplab", "train"] and "--epochs" in words
    out = tmp_path / "run"
    words[words.index("--out") + 1] = str(out)
    assert main(words[1:]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final_loss"] == frame["train_loss"]
    assert metrics["test_loss"] == frame["test_loss"]

    _, _, script = client.request("GET", f"/api/sessions/{sid}/export/python")
    capsys.readouterr()
    exec(compile(script, "mlplab_run.py", "exec"), {"__name__": "__main__"})
    printed = dict(
        line.split(": ", 1) for line in capsys.readouterr().out.strip().splitlines()
    )
    assert float(printed["training loss"]) == frame["train_loss"]
    assert float(printed["test loss"]) == frame["test_loss"]


def test_the_exported_model_loads_and_predicts_like_the_page(client, tmp_path):
    sid = _trained_session(client, SMALL, 2)
    frame = client.frame(sid)
    status, _, body = client.request("GET", f"/api/sessions/{sid}/export/model")
    assert status == 200
    path = tmp_path / "model.npz"
    path.write_bytes(body)
    model = persistence.load(path)
    weights = [np.array(w["W"]) for w in frame["weights"]]
    kernels = model.get_weights()[0::2]
    for page, saved in zip(weights, kernels, strict=True):
        np.testing.assert_allclose(page, saved, atol=1e-6)


def test_explain_shows_the_next_step_without_changing_the_run(client):
    sid = _trained_session(client, SMALL, 2)
    before = client.frame(sid)
    status, answer = client.json(
        "POST", f"/api/sessions/{sid}/explain", {"indices": [0, 3]}
    )
    assert status == 200
    html = answer["html"]
    assert "<table>" in html and "Forward pass" in html and "0, 3" in html
    after = client.frame(sid)
    assert after["weights"] == before["weights"]
    assert after["epoch"] == before["epoch"]


# -- uploads ---------------------------------------------------------------------------
def _upload(client: Client, name: str, text: str):
    return client.json("POST", f"/api/upload?name={name}", text.encode())


def three_class_csv(n: int = 60) -> str:
    rng = np.random.default_rng(0)
    rows = ["a,b,noise,kind"]
    for i in range(n):
        c = i % 3
        x, y = rng.normal([c * 3.0, -c * 2.0], 0.5)
        rows.append(f"{x:.4f},{y:.4f},{rng.normal():.3f},{'abc'[c]}")
    return "\n".join(rows) + "\n"


def test_an_uploaded_csv_with_three_classes_trains(client):
    status, up = _upload(client, "three.csv", three_class_csv())
    assert status == 200, up
    assert up["columns"] == ["a", "b", "noise", "kind"]
    assert up["rows"] == 60
    config = {
        **SMALL,
        "dataset": "upload",
        "upload": up["upload"],
        "feature_columns": ["a", "b"],
        "label_column": "kind",
        "test_ratio": 0.25,
    }
    info = client.session(config)
    assert info["task"] == "multiclass"
    assert info["classes"] == ["a", "b", "c"]
    assert info["layers"][-1] == 3
    frame = client.frame(info["session"])
    codes = _image(frame["heatmap"], info["grid"])
    assert set(np.unique(codes)) <= {0, 1, 2}
    assert frame["confidence"] is not None


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("bad.csv", "a,b,c\n1,2,0\n3,4\n", "bad.csv"),
        ("bad.csv", "a,b,c\n1,x,0\n3,4,1\n", "bad.csv"),
        ("bad.csv", "", "bad.csv"),
        ("two.csv", "a,b\n1,2\n", "two feature columns and a label column"),
        ("evil.exe", "a,b,c\n1,2,0\n", ".csv"),
    ],
)
def test_a_malformed_upload_gets_the_loaders_message(client, name, text, words):
    status, answer = _upload(client, name, text)
    assert status == 400
    assert words in answer["error"]
    assert "/tmp" not in answer["error"]
    assert client.json("GET", "/api/options")[0] == 200


def test_an_upload_over_the_size_limit_is_refused(client):
    from mlplab.playground._pageconfig import LIMITS

    conn = http.client.HTTPConnection("127.0.0.1", client.pg.port, timeout=30)
    conn.putrequest("POST", "/api/upload?name=big.csv", skip_host=True)
    conn.putheader("Host", f"127.0.0.1:{client.pg.port}")
    conn.putheader("X-Mlplab-Token", client.pg.token)
    conn.putheader("Content-Length", str(LIMITS["max_upload_bytes"] + 1))
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413
    assert b"limit" in resp.read()
    conn.close()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("data.csv", "data.csv"),
        ("../../etc/cron.d/x.csv", "x.csv"),
        ("C:\\Users\\me\\my data.txt", "my_data.txt"),
        ("..hidden.csv", "hidden.csv"),
    ],
)
def test_upload_names_stay_inside_the_upload_folder(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize("name", ["", "x.py", "noext", None, "a" * 200 + ".csv"])
def test_upload_names_that_are_not_csv_are_refused(name):
    with pytest.raises(ValueError, match="csv"):
        safe_name(name)


def test_uploads_are_removed_when_the_server_stops():
    pg = Playground(port=0).start()
    upload = pg.server.uploads.add("t.csv", b"a,b,c\n1,2,0\n2,1,1\n3,3,0\n4,1,1\n")
    assert upload.path.exists()
    pg.stop()
    assert not Path(upload.path).exists()


# -- sessions end ----------------------------------------------------------------------
def test_idle_sessions_are_closed():
    pg = Playground(port=0, idle_timeout=0.2).start()
    try:
        client = Client(pg)
        sid = client.session()["session"]
        deadline = time.monotonic() + 5
        while sid in pg.server.sessions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sid not in pg.server.sessions
        status, answer = client.json("POST", f"/api/sessions/{sid}/play")
        assert status == 404
        assert "reload" in answer["error"]
    finally:
        pg.stop()


def test_each_session_is_its_own(client):
    one = client.session()["session"]
    two = client.session()["session"]
    client.json("POST", f"/api/sessions/{one}/step")
    assert client.frame(one)["epoch"] == 1
    assert client.frame(two)["epoch"] == 0


# -- pieces ----------------------------------------------------------------------------
def test_the_plane_covers_the_points_top_row_first():
    plane = Plane.around(np.array([[0.0, -1.0], [2.0, 3.0]]), size=5)
    pts = plane.points()
    assert pts[0, 1] == plane.bounds[3]  # top row: the largest x2
    assert pts[-1, 1] == plane.bounds[2]
    assert pts[0, 0] == plane.bounds[0]


@pytest.mark.parametrize("n", [0, 3, 500, 501, 5000])
def test_thin_keeps_at_most_500_points_with_the_last(n):
    kept = thin(list(range(n)))
    assert len(kept) <= 500
    if n:
        assert kept[-1] == n - 1 and kept[0] == 0


def test_the_page_configuration_round_trips():
    page = PageConfig.from_json(SMALL)
    assert PageConfig.from_json(page.to_json()) == page


def test_a_running_session_nobody_watches_is_paused(monkeypatch):
    from mlplab.playground import _server

    monkeypatch.setattr(_server, "UNWATCHED_PAUSE", 0.1)
    pg = Playground(port=0, idle_timeout=2.0).start()
    try:
        client = Client(pg)
        sid = client.session()["session"]
        client.json("POST", f"/api/sessions/{sid}/play")
        session = pg.server.sessions[sid]
        deadline = time.monotonic() + 5
        while session.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not session.running
        assert sid in pg.server.sessions  # paused, not yet closed
    finally:
        pg.stop()
