"""Ctrl-C: a run in a subprocess sent SIGINT stops at its next safe point, Python raises
KeyboardInterrupt (or whatever the installed handler raises), and nothing is written."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest


def default_sigint():
    """In the child before exec: Ctrl-C's default disposition. A shell without job control starts
    background commands with SIGINT ignored, the child inherits that, and Python then installs no
    KeyboardInterrupt handler; a user's interpreter at a terminal has the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


SCRIPT = textwrap.dedent(
    """
    import signal, sys, time
    from ether import _chapters
    if sys.argv[2] == "custom":
        def handler(sig, frame):
            raise RuntimeError("custom handler")
        signal.signal(signal.SIGINT, handler)
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        _chapters.run("_selftest", {"steps": 100000, "step_ms": 1.0}, True, sys.argv[1])
    except BaseException as e:
        print(f"{type(e).__name__}: {e}", flush=True)
        sys.exit(42)
    print("finished", flush=True)
    """
)


def run_and_interrupt(tmp_path, mode):
    out = tmp_path / "run"
    p = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(out), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # the run is in Rust now (100 s of steps)
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=30)
    stopped_after = time.perf_counter() - sent
    return p.returncode, stdout, stderr, stopped_after, out


def test_sigint_raises_keyboard_interrupt_at_the_next_safe_point_and_writes_nothing(tmp_path):
    rc, stdout, stderr, stopped_after, out = run_and_interrupt(tmp_path, "default")
    assert rc == 42, (stdout, stderr)
    assert "KeyboardInterrupt: stopped by a signal during the self-test" in stdout
    assert "nothing was kept" in stdout
    # safe points every 1 ms, signals looked at every 20 ms: well under a second (loaded machine)
    assert stopped_after < 5.0
    assert not out.exists()
    assert os.listdir(tmp_path) == [], "the staged run directory was left behind"


def test_an_exception_from_the_users_handler_is_what_python_sees(tmp_path):
    rc, stdout, stderr, _, out = run_and_interrupt(tmp_path, "custom")
    assert rc == 42, (stdout, stderr)
    assert "RuntimeError: custom handler" in stdout
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
def test_in_process_alarm_interrupts_a_run():
    from ether import _chapters

    def handler(sig, frame):
        raise KeyboardInterrupt("alarm")

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt, match="stopped by a signal during the self-test"):
            _chapters.run("_selftest", {"steps": 100000, "step_ms": 1.0}, True)
        assert time.perf_counter() - t0 < 5.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


CHAPTER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import ether
    print("ready", flush=True)
    try:
        ether.run(sys.argv[2], out=sys.argv[1], quiet=True, **json.loads(sys.argv[3]))
    except BaseException as e:
        print(f"{type(e).__name__}: {e}", flush=True)
        sys.exit(42)
    print("finished", flush=True)
    """
)


@pytest.mark.parametrize(
    "command, params",
    [
        # minutes of leapfrog steps, a safe point per frame
        ("photon", {"lattice": "16x16x16", "method": "dynamics", "steps": 200000}),
        # minutes of Monte Carlo sweeps, a safe point per sweep
        ("phases", {"lattice": "8x8x8x8", "beta": [1.0], "sweeps": 200000, "start": "hot"}),
    ],
)
def test_sigint_stops_a_chapter_mid_run_with_keyboard_interrupt_and_writes_nothing(tmp_path, command, params):
    import json

    import ether

    if command not in ether.experiments():
        pytest.skip(f"chapter {command} is not bound in this build")
    out = tmp_path / "run"
    p = subprocess.Popen(
        [sys.executable, "-c", CHAPTER_SCRIPT, str(out), command, json.dumps(params)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert p.stdout.readline().strip() == "ready"
    time.sleep(2.0)  # past the checks and the set-up: the run is in its main loop
    assert p.poll() is None, "the run ended before the signal"
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 42, (stdout, stderr)
    assert stdout.splitlines()[-1].startswith("KeyboardInterrupt: "), stdout
    assert time.perf_counter() - sent < 20.0  # the next safe point, on a loaded machine
    assert os.listdir(tmp_path) == [], "an interrupted run leaves no run directory"
