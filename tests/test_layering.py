"""The package's layers, read from the source with `ast`: the engine imports NumPy and
itself only; the service may add pydantic and the engine but never the web layer,
FastAPI or Starlette. Every import counts, including one inside a function."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "playground"

# layer -> (the playground packages it may import, the third-party packages it may import);
# the standard library is always allowed. The engine's compiled kernels use Numba (held to
# the NumPy reference by tests/engine/test_kernels.py).
ALLOWED = {
    "engine": ({"playground.engine"}, {"numpy", "numba"}),
    "service": ({"playground.engine", "playground.service"},
                {"numpy", "pydantic", "redis", "yaml"}),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """The absolute name of every module `source` imports; relative imports are resolved
    from `module` (the importing module's own name)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            full = ".".join(base + (node.module.split(".") if node.module else []))
            if node.module:
                names.add(full)
            else:  # `from .. import web`: the names are modules
                names.update(f"{full}.{alias.name}" for alias in node.names)
    return names


def violations(names: set[str], layer: str) -> list[str]:
    own, third_party = ALLOWED[layer]
    bad = []
    for name in sorted(names):
        root = name.split(".")[0]
        if root == "playground":
            ok = any(name == p or name.startswith(p + ".") for p in own)
        else:
            ok = root in sys.stdlib_module_names or root in third_party
        if not ok:
            bad.append(name)
    return bad


def layer_files(layer: str) -> list[Path]:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules found in playground/{layer}"
    return files


@pytest.mark.parametrize("layer", list(ALLOWED))
def test_each_layer_imports_only_what_is_below_it(layer):
    found = {}
    for path in layer_files(layer):
        names = imported(path.read_text(), module_name(path), path.name == "__init__.py")
        if bad := violations(names, layer):
            found[str(path.relative_to(PACKAGE.parent))] = bad
    assert not found, f"playground/{layer} imports what it must not: {found}"


def test_the_engine_is_really_read():
    """The check above sees the engine's own relative imports, so it reads real imports."""
    names = imported((PACKAGE / "engine" / "nn.py").read_text(), "playground.engine.nn")
    assert {"numpy", "playground.engine.activations", "playground.engine.heads"} <= names


WRONG = [  # (layer, source, the import that must be reported)
    ("engine", "from ..service.config import Config", "playground.service.config"),
    ("engine", "import pydantic", "pydantic"),
    ("engine", "def f():\n    from fastapi import APIRouter", "fastapi"),
    ("engine", "from .. import web", "playground.web"),
    ("service", "from ..web.schemas import Snapshot", "playground.web.schemas"),
    ("service", "from starlette.requests import Request", "starlette.requests"),
    ("service", "import playground.app", "playground.app"),
    ("service", "from fastapi import Depends", "fastapi"),
]
RIGHT = [
    ("engine", "import math\nimport numpy as np\nfrom .nn import Network"),
    ("service", "from pydantic import BaseModel\nfrom ..engine.nn import Network\nfrom . import store"),
]


@pytest.mark.parametrize("layer, source, culprit", WRONG,
                         ids=[f"{layer}-{culprit}" for layer, _, culprit in WRONG])
def test_a_wrong_import_is_caught(layer, source, culprit):
    names = imported(source, f"playground.{layer}.example")
    assert violations(names, layer) == [culprit]


@pytest.mark.parametrize("layer, source", RIGHT, ids=[layer for layer, _ in RIGHT])
def test_an_import_from_below_passes(layer, source):
    assert violations(imported(source, f"playground.{layer}.example"), layer) == []
