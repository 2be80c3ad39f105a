"""The example scripts run and their own assertions hold (figures are drawn when matplotlib is
installed; the scripts say so when it is not)."""

import subprocess
import sys
from pathlib import Path

import pytest

import ether

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "script, args, needs",
    [
        ("photon_modes.py", ["--lattice", "4x4x4"], None),
        ("heisenberg_chain.py", ["--sizes", "8,10,12,14,16,18"], "ed"),
        ("spin_waves.py", [], "spinwave"),
    ],
)
def test_example_runs_and_its_checks_hold(script, args, needs, tmp_path):
    if needs is not None and needs not in ether.experiments():
        pytest.skip(f"chapter {needs} is not bound in this build")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args, "--out", str(tmp_path / "fig.png")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in out.stdout
    else:
        assert (tmp_path / "fig.png").stat().st_size > 10_000
