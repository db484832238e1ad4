"""The house rules a newcomer relies on: one `tracegraph` namespace, packages listed for the wheel, no import
circles, and no upward imports (a lower layer never imports an upper one). Read from the source with `ast`, so
imports inside functions count too — hiding a circle behind a local import does not pass."""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = ("graph", "loaders", "cli", "ui")

# Lowest first. A module may import its own layer and the layers below it, never one above.
LAYERS: list[tuple[str, ...]] = [
    ("tracegraph.errors",),
    ("tracegraph.loaders.textutil", "tracegraph.loaders.formats"),
    ("tracegraph.loaders.structure", "tracegraph.loaders.references"),
    ("tracegraph.loaders",),
    ("tracegraph.graph.model",),
    ("tracegraph.graph.query",),
    ("tracegraph.graph.link",),
    ("tracegraph.graph.corpus",),
    ("tracegraph.graph.build",),
    ("tracegraph.graph.review",),
    ("tracegraph.graph.curation",),
    ("tracegraph.graph.stores",),
    ("tracegraph.graph.exporters",),
    ("tracegraph.graph",),
    ("tracegraph.ui", "tracegraph.cli"),
    ("tracegraph.app", "tracegraph"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["tracegraph", *parts])


def _sources() -> dict[str, Path]:
    mods = {_module_name(p): p for d in PACKAGE_DIRS for p in (ROOT / d).rglob("*.py")}
    mods["tracegraph.errors"] = ROOT / "errors.py"
    mods["tracegraph.app"] = ROOT / "app.py"
    mods["tracegraph"] = ROOT / "__init__.py"
    return mods


def _imports(path: Path, modname: str, known: set[str]) -> set[str]:
    """Every tracegraph module this file imports, anywhere in it (a `from pkg import mod` names the module)."""
    out: set[str] = set()
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "tracegraph"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = modname.split(".") if is_pkg else modname.split(".")[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            if base.split(".")[0] != "tracegraph":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _sources()
    known = set(mods)
    return {m: {i for i in _imports(p, m, known) if i in known and i != m} for m, p in mods.items()}


def _layer(mod: str) -> int:
    best, index = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for pre in prefixes:
            if (mod == pre or mod.startswith(pre + ".")) and len(pre) > best:
                best, index = len(pre), i
    assert index >= 0, f"{mod} is in no layer: add it to LAYERS"
    return index


def test_every_package_folder_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = {"tracegraph"} | {
        _module_name(init) for d in PACKAGE_DIRS for init in (ROOT / d).rglob("__init__.py")
    }
    assert found == listed, f"missing from pyproject: {sorted(found - listed)}; stale: {sorted(listed - found)}"


def test_nothing_imports_a_generic_top_level_name() -> None:
    bad = []
    for path in [*ROOT.glob("*.py"), *(p for d in (*PACKAGE_DIRS, "tests", "tools") for p in (ROOT / d).rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            bad += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in (*PACKAGE_DIRS, "errors")]
    assert not bad, "import through the tracegraph namespace:\n" + "\n".join(bad)


def test_no_import_circles() -> None:
    graph = _graph()
    # Tarjan's strongly connected components; a component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            # a package __init__ that re-exports its own submodules is not a circle
            real = [m for m in comp if not any(o != m and o.startswith(m + ".") for o in comp)]
            if len(real) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_no_upward_imports() -> None:
    upward = defaultdict(list)
    for mod, deps in _graph().items():
        for dep in deps:
            if _layer(dep) > _layer(mod):
                upward[mod].append(dep)
    shown = "; ".join(f"{m} → {', '.join(d)}" for m, d in upward.items())
    assert not upward, f"lower layers import upper ones: {shown}"


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a loader importing the graph builder is reported."""
    fake = tmp_path / "x.py"
    fake.write_text("from tracegraph.graph.build.pipeline import build\n", encoding="utf-8")
    deps = _imports(fake, "tracegraph.loaders.formats.x", set(_sources()))
    assert deps == {"tracegraph.graph.build.pipeline"}
    assert _layer("tracegraph.graph.build.pipeline") > _layer("tracegraph.loaders.formats.x")
