"""The oracle cache: exact round trip; corrupt, tampered or other-version entries are
recomputed, never trusted; concurrent writers leave a whole entry."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import mpmath
import pytest

from hippo_verify.oracles import OracleResult
from hippo_verify.sweep import OracleCache, build_inputs
from hippo_verify.sweep._inputs import axes_of
from hippo_verify.sweep._task import oracle_for
from hippo_verify.testing import ALGORITHMS

DIGITS = 30


def _setup(cache_dir: Path, name: str = "vandermonde"):
    algorithm = ALGORITHMS[name]
    params = {"N": 2, "L": 8, "dt": 0.01, "margin": 1, "seed": 0}
    inputs = build_inputs(
        algorithm, {k: v for k, v in params.items() if k in (*axes_of(algorithm), "seed")}
    )
    cache = OracleCache(cache_dir)
    key = cache.key(algorithm.oracle.__name__, inputs, DIGITS, algorithm.flat_output)
    return algorithm, inputs, cache, key


def _same(a: OracleResult, b: OracleResult) -> bool:
    """Bit-identical values (mpf/mpc compared exactly) and metadata."""

    def flat(v):
        return [x for item in v for x in flat(item)] if isinstance(v, (list, tuple)) else [v]

    values_a, values_b = flat(a.values), flat(b.values)
    return (
        len(values_a) == len(values_b)
        and all(type(x) is type(y) and x == y for x, y in zip(values_a, values_b))
        and (a.family, a.digits, a.prec, a.method) == (b.family, b.digits, b.prec, b.method)
    )


def test_round_trip_is_exact_and_warm_cache_computes_nothing(cache_dir: Path, monkeypatch) -> None:
    algorithm, inputs, cache, key = _setup(cache_dir)
    first, state, _ = oracle_for(algorithm, inputs, DIGITS, cache)
    assert state == "miss" and cache.path(key).is_file()
    direct = algorithm.run_oracle(inputs, digits=DIGITS)  # independent of the cache
    assert _same(first, direct)
    calls = []
    monkeypatch.setattr(type(algorithm), "run_oracle", lambda *a, **k: calls.append(1))
    again, state, _ = oracle_for(algorithm, inputs, DIGITS, OracleCache(cache_dir))
    assert state == "hit" and calls == [] and _same(again, direct)


def test_tuple_values_round_trip(cache_dir: Path) -> None:
    """discretize's (Ab, Bb) parts, real values, extreme exponents, zero, negative."""
    result = OracleResult(
        "discretize",
        (
            [[mpmath.mpf("1e-300"), mpmath.mpf(0)], [mpmath.mpf(-3) / 7, mpmath.mpf(2) ** 900]],
            [mpmath.mpc("0.1", "-2.5")],
        ),
        30,
        128,
        "test",
    )
    cache = OracleCache(cache_dir)
    cache.put("ab" * 32, result)
    assert _same(cache.get("ab" * 32), result)


def _corrupt_garbage(path: Path) -> None:
    path.write_text("\x00garbage{", encoding="utf-8")


def _corrupt_truncate(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def _parts(path: Path) -> tuple[dict, dict]:
    header, payload = path.read_text(encoding="utf-8").split("\n", 1)
    return json.loads(header), json.loads(payload)


def _write(path: Path, header: dict, payload: dict) -> None:
    path.write_text(json.dumps(header) + "\n" + json.dumps(payload), encoding="utf-8")


def _tamper_value(path: Path) -> None:
    """Valid JSON, one mantissa changed: only the checksum can tell."""
    header, payload = _parts(path)
    payload["values"][0]["f"][1] += 2
    _write(path, header, payload)


def _other_version(path: Path) -> None:
    """An entry from another oracle version under this key (its payload intact)."""
    text = path.read_text(encoding="utf-8")
    header, payload = text.split("\n", 1)
    entry = json.loads(header)
    entry["oracle_version"] = "0" * 64
    path.write_text(json.dumps(entry) + "\n" + payload, encoding="utf-8")


def _other_key(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header, payload = text.split("\n", 1)
    entry = json.loads(header)
    entry["key"] = "f" * 64
    path.write_text(json.dumps(entry) + "\n" + payload, encoding="utf-8")


@pytest.mark.parametrize(
    "damage", [_corrupt_garbage, _corrupt_truncate, _tamper_value, _other_version, _other_key]
)
def test_untrusted_entry_is_recomputed_and_rewritten(cache_dir: Path, damage) -> None:
    algorithm, inputs, cache, key = _setup(cache_dir, "rtf-impulse")
    direct = algorithm.run_oracle(inputs, digits=DIGITS)
    oracle_for(algorithm, inputs, DIGITS, cache)
    damage(cache.path(key))
    fresh = OracleCache(cache_dir)
    assert fresh.get(key) is None and fresh.rejected == 1
    result, state, _ = oracle_for(algorithm, inputs, DIGITS, fresh)
    assert state == "miss" and _same(result, direct)
    assert _same(OracleCache(cache_dir).get(key), direct)  # the entry is whole again


def test_key_depends_on_inputs_digits_and_family(cache_dir: Path) -> None:
    algorithm, inputs, cache, key = _setup(cache_dir)
    assert cache.key("diag_kernel", inputs, 40, False) != key
    assert cache.key("h3_diag_kernel", inputs, DIGITS, False) != key
    nudged = {**inputs, "dt": inputs["dt"] * (1 + 2**-52)}  # one ulp
    assert cache.key("diag_kernel", nudged, DIGITS, False) != key


def test_concurrent_writers_leave_one_whole_entry(cache_dir: Path) -> None:
    algorithm, inputs, cache, key = _setup(cache_dir)
    result = algorithm.run_oracle(inputs, digits=DIGITS)
    errors = []

    def write() -> None:
        try:
            for _ in range(20):
                OracleCache(cache_dir).put(key, result)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _same(OracleCache(cache_dir).get(key), result)
    assert [p.name for p in cache.path(key).parent.iterdir()] == [cache.path(key).name]
