"""The layer order of MISSION.md is enforced: no module imports a later layer.

Order: symbolic -> oracles -> kernels -> testing -> report -> cli. Top-level private
modules (``_errors``, ``_validation``) sit below every layer and import none.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import hippo_verify

LAYERS = ["symbolic", "oracles", "kernels", "testing", "report", "cli"]
PACKAGE_ROOT = Path(hippo_verify.__file__).parent
# Third-party libraries a layer may not use (they belong to later layers).
FORBIDDEN_LIBRARIES = {
    "symbolic": {"torch", "matplotlib", "pytest", "hypothesis"},
    "oracles": {"torch", "matplotlib", "pytest", "hypothesis"},
    "kernels": {"matplotlib", "pytest", "hypothesis"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE_ROOT.rglob("*.py"))


def _layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE_ROOT).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


def _imported_modules(path: Path) -> list[str]:
    """Absolute dotted names of everything ``path`` imports (relative imports resolved)."""
    package = ["hippo_verify", *path.relative_to(PACKAGE_ROOT).parent.parts]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def _layer_of_import(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "hippo_verify" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def upward_imports(path: Path) -> list[str]:
    """Imports in ``path`` that reach a layer after its own (or any layer, for base modules)."""
    own = _layer_of(path)
    is_facade = path.relative_to(PACKAGE_ROOT).parts in {("__init__.py",), ("__main__.py",)}
    if is_facade:
        return []
    limit = LAYERS.index(own) if own else -1
    bad = []
    for name in _imported_modules(path):
        target = _layer_of_import(name)
        if target is not None and LAYERS.index(target) > limit:
            bad.append(name)
    return bad


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_no_module_imports_a_later_layer(path: Path) -> None:
    assert upward_imports(path) == [], f"{path} imports a later layer"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_layers_do_not_use_later_libraries(path: Path) -> None:
    forbidden = FORBIDDEN_LIBRARIES.get(_layer_of(path) or "", set())
    used = {name.split(".")[0] for name in _imported_modules(path)}
    assert not used & forbidden, f"{path} imports {sorted(used & forbidden)}"


def test_checker_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a symbolic module importing the kernels layer is flagged."""
    fake_root = tmp_path / "hippo_verify"
    (fake_root / "symbolic").mkdir(parents=True)
    offender = fake_root / "symbolic" / "_bad.py"
    offender.write_text("from ..kernels import something\nimport hippo_verify.cli\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE_ROOT", fake_root)
    assert upward_imports(offender) == [
        "hippo_verify.kernels",
        "hippo_verify.kernels.something",
        "hippo_verify.cli",
    ]


def test_every_layer_is_a_package() -> None:
    for layer in LAYERS:
        assert (PACKAGE_ROOT / layer / "__init__.py").is_file(), layer
