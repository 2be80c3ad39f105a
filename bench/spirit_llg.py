#!/usr/bin/env python3
"""Spirit's LLG (Depondt solver, serial wheel from PyPI) on a periodic Lx x Ly (x Lz) simple-cubic
Heisenberg lattice: spin updates per CPU-second, the yardstick of docs/performance.md.

Usage: bench/.venv/bin/python bench/spirit_llg.py LX LY LZ ITERATIONS
Prints one JSON line. Install: python3 -m venv bench/.venv && bench/.venv/bin/pip install spirit
"""
import json
import os
import sys
import tempfile
import time

from spirit import configuration, parameters, simulation, state

lx, ly, lz, iters = (int(x) for x in sys.argv[1:5])
cfg = f"""
bravais_lattice sc
n_basis_cells {lx} {ly} {lz}
hamiltonian heisenberg_neighbours
boundary_conditions 1 1 {1 if lz > 1 else 0}
external_field_magnitude 0.0
anisotropy_magnitude 0.0
n_neigh_shells 1
jij 1.0
dij 0.0
ddi_method none
llg_damping 0.0
llg_dt 0.001
llg_temperature 0
llg_output_any 0
llg_n_iterations_log -1
log_output_file_level 0
log_print 0
log_accept 0
output_file_tag <time>
"""
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "input.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    os.chdir(d)
    with state.State(path, quiet=True) as p_state:
        configuration.random(p_state)
        # never stop early on "convergence": we time a fixed number of dynamics steps
        parameters.llg.set_convergence(p_state, 0.0)
        parameters.llg.set_iterations(p_state, iters, iters)
        simulation.start(p_state, simulation.METHOD_LLG, simulation.SOLVER_DEPONDT, n_iterations=10)
        c0, w0 = time.process_time(), time.perf_counter()
        info = simulation.start(p_state, simulation.METHOD_LLG, simulation.SOLVER_DEPONDT, n_iterations=iters)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        done = info.total_iterations
        if done != iters:
            sys.exit(f"spirit ran {done} of {iters} iterations; the timing would be meaningless")
n = lx * ly * lz
print(json.dumps({"peer": "spirit 2.2.0 LLG Depondt", "lattice": f"{lx}x{ly}x{lz}", "spins": n,
                  "iterations": done, "cpu_seconds": round(cpu, 4), "wall_seconds": round(wall, 4),
                  "updates_per_cpu_second": n * done / cpu}))
