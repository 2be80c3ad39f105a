"""The type stubs and docstrings come from the built extension: the committed stub must be what
the generator writes now, and parse as Python."""

import ast
import inspect
from pathlib import Path

import ether
from ether import _chapters, _stubgen


def test_the_stub_is_current():
    stub = Path(ether.__file__).with_name("__init__.pyi")
    assert stub.read_text() == _stubgen.render(), (
        f"{stub} is stale: run `python -m ether._stubgen python/ether/__init__.pyi` and commit it"
    )
    assert Path(ether.__file__).with_name("py.typed").exists()


def test_the_stub_parses_and_declares_every_chapter():
    tree = ast.parse(_stubgen.render())
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for c in ether.experiments():
        f = funcs[c]
        names = [a.arg for a in f.args.kwonlyargs]
        spec = next(s for s in _chapters.specs() if s.command == c)
        assert names == [_chapters.py_name(p.key) for p in spec.params] + ["quiet", "out"]
        assert ast.get_docstring(f) == _chapters.docstring(spec)


def test_docstrings_list_each_parameter_with_type_default_and_doc():
    spec = _chapters.Spec(
        "toy",
        "ether::experiments::toy::Toy",
        "A toy.",
        "Its parameters.",
        [_chapters.Param("lattice", "4x4", "Extents separated by x.", "String", "str")],
        True,
    )
    doc = _chapters.docstring(spec)
    assert doc.startswith("A toy.\n\nIts parameters.\n\nParameters\n----------\nlattice : str, default '4x4'\n")
    assert "    Extents separated by x." in doc and "quiet : bool" in doc and "out : str" in doc
    fn = _chapters._function(spec)
    sig = inspect.signature(fn)
    assert list(sig.parameters) == ["lattice", "quiet", "out"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.parameters.values())
    assert fn.__name__ == "toy" and fn.__doc__ == doc


def test_the_docs_table_describes_the_bridges_own_experiment_types():
    # build.rs reads every `impl Experiment for T` of the library; the self-test is not one of
    # them, and every bound chapter has an entry with its parameters.
    docs = _chapters.specs()
    assert [s.command for s in docs if not s.public] == ["_selftest"]
    for s in docs:
        if s.public:
            assert s.rust_path.startswith("ether::experiments::"), s.rust_path
            assert s.params, s.command
