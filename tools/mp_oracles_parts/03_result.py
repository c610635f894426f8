# 3. Result -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OracleResult:
    """A certified reference value.

    Attributes:
        family: Which oracle produced it (``"ssm_kernel"``, ...).
        values: The result: a list of mpmath numbers (kernels), or a tuple of nested lists
            for results with several parts (``discretize`` returns (Ab, Bb)). Numbers are
            exact copies of the working-precision values (``mpmath.mp.make_mpf``), so they
            keep all their bits whatever the global mpmath precision is.
        digits: Certified significant decimal digits, relative to the max-norm of each part
            (max |v|): every entry is within 10^-digits * max|v| of the true value.
        prec: Working precision of ``values``, in bits.
        method: The algorithm, e.g. ``"bilinear/triangular-eigen"``.
        params: The parameters the value depends on (used for golden-data export).
        notes: Facts a user must know (e.g. an unstable denominator).
        stable: For kernels of a recurrence, whether it is stable (None if not decided).

    A result has no truth value: ``bool(result)`` raises TypeError, since
    ``assert result`` would pass for any kernel (test ``result.digits`` or ``result.stable``).
    """

    family: str
    values: Any
    digits: int
    prec: int
    method: str
    params: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    stable: bool | None = None

    def __len__(self) -> int:
        return len(self.values)

    def __bool__(self) -> bool:
        raise TypeError(
            "an OracleResult has no truth value; test result.digits >= n, result.stable is "
            "True, or len(result)"
        )

    def __getitem__(self, index: Any) -> Any:
        return self.values[index]

    def strings(self, digits: int | None = None) -> Any:
        """The values as decimal strings (complex: ``"x+yj"``), nested like ``values``.

        Arguments:
            digits: significant digits per number (default: certified + 5).
        Returns:
            The same nesting as ``values`` with strings.
        """
        n = (self.digits + 5) if digits is None else digits
        return map_nested(self.values, lambda v: _to_string(v, n))

    def floats(self) -> Any:
        """The values rounded to the nearest Python float / complex.

        Returns:
            The same nesting as ``values`` with floats (complex for mpc).
        """
        return map_nested(self.values, _to_python_number)


def map_nested(values: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn`` applied to every leaf of nested lists/tuples.

    Arguments:
        values: a leaf, or nested lists/tuples of leaves; fn: a one-argument function.
    Returns:
        The same nesting (tuples stay tuples) with ``fn(leaf)`` at each leaf.
    Raises:
        What ``fn`` raises.
    """
    if isinstance(values, (list, tuple)):
        out = [map_nested(v, fn) for v in values]
        return tuple(out) if isinstance(values, tuple) else out
    return fn(values)


def _to_string(value: Any, n: int) -> str:
    if isinstance(value, mpmath.mpc):
        re_s = mpmath.libmp.to_str(value._mpc_[0], n)
        im_s = mpmath.libmp.to_str(value._mpc_[1], n)
        sign = "" if im_s.startswith("-") else "+"
        return f"{re_s}{sign}{im_s}j"
    return mpmath.libmp.to_str(value._mpf_, n)


def _to_python_number(value: Any) -> Any:
    """Round to the nearest float / complex (mpmath's ``to_float`` defaults to rounding down)."""
    if isinstance(value, mpmath.mpc):
        real, imag = value._mpc_
        return complex(mpmath.libmp.to_float(real, rnd="n"), mpmath.libmp.to_float(imag, rnd="n"))
    return mpmath.libmp.to_float(value._mpf_, rnd="n")


