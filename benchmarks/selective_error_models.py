"""Measure the selective scans' error models: err / (u g) per algorithm and dtype.

For every registered selective-scan algorithm (``selective-scan-*``, ``ssd-*``, ``s5-*``)
and every dtype of its model, the kernel's max relative error (global max-norm) against the
certified oracle, on

* ``--examples`` inputs drawn from the registry's strategy (seeded), and
* longer Mamba-like configurations (L up to 2048, the report's canonical cases).

It prints, per algorithm and dtype, the worst ``err / (u(compute) g)`` for float64/float32,
and for bfloat16/float16 the worst ``(err - r u(dtype)) / (u(float32) g)`` (the float32
part of the mixed-precision bound) and the worst ``err / u(dtype)``. The constants in
``hippo_verify/testing/_bounds/selective.py`` quote these numbers.

Run: ``python benchmarks/selective_error_models.py [--examples 200] [--long]``
"""

from __future__ import annotations

import argparse
import warnings
from collections import defaultdict

import torch
from hypothesis import HealthCheck, given, seed, settings

from hippo_verify.report._selective_cases import selective_cases
from hippo_verify.testing import ALGORITHMS, compare_kernel, unit_roundoff
from hippo_verify.testing._assertions import underflow_floor

NAMES = [n for n in ALGORITHMS if n.startswith(("selective-scan", "ssd", "s5"))]


def name_of(key: tuple) -> str:
    return key[0]


def _ratios(record, inputs, worst, where) -> None:
    oracle = record.run_oracle(inputs)
    cond = record.condition_of(inputs)
    N = record.state_size(inputs)
    for dtype in record.dtypes:
        if dtype.is_complex or not record.accepts(inputs, dtype):
            continue
        actual = record.run_kernel(inputs, dtype)
        comparison = compare_kernel(actual.to(torch.float64), oracle, algorithm=None)
        err = comparison.max_relative
        compute = record.model.compute_dtype(dtype)
        growth = record.model.growth(len(oracle.values), N, cond)
        key = (record.name, str(dtype).removeprefix("torch."))
        floor = underflow_floor(dtype) / float(comparison.scale)
        if compute == dtype:
            ratio = max(0.0, err - floor) / (unit_roundoff(dtype) * growth)
            extra = ""
        else:
            part = max(0.0, err - record.model.output_rounding * unit_roundoff(dtype) - floor)
            ratio = part / (unit_roundoff(compute) * growth)
            extra = f" err/u = {err / unit_roundoff(dtype):.3f}"
            rounding = (name_of(key) + " output", key[1])
            if err / unit_roundoff(dtype) > worst[rounding][0]:
                worst[rounding] = (err / unit_roundoff(dtype), f"{where}: err/u(dtype)")
        if ratio >= worst[key][0]:
            worst[key] = (ratio, f"{where}: cond {cond:.3g}, err {err:.3g}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--long", action="store_true", help="also the report's full cases")
    parser.add_argument("--only", default="", help="algorithms whose name starts with this")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    worst: dict = defaultdict(lambda: (0.0, ""))
    for name in NAMES:
        if not name.startswith(args.only):
            continue
        _draw(ALGORITHMS[name], args.examples, worst)
    for case in selective_cases(quick=not args.long):
        if case.algorithm.name.startswith(args.only):
            _ratios(case.algorithm, case.inputs(), worst, f"case {case.key}")
    for (name, dtype), (ratio, where) in sorted(worst.items()):
        print(f"{name:28s} {dtype:9s} worst ratio {ratio:8.4f}   {where[:240]}")


def _draw(record, examples, worst) -> None:
    @seed(1)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(record.strategy())
    def run(inputs):
        if record.condition_of(inputs) == float("inf"):
            return  # an identically zero output has no relative error
        _ratios(record, inputs, worst, "drawn " + repr(inputs)[:300])

    run()


if __name__ == "__main__":
    main()
