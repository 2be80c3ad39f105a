"""QuSpin side of bench/ed_vs_quspin.sh: ground state of the periodic S=1/2 Heisenberg chain
(J = 1) in the sector Sz = 0, k = 0, parity +1, spin flip +1; prints one JSON line."""
import json
import sys
import time

import numpy as np

from quspin.basis import spin_basis_1d  # noqa: E402
from quspin.operators import hamiltonian  # noqa: E402

t0 = time.time()
n = int(sys.argv[1])
tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-10
basis = spin_basis_1d(n, Nup=n // 2, pauli=False, kblock=0, pblock=1, zblock=1)
bonds = [[1.0, i, (i + 1) % n] for i in range(n)]
half = [[0.5, i, (i + 1) % n] for i in range(n)]
static = [["zz", bonds], ["+-", half], ["-+", half]]
H = hamiltonian(static, [], basis=basis, dtype=np.float64, check_symm=False, check_herm=False, check_pcon=False)
t1 = time.time()
E = H.eigsh(k=1, which="SA", tol=tol, return_eigenvectors=False)
t2 = time.time()
print(json.dumps({"n": n, "dimension": basis.Ns, "e0": float(E[0]), "build_s": t1 - t0, "eigsh_s": t2 - t1, "total_s": t2 - t0}))
