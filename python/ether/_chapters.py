"""One function per experiment of the library, made from what the extension reports: the
command, the defaults (``Params::default()``, the CLI's defaults) and the parameter docs read
from the library's source when the extension was built. Nothing here is written per chapter."""

from __future__ import annotations

import inspect
import json
import os
import keyword
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from . import _ether
from ._errors import InvalidInput, InvariantError
from ._result import Result, _from_run


@dataclass(frozen=True)
class Param:
    """One parameter of an experiment: its key (the CLI's long flag with '_' for '-'), default,
    doc comment, Rust type and the Python type for the stubs (None if not known)."""

    key: str
    default: Any
    doc: str
    rust_type: Optional[str]
    python_type: Optional[str]


@dataclass(frozen=True)
class Spec:
    """An experiment: its command, the doc of its Rust type and of its parameters."""

    command: str
    rust_path: str
    doc: str
    params_doc: str
    params: List[Param]
    public: bool


def py_name(key: str) -> str:
    """The keyword argument for the parameter ``key``: the key itself, or with a trailing ``_``
    when it is a Python keyword (``lambda`` -> ``lambda_``, PEP 8's convention); the function
    accepts the key itself too, through ``**{"lambda": x}``."""
    return key + "_" if keyword.iskeyword(key) else key


def _default_type(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list):
        inner = {_default_type(x) for x in v}
        return f"Sequence[{inner.pop()}]" if len(inner) == 1 else "Sequence[Any]"
    if isinstance(v, dict):
        return "Mapping[str, Any]"
    return "Any"


def specs() -> List[Spec]:
    """Every experiment the extension binds (the bridge's self-test included, not public)."""
    docs = {d["rust_path"]: d for d in json.loads(_ether.docs())}
    out = []
    for e in _ether.experiments():
        defaults: Dict[str, Any] = json.loads(e["defaults"])
        d = docs.get(e["rust_path"], {})
        fields = {f["key"]: f for f in d.get("fields", [])}
        order = [f["key"] for f in d.get("fields", []) if f["key"] in defaults]
        order += [k for k in defaults if k not in order]
        params = []
        for k in order:
            f = fields.get(k, {})
            py_type = f.get("python_type")
            if py_type is None:
                py_type = _default_type(defaults[k])
                if defaults[k] is None:
                    py_type = "Any | None"
            params.append(Param(k, defaults[k], f.get("doc", ""), f.get("rust_type"), py_type))
        out.append(Spec(e["command"], e["rust_path"], d.get("doc", ""), d.get("params_doc", ""), params, e["public"]))
    return out


def _indent(text: str, by: str = "    ") -> str:
    return textwrap.indent(text, by, lambda line: True).rstrip() if text else by + "(undocumented)"


def docstring(spec: Spec) -> str:
    """The function's docstring: the experiment's doc, then each parameter (numpy style)."""
    head = spec.doc or f"The {spec.command} experiment."
    parts = [head.strip(), ""]
    if spec.params_doc:
        parts += [spec.params_doc.strip(), ""]
    parts += ["Parameters", "----------"]
    for p in spec.params:
        alias = f" (the flag --{p.key})" if py_name(p.key) != p.key else ""
        parts.append(f"{py_name(p.key)} : {p.python_type}, default {p.default!r}{alias}")
        parts.append(_indent(p.doc))
    parts.append("quiet : bool, default False")
    parts.append("    Hide progress bars and messages (they go to the terminal's stderr otherwise).")
    parts.append("out : str or os.PathLike, optional")
    parts.append(f"    Also write a run directory there, as ``ether {spec.command} --out DIR`` does (result.json,")
    parts.append("    the arrays as .npy with their axes, manifest.json; ``ether plot DIR`` draws the figures).")
    parts.append("    It appears only when the run succeeded: an error or Ctrl-C leaves nothing behind.")
    parts += [
        "",
        "Returns",
        "-------",
        "ether.Result",
        f"    The record: ``.json`` (the document ``ether {spec.command} --json`` prints), the arrays as",
        "    numpy arrays (``.arrays``, attributes by name, ``.axes(name)``), ``.claims``, ``.params``.",
        "",
        "Raises",
        "------",
        "ether.InvalidInput",
        "    A parameter is out of range or unknown (the message lists the valid ones);",
        "    ``ether.InvalidType`` (also a TypeError) for a value of the wrong type.",
        "ether.TooLarge",
        "    The run would not fit in memory (estimated before anything is allocated).",
        "ether.InvariantError",
        "    A check the command guarantees failed; the record is the exception's ``result``.",
        "KeyboardInterrupt",
        "    Ctrl-C: the run stops at its next safe point and nothing is kept.",
    ]
    return "\n".join(parts)


def run(command: str, params: Dict[str, Any], quiet: bool = False, out: Any = None) -> Result:
    """Run the experiment ``command`` with ``params`` (keys as the CLI's long flags with '_'
    for '-'; missing keys take the CLI's defaults); with ``out``, also write a run directory."""
    out = _ether.run(command, params, quiet, None if out is None else os.fspath(out))
    result = _from_run(out)
    if out.get("failure") is not None:
        # a check the command guarantees failed (the CLI writes the run, then exits 1)
        err = InvariantError(out["failure"])
        err.result = result  # type: ignore[attr-defined]
        raise err
    return result


def _function(spec: Spec) -> Callable[..., Result]:
    command = spec.command
    renamed = {py_name(p.key): p.key for p in spec.params if py_name(p.key) != p.key}

    def experiment(*, quiet: bool = False, out: Any = None, **params: Any) -> Result:
        for name, key in renamed.items():
            if name in params:
                if key in params:
                    raise InvalidInput(f"invalid parameters: both {name} and {key} given; give one of them")
                params[key] = params.pop(name)
        return run(command, params, quiet, out)

    experiment.__name__ = experiment.__qualname__ = command
    experiment.__module__ = "ether"
    experiment.__doc__ = docstring(spec)
    sig = [
        inspect.Parameter(py_name(p.key), inspect.Parameter.KEYWORD_ONLY, default=p.default)
        for p in spec.params
        if py_name(p.key).isidentifier()
    ]
    sig.append(inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False))
    sig.append(inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
    experiment.__signature__ = inspect.Signature(sig, return_annotation=Result)  # type: ignore[attr-defined]
    return experiment


def bind() -> Dict[str, Callable[..., Result]]:
    """The public experiments as functions, by command name."""
    return {s.command: _function(s) for s in specs() if s.public and s.command.isidentifier()}
