"""``mlplab playground`` as a user runs it: it prints the URL with its token,
serves the page, warns about a non-local address, refuses bad options in one
line, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from mlplab.cli import main
from mlplab.playground import NotebookFrame, show

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="sends SIGINT to a child process"
)


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlplab", "playground", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("mlplab playground: http://"), line
    return proc, line.split(": ", 1)[1].strip()


def _get(url: str, path: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{parts.port}"})
    status = conn.getresponse().status
    conn.close()
    return status


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


def test_it_serves_the_page_with_the_token_and_stops_on_ctrl_c():
    proc, url = _start("--port", "0")
    try:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        assert parts.query.startswith("token=") and len(parts.query) > 20
        assert _get(url, f"/?{parts.query}") == 200
        assert _get(url, "/") == 403
    finally:
        code, out, err = _interrupt(proc)
    assert code == 0
    assert "stopped" in out
    assert "Traceback" not in err


def test_another_host_prints_a_warning():
    proc, url = _start("--port", "0", "--host", "0.0.0.0")
    try:
        assert urlsplit(url).port
    finally:
        code, _, err = _interrupt(proc)
    assert code == 0
    assert "warning" in err and "0.0.0.0" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "http"], "a port is 0 .. 65535"),
        (["--port", "70000"], "a port is 0 .. 65535"),
        (["--idle-timeout", "soon"], "--idle-timeout"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(capsys, args, words):
    with pytest.raises(SystemExit) as stop:
        main(["playground", "--no-browser", *args])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1


def test_a_taken_port_is_one_line_and_exit_2(capsys):
    proc, url = _start("--port", "0")
    try:
        port = str(urlsplit(url).port)
        assert main(["playground", "--no-browser", "--port", port]) == 2
        err = capsys.readouterr().err
        assert err.startswith("mlplab: error:") and len(err.strip().splitlines()) == 1
    finally:
        _interrupt(proc)


def test_show_embeds_the_page_in_an_iframe():
    frame = show(height=600)
    try:
        assert isinstance(frame, NotebookFrame)
        html = frame._repr_html_()
        assert html.startswith("<iframe ") and 'height="600"' in html
        assert frame.playground.token in html
        assert show().playground is frame.playground  # one server per kernel
        assert _get(frame.playground.url, "/api/options") == 403  # serving
    finally:
        frame.playground.stop()
    again = show()
    try:
        assert again.playground is not frame.playground  # the stopped one is not reused
    finally:
        again.playground.stop()
