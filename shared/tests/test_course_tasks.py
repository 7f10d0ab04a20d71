"""The developer tasks behind `make test` / `course.py test`: steps at once, workers, the conversion env's home."""

from __future__ import annotations

import sys

from foundry_workshop.course import tasks


def _step(code: str):
    return lambda: tasks._run([sys.executable, "-c", code])


def test_parallel_steps_each_print_their_own_output_and_the_first_failure_counts(capsys):
    status = tasks.parallel({
        "slow": _step("import time; time.sleep(0.5); print('slow line 1'); print('slow line 2')"),
        "broken": _step("import sys; print('what went wrong'); sys.exit(3)"),
        "raises": lambda: 1 // 0,
    })
    assert status in (1, 3)  # whichever failing step ended first
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "preparing at once: slow, broken, raises"
    assert "-- broken: FAILED (exit status 3)" in out and "-- raises: FAILED (exit status 1)" in out
    assert "ZeroDivisionError" in out
    # Each step's lines stay together under its header, even though the steps ran at the same time.
    slow = out.index("-- slow: ok")
    assert out.index("slow line 1") == out.index("\n", slow) + 1
    assert out.index("slow line 2") > out.index("slow line 1")


def test_all_steps_passing_is_success(capsys):
    assert tasks.parallel({"a": _step("print('a')"), "b": _step("pass")}) == 0
    assert "-- a: ok" in capsys.readouterr().out


def test_workers_are_one_more_than_the_cores_at_most_four(monkeypatch):
    monkeypatch.delenv("WORKSHOP_TEST_WORKERS", raising=False)
    for cpus, workers in ((1, "2"), (2, "3"), (8, "4"), (None, "2")):
        monkeypatch.setattr(tasks.os, "cpu_count", lambda cpus=cpus: cpus)
        assert tasks.workers() == workers
    monkeypatch.setenv("WORKSHOP_TEST_WORKERS", "0")
    assert tasks.workers() == "0" and "-n" not in tasks.pytest_args([])


def test_the_conversion_environment_follows_the_build_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_BUILD_DIR", str(tmp_path))
    assert tasks.bootstrap().conversion_venv() == tmp_path / "convert-venv"
