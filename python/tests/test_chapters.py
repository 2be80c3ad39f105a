"""Every chapter from Python: the published numbers the Rust tests check, the arrays' dtype and
shape contracts, the same JSON document as the CLI for the same parameters, and bad input.

A chapter not yet on the experiment API is skipped with the reason; `test_chapters_bound`
lists which ones are missing.
"""

import math
import re
import subprocess
import warnings

import numpy as np
import pytest

import ether
from conftest import CHAPTERS, chapter, cli, cli_json

# Fields that hold the run's timing, not its result: left out of the CLI comparisons.
VOLATILE = {"seconds", "wall_time", "wall_time_seconds", "elapsed_seconds", "threads"}


def strip(doc):
    if isinstance(doc, dict):
        return {k: strip(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [strip(v) for v in doc]
    return doc


def check_arrays(r):
    """The dtype and shape contract of every array of a result: float64 or complex128, C order,
    shape = the axes' lengths, each axis a float64 vector (with labels of its length)."""
    for name, a in r.arrays.items():
        assert a.dtype in (np.float64, np.complex128), (name, a.dtype)
        assert a.flags["C_CONTIGUOUS"], name
        axes = r.axes(name)
        assert a.shape == tuple(len(ax) for ax in axes), (name, a.shape, [len(x) for x in axes])
        for ax in axes:
            assert ax.values.dtype == np.float64 and ax.values.ndim == 1, (name, ax.name)
            assert ax.name and ax.unit, (name, ax)
            if ax.labels is not None:
                assert len(ax.labels) == len(ax), (name, ax.name)
        assert r.info(name).unit, name


def cli_args(params):
    """The CLI flags for a parameter dict (keys with '_' -> '-', lists comma-separated)."""
    args = []
    for k, v in params.items():
        flag = "--" + k.replace("_", "-")
        if isinstance(v, bool):
            if v:
                args.append(flag)
            continue
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        args += [flag, str(v)]
    return args


def same_as_cli(command, params):
    r = chapter(command)(quiet=True, **params)
    check_arrays(r)
    assert strip(r.json) == strip(cli_json(command, cli_args(params)))
    return r


def bessel_i(n, x):
    """Modified Bessel function I_n(x) by its power series (independent of the library)."""
    return sum((x / 2) ** (2 * k + n) / (math.factorial(k) * math.factorial(k + n)) for k in range(40))


# --- what is bound ---------------------------------------------------------------------------


def test_chapters_bound():
    bound = ether.experiments()
    assert set(bound) <= set(CHAPTERS), f"unexpected experiments {set(bound) - set(CHAPTERS)}"
    missing = [c for c in CHAPTERS if c not in bound]
    if missing:
        warnings.warn(f"not bound yet (not on the experiment API): {', '.join(missing)}")


# --- published numbers -----------------------------------------------------------------------


def test_ed_heisenberg_4x4_ground_state_energy():
    # E0 = -11.228483208 (-0.701780 per site): Schulz, Ziman & Poilblanc, J. Phys. I 6, 675
    # (1996), Table; Lanczos converges to 1e-9 here, the reference has 9 decimals.
    r = same_as_cli("ed", {"model": "heisenberg", "lattice": "4x4", "nev": 2})
    assert abs(r.json["energies"][0] - (-11.228483208)) < 2e-9
    assert abs(r.json["energies"][0] / 16 - (-0.701780)) < 1e-6


def test_photon_speed_is_two_sqrt_gj():
    # c = 2 sqrt(gJ) (rotor model, docs/conventions.md): the lattice dispersion is linear up to
    # O(k^2) corrections that the small-k fit leaves at the 1e-4 level.
    g, J = 1.0, 0.1
    r = same_as_cli("photon", {"lattice": "8x8x8", "U": 10.0, "g": g, "J": J})
    c = r.json["speed_of_light"]
    assert abs(c / (2 * math.sqrt(g * J)) - 1) < 1e-3, c
    assert abs(r.json["exponent"] - 1) < 0.01


def test_entanglement_toric_code_gamma_is_ln2_and_zero_for_the_ferromagnet():
    # Kitaev-Preskill (2006), Levin-Wen (2006): gamma = ln 2 for the toric code; stabilizer
    # ranks are exact, so the only error is floating point.
    r = same_as_cli("entanglement", {"model": "toric-code", "lattice": "8x8"})
    assert abs(r.json["gamma"] - math.log(2)) < 1e-9
    r = chapter("entanglement")(model="ferromagnet", lattice="8x8", quiet=True)
    assert abs(r.json["gamma"]) < 1e-9


def test_statistics_twisted_rotor_string_ends_are_fermions():
    # Levin & Wen, PRB 67, 245316 (2003), eq. 3.1-3.2: the exchange sign is -1 with the twist,
    # +1 without it; an exact integer count.
    r = same_as_cli("statistics", {"model": "rotor-fermionic"})
    assert r.json["exchange_sign"] == -1
    r = chapter("statistics")(model="rotor", quiet=True)
    assert r.json["exchange_sign"] == 1


@pytest.mark.parametrize(
    "model, exponent, gapless",
    [("xu", 2.0, [-2, 0, 2]), ("einstein", 1.0, [-2, 2]), ("l-type", 3.0, [-2, 2]), ("cotton", 3.0, [-2, 2])],
)
def test_graviton_helicity_two_is_gapless_with_the_models_exponent(model, exponent, gapless):
    # docs/physics/graviton.md B.5 (Xu 2006; Gu & Wen 2009; Xu & Horava 2010): omega_{+-2} ~ k^z
    # with z = 2 (xu), 1 (einstein), 3 (l-type, cotton); only helicity +-2 is gapless, except
    # Xu's model whose 0T mode is gapless too. The same cases and tolerance as the library's
    # tests/graviton.rs: 1e-3, the lattice's K = k - k^3/24 shifts the slope by ~2e-4 in the
    # fit window |k| in [0.005, 0.05].
    params = {"model": model, "lattice": "4x4x4"}
    r = same_as_cli("graviton", params) if model == "cotton" else chapter("graviton")(quiet=True, **params)
    check_arrays(r)
    assert sorted(r.json["gapless_helicities"]) == gapless
    for h in ("2", "-2"):
        assert abs(r.json["exponents"][h] - exponent) < 1e-3, (model, h, r.json["exponents"])


def test_phases_strong_coupling_plaquette():
    # Strong-coupling expansion of the Wilson action: <cos P> = u + 4 u^5 + O(u^9) with
    # u = I1(beta)/I0(beta) (Drouffe & Zuber, Phys. Rep. 102 (1983)); at beta = 0.5 the next term
    # is below 1e-4, and the Monte Carlo error is the record's own (5 sigma, two-sided).
    beta = 0.5
    r = same_as_cli("phases", {"lattice": "4x4x4x4", "beta": [beta], "start": "hot"})
    m = r.json["measurements"][0]
    u = bessel_i(1, beta) / bessel_i(0, beta)
    expected = u + 4 * u**5
    assert abs(m["plaquette"] - expected) < 5 * m["plaquette_error"] + 1e-4, (m["plaquette"], expected)


def test_spinwave_ferro_quadratic_antiferro_linear():
    # Linear spin-wave theory: omega = 2|J|S(1 - cos k) ~ k^2 (ferromagnet), omega ~ |k|
    # (antiferromagnet); the small-k fit (|k| <= 0.6) is within 0.05 of the exponent.
    r = same_as_cli("spinwave", {"model": "ferro", "lattice": "16x16x16"})
    assert abs(r.json["exponent"] - 2) < 0.05
    r = chapter("spinwave")(model="antiferro", lattice="32x32", quiet=True)
    assert abs(r.json["exponent"] - 1) < 0.05


# --- bad input, for every bound chapter --------------------------------------------------------


def bound():
    return [c for c in CHAPTERS if c in ether.experiments()] or [pytest.param(None, marks=pytest.mark.skip("none bound"))]


@pytest.mark.parametrize("command", bound())
def test_every_parameter_is_documented_and_in_the_signature(command):
    import inspect

    fn = getattr(ether, command)
    spec = next(s for s in ether._chapters.specs() if s.command == command)
    sig = inspect.signature(fn)
    for p in spec.params:
        assert p.doc, f"{command}: parameter {p.key} has no doc comment in its Params"
        assert sig.parameters[ether._chapters.py_name(p.key)].default == p.default
    assert "(undocumented)" not in fn.__doc__


@pytest.mark.parametrize("command", bound())
def test_unknown_keyword_is_refused_listing_the_valid_ones(command):
    fn = getattr(ether, command)
    spec = next(s for s in ether._chapters.specs() if s.command == command)
    with pytest.raises(ether.InvalidInput) as e:
        fn(no_such_parameter=1, quiet=True)
    msg = str(e.value)
    assert "unknown field `no_such_parameter`" in msg
    for p in spec.params:
        assert f"`{p.key}`" in msg, (p.key, msg)


@pytest.mark.parametrize("command", bound())
def test_wrong_types_and_non_finite_numbers_are_refused(command):
    fn = getattr(ether, command)
    spec = next(s for s in ether._chapters.specs() if s.command == command)
    floats = [p.key for p in spec.params if isinstance(p.default, float)]
    numbers = [p.key for p in spec.params if isinstance(p.default, (int, float)) and not isinstance(p.default, bool)]
    for key in numbers:
        # (a number that also takes words, like spinwave's --spin "1/2", says "expected a number")
        with pytest.raises(ether.InvalidInput, match="invalid type: string|expected a number, got"):
            fn(**{key: "abc"}, quiet=True)
    for key in floats:
        for bad in (math.nan, math.inf):
            with pytest.raises(ether.InvalidInput, match=f"invalid {key}: (NaN|inf); give a finite number"):
                fn(**{key: bad}, quiet=True)


# --- bad values: the CLI's line, as a ValueError ---------------------------------------------

#: One value per chapter that passes the flag parser but not the chapter's checks (the same
#: cases the CLI tests refuse), and an out-of-memory refusal (TooLarge, also a ValueError).
BAD_VALUES = [
    ("ed", {"lattice": "12", "sector": "k=12"}),
    ("ed", {"lattice": "8", "sector": "sz=0,sz=1"}),
    ("ed", {"lattice": "60", "sector": "sz=0"}),
    ("spinwave", {"model": "ferro", "lattice": "1"}),
    ("photon", {"lattice": "16x16"}),
    ("graviton", {"model": "xu", "lattice": "16x16"}),
    ("graviton", {"model": "cotton", "J": -1.0}),
    ("phases", {"lattice": "6x6x6x5"}),
    ("phases", {"lattice": "128x128x128x128"}),
    ("phases", {"rotor": True, "lattice": "4x4x4", "time_step": 0.6}),
    ("statistics", {"model": "rotor", "lattice": "4x4"}),
    ("statistics", {"model": "double-semion", "lattice": "4x4"}),
    ("entanglement", {"model": "toric-code", "lattice": "1x1"}),
]


@pytest.mark.parametrize("command, params", BAD_VALUES, ids=lambda x: x if isinstance(x, str) else ",".join(map(str, x.values())))
def test_bad_values_raise_value_error_with_the_clis_line(command, params):
    with pytest.raises(ValueError) as e:
        chapter(command)(quiet=True, **params)
    assert isinstance(e.value, (ether.InvalidInput, ether.TooLarge)), type(e.value)
    out = subprocess.run([cli(), "-q", command, *cli_args(params)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, (out.returncode, out.stderr)
    # (the memory refusals name the memory available at the time, which moves between the runs)
    free = lambda t: re.sub(r"only [0-9.]+ [KMGT]?i?B is available", "only ... is available", t)
    lines = [free(line) for line in out.stderr.strip().splitlines()]
    assert lines == [free("error: " + str(e.value))], (lines, str(e.value))


def test_a_parameter_named_as_a_python_keyword_takes_a_trailing_underscore():
    # `ether ed --lambda X` is `ether.ed(lambda_=X)` (PEP 8), or `**{"lambda": X}`; not both.
    ed = chapter("ed")
    with pytest.raises(ether.InvalidInput) as a:
        ed(model="heisenberg", lattice="4", lambda_=0.5, quiet=True)
    with pytest.raises(ether.InvalidInput) as b:
        ed(model="heisenberg", lattice="4", quiet=True, **{"lambda": 0.5})
    assert str(a.value) == str(b.value) and "--lambda" in str(a.value), str(a.value)
    with pytest.raises(ether.InvalidInput, match="both lambda_ and lambda"):
        ed(lambda_=0.5, quiet=True, **{"lambda": 0.5})
