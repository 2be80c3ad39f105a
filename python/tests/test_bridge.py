"""The bridge itself, through its self-test experiment: parameters (kwargs -> JSON -> Params),
errors, the record's JSON, arrays with axes, claims, messages, the GIL. No physics here: the
chapters' numbers are in test_chapters.py."""

import math
import os
import threading
import time

import numpy as np
import pytest

import ether
from conftest import selftest


def test_defaults_fill_missing_keys_and_params_are_what_the_run_saw():
    r = selftest(steps=2)
    assert r.params == {
        "steps": 2, "step_ms": 0.0, "coupling": 1.0, "bytes": 1024, "fail": "none", "rows": 2, "beta": [0.5, 1.0]
    }
    assert r.command == "_selftest"
    assert r.json["steps_done"] == 2 and r.steps_done == 2 and r["steps_done"] == 2
    assert r.json["beta_sum"] == 1.5
    # NaN in a record is JSON null, as in the CLI's --json
    assert r.json["undefined"] is None
    assert r.summary == ["self-test: 2 steps"]
    assert 0.0 <= r.wall_time < 60.0


def test_arrays_have_their_dtype_shape_values_and_axes():
    r = selftest(beta=[0.25, 0.5, 2.0], rows=3, coupling=2.0)
    assert set(r.arrays) == {"selftest_table", "selftest_row_sum", "selftest_wave"}
    t = r.selftest_table
    assert t.dtype == np.float64 and t.shape == (3, 3) and t.flags["C_CONTIGUOUS"]
    # values are i * coupling in C order (the last axis fastest)
    np.testing.assert_array_equal(t, 2.0 * np.arange(9.0).reshape(3, 3))
    w = r.selftest_wave
    assert w.dtype == np.complex128 and w.shape == (4,)
    np.testing.assert_array_equal(w, np.arange(4.0) - 1j * np.arange(4.0))
    beta, start = r.axes("selftest_table")
    assert (beta.name, beta.unit, beta.file) == ("beta", "1/J", "selftest_beta.npy")
    np.testing.assert_array_equal(beta.values, [0.25, 0.5, 2.0])
    assert start.labels == ("hot", "cold", "mixed") and len(start) == 3
    assert r.info("selftest_table").unit == "J" and r.info("selftest_table").description == "a table"
    # one axis shared by two arrays is one object
    assert r.axes("selftest_row_sum")[0] is beta
    # attribute access: an axis by file stem, by name when unique; the JSON keys
    np.testing.assert_array_equal(r.selftest_beta, beta.values)
    np.testing.assert_array_equal(r.beta, beta.values)
    assert r.axis("time").unit == "1/J"
    assert "selftest_table" in dir(r) and "verdict" in dir(r)
    with pytest.raises(AttributeError, match="has no 'nothing'.*selftest_table"):
        r.nothing
    with pytest.raises(KeyError, match="no array"):
        r.axes("nothing")
    with pytest.raises(AttributeError, match="read-only"):
        r.json = {}


def test_claims_carry_the_rule_and_pass_is_the_librarys():
    r = selftest(steps=4)
    ok, nan = r.claims
    assert isinstance(ok, ether.Claim)
    assert (ok.passed, ok.rule, ok.reference, ok.tolerance, ok.value) == (True, "within", 4.0, 0.0, 4.0)
    assert ok.measured == "steps done = 4 (expected 4 ± 0)"
    # NaN never passes; the value comes back as NaN (JSON null)
    assert nan.passed is False and math.isnan(nan.value) and nan.rule == "at_most" and nan.threshold == 1.0
    assert r.passed is False
    assert r.verdict == "some fail"


def test_unknown_keyword_names_the_valid_ones():
    with pytest.raises(ether.InvalidInput) as e:
        selftest(stepz=3)
    msg = str(e.value)
    assert "unknown field `stepz`" in msg and "`steps`" in msg and "`beta`" in msg
    assert "\n" not in msg
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"steps": "many"}, 'invalid type: string "many", expected u64'),
        ({"steps": 2.5}, "invalid type: floating point `2.5`, expected u64"),
        ({"coupling": "1.0"}, 'invalid type: string "1.0", expected f64'),
        ({"coupling": True}, "invalid type: boolean `true`, expected f64"),
        ({"beta": 1.0}, "expected a sequence"),
        ({"beta": np.ones((2, 2))}, "invalid type: sequence, expected f64"),
        ({"beta": np.array([1 + 1j, 2])}, "dtype complex128"),
        ({"coupling": 1j}, "a value of type complex"),
        ({"coupling": object()}, "a value of type object"),
    ],
)
def test_wrong_types_raise_invalid_type_with_the_reason(kwargs, needle):
    with pytest.raises(ether.InvalidType) as e:
        selftest(**kwargs)
    assert needle in str(e.value)
    assert isinstance(e.value, TypeError) and isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"coupling": float("nan")}, "invalid coupling: NaN; give a finite number"),
        ({"coupling": float("inf")}, "invalid coupling: inf; give a finite number"),
        ({"coupling": -np.inf}, "invalid coupling: -inf; give a finite number"),
        ({"beta": [0.5, float("nan")]}, "invalid beta[1]: NaN; give a finite number"),
        ({"beta": np.array([np.nan, 1.0])}, "invalid beta[0]: NaN; give a finite number"),
        ({"steps": -1}, "invalid value: integer `-1`, expected u64"),
        ({"steps": 2**70}, "give an integer that fits in 64 bits"),
        ({"step_ms": -1.0}, "invalid step_ms: -1; it must be >= 0"),
        ({"rows": 3}, "invalid beta: [0.5, 1.0]; give 3 values (rows)"),
        ({"fail": "sometimes"}, "invalid fail: sometimes"),
        # None for a string: a missing value, not a number (None for a float is JSON's NaN)
        ({"fail": None}, "invalid _selftest parameter `fail` (--fail): no value"),
    ],
)
def test_bad_values_raise_invalid_input_with_the_librarys_line(kwargs, needle):
    with pytest.raises(ether.InvalidInput) as e:
        selftest(**kwargs)
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


def test_numpy_scalars_and_arrays_are_accepted_as_numbers_and_lists():
    r = selftest(steps=np.int64(2), coupling=np.float32(0.5), beta=np.array([1.0, 3.0]))
    assert r.params["steps"] == 2 and r.params["coupling"] == 0.5 and r.params["beta"] == [1.0, 3.0]
    r = selftest(beta=(1.0, 2.0))
    assert r.params["beta"] == [1.0, 2.0]


def test_too_large_is_refused_before_allocating_with_the_estimate(monkeypatch):
    monkeypatch.setenv("ETHER_MEMORY_LIMIT", "4096")
    with pytest.raises(ether.TooLarge) as e:
        selftest(bytes=8192)
    assert e.value.needed_bytes == 8192
    assert "needs about 8192 bytes (8.0 KiB) but only 4.0 KiB is available; ask for fewer bytes" in str(e.value)
    assert isinstance(e.value, ValueError)
    monkeypatch.setenv("ETHER_MEMORY_LIMIT", "16384")
    assert selftest(bytes=8192).steps_done == 3


@pytest.mark.parametrize(
    "fail, cls, base, needle",
    [
        ("numerical", ether.NumericalError, RuntimeError, "the self-test failed: it was asked to fail; do not ask"),
        ("invariant", ether.InvariantError, RuntimeError, "invariant was broken on request"),
        ("io", ether.EtherIOError, OSError, "reading /nonexistent: no such file"),
    ],
)
def test_run_failures_map_to_their_classes(fail, cls, base, needle):
    with pytest.raises(cls, match=needle) as e:
        selftest(fail=fail)
    assert isinstance(e.value, base) and isinstance(e.value, ether.EtherError)


def test_a_panic_is_an_internal_error_and_the_interpreter_lives_on(capfd):
    with pytest.raises(ether.InternalError) as e:
        selftest(fail="panic")
    msg = str(e.value)
    assert "the self-test panics on request (at crates/ether-py/src/selftest.rs:" in msg
    assert "this is a bug in ether" in msg
    # no backtrace was printed into the session
    assert "panicked" not in capfd.readouterr().err
    assert selftest(steps=1).steps_done == 1


def test_messages_go_to_sys_stderr_unless_quiet(capsys):
    selftest(quiet=False)
    assert "self-test: starting" in capsys.readouterr().err
    selftest(quiet=True)
    assert capsys.readouterr().err == ""


def test_the_gil_is_released_during_a_run():
    # While a 0.4 s run sleeps in Rust, another Python thread must keep running.
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.05)
    before = len(ticks)
    selftest(steps=40, step_ms=10.0)
    during = len(ticks) - before
    stop.set()
    t.join()
    # with the GIL held the counter would not move at all (one sleep of 1 ms per tick: ~400)
    assert during >= 40, during


def test_unknown_experiment_names_the_bound_ones():
    with pytest.raises(ether.InvalidInput, match="the experiments are"):
        ether.run("nothing")
    with pytest.raises(ether.InvalidInput, match="unknown experiment 'nothing'"):
        ether._ether.run("nothing", {})


def test_parameter_names_must_be_strings():
    with pytest.raises(ether.InvalidInput, match="parameter names must be strings"):
        ether._ether.run("_selftest", {1: 2})


def test_the_selftest_is_not_a_public_chapter():
    assert "_selftest" not in ether.experiments()
    assert not hasattr(ether, "_selftest")


def test_version_is_the_librarys():
    assert ether.__version__ == ether._ether.version()[0]
    assert len(ether.git_revision) > 0
