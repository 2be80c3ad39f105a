"""Run directories: `out=` writes what `ether COMMAND --out DIR` writes, and `ether.load` reads a
run directory back into the same Result (arrays with axes checked against the manifest)."""

import json

import numpy as np
import pytest

import ether
from conftest import selftest


def test_out_writes_a_run_directory_that_load_reads_back_identically(tmp_path):
    d = tmp_path / "run"
    r = selftest(out=d, beta=[0.5, 1.0, 4.0], rows=3)
    assert r.path == d
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["command"] == "_selftest" and manifest["parameters"] == r.params
    back = ether.load(d)
    assert back.command == r.command and back.params == r.params and back.json == r.json
    assert back.path == d
    assert set(back.arrays) == set(r.arrays)
    for name, a in r.arrays.items():
        b = back.arrays[name]
        assert b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_array_equal(b, a)
        for x, y in zip(r.axes(name), back.axes(name)):
            assert (x.name, x.unit, x.file, x.labels) == (y.name, y.unit, y.file, y.labels)
            np.testing.assert_array_equal(x.values, y.values)
    # the record's JSON on disk is the CLI's --json document
    assert json.loads((d / "result.json").read_text()) == r.json
    mm = ether.load(d, mmap=True)
    assert isinstance(mm.selftest_table, np.memmap)
    np.testing.assert_array_equal(mm.selftest_table, r.selftest_table)


def test_out_refuses_an_existing_directory_and_bad_parameters_create_nothing(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    (d / "x").write_text("x")
    with pytest.raises(ether.InvalidInput, match="it exists and is not an empty directory"):
        selftest(out=d)
    with pytest.raises(ether.InvalidInput):
        selftest(out=tmp_path / "new", coupling=float("nan"))
    with pytest.raises(ether.InvalidInput):
        selftest(out=tmp_path / "new", rows=5)
    with pytest.raises(ether.NumericalError):
        selftest(out=tmp_path / "new", fail="numerical")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_load_refuses_what_is_not_a_run_directory(tmp_path):
    with pytest.raises(ether.InvalidInput, match="does not exist"):
        ether.load(tmp_path / "nothing")
    with pytest.raises(ether.InvalidInput, match="has no manifest.json"):
        ether.load(tmp_path)


def test_load_refuses_arrays_changed_after_the_run(tmp_path):
    d = tmp_path / "run"
    selftest(out=d)
    np.save(d / "selftest_table.npy", np.zeros((3, 3)))
    with pytest.raises(ether.InvalidInput, match=r"selftest_table.npy is float64 \(3, 3\) but the manifest says"):
        ether.load(d)
    selftest(out=tmp_path / "run2")
    np.save(tmp_path / "run2" / "selftest_beta.npy", np.zeros(5))
    with pytest.raises(ether.InvalidInput, match="axis selftest_beta.npy has"):
        ether.load(tmp_path / "run2")
    (tmp_path / "run2" / "result.json").write_text("{")
    with pytest.raises(ether.InvalidInput, match="damaged"):
        ether.load(tmp_path / "run2")


def test_a_failed_guarantee_keeps_the_run_and_raises_with_the_result(tmp_path):
    # as the CLI: the run directory is written, then the command fails (exit 1 there)
    d = tmp_path / "run"
    with pytest.raises(ether.InvariantError, match="guaranteed check failed on request") as e:
        selftest(out=d, fail="guarantee")
    assert e.value.result.steps_done == 3 and e.value.result.path == d
    assert ether.load(d).json == e.value.result.json
