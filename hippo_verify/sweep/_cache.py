"""A content-addressed, on-disk cache of oracle results, as JSON (never pickle).

An entry's key is the SHA-256 of (oracle family, the SHA-256 of the exact inputs'
canonical JSON, the digits asked for,
whether the result is flattened, the oracle version). The oracle version is the SHA-256 of
the oracle layer's source files and mpmath's version, so any change to the oracles makes a
new key space. Each entry is a header line (its key, its version, the SHA-256 of the rest)
and the payload;
``get`` returns None (and the result is recomputed and rewritten) when the file is missing,
unreadable, not JSON, from another schema or version, under another key, or fails its
checksum: a cached value is never trusted on its path alone. ``put`` writes a temporary
file in the same directory and renames it over the entry (``os.replace`` is atomic), so
concurrent writers of the same entry leave one whole copy, never a mix.

Numbers are stored exactly: an mpf as its raw (sign, mantissa, exponent, bitcount) tuple,
an mpc as two of them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mpmath

from .. import oracles
from ..oracles import OracleResult

__all__ = ["CACHE_SCHEMA", "OracleCache", "canonical_json", "inputs_hash", "oracle_version"]

CACHE_SCHEMA = 1


def _jsonable(value: Any) -> Any:
    """Inputs as JSON values: complex numbers as {"re", "im"}, tuples as lists."""
    if isinstance(value, complex):
        return {"re": value.real, "im": value.imag}
    if isinstance(value, Mapping):
        return {str(name): _jsonable(v) for name, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """One text per value (sorted keys, no spaces; floats in Python's exact repr)."""
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), allow_nan=False)


def inputs_hash(inputs: Mapping[str, Any]) -> str:
    """SHA-256 of the inputs' canonical JSON (the provenance of every sweep point)."""
    return hashlib.sha256(canonical_json(inputs).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def oracle_version() -> str:
    """SHA-256 of the oracle layer's sources (``hippo_verify/oracles/**/*.py``) and of
    mpmath's version: the cache's notion of "the same oracle"."""
    digest = hashlib.sha256(f"mpmath {mpmath.__version__}\n".encode())
    root = Path(oracles.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\n")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, mpmath.mpf):
        return {"f": [int(p) for p in value._mpf_]}  # gmpy2's mpz -> int
    if isinstance(value, mpmath.mpc):
        re, im = value._mpc_
        return {"c": [[int(p) for p in re], [int(p) for p in im]]}
    if isinstance(value, tuple):
        return {"t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot cache a {type(value).__name__} oracle value")


def _raw(parts: Any) -> tuple:
    """The raw mpf tuple (sign, mantissa, exponent, bitcount), mantissa in mpmath's type."""
    sign, man, exp, bc = parts
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        raise ValueError("not an mpf")
    return (sign, mpmath.libmp.MPZ(man), exp, bc)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "f":
            return mpmath.mp.make_mpf(_raw(body))
        if tag == "c":
            return mpmath.mp.make_mpc((_raw(body[0]), _raw(body[1])))
        if tag == "t":
            return tuple(_decode(v) for v in body)
    raise ValueError(f"not an encoded oracle value: {str(value)[:40]}")


class OracleCache:
    """Oracle results under ``root`` (one JSON file per entry, ``root/ab/abcd....json``).

    Attributes:
        hits, misses, rejected: counts since creation (``rejected``: entries found on disk
            but not trusted: corrupt, another version or another key).
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.hits = self.misses = self.rejected = 0

    def key(self, family: str, inputs: Mapping[str, Any] | str, digits: int, flat: bool) -> str:
        """SHA-256 naming the oracle result of these exact inputs (or their ``inputs_hash``),
        digits and oracle version."""
        text = canonical_json(
            {
                "family": family,
                "inputs_sha256": inputs if isinstance(inputs, str) else inputs_hash(inputs),
                "digits": digits,
                "flat": flat,
                "oracle_version": oracle_version(),
            }
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> OracleResult | None:
        """The cached result under ``key``, or None when absent or not trustworthy."""
        path = self.path(key)
        try:
            header_text, payload = path.read_bytes().split(b"\n", 1)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            return self._reject()
        try:
            header = json.loads(header_text)
            valid = (
                header["schema"] == CACHE_SCHEMA
                and header["key"] == key
                and header["oracle_version"] == oracle_version()
                and header["checksum"] == hashlib.sha256(payload).hexdigest()
            )
            if not valid:
                return self._reject()
            result = json.loads(payload)
            oracle = OracleResult(
                family=str(result["family"]),
                values=_decode(result["values"]),
                digits=int(result["digits"]),
                prec=int(result["prec"]),
                method=str(result["method"]),
                notes=tuple(str(n) for n in result["notes"]),
                stable=result["stable"],
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return self._reject()
        self.hits += 1
        return oracle

    def _reject(self) -> None:
        self.rejected += 1
        self.misses += 1
        return None

    def put(self, key: str, result: OracleResult) -> Path:
        """Write ``result`` under ``key`` atomically (temporary file + ``os.replace``).

        The file is a header line (schema, key, oracle version, SHA-256 of the rest) and
        the payload (the result as JSON)."""
        payload = json.dumps(
            {
                "family": result.family,
                "values": _encode(result.values),
                "digits": result.digits,
                "prec": result.prec,
                "method": result.method,
                "notes": list(result.notes),
                "stable": result.stable,
            },
            separators=(",", ":"),
        ).encode()
        header = {
            "schema": CACHE_SCHEMA,
            "key": key,
            "oracle_version": oracle_version(),
            "checksum": hashlib.sha256(payload).hexdigest(),
        }
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(json.dumps(header).encode() + b"\n" + payload)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target
