"""Shared helpers of the Python tests: the chapters this build binds, the `ether` binary for the
CLI comparisons, and a runner for the bridge's self-test experiment."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import ether
from ether import _chapters

ROOT = Path(__file__).resolve().parents[2]

#: Every chapter of the talk, by command. A chapter missing from the build is reported by
#: `test_chapters_bound` (and its tests skip with the reason).
CHAPTERS = ["spinwave", "ed", "photon", "graviton", "phases", "statistics", "entanglement"]


def selftest(quiet=True, out=None, **params):
    """Run the bridge's self-test experiment (no physics: it exercises the bridge)."""
    return _chapters.run("_selftest", params, quiet, out)


def chapter(name):
    """The chapter function, or skip the test if this build does not bind it yet."""
    if name not in ether.experiments():
        pytest.skip(f"chapter {name} is not bound in this build (not on the experiment API yet)")
    return getattr(ether, name)


def cli():
    """The `ether` binary: $ETHER_CLI (then it must exist), else target/release/ether."""
    given = os.environ.get("ETHER_CLI")
    if given:
        assert Path(given).is_file(), f"ETHER_CLI={given} does not exist; build it with cargo build --release"
        return given
    built = ROOT / "target" / "release" / "ether"
    if built.is_file():
        return str(built)
    found = shutil.which("ether")
    if found is None:
        pytest.skip("no ether binary: build it with `cargo build --release -p ether-cli` or set ETHER_CLI")
    return found


def cli_json(command, args):
    """`ether COMMAND ARGS --json`, parsed."""
    out = subprocess.run([cli(), command, *args, "--json"], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def pytest_report_header(config):
    bound = ", ".join(ether.experiments()) or "none"
    return [f"ether {ether.__version__} ({ether.git_revision}) from {Path(ether.__file__).parent}", f"chapters bound: {bound}"]
