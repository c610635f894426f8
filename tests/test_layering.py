"""The layer order of MISSION.md is enforced: no module imports a later layer.

Order: symbolic -> oracles -> kernels -> testing -> report -> cli. Top-level private
modules (``_errors``, ``_validation``) sit below every layer and import none; the pytest
plugin (``pytest_plugin.py``, top level for its entry point) belongs to the testing layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import hippo_verify

LAYERS = ["symbolic", "oracles", "kernels", "testing", "sweep", "report", "cli"]
PACKAGE_ROOT = Path(hippo_verify.__file__).parent
# Third-party libraries a layer may not use (they belong to later layers).
FORBIDDEN_LIBRARIES = {
    "symbolic": {"torch", "matplotlib", "pytest", "hypothesis"},
    "oracles": {"torch", "matplotlib", "pytest", "hypothesis"},
    "kernels": {"matplotlib", "pytest", "hypothesis"},
    # The report and the CLI run on an install without the test extras.
    "sweep": {"pytest", "hypothesis"},
    "report": {"pytest", "hypothesis"},
    "cli": {"pytest", "hypothesis"},
}
#: Top-level modules that belong to a layer (the pytest plugin is test tooling).
TOP_LEVEL_LAYER = {"pytest_plugin.py": "testing"}
#: Modules of the testing layer that the report and the CLI may import: they must not
#: need the test extras either (the rest of the layer is test tooling).
RUNTIME_TESTING_MODULES = {
    "__init__.py",
    "_algorithms.py",
    "_assertions.py",
    "_error_model.py",
    "_tensors.py",
}
#: Runs in a fresh interpreter with the test extras blocked, as on a user's install: the
#: CLI's commands print their help, ``tolerance`` runs, ``check`` (which needs hypothesis)
#: exits 2 naming the extras to install, and (proof that the block works) the strategies,
#: which need hypothesis, fail to import.
HELP_COMMANDS = (
    ["--help"],
    ["report", "--help"],
    ["export", "--help"],
    ["check", "--help"],
    ["tolerance", "--help"],
    ["sweep", "--help"],
)
WITHOUT_TEST_EXTRAS = f"""
import sys
sys.modules["hypothesis"] = None
sys.modules["pytest"] = None
from hippo_verify.cli import main
for argv in {HELP_COMMANDS!r}:
    try:
        main(argv)
    except SystemExit as done:
        print("exit", done.code)
print("tolerance", main(["tolerance", "--algorithm", "shift", "--dtype", "float32", "--L", "8"]))
print("check", main(["check", "hippo_verify.kernels:shift_kernel", "--algorithm", "shift"]))
try:
    import hippo_verify.testing.strategies
except ImportError as error:
    print("blocked:", error)
"""


def _modules() -> list[Path]:
    return sorted(PACKAGE_ROOT.rglob("*.py"))


def _layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE_ROOT).parts
    if len(parts) == 1:
        return TOP_LEVEL_LAYER.get(parts[0])
    return parts[0] if parts[0] in LAYERS else None


def _imported_modules(path: Path, *, on_import_only: bool = False) -> list[str]:
    """Absolute dotted names of everything ``path`` imports (relative imports resolved);
    with ``on_import_only``, only the module-level imports (those inside a function run
    when it is called, not when the module is imported)."""
    package = ["hippo_verify", *path.relative_to(PACKAGE_ROOT).parent.parts]
    names = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body if on_import_only else ast.walk(tree):
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


def _runtime_testing_modules() -> list[Path]:
    testing = PACKAGE_ROOT / "testing"
    paths = [testing / name for name in sorted(RUNTIME_TESTING_MODULES)]
    return paths + sorted((testing / "_bounds").glob("*.py"))


@pytest.mark.parametrize("path", _runtime_testing_modules(), ids=lambda p: p.name)
def test_runtime_testing_modules_need_no_test_extras(path: Path) -> None:
    imported = _imported_modules(path, on_import_only=True)
    used = {name.split(".")[0] for name in imported}
    assert not used & {"pytest", "hypothesis"}, f"{path} imports {sorted(used)}"
    local = {n for n in imported if n.startswith("hippo_verify.testing.")}
    allowed = {f"hippo_verify.testing.{Path(m).stem}" for m in RUNTIME_TESTING_MODULES}
    for name in local:
        module = ".".join(name.split(".")[:3])
        assert module in allowed or module == "hippo_verify.testing._bounds", (
            f"{path} imports {name}, which the report may not need"
        )


def test_cli_runs_without_test_extras() -> None:
    """The regression of a fresh install: hypothesis and pytest absent, the CLI still runs."""
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TEST_EXTRAS], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("usage: hippo-verify") == 6, result.stdout
    assert result.stdout.count("exit 0") == 6, result.stdout
    assert "tolerance 0" in result.stdout and "bound = " in result.stdout, result.stdout
    assert "check 2" in result.stdout, result.stdout
    assert "pip install 'hippo-verify[test]'" in result.stderr, result.stderr
    assert "blocked: import of hypothesis halted" in result.stdout, result.stdout


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
