"""The benchmark harness keeps working: a quick run of a few workloads, the
hand-written reference reaches the same loss as mlplab, and the README section
is replaced in place. Nothing here is timed."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def run():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_run", None)
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("name", ["tutorial", "xor", "digits", "breast_cancer"])
def test_reference_loop_does_the_same_work_as_mlplab(run, name):
    wl = next(w for w in run.WORKLOADS if w.name == name)
    result = run.bench_workload(wl, rounds=1, quick=True, impls=["mlplab", "numpy"])
    loss = result["loss"]
    assert loss["mlplab"] == pytest.approx(loss["numpy"], rel=1e-9, abs=1e-12)
    assert set(result["seconds"]) == {"mlplab", "numpy"}
    assert all(s > 0 for s in result["seconds"].values())


def test_quick_run_prints_a_table_and_fills_the_readme_section(run, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n\n{run.BEGIN}\nold table\n{run.END}\n\nafter\n")
    text = run.main(
        [
            "--quick",
            "--only",
            "tutorial,xor",
            "--no-torch",
            "--no-scaling",
            "--no-memory",
            "--readme",
            str(readme),
        ]
    )
    assert "| tutorial:" in text and "| xor:" in text
    assert "scikit-learn" in text
    body = readme.read_text()
    assert "old table" not in body
    assert body.startswith("intro\n\n" + run.BEGIN) and body.endswith("\n\nafter\n")
    assert text in body
    assert "| tutorial:" in capsys.readouterr().out


def test_readme_without_markers_is_refused(run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    with pytest.raises(SystemExit, match="bench:begin"):
        run.write_readme(str(readme), "table")


def test_unknown_workload_is_refused(run, capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(["--only", "tutorial,nosuch"])
    assert exc.value.code == 2
    assert "unknown workload(s) ['nosuch']" in capsys.readouterr().err
