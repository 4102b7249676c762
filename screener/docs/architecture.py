"""The package's layout, read from its own source: which module imports which (Python's
``ast``, function-level imports included, ``if TYPE_CHECKING:`` blocks left out), so
that ``docs/architecture.md`` is generated and a test can refuse an import circle, a
package that imports one above it, a crowded top level or an overgrown module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DOCS_FILE = PACKAGE.parent / "docs" / "architecture.md"
MAX_TOP_LEVEL_MODULES = 6  # beside __init__.py and __main__.py
MAX_MODULE_LINES = 450

# Bottom to top, in the order data flows: each part may import only the parts before it.
LAYERS = ("errors", "vocabulary", "rules", "answers", "engine", "decision", "routine",
          "loading", "screening", "worker", "render", "fhir", "parse", "docs", "web", "cli")

PATH = """\
answers (prompts, JSON, a QuestionnaireResponse, a dict)
  -> answers/   the Intake, strictly validated       <- rules/ (which codes exist)
  -> engine/    facts -> durable_rules session -> matches, cross-checked by a plain reading
  -> decision/  findings -> one decision with exclusions, caps and avoided techniques
  -> routine/   a base routine adjusted to that decision
  -> render/, fhir/   text, markdown, JSON, SVG, HTML, PDF; FHIR and CDS Hooks
faces on top: cli/ (command line, checklist, guide, batch, explain), web/ (screener serve:
  pages, API, CDS Hooks), docs/ (generated docs)
"""


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = file
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(tree: ast.AST, name: str, is_package: bool) -> set[str]:
    """The dotted names one module imports, wherever in the module the import stands."""
    here = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's own modules it imports (a name imported from a package
    counts as that package unless it is a module of its own)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, file in known.items():
        tree = ast.parse(file.read_text(encoding="utf-8"))
        targets = _imported(tree, name, file.name == "__init__.py")
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def part(module: str) -> str:
    """The layer a module belongs to: its sub-package, or its own name at the top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (or a module importing
    itself): each is an import circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def part_imports(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Layer -> the other layers its modules import."""
    uses: dict[str, set[str]] = {layer: set() for layer in LAYERS}
    for module, targets in graph.items():
        if part(module) in uses:
            uses[part(module)].update(part(t) for t in targets if part(t) not in
                                      (part(module), "__init__"))
    return uses


def summary(name: str) -> str:
    """The first sentence of a layer's docstring, on one line."""
    known = modules()
    tree = ast.parse(known[f"screener.{name}"].read_text(encoding="utf-8"))
    doc = " ".join((ast.get_docstring(tree) or "").split())
    return doc.split(". ")[0].rstrip(".") + "."


def generate() -> str:
    uses = part_imports(import_graph())
    lines = ["# Architecture", "",
             "Generated by `python -m screener.docs` from the package's own imports; "
             "`tests/test_layout.py` fails when this page is stale, on any import circle, "
             "on a part that imports one above it, on more than "
             f"{MAX_TOP_LEVEL_MODULES} modules at the top of `screener/` or on a module "
             f"over {MAX_MODULE_LINES} lines.", "",
             "Data flows one way:", "", "```text", PATH.rstrip(), "```", "",
             "Each part, bottom to top; a part may import only the parts listed before it "
             "(what it imports today is shown).", "",
             "| part | holds | imports |", "|---|---|---|"]
    for layer in LAYERS:
        is_package = (PACKAGE / layer).is_dir()
        shown = f"`{layer}/`" if is_package else f"`{layer}.py`"
        imports = ", ".join(u for u in LAYERS if u in uses[layer]) or "nothing of ours"
        lines.append(f"| {shown} | {summary(layer)} | {imports} |")
    return "\n".join(lines) + "\n"
