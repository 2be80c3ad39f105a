"""The exceptions of ether. Each message is the one line the ``ether`` command prints after
``error:``, saying what was wrong and what to do instead.

Bad input is a ``ValueError`` (``InvalidInput``, ``TooLarge``; ``InvalidType`` is also a
``TypeError``); a run that fails is a ``RuntimeError``; Ctrl-C raises ``KeyboardInterrupt``.
"""


class EtherError(Exception):
    """Base class of every exception ether raises (``KeyboardInterrupt`` aside)."""


class InvalidInput(EtherError, ValueError):
    """A parameter is out of range, malformed or unknown (the CLI exits with code 2 for it)."""


class InvalidType(InvalidInput, TypeError):
    """A parameter has the wrong type, e.g. a string where a number is needed."""


class TooLarge(EtherError, ValueError):
    """The run would need more memory than is available; estimated before anything is allocated.

    ``needed_bytes`` holds the estimate (``ETHER_MEMORY_LIMIT`` in bytes overrides the budget).
    """

    needed_bytes: int


class NumericalError(EtherError, RuntimeError):
    """A numerical method failed (did not converge, blew up); the message says what to change."""


class InvariantError(EtherError, RuntimeError):
    """A declared symmetry or invariant does not hold. When a run finished but a check its
    command guarantees failed, ``result`` holds the run's Result (and ``out=`` was written)."""


class EtherIOError(EtherError, OSError):
    """Reading or writing a file failed."""


class InternalError(EtherError, RuntimeError):
    """A bug in ether (a panic inside the library, caught at the boundary). Please report it."""


__all__ = [
    "EtherError",
    "InvalidInput",
    "InvalidType",
    "TooLarge",
    "NumericalError",
    "InvariantError",
    "EtherIOError",
    "InternalError",
]
