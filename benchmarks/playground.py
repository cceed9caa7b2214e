"""The playground's live view: what watching costs.

A 2-8-8-1 tanh network on 500 points of two-moons (mini-batches of 10, the
page's default), trained by a playground session in this process while an
event-stream reader (in a thread, as the page would be in the browser)
receives every frame: the 100 × 100 heatmap, all 16 thumbnails, the
weights, the scores and the loss curves. Measured over ``--seconds`` of play:

* frames per second reaching the reader;
* epochs per second of the session, against plain ``fit`` of the same
  network on the same data in the same process (the reference); the goal is
  at most a third lost to the live view (ratio >= 0.67);
* how long ``pause`` takes to answer (it returns once the epoch under way
  has ended), over ``--pauses`` pauses during play; the goal is under 100 ms.

    python benchmarks/playground.py [--seconds S] [--pauses N] [--readme README.md]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import threading
import time

import numpy as np

import mlplab
from mlplab.playground import Playground
from mlplab.playground._pageconfig import PageConfig
from mlplab.rundata import load_data
from mlplab.runmodel import build_model

BEGIN, END = "<!-- playground-bench:begin -->", "<!-- playground-bench:end -->"
PAGE = {
    "dataset": "moons",
    "samples": 500,
    "test_ratio": 0.5,
    "hidden": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"}],
    "lr": 0.03,
    "batch_size": 10,
}


class Reader(threading.Thread):
    """Reads a session's event stream, counting frames and bytes."""

    def __init__(self, pg: Playground, sid: str) -> None:
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=60)
        self.conn.request(
            "GET",
            f"/api/sessions/{sid}/events",
            headers={"Host": f"127.0.0.1:{pg.port}", "X-Mlplab-Token": pg.token},
        )
        self.resp = self.conn.getresponse()
        self.frames, self.bytes, self.last = 0, 0, b""
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            line = self.resp.fp.readline()
            if not line:
                return
            if line.startswith(b"data:"):
                self.frames += 1
                self.bytes += len(line)
                self.last = line  # decoded by the page, not here


def post(pg: Playground, path: str, body: dict | None = None) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=60)
    conn.request(
        "POST",
        path,
        body=json.dumps(body or {}),
        headers={"Host": f"127.0.0.1:{pg.port}", "X-Mlplab-Token": pg.token},
    )
    answer = json.loads(conn.getresponse().read())
    conn.close()
    return answer


def fit_rate(seconds: float) -> float:
    """Epochs per second of plain ``fit`` on the page's network and data."""
    config = PageConfig.from_json(PAGE).run_config(1)
    data = load_data(config)
    model = build_model(config, data)
    validation = (data.X_test, data.y_test)
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        model.fit(
            data.X_train,
            data.y_train,
            epochs=50,
            batch_size=config.batch_size,
            validation_data=validation,
        )
        epochs += 50
    return epochs / (time.perf_counter() - start)


def live(pg: Playground, seconds: float, pauses: int) -> dict[str, float]:
    """Frames and epochs per second while playing, and pause latencies."""
    sid = post(pg, "/api/sessions", PAGE)["session"]
    reader = Reader(pg, sid)
    reader.start()
    time.sleep(0.2)
    frames0 = reader.frames
    post(pg, f"/api/sessions/{sid}/play")
    start = time.perf_counter()
    time.sleep(seconds)
    epoch = post(pg, f"/api/sessions/{sid}/pause")["epoch"]
    elapsed = time.perf_counter() - start
    frames = reader.frames - frames0
    latencies = []
    for _ in range(pauses):
        post(pg, f"/api/sessions/{sid}/play")
        time.sleep(0.3)
        t = time.perf_counter()
        post(pg, f"/api/sessions/{sid}/pause")
        latencies.append(time.perf_counter() - t)
    reader.stop.set()
    return {
        "fps": frames / elapsed,
        "epochs_per_s": epoch / elapsed,
        "kb_per_frame": reader.bytes / max(reader.frames, 1) / 1024,
        "pause_ms_median": 1000 * statistics.median(latencies),
        "pause_ms_max": 1000 * max(latencies),
    }


def report(fit: float, stats: dict[str, float], seconds: float) -> str:
    ratio = stats["epochs_per_s"] / fit
    lines = [
        f"Measured by `benchmarks/playground.py` on {os.cpu_count()} CPU cores "
        f"({platform.machine()}), Python {platform.python_version()}, NumPy "
        f"{np.__version__}, mlplab {mlplab.__version__}: a 2-8-8-1 tanh network "
        f"on 500 two-moons points (250 for training, mini-batches of 10), "
        f"{seconds:g} s of play with a reader of every frame (100 × 100 heatmap "
        "and 16 thumbnails).",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| frames per second reaching the page | {stats['fps']:.1f} | >= 20 |",
        f"| frame size | {stats['kb_per_frame']:.0f} kB | |",
        f"| epochs per second, plain `fit` | {fit:.0f} | |",
        f"| epochs per second, playground with the live view | "
        f"{stats['epochs_per_s']:.0f} | |",
        f"| live training throughput / `fit`'s | {ratio:.2f} | >= 0.67 |",
        f"| pause answered after (median, worst) | "
        f"{stats['pause_ms_median']:.1f} ms, {stats['pause_ms_max']:.1f} ms | "
        "< 100 ms |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pauses", type=int, default=10)
    parser.add_argument("--readme", default=None, help="write the table into it")
    args = parser.parse_args(argv)
    fit = fit_rate(args.seconds)
    with Playground(port=0) as pg:
        stats = live(pg, args.seconds, args.pauses)
    text = report(fit, stats, args.seconds)
    print(text)
    if args.readme:
        sys.path.insert(0, os.path.dirname(__file__))
        from run import write_readme

        write_readme(args.readme, text, BEGIN, END)
    return text


if __name__ == "__main__":
    main()
