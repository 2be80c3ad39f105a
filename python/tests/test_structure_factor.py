"""ether.StructureFactor: the library's S(k, w) accumulator fed from numpy. Checked against the
estimator written here with numpy's FFTs from its definition (docs/conventions.md:
A_k = sum_r e^{+ik.r} A_r, A(w) = sum_n e^{-i w t_n} A(t_n), S = dt/(2 pi N T) <sum_a |A^a_k(w)|^2>),
against Parseval's sum rule, and on a plane wave whose (k, w) is known."""

import numpy as np
import pytest

import ether


def numpy_skw(trajectories, extents, dt):
    """The estimator from its definition, averaged over trajectories of shape (T, nc, N)."""
    t, nc, n = trajectories[0].shape
    spatial = tuple(range(2, 2 + len(extents)))
    total = 0.0
    for f in trajectories:
        # sites are numbered first axis fastest: C order over the reversed extents
        field = f.reshape(t, nc, *extents[::-1])
        ak = np.fft.ifftn(field, axes=spatial) * n  # e^{+ik.r}, unnormalized
        akw = np.fft.fft(ak, axis=0)  # e^{-i w t}
        total = total + (np.abs(akw) ** 2).sum(axis=1).reshape(t, n).T
    return total * dt / (2 * np.pi * n * t * len(trajectories))


def test_the_accumulator_is_the_estimator_of_its_definition():
    rng = np.random.default_rng(11)
    extents, nc, nt, dt = [4, 6], 3, 16, 0.1
    n = 24
    trajs = [rng.normal(size=(nt, nc, n)) for _ in range(3)]
    sf = ether.StructureFactor("4x6", nc, nt, dt)
    for f in trajs:
        sf.add(f)
    s = sf.intensity()
    assert s.dtype == np.float64 and s.shape == (n, nt) and sf.samples == 3
    # FFT rounding on O(1) data of 24 x 16 points
    np.testing.assert_allclose(s, numpy_skw(trajs, extents, dt), rtol=1e-10, atol=1e-12)
    # numpy's FFT order, except that the Nyquist bin is +pi/dt (ether's range is (-pi/dt, pi/dt])
    expected = 2 * np.pi * np.fft.fftfreq(nt, dt)
    expected[nt // 2] = np.pi / dt
    np.testing.assert_allclose(sf.omega, expected, atol=1e-12)
    # Parseval: sum_k sum_j S dw / N = time average of sum_a A^2 per site
    lhs = s.sum() * sf.domega / n
    rhs = np.mean([(f ** 2).sum(axis=(1, 2)).mean() / n for f in trajs])
    assert abs(lhs - rhs) < 1e-10 * rhs


def test_a_plane_wave_lands_on_its_momentum_and_frequency():
    lat = ether.Lattice("8x8")
    nt, dt = 32, 0.25
    k_index, j = 11, 5
    k0 = lat.momenta()[k_index]
    w0 = 2 * np.pi * j / (nt * dt)
    r = lat.coords()
    t = np.arange(nt) * dt
    frames = np.cos(r @ k0 - w0 * t[:, None])[:, None, :]  # (T, 1, N)
    sf = ether.StructureFactor(lat, 1, nt, dt)
    sf.add(frames.copy())
    s = sf.intensity()
    # cos = (e^{i(k0.r - w0 t)} + c.c.)/2 and A_k = sum_r e^{+ik.r} A_r: the e^{-i k0.r} half lands
    # on k = k0 with time dependence e^{+i w0 t}, i.e. at w = +w0 under sum_n e^{-i w t_n}; its
    # conjugate on (-k0, -w0). The two bins carry everything.
    minus_k = int(np.argmin(np.abs((lat.momenta() + k0 + np.pi) % (2 * np.pi) - np.pi).sum(axis=1)))
    peaks = {tuple(p) for p in np.argwhere(s > 1e-6 * s.max())}
    assert peaks == {(k_index, j), (minus_k, nt - j)}, peaks
    # a 2-D frame array (component-major) is the same input
    sf2 = ether.StructureFactor("8x8", 1, nt, dt)
    sf2.add(np.ascontiguousarray(frames.reshape(nt, -1)))
    np.testing.assert_array_equal(sf2.intensity(), s)
    sf2.merge(sf)
    assert sf2.samples == 2
    np.testing.assert_allclose(sf2.intensity(), s, rtol=1e-14)


@pytest.mark.parametrize(
    "frames, error, needle",
    [
        (np.zeros((8, 2, 15)), ether.InvalidInput, "shape [8, 2, 15]; give (8, 2, 16) or (8, 32)"),
        (np.zeros((8, 2, 16), dtype=np.float32), ether.InvalidType, "float64"),
        ([[0.0] * 32] * 8, ether.InvalidType, "float64 numpy array"),
        (np.full((8, 2, 16), np.inf), ether.InvalidInput, "give finite numbers"),
    ],
)
def test_wrong_frames_raise_with_one_line(frames, error, needle):
    sf = ether.StructureFactor("4x4", 2, 8, 0.1)
    with pytest.raises(error) as e:
        sf.add(frames)
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)
    assert sf.samples == 0


@pytest.mark.parametrize(
    "args, error, needle",
    [
        (("4x4", 1, 1, 0.1), ether.InvalidInput, "at least 2 frames"),
        (("4x4", 1, 8, 0.0), ether.InvalidInput, "it must be > 0"),
        (("4x4", 1, 8, float("nan")), ether.InvalidInput, "finite"),
        (("4x4", 0, 8, 0.1), ether.InvalidInput, "at least 1 component"),
        (("4y4", 1, 8, 0.1), ether.InvalidInput, "4y4"),
        (("1000x1000", 3, 4096, 0.1), ether.TooLarge, "use fewer frames or a smaller lattice"),
    ],
)
def test_bad_accumulators_are_refused(args, error, needle):
    with pytest.raises(error) as e:
        ether.StructureFactor(*args)
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_merging_different_accumulators_is_refused():
    a, b = ether.StructureFactor("4x4", 1, 8, 0.1), ether.StructureFactor("4x4", 1, 16, 0.1)
    with pytest.raises(ether.InvalidInput):
        a.merge(b)
