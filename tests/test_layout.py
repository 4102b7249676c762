"""The layout stays as built: no import circle, each part importing only the parts below
it, few modules at the top of the package, none overgrown, and docs/architecture.md in
step with the source."""

from screener.docs import architecture
from screener.docs.architecture import LAYERS, MAX_MODULE_LINES, MAX_TOP_LEVEL_MODULES


def test_no_import_circle():
    assert architecture.cycles(architecture.import_graph()) == []


def test_a_circle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert architecture.cycles(graph) == [["a", "b", "c"]]


def test_imports_inside_functions_count_and_type_checking_blocks_do_not():
    import ast

    tree = ast.parse("if TYPE_CHECKING:\n    from .x import y\n"
                     "def f():\n    from .z import w\n")
    found = architecture._imported(tree, "screener.pkg.mod", is_package=False)
    assert "screener.pkg.z" in found and "screener.pkg.x" not in found


def test_each_part_imports_only_parts_below_it():
    uses = architecture.part_imports(architecture.import_graph())
    for layer in LAYERS:
        above = set(LAYERS[LAYERS.index(layer):])
        assert not uses[layer] & above, f"{layer} imports {sorted(uses[layer] & above)}"


def test_every_module_belongs_to_a_part():
    parts = {architecture.part(m) for m in architecture.modules()}
    assert parts <= {*LAYERS, "__init__", "__main__"}


def test_few_modules_at_the_top():
    top = [f.name for f in architecture.PACKAGE.glob("*.py")
           if f.name not in ("__init__.py", "__main__.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)


def test_no_module_is_overgrown():
    long = {name: n for name, file in architecture.modules().items()
            if (n := len(file.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_architecture_doc_is_up_to_date():
    assert architecture.DOCS_FILE.read_text(encoding="utf-8") == architecture.generate(), (
        "docs/architecture.md is stale: run 'python -m screener.docs'")
