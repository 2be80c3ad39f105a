"""ether from Python: quantum qubit and rotor lattice models, and the particles that emerge
from them (X.-G. Wen, "The emergence of photons, electrons, and gravitons from quantum qbit
systems", 2008).

Each chapter of the talk is one function whose keyword arguments are the ``ether`` command's
long flags with '_' for '-' (same defaults, same checks, same one-line errors), and which
returns a :class:`Result`: the command's JSON document, its arrays as numpy arrays with their
axes, and its claims::

    import ether
    r = ether.spinwave(model="antiferro", lattice="32x32", method="dynamics", seed=7)
    r.skw, r.axes("skw"), r.claims, r.verdict
    ether.load("afm")          # a run directory written by `ether spinwave --out afm`

``ether.experiments()`` lists the bound chapters; ``help(ether.<chapter>)`` documents every
parameter. Long runs release the GIL, show progress bars (``quiet=True`` hides them) and stop
on Ctrl-C with ``KeyboardInterrupt``. Bad input raises :class:`InvalidInput` (a ``ValueError``).
"""

from ._errors import (
    EtherError,
    EtherIOError,
    InternalError,
    InvalidInput,
    InvalidType,
    InvariantError,
    NumericalError,
    TooLarge,
)
from ._result import ArrayInfo, Axis, Claim, Result, load
from . import _ether
from ._ether import EdOperator, Lattice, StructureFactor
from . import _chapters

__version__: str = _ether.version()[0]
#: The git revision of the library the extension was built from.
git_revision: str = _ether.version()[1]

_functions = _chapters.bind()
globals().update(_functions)


def experiments() -> list:
    """The names of the chapter functions this build binds (one per ``ether`` command)."""
    return list(_functions)


def run(command: str, quiet: bool = False, out=None, **params) -> Result:
    """Run the experiment ``command`` (e.g. ``"ed"``) with keyword parameters; the same as
    calling ``ether.<command>(**params)``."""
    if command not in _functions:
        raise InvalidInput(
            f"invalid experiment: {command!r}; the experiments are: {', '.join(_functions) or 'none yet'}"
        )
    return _chapters.run(command, params, quiet, out)


__all__ = [
    "ArrayInfo",
    "Axis",
    "Claim",
    "EdOperator",
    "EtherError",
    "EtherIOError",
    "InternalError",
    "InvalidInput",
    "InvalidType",
    "InvariantError",
    "Lattice",
    "NumericalError",
    "Result",
    "StructureFactor",
    "TooLarge",
    "experiments",
    "load",
    "run",
    *_functions,
]
