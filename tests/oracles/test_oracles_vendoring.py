"""``hippo_verify/oracles/mp_oracles.py`` works alone: mpmath and the standard library only.

The file is copied into a temporary directory and imported in a fresh interpreter
(``python -I``, so neither the working directory nor PYTHONPATH is on the path) whose
``sys.meta_path`` refuses hippo_verify, sympy, numpy, scipy, torch and flint. The copy runs
every public oracle family on exact inputs, refuses bad input with its *own*
``InvalidArgumentError`` (a ``ValueError`` defined in the file, since hippo_verify cannot be
imported), and prints its results as strings; they must equal, to the certified digits,
what the in-package ``hippo_verify.oracles`` functions return for the same inputs. A static
check (``ast``) confirms that the file imports nothing but mpmath and stdlib modules, apart
from the guarded optional ``hippo_verify._errors`` import.

The file is generated from ``tools/mp_oracles_parts/`` by ``tools/build_mp_oracles.py``; a
drift test checks that the committed file is exactly the parts' concatenation.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest

import hippo_verify.oracles as package_oracles
from hippo_verify.oracles import mp_oracles

SOURCE = Path(mp_oracles.__file__)
BLOCKED = ("hippo_verify", "sympy", "numpy", "scipy", "torch", "flint")
DIGITS = 30

A3 = [["-1", "1/2", "0"], ["1/3", "-2", "1/4"], ["0", "1/5", "-3"]]  # dense, not triangular
A3_LOWER = [["-1", "0", "0"], ["-1/2", "-2", "0"], ["1/3", "-1/4", "-3"]]
B3 = ["1", "1/2", "-1/3"]
C3 = ["1/2", "1", "-1"]
DT = "1/10"

#: name -> (oracle, positional args, keyword args); "<f>" stands for the signal below.
CASES = {
    "ssm_kernel": ("ssm_kernel", [A3, B3, C3, 8], {"dt": DT, "method": "bilinear"}),
    "ssm_kernel_zoh_triangular": ("ssm_kernel", [A3_LOWER, B3, C3, 8], {"dt": DT, "method": "zoh"}),
    "diag_kernel": (
        "diag_kernel",
        [["-1/2+1j", "-1/10+3j"], ["1", "1/2"], ["1/3-1j", "2"], 8],
        {"dt": DT},
    ),
    "rtf_kernel_aliased": ("rtf_kernel", [["-1/2", "1/8"], ["1", "1/3"], 8], {"aliased": True}),
    "rtf_kernel_impulse": ("rtf_kernel", [["-1/2", "1/8"], ["1", "1/3"], 8], {"aliased": False}),
    "dplr_kernel": (
        "dplr_kernel",
        [
            ["-1/2+1j", "-1/2-1j", "-1"],
            ["1/2", "1/3", "1/4"],
            ["1/5", "1/6", "1/7"],
            ["1", "1/2", "1/3"],
            ["1/3", "-1", "1/2+1/4j"],
            8,
        ],
        {"dt": DT},
    ),
    "discretize_zoh": ("discretize", [A3, B3, DT, "zoh"], {}),
    "continuous_kernel": ("continuous_kernel", [A3, B3, C3, ["1/2", "1", "2"]], {}),
    "hippo_projection_legs": ("hippo_projection", ["legs", "<f>", "2", 5], {}),
    "shift_kernel": ("shift_kernel", [["1", "1/2", "-3/4"], 5], {}),
    "causal_conv": ("causal_conv", [["1", "2", "-1/2", "0", "3"], ["1/2", "1/4", "1/8"]], {}),
    "scan": ("scan", [A3, B3, C3, ["1", "-2", "1/3", "0", "5/2"]], {}),
    "scan_complex": ("scan", [A3, ["1", "1/2-1j", "2j"], C3, ["1", "-1/2+1j", "3"]], {}),
    "h3_ssm": (
        "h3_ssm",
        [
            ["1", "-1/2", "2", "1/3"],
            ["1/2", "1", "-1", "2"],
            ["1", "1/4", "-3", "1/2"],
            ["1", "-1/2", "1/4"],
            ["-1/2+1j", "-1/10+3j"],
            ["1", "1/2"],
            ["1/3-1j", "2"],
        ],
        {"dt": DT},
    ),
    "rtf_impulse_response": ("rtf_impulse_response", [["-1/2", "1/8"], ["1", "1/3"], 8], {}),
    "rtf_recurrence": (
        "rtf_recurrence",
        [["-1/2", "1/8"], ["1", "1/3"], ["1", "-2", "1/2", "3"]],
        {"L": 8},
    ),
}

#: label -> (oracle, args, kwargs, expected error class name); each must be refused.
BAD_CASES = {
    "zero step": ("ssm_kernel", [A3, B3, C3, 8], {"dt": "0"}, "InvalidArgumentError"),
    "unknown method": ("ssm_kernel", [A3, B3, C3, 8], {"dt": DT, "method": "rk4"}, None),
    "non-square A": ("discretize", [[["1", "2"]], ["1"], DT], {}, None),
    "B too short": ("diag_kernel", [["-1"], ["1", "2"], ["1"], 4], {"dt": DT}, None),
    "aliased d >= L": ("rtf_kernel", [["1/2", "1/4", "1/8"], ["1", "1", "1"], 3], {}, None),
    "unknown measure": ("hippo_projection", ["legx", "<f>", "1", 3], {}, None),
    "NaN input": ("shift_kernel", [[float("nan")], 2], {}, None),
    "L not an int": ("shift_kernel", [["1"], "2"], {}, "InvalidTypeError"),
    "dt bool": (
        "h3_ssm",
        [["1"], ["1"], ["1"], ["1"], ["0"], ["1"], ["1"]],
        {"dt": True},
        "InvalidTypeError",
    ),
    "scan u empty": ("scan", [A3, B3, C3, []], {}, None),
    "len(u) > L": ("rtf_recurrence", [["1/2"], ["1"], ["1", "2", "3"]], {"L": 2}, None),
}


def signal(s, ctx):
    """The signal of the projection case (computes in the oracle's context)."""
    return ctx.exp(-s) + s**2


# The child: block the heavy/optional packages, import the copy, run CASES, print JSON.
CHILD = r"""
import importlib.abc, json, sys

BLOCKED = set(sys.argv[2].split(","))


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in the vendoring test")
        return None


sys.meta_path.insert(0, Refuse())
report = {"preloaded": sorted(BLOCKED & {m.partition(".")[0] for m in sys.modules})}
probes = {}
for name in sorted(BLOCKED):
    try:
        __import__(name)
        probes[name] = "imported"
    except ImportError:
        probes[name] = "refused"
report["probes"] = probes

sys.path.insert(0, sys.argv[1])
import mpmath
import mp_oracles as mo

report["file"] = mo.__file__
report["errors_module"] = mo.InvalidArgumentError.__module__
report["errors_bases"] = [
    issubclass(mo.InvalidArgumentError, ValueError),
    issubclass(mo.InvalidTypeError, TypeError),
    issubclass(mo.CertificationError, ArithmeticError),
]
spec = json.loads(sys.stdin.read())


def signal(s, ctx):
    return ctx.exp(-s) + s**2


def call(fn, args, kwargs):
    args = [signal if a == "<f>" else a for a in args]
    return getattr(mo, fn)(*args, **kwargs)


results = {}
for name, (fn, args, kwargs) in spec["cases"].items():
    r = call(fn, args, dict(kwargs, digits=spec["digits"]))
    results[name] = {"digits": r.digits, "strings": r.strings(), "method": r.method}
report["results"] = results
refusals = {}
for label, (fn, args, kwargs, _) in spec["bad"].items():
    try:
        call(fn, args, kwargs)
        refusals[label] = None
    except Exception as error:
        refusals[label] = [type(error).__module__, type(error).__name__]
report["refusals"] = refusals
report["global_prec"] = mpmath.mp.prec
report["loaded_after"] = sorted(BLOCKED & {m.partition(".")[0] for m in sys.modules})
print(json.dumps(report))
"""


def _call(module, fn, args, kwargs):
    args = [signal if a == "<f>" else a for a in args]
    return getattr(module, fn)(*args, **kwargs)


@pytest.fixture(scope="module")
def vendored(tmp_path_factory) -> tuple[Path, dict]:
    """The copied file and the JSON report of the isolated child that ran it."""
    directory = tmp_path_factory.mktemp("vendored")
    copy = directory / "mp_oracles.py"
    shutil.copyfile(SOURCE, copy)
    spec = {"cases": CASES, "bad": BAD_CASES, "digits": DIGITS}  # json keeps NaN
    run = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, str(directory), ",".join(BLOCKED)],
        input=json.dumps(spec),
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return copy, json.loads(run.stdout)


# ---------------------------------------------------------------------------------------
# The child really ran the copy, without the blocked packages
# ---------------------------------------------------------------------------------------


def test_child_ran_the_copy_in_isolation(vendored):
    copy, report = vendored
    assert report["preloaded"] == []
    assert report["probes"] == dict.fromkeys(sorted(BLOCKED), "refused")
    assert Path(report["file"]).resolve() == copy.resolve()
    assert report["loaded_after"] == []
    assert report["global_prec"] == 53  # the oracles never touch mpmath.mp


def test_copy_defines_its_own_errors(vendored):
    _, report = vendored
    assert report["errors_module"] == "mp_oracles"
    assert report["errors_bases"] == [True, True, True]


@pytest.mark.parametrize("label", list(BAD_CASES))
def test_copy_refuses_bad_input_with_its_own_errors(vendored, label):
    _, report = vendored
    expected = BAD_CASES[label][3] or "InvalidArgumentError"
    assert report["refusals"][label] == ["mp_oracles", expected]


def test_package_refuses_the_same_bad_input():
    """The in-package functions refuse the same inputs with hippo_verify's classes."""
    from hippo_verify._errors import InvalidArgumentError, InvalidTypeError

    classes = {"InvalidArgumentError": InvalidArgumentError, "InvalidTypeError": InvalidTypeError}
    for label, (fn, args, kwargs, expected) in BAD_CASES.items():
        with pytest.raises(classes[expected or "InvalidArgumentError"]):
            _call(package_oracles, fn, args, kwargs)


# ---------------------------------------------------------------------------------------
# Same values as the package, to the certified digits
# ---------------------------------------------------------------------------------------

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_COMPLEX = re.compile(rf"^({_NUMBER})([+-](?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)j$")


def _parse(ctx, text: str):
    match = _COMPLEX.match(text)
    if match:
        return ctx.mpc(ctx.mpf(match.group(1)), ctx.mpf(match.group(2)))
    return ctx.mpf(text)


def _parts(strings: list) -> list[list[str]]:
    """A result's strings as parts (flat lists), the unit of the certified max-norm."""
    if isinstance(strings[0], list):  # discretize: (Ab rows, Bb)
        rows, Bb = strings
        return [[v for row in rows for v in row], Bb]
    return [strings]


@pytest.mark.parametrize("name", list(CASES))
def test_copy_values_equal_package_values(vendored, name):
    _, report = vendored
    got = report["results"][name]
    fn, args, kwargs = CASES[name]
    expected = _call(package_oracles, fn, args, dict(kwargs, digits=DIGITS))
    assert got["digits"] >= DIGITS
    assert expected.digits >= DIGITS
    assert got["method"] == expected.method
    # Same code at the same precisions: the same bits, so the printed strings coincide.
    assert got["digits"] == expected.digits
    assert got["strings"] == json.loads(json.dumps(expected.strings()))
    # And, independently of the string format, agreement to the certified digits.
    ctx = mpmath.MPContext()
    ctx.prec = 400
    tolerance = ctx.mpf(10) ** -min(got["digits"], expected.digits)
    for part_got, part_expected in zip(
        _parts(got["strings"]), _parts(json.loads(json.dumps(expected.strings())))
    ):
        values_got = [_parse(ctx, v) for v in part_got]
        values_expected = [_parse(ctx, v) for v in part_expected]
        scale = max(abs(v) for v in values_expected)
        diff = max(abs(a - b) for a, b in zip(values_got, values_expected))
        assert diff <= tolerance * scale, (name, diff, scale)


# ---------------------------------------------------------------------------------------
# Static check: the file imports only mpmath and the standard library
# ---------------------------------------------------------------------------------------


def _guarded_by_import_error(node: ast.AST, parents: dict) -> bool:
    """True if node sits in the body of a ``try`` whose handler catches ImportError."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Try) and child in parent.body:
            for handler in parent.handlers:
                names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                if any(
                    isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"}
                    for n in names
                ):
                    return True
        child, parent = parent, parents.get(parent)
    return False


def test_copy_imports_only_mpmath_and_stdlib(vendored):
    copy, _ = vendored
    tree = ast.parse(copy.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    allowed = set(sys.stdlib_module_names) | {"mpmath"}
    modules, optional = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in a single-file module"
            names = [node.module]
        else:
            continue
        for name in names:
            if name.partition(".")[0] in allowed:
                modules.append(name)
            else:
                assert name == "hippo_verify._errors", name
                assert _guarded_by_import_error(node, parents), "unguarded hippo_verify import"
                optional.append(name)
    assert "mpmath" in {m.partition(".")[0] for m in modules}
    assert optional  # the guarded import is there (and is the only exception)
    # dynamic imports would escape this check
    source = copy.read_text(encoding="utf-8")
    assert "__import__" not in source and "importlib" not in source


# ---------------------------------------------------------------------------------------
# Drift: the committed file is the concatenation of tools/mp_oracles_parts/, byte for byte
# ---------------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDER = REPO_ROOT / "tools" / "build_mp_oracles.py"


@pytest.fixture(scope="module")
def builder():
    """tools/build_mp_oracles.py as a module (tools/ is not a package and is not installed)."""
    if not BUILDER.is_file():
        pytest.skip(f"{BUILDER.relative_to(REPO_ROOT)} absent (installed package without the repo)")
    spec = importlib.util.spec_from_file_location("_build_mp_oracles", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_file_matches_parts(builder):
    """Edit tools/mp_oracles_parts/*, then run ``python tools/build_mp_oracles.py``."""
    expected = builder.build()
    actual = builder.TARGET.read_bytes()
    assert actual == expected, (
        f"{builder.TARGET.relative_to(REPO_ROOT)} differs from tools/mp_oracles_parts/; "
        "edit the parts and run `python tools/build_mp_oracles.py`.\n"
        + builder.diff(expected, actual)[:4000]
    )


def test_parts_follow_the_table_of_contents(builder):
    """Part NN (1 <= NN <= the last numbered section) starts with its section's ``# NN.`` line."""
    sections = [int(n) for n in re.findall(r"^(\d+)\. ", mp_oracles.__doc__, re.MULTILINE)]
    assert sections == list(range(1, len(sections) + 1))
    numbered = {int(p.name[:2]): p for p in builder.part_paths()}
    for n in sections:
        assert n in numbered, f"no part for section {n}"
        first = numbered[n].read_text(encoding="utf-8").partition("\n")[0]
        assert first.startswith(f"# {n}. "), (numbered[n].name, first)
