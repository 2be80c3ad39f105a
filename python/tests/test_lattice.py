"""ether.Lattice: the library's lattice with its incidence maps on numpy vectors. The identities
checked here are exact and independent of the implementation: curl grad = 0, cube_div curl = 0,
div = -grad^T and curl_t = curl^T as adjoints (<A x, y> = <x, A^T y> for random vectors), and
the counts of cells of a torus."""

import math

import numpy as np
import pytest

import ether

rng = np.random.default_rng(7)


@pytest.mark.parametrize("spec, sites, links, plaquettes, cubes", [
    ("8", 8, 8, 0, 0), ("4x6", 24, 48, 24, 0), ([3, 4, 5], 60, 180, 180, 60), ("3x3x3x3", 81, 324, 486, 324),
])
def test_cell_counts_of_a_torus(spec, sites, links, plaquettes, cubes):
    lat = ether.Lattice(spec)
    d = lat.dim
    # a d-torus of N sites has N * C(d, k) cells of rank k
    assert (lat.n_sites, lat.n_links, lat.n_plaquettes, lat.n_cubes) == (sites, links, plaquettes, cubes)
    assert (lat.n_links, lat.n_plaquettes, lat.n_cubes) == tuple(sites * math.comb(d, k) for k in (1, 2, 3))


def test_coordinates_and_momenta_follow_the_conventions():
    lat = ether.Lattice("4x6")
    c = lat.coords()
    assert c.dtype == np.int64 and c.shape == (24, 2)
    # the first axis is fastest
    np.testing.assert_array_equal(c[:5], [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]])
    k = lat.momenta()
    assert k.dtype == np.float64 and k.shape == (24, 2)
    np.testing.assert_allclose(k, 2 * np.pi * c / np.array([4, 6]))
    assert lat.extents == [4, 6] and lat.bipartite and not ether.Lattice("3x4").bipartite
    assert repr(lat) == 'Lattice("4x6")' and lat == ether.Lattice([4, 6])


def test_exact_identities_of_the_incidence_maps():
    lat = ether.Lattice("4x5x3")
    f = rng.standard_normal(lat.n_sites)
    e = rng.standard_normal(lat.n_links)
    b = rng.standard_normal(lat.n_plaquettes)
    assert np.max(np.abs(lat.curl(lat.grad(f)))) < 1e-12
    assert np.max(np.abs(lat.cube_div(lat.curl(e)))) < 1e-12
    assert abs(np.dot(lat.grad(f), e) + np.dot(f, lat.div(e))) < 1e-10
    assert abs(np.dot(lat.curl(e), b) - np.dot(e, lat.curl_t(b))) < 1e-10
    # grad of a linear ramp along x is 1 on the x links, except the wrap-around
    x = lat.coords()[:, 0].astype(float)
    g = lat.grad(x).reshape(lat.n_sites, 3)
    np.testing.assert_array_equal(g[:, 0], np.where(x == 3, -3.0, 1.0))
    np.testing.assert_array_equal(g[:, 1:], 0.0)


def test_lists_and_strided_arrays_are_accepted():
    lat = ether.Lattice("4")
    np.testing.assert_array_equal(lat.grad([0.0, 1.0, 3.0, 6.0]), [1.0, 2.0, 3.0, -6.0])
    v = np.arange(8.0)[::2]
    np.testing.assert_array_equal(lat.grad(v), [2.0, 2.0, 2.0, -6.0])


@pytest.mark.parametrize("arg, cls, needle", [
    (np.zeros(5), ether.InvalidInput, "invalid grad input: 5 values; give 4, one per site"),
    (np.zeros((2, 2)), ether.InvalidInput, "an array of shape [2, 2]; give a vector of 4 values"),
    (np.zeros(4, dtype=np.float32), ether.InvalidType, "dtype float32; give float64 values"),
    (np.zeros(4, dtype=np.int64), ether.InvalidType, "dtype int64"),
    (np.zeros(4, dtype=complex), ether.InvalidType, "dtype complex128"),
    ("abcd", ether.InvalidType, "a string"),
    ([1.0, "x", 2.0, 3.0], ether.InvalidType, "not an array of numbers"),
    (np.array([0.0, np.nan, 0.0, 0.0]), ether.InvalidInput, "invalid grad input[1]: NaN; give finite numbers"),
])
def test_wrong_arrays_are_refused_with_one_line(arg, cls, needle):
    with pytest.raises(cls) as e:
        ether.Lattice("4").grad(arg)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_bad_lattices_are_refused():
    with pytest.raises(ether.InvalidInput, match="invalid"):
        ether.Lattice("4xx4")
    with pytest.raises(ether.InvalidInput):
        ether.Lattice([0, 4])
    with pytest.raises(ether.InvalidType):
        ether.Lattice(4.5)
    with pytest.raises(ether.InvalidInput, match="needs at least 2"):
        ether.Lattice("8").curl(np.zeros(8))
