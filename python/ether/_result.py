"""What a run returns (:class:`Result`), and :func:`load`, which reads a run directory the
``ether`` command wrote with ``--out`` into the same object."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._errors import InvalidInput


@dataclass(frozen=True)
class Axis:
    """One axis of an array: its name, unit, the coordinate of each index, and optional labels
    (for example "beta = 1.0, hot start" along a run axis). ``file`` is the ``.npy`` file that
    holds the values in a run directory (several arrays may share an axis)."""

    name: str
    unit: str
    file: str
    values: np.ndarray
    labels: Optional[Tuple[str, ...]] = None

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        lab = f", labels={list(self.labels)!r}" if self.labels is not None else ""
        return f"Axis({self.name!r} [{self.unit}], {len(self)} values{lab})"


@dataclass(frozen=True)
class ArrayInfo:
    """What an array is: its file, description, unit and axes (outermost first; the array's
    shape is their lengths, C order)."""

    file: str
    description: str
    unit: str
    axes: Tuple[Axis, ...]


@dataclass(frozen=True)
class Claim:
    """One verdict: a physics statement, the number measured for it, the rule it is held to
    (``within`` a reference with a tolerance, ``at_most`` or ``at_least`` a threshold), where the
    rule comes from, and whether it passed (computed by the library from the number and the rule;
    NaN never passes)."""

    claim: str
    quantity: str
    value: float
    rule: str
    source: str
    passed: bool
    measured: str
    reference: Optional[float] = None
    tolerance: Optional[float] = None
    threshold: Optional[float] = None

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Claim":
        value = d.get("value")
        return cls(
            claim=d["claim"],
            quantity=d["quantity"],
            value=math.nan if value is None else float(value),
            rule=d["rule"],
            source=d["source"],
            passed=bool(d["pass"]),
            measured=d["measured"],
            reference=d.get("reference"),
            tolerance=d.get("tolerance"),
            threshold=d.get("threshold"),
        )

    def __repr__(self) -> str:
        return f"Claim([{'pass' if self.passed else 'FAIL'}] {self.claim}: {self.measured})"


def _stem(file: str) -> str:
    return file[:-4] if file.endswith(".npy") else file


class Result:
    """The record of one run: the same document as the CLI's ``--json`` (:attr:`json`), its
    arrays as numpy arrays with their axes (:attr:`arrays`, :meth:`axes`, :meth:`info`), its
    claims (:attr:`claims`) and summary lines.

    Attribute access reads, in this order: an array (by file name without ``.npy``, e.g.
    ``r.skw``), an axis (by file name, e.g. ``r.skw_omega``), a key of the JSON document (e.g.
    ``r.verdict``), an axis by its name when only one axis has it (e.g. ``r.omega``). ``dir(r)``
    lists them all.
    """

    command: str
    json: Dict[str, Any]
    params: Dict[str, Any]
    arrays: Dict[str, np.ndarray]
    claims: List[Claim]
    summary: List[str]
    wall_time: Optional[float]
    path: Optional[Path]

    def __init__(
        self,
        command: str,
        document: Dict[str, Any],
        params: Dict[str, Any],
        arrays: Sequence[Tuple[ArrayInfo, np.ndarray]],
        claims: Sequence[Claim],
        summary: Sequence[str] = (),
        wall_time: Optional[float] = None,
        path: Optional[Path] = None,
    ) -> None:
        object.__setattr__(self, "command", command)
        object.__setattr__(self, "json", document)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "arrays", {_stem(i.file): a for i, a in arrays})
        object.__setattr__(self, "_info", {_stem(i.file): i for i, _ in arrays})
        axes: Dict[str, Axis] = {}
        for i, _ in arrays:
            for ax in i.axes:
                axes.setdefault(_stem(ax.file), ax)
        object.__setattr__(self, "_axes", axes)
        object.__setattr__(self, "claims", list(claims))
        object.__setattr__(self, "summary", list(summary))
        object.__setattr__(self, "wall_time", wall_time)
        object.__setattr__(self, "path", path)

    # --- the arrays and their axes -------------------------------------------------------------
    def info(self, name: str) -> ArrayInfo:
        """Description, unit and axes of the array ``name`` (file name without ``.npy``)."""
        try:
            return self._info[_stem(name)]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"no array {name!r}; the arrays are: {', '.join(self.arrays) or 'none'}") from None

    def axes(self, name: str) -> Tuple[Axis, ...]:
        """The axes of the array ``name``, outermost first (its shape is their lengths)."""
        return self.info(name).axes

    def axis(self, name: str) -> Axis:
        """An axis by its file name (``"skw_omega"``) or, when only one axis has it, by its name
        (``"omega"``)."""
        axes: Dict[str, Axis] = self._axes  # type: ignore[attr-defined]
        if _stem(name) in axes:
            return axes[_stem(name)]
        by_name = [a for a in axes.values() if a.name == name]
        if len(by_name) == 1:
            return by_name[0]
        known = ", ".join(sorted(axes)) or "none"
        if by_name:
            raise KeyError(f"several axes are called {name!r}; give the file name: {known}")
        raise KeyError(f"no axis {name!r}; the axes are: {known}")

    # --- verdicts ------------------------------------------------------------------------------
    @property
    def passed(self) -> Optional[bool]:
        """True if every claim passed, False if one failed, None if the record makes none."""
        if not self.claims:
            return None
        return all(c.passed for c in self.claims)

    # --- attribute access ----------------------------------------------------------------------
    def _names(self) -> List[str]:
        names = list(self.arrays) + list(self._axes) + list(self.json)  # type: ignore[attr-defined]
        counts: Dict[str, int] = {}
        for a in self._axes.values():  # type: ignore[attr-defined]
            counts[a.name] = counts.get(a.name, 0) + 1
        names += [n for n, c in counts.items() if c == 1 and n.isidentifier()]
        seen: Dict[str, None] = {}
        for n in names:
            seen.setdefault(n, None)
        return list(seen)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        d = self.__dict__
        if name in d["arrays"]:
            return d["arrays"][name]
        if name in d["_axes"]:
            return d["_axes"][name].values
        if name in d["json"]:
            return d["json"][name]
        by_name = [a for a in d["_axes"].values() if a.name == name]
        if len(by_name) == 1:
            return by_name[0].values
        raise AttributeError(
            f"{d['command']} result has no {name!r}; it has: {', '.join(self._names())}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Result is read-only; copy what you want to change")

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._names()))

    def __getitem__(self, key: str) -> Any:
        """``r["key"]``: the JSON document's entry (``r.json[key]``)."""
        return self.json[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.json)

    def __repr__(self) -> str:
        lines = [f"<ether.Result of {self.command}" + (f" from {self.path}" if self.path else "") + ">"]
        for s in self.summary:
            lines.append(f"  {s}")
        for name, a in self.arrays.items():
            shape = "x".join(str(n) for n in a.shape)
            axes = ", ".join(ax.name for ax in self.axes(name))
            lines.append(f"  {name}: {a.dtype} [{shape}] ({axes}) {self.info(name).unit}")
        for c in self.claims:
            lines.append(f"  [{'pass' if c.passed else 'FAIL'}] {c.claim}: {c.measured}")
        keys = [k for k in self.json if k not in self.arrays]
        if keys:
            lines.append("  keys: " + ", ".join(keys))
        return "\n".join(lines)


def _axis_from(d: Mapping[str, Any], values: np.ndarray) -> Axis:
    labels = d.get("labels")
    return Axis(d["name"], d["unit"], d["file"], values, tuple(labels) if labels is not None else None)


def _from_run(out: Mapping[str, Any]) -> Result:
    """The Result of a run from the extension's parts."""
    axes = {f: _axis_from(d, d["values"]) for f, d in out["axes"].items()}
    arrays = []
    for a in out["arrays"]:
        info = ArrayInfo(a["file"], a["description"], a["unit"], tuple(axes[f] for f in a["axes"]))
        arrays.append((info, a["values"]))
    claims = [Claim.from_json(c) for c in json.loads(out["claims"])]
    return Result(
        out["command"],
        json.loads(out["json"]),
        json.loads(out["params"]),
        arrays,
        claims,
        out["summary"],
        out["wall_time"],
        Path(out["path"]) if out.get("path") is not None else None,
    )


_DTYPES = {"float64": np.dtype("float64"), "complex128": np.dtype("complex128")}


def load(path: Union[str, "os.PathLike[str]"], *, mmap: bool = False) -> Result:
    """Read a run directory that ``ether COMMAND --out DIR`` wrote: its parameters (from
    ``manifest.json``), its result document (``result.json``, the same as ``--json``), and every
    array named in the manifest with its axes, checked against the manifest's shape and dtype.

    ``mmap=True`` maps the arrays read-only instead of reading them (for arrays larger than
    memory). Claims are those the result document lists (a fresh run also has the claims the
    library computes from the typed record).
    """
    p = Path(path)
    manifest_path = p / "manifest.json"
    if not manifest_path.is_file():
        what = "does not exist" if not p.exists() else "has no manifest.json"
        raise InvalidInput(
            f"invalid run directory: {p} {what}; give a directory written by an ether command with --out"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
        document = json.loads((p / "result.json").read_text())
    except (OSError, ValueError) as e:
        raise InvalidInput(f"invalid run directory: {p}: {e}; it was damaged, run the command again") from None
    if not isinstance(manifest, dict) or "command" not in manifest:
        raise InvalidInput(f"invalid run directory: {p}: manifest.json is not an ether manifest")
    axis_cache: Dict[str, np.ndarray] = {}

    def read(file: str) -> np.ndarray:
        f = p / file
        try:
            return np.load(f, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise InvalidInput(f"invalid run directory: {f}: {e}; it was damaged, run the command again") from None

    arrays = []
    for entry in manifest.get("arrays", []):
        values = read(entry["file"])
        shape = tuple(entry["shape"])
        dtype = _DTYPES.get(entry["dtype"])
        if values.shape != shape or (dtype is not None and values.dtype != dtype):
            raise InvalidInput(
                f"invalid run directory: {p / entry['file']} is {values.dtype} {values.shape} but the manifest "
                f"says {entry['dtype']} {shape}; the directory was changed after it was written"
            )
        axes = []
        for i, ax in enumerate(entry["axes"]):
            if ax["file"] not in axis_cache:
                axis_cache[ax["file"]] = read(ax["file"])
            v = axis_cache[ax["file"]]
            if v.shape != (shape[i],):
                raise InvalidInput(
                    f"invalid run directory: axis {ax['file']} has {v.shape} values for an array axis of "
                    f"length {shape[i]}; the directory was changed after it was written"
                )
            axes.append(_axis_from(ax, v))
        arrays.append((ArrayInfo(entry["file"], entry["description"], entry["unit"], tuple(axes)), values))
    claims_json = document.get("claims") if isinstance(document, dict) else None
    claims = []
    if isinstance(claims_json, list) and all(isinstance(c, dict) and "claim" in c for c in claims_json):
        claims = [Claim.from_json(c) for c in claims_json]
    return Result(
        manifest["command"],
        document,
        manifest.get("parameters", {}),
        arrays,
        claims,
        (),
        manifest.get("wall_time_seconds"),
        p,
    )


__all__ = ["Axis", "ArrayInfo", "Claim", "Result", "load"]
