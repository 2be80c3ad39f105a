"""ether.EdOperator: the ED Hamiltonian of a sector applied to numpy vectors. Checked against an
oracle written here from the definition (the Heisenberg chain H = J sum_i S_i . S_{i+1} on bit
configurations, no code shared with the library), against the published 4x4 ground-state energy
(Schulz, Ziman & Poilblanc, J. Phys. I France 6, 675 (1996): E0 = -11.228483208, the value the
Rust tests use), and for the symmetry reduction: the spectra of the momentum sectors together
are the spectrum of the S^z sector they split."""

import numpy as np
import pytest

import ether


def heisenberg_chain_oracle(n, j=1.0):
    """H on all 2^n configurations (site r up when bit r is set), from S.S = S^zS^z + (S+S- + S-S+)/2."""
    dim = 1 << n
    h = np.zeros((dim, dim))
    for s in range(dim):
        for r in range(n):
            t = (r + 1) % n
            a, b = (s >> r) & 1, (s >> t) & 1
            h[s, s] += j * (0.25 if a == b else -0.25)
            if a != b:
                h[s ^ (1 << r) ^ (1 << t), s] += j * 0.5
    return h


def dense(op):
    """The matrix of op, one column per basis vector."""
    eye = np.eye(op.dim, dtype=op.dtype)
    return np.column_stack([op @ eye[:, i] for i in range(op.dim)])


def test_the_whole_space_operator_is_the_heisenberg_chain_entry_by_entry():
    op = ether.EdOperator(model="heisenberg", lattice="8")
    assert (op.dim, op.shape, op.dtype, op.sector, op.n_sites) == (256, (256, 256), "float64", "all", 8)
    states = op.states
    assert states.dtype == np.uint64 and sorted(states.tolist()) == list(range(256))
    oracle = heisenberg_chain_oracle(8)[np.ix_(states, states)]
    np.testing.assert_allclose(dense(op), oracle, atol=1e-14)  # matrix elements are multiples of 1/4


def test_the_4x4_sector_gives_the_published_ground_state_energy():
    op = ether.EdOperator(lattice="4x4", sector="sz=0,k=0:0,rotation=1,mirror=1,spinflip=1")
    m = dense(op)
    np.testing.assert_allclose(m, m.T, atol=1e-12)
    e0 = np.linalg.eigvalsh(m)[0]
    # dense eigenvalues of a matrix with ||H|| ~ 10: rounding ~1e-13; the published value has 9 decimals
    assert abs(e0 - -11.228483208) < 1e-8, e0
    assert abs(e0 - ether.ed(lattice="4x4", sector=op.sector, nev=1, quiet=True).energies[0]) < 1e-9


def test_momentum_sectors_split_the_sz_sector():
    n = 8
    whole = np.linalg.eigvalsh(dense(ether.EdOperator(lattice=str(n), sector="sz=0")))
    parts = []
    for k in range(n):
        op = ether.EdOperator(lattice=str(n), sector=f"sz=0,k={k}")
        assert op.dtype == ("float64" if k in (0, n // 2) else "complex128"), (k, op.dtype)
        m = dense(op)
        np.testing.assert_allclose(m, m.conj().T, atol=1e-12)
        parts.extend(np.linalg.eigvalsh(m))
    assert len(parts) == len(whole) == 70
    np.testing.assert_allclose(np.sort(parts), whole, atol=1e-10)


def test_applying_is_linear_and_returns_a_new_array():
    op = ether.EdOperator(lattice="10", sector="sz=0,k=1")
    rng = np.random.default_rng(3)
    x = rng.normal(size=op.dim) + 1j * rng.normal(size=op.dim)
    y = rng.normal(size=op.dim)
    hx, hy = op @ x, op.apply(y)  # a real vector is taken by a complex sector
    assert hx.dtype == np.complex128 and hx.shape == (op.dim,)
    np.testing.assert_allclose(op @ (2 * x + 3 * y), 2 * hx + 3 * hy, atol=1e-12)
    assert hx is not x


@pytest.mark.parametrize(
    "make, x, error, needle",
    [
        (dict(lattice="8"), np.zeros(255), ether.InvalidInput, "255 values; give 256"),
        (dict(lattice="8"), np.zeros((16, 16)), ether.InvalidInput, "shape [16, 16]"),
        (dict(lattice="8"), "zeros", ether.InvalidType, "a string"),
        (dict(lattice="8"), np.zeros(256, dtype=np.float32), ether.InvalidType, "dtype float32"),
        (dict(lattice="8"), np.zeros(256, dtype=complex), ether.InvalidType, "is real, give float64"),
        (dict(lattice="8"), np.full(256, np.nan), ether.InvalidInput, "give finite numbers"),
        (dict(lattice="8", sector="sz=0,k=1"), np.ones(1000), ether.InvalidInput, "1000 values; give"),
    ],
)
def test_bad_vectors_raise_with_one_line(make, x, error, needle):
    op = ether.EdOperator(**make)
    with pytest.raises(error) as e:
        op @ x
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)


@pytest.mark.parametrize(
    "kwargs, error, needle",
    [
        (dict(lattice="4x4", sectr="sz=0"), ether.InvalidInput, "unknown field `sectr`"),
        (dict(lattice="4x4", coupling=float("nan")), ether.InvalidInput, "give a finite number"),
        (dict(lattice="4x4", coupling="one"), ether.InvalidType, "coupling"),
        (dict(model="rotor", lattice="2x2"), ether.InvalidInput, "spin models"),
        (dict(lattice="4x4", sector="sz=9"), ether.InvalidInput, "sector"),
        (dict(lattice="40"), ether.EtherError, "40"),
    ],
)
def test_bad_parameters_raise_before_anything_is_built(kwargs, error, needle):
    with pytest.raises(error) as e:
        ether.EdOperator(**kwargs)
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)
