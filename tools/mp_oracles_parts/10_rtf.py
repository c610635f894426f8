# 10. Public oracles: RTF (rational transfer function, seed 002 conventions) ------------


def rtf_args(a: Any, b: Any) -> tuple[list, list]:
    """(a, b) of an RTF oracle, read exactly (conventions of ``rtf_kernel``).

    Arguments:
        a: (a_1, ..., a_d); b: (b_1, ..., b_d); real.
    Returns:
        Two lists of exact scalars.
    Raises:
        InvalidArgumentError / InvalidTypeError: unreadable, lengths differ, complex.
    """
    a, b = exact_vector("a", a), exact_vector("b", b)
    if len(a) != len(b):
        raise InvalidArgumentError(f"a and b must both have d entries; got {len(a)} and {len(b)}")
    if not _system_is_real([a, b]):
        raise InvalidArgumentError(
            "a and b must be real (the RTF oracle works with real coefficients)"
        )
    return a, b


#: ``_impulse_response`` uses the packed series division when deg a >= this and L >=
#: ``_SERIES_MIN_L``: below, the recurrence's L min(d, L) products cost less than the
#: division's packing. Measured at 160 bits with gmpy2: equal at d = 64, L = 256, the
#: division 1.9x faster at d = 64, L = 4096 and 4x at d = 256, 3x slower at d <= 4.
#: Without gmpy2 (Python's Karatsuba for the long products): 2x slower at d = 64,
#: L = 1024, 1.5x faster at L = 4096.
_SERIES_MIN_DEGREE = 48
_SERIES_MIN_L = 256 if mpmath.libmp.BACKEND == "gmpy" else 4096


def _impulse_response(numerator: list[int], a: list[int], L: int, s: int) -> list[int]:
    """h_k = n_k - sum_{i=1}^{min(k,d)} a_i h_{k-i}, k < L: the power series of n(z)/a(z),
    fixed point at scale 2^-s, by the recurrence or (large d and L) the packed series
    division ``_series_quotient``: the two differ by rounding only, which the
    two-precision certificate measures."""
    if len(a) >= _SERIES_MIN_DEGREE and L >= _SERIES_MIN_L:
        return _series_quotient(numerator, a, L, s)
    return _impulse_recurrence(numerator, a, L, s)


def _impulse_recurrence(numerator: list[int], a: list[int], L: int, s: int) -> list[int]:
    """h_k = n_k - sum_{i=1}^{min(k,d)} a_i h_{k-i} step by step (one rounding a step)."""
    d, reversed_a, h = len(a), a[::-1], []
    for k in range(L):
        m = min(k, d)
        acc = sum(map(mul, reversed_a[d - m :], h[k - m : k])) >> s if m else 0
        h.append((numerator[k] if k < len(numerator) else 0) - acc)
    return h


def _series_quotient(numerator: list[int], a: list[int], L: int, s: int) -> list[int]:
    """The first L coefficients of n(z)/a(z), n truncated to L terms, at scale 2^-s.

    With H = ceil(L/2) and g = 1/a mod z^H (``_series_inverse``): h = n g mod z^H, then the
    last Newton step for the quotient itself (Karp-Markstein), h += z^H g r mod z^L with
    r = (n - a h)_k, H <= k < L. Each product coefficient is rounded once (``>> s``).
    """
    m = max((i for i, c in enumerate(a, start=1) if c), default=0)
    numerator = [int(v) for v in numerator[:L]] + [0] * max(L - len(numerator), 0)
    if m == 0:
        return numerator
    first = max((i for i, c in enumerate(numerator, start=1) if c), default=0)
    if first == 0:
        return [0] * L
    a_full, n, half = [1 << s] + [int(v) for v in a[:m]], numerator[:first], (L + 1) // 2
    g = _series_inverse(a_full, half, s)  # ints pack fastest
    h = [v >> s for v in _series_product(n, g, half)]
    if half < L:
        high = _series_product(a_full, h, L, start=half)
        rest = [((numerator[k] << s) - v) >> s for k, v in enumerate(high, start=half)]
        h += [v >> s for v in _series_product(g, rest, L - half)]
    return h


def _series_inverse(a_full: list[int], L: int, s: int) -> list[int]:
    """The first L coefficients of g = 1/a(z), a_full[0] = 2^s (a(0) = 1), at scale 2^-s.

    Newton's iteration g <- g + g (1 - a g) mod z^(2n), from g = 1: if a g = 1 mod z^n, the
    new g is exact mod z^(2n). In fixed point the residual's coefficients n .. 2n - 1 are
    e = -(a g)_k (scale 2^-s, one rounding), and g_k for n <= k < 2n becomes (g e)_{k-n}
    rounded once: the first n coefficients are kept, so every g_k carries the rounding of
    the steps that made it (about log2 L roundings, each amplified by at most sum |g_i|).
    g is packed once a step when e is no wider than a (the usual case).
    """
    g, a_bits = [a_full[0]], max(map(abs, a_full)).bit_length()
    while len(g) < L:
        n, n2 = len(g), min(2 * len(g), L)
        width = _product_width(max(map(abs, g)).bit_length() + a_bits, n)
        packed_g = _pack_bytes(g, width)
        error = [
            -(v >> s) for v in _series_product(a_full[:n2], g, n2, n, width, packed_q=packed_g)
        ]
        if max(map(abs, error)).bit_length() > a_bits:
            width, packed_g = None, None  # the error outgrew a: a wider packing
        g += [v >> s for v in _series_product(g, error, n2 - n, 0, width, packed_p=packed_g)]
    return g


def _product_width(bits: int, terms: int) -> int:
    """Field width (a multiple of 8) for a product coefficient: a sum of ``terms`` products
    each below 2^bits in modulus, plus a sign bit."""
    return 8 * ((bits + terms.bit_length() + 1) // 8 + 1)


def _series_product(
    p: list[int],
    q: list[int],
    stop: int,
    start: int = 0,
    width: int | None = None,
    packed_p: Any = None,
    packed_q: Any = None,
) -> list[int]:
    """Coefficients start .. stop - 1 of p(z) q(z), exactly: one big-int product of the
    packed coefficients (Kronecker substitution z = 2^width, width above the bits of any
    product coefficient plus a sign bit), read back from its bytes. ``packed_p`` /
    ``packed_q``: p / q already packed at ``width`` (then not truncated to ``stop`` terms:
    their terms from ``stop`` on only reach coefficients from ``stop`` on)."""
    p = p if packed_p is not None else p[:stop]
    q = q if packed_q is not None else q[:stop]
    if not p or not q:
        return [0] * (stop - start)
    if width is None:
        biggest = max(map(abs, p)).bit_length() + max(map(abs, q)).bit_length()
        width = _product_width(biggest, min(len(p), len(q)))
    packed_p = _pack_bytes(p, width) if packed_p is None else packed_p
    packed_q = _pack_bytes(q, width) if packed_q is None else packed_q
    count = len(p) + len(q) - 1
    digits = _unpack_bytes(packed_p * packed_q, count, width, start, min(stop, count))
    return digits + [0] * (stop - start - len(digits))


def _pack_bytes(values: list[int], width: int) -> Any:
    """sum_j values[j] 2^(width j) as an ``MPZ`` (values Python ints, |values[j]| <
    2^(width - 1), width a multiple of 8): each value plus 2^(width - 1) written as
    width / 8 bytes, the offset sum_j 2^(width - 1) 2^(width j) taken off once."""
    size, half = width // 8, 1 << (width - 1)
    raw = b"".join([(v + half).to_bytes(size, "little") for v in values])
    return MPZ(int.from_bytes(raw, "little")) - _half_offset(len(values), size)


def _half_offset(count: int, size: int) -> int:
    """sum_{j < count} 2^(8 size - 1) 2^(8 size j)."""
    return MPZ(int.from_bytes((bytes(size - 1) + b"\x80") * count, "little"))


def _unpack_bytes(packed: Any, count: int, width: int, start: int, stop: int) -> list[int]:
    """Signed digits start .. stop - 1 of ``packed`` = sum_{j < count} t_j 2^(width j),
    every |t_j| < 2^(width - 1), width a multiple of 8: 2^(width - 1) added to every digit
    makes them all nonnegative, so each is one field of the bytes."""
    size, half = width // 8, 1 << (width - 1)
    raw = int(packed + _half_offset(count, size)).to_bytes(count * size, "little")
    return [
        int.from_bytes(raw[i : i + size], "little") - half
        for i in range(start * size, stop * size, size)
    ]


class _QuotientRing:
    """Arithmetic modulo a(z) = 1 + a_1 z + ... + a_m z^m (a_m != 0), fixed point."""

    def __init__(self, a_full: list[int], s: int):
        self.s, self.m = s, len(a_full) - 1
        lead = a_full[-1]
        self.monic = [(c << s) // lead for c in a_full[:-1]]  # z^m = -sum monic_i z^i
        # long division by the monic M = z^m + sum monic_i z^i is the power series division
        # of the reversed polynomials by rev M = 1 + sum monic_i y^(m-i) (``_reduce_packed``)
        self.reversed_inverse, self.monic_ints = None, [int(c) for c in self.monic]
        if self.m >= _SERIES_MIN_DEGREE:
            reversed_monic = [1 << s] + self.monic_ints[::-1]
            self.reversed_inverse = _series_inverse(reversed_monic, self.m - 1, s)

    def reduce(self, poly: list[int]) -> list[int]:
        """poly mod M (M = a / a_m, monic): long division, one rounding per product."""
        poly, s, m = list(poly), self.s, self.m
        if self.reversed_inverse is not None and 8 < len(poly) - m < m:
            return self._reduce_packed(poly)
        for top in range(len(poly) - 1, m - 1, -1):
            c = poly[top]
            if c:
                for i, mi in enumerate(self.monic):
                    poly[top - m + i] -= (c * mi) >> s
        return (poly + [0] * m)[:m]

    def _reduce_packed(self, poly: list[int]) -> list[int]:
        """poly mod M for m < len(poly) < 2m: the quotient Q (n - m terms) is
        rev(poly)_{< n-m} / rev M, its coefficients the ones long division makes; then
        poly mod M = poly_{< m} - (Q monic)_{< m} (M's z^m term only reaches z^m and up).
        Two packed products instead of (n - m) m rounded steps."""
        s, m, count = self.s, self.m, len(poly) - self.m
        top = [int(v) for v in poly[: m - 1 : -1][:count]]
        quotient = [v >> s for v in _series_product(top, self.reversed_inverse, count)][::-1]
        low = _series_product(quotient, self.monic_ints, m)
        return [p - (v >> s) for p, v in zip(poly[:m], low)]

    def multiply(self, p: list[int], q: list[int]) -> list[int]:
        """p q mod a: the product exactly by one big-int product of the packed
        coefficients (Kronecker substitution, ``_series_product``), rounded and reduced."""
        prod = _series_product([int(v) for v in p], [int(v) for v in q], len(p) + len(q) - 1)
        return self.reduce([v >> self.s for v in prod])

    def power_of_z(self, exponent: int) -> list[int]:
        """z^exponent mod a, left to right: a square per bit, a shift for each 1 bit."""
        result = self.reduce([MPZ(1) << self.s])
        for bit in bin(exponent)[2:]:
            result = self.multiply(result, result)
            if bit == "1":
                result = self.reduce([0] + result)
        return result


def _divide(b: list[int], a_full: list[int], s: int) -> tuple[list[int], list[int]]:
    """b = q a + r with deg r < deg a (fixed-point long division)."""
    m, lead, r = len(a_full) - 1, a_full[-1], list(b)
    q = [0] * max(len(b) - m, 0)
    for top in range(len(b) - 1, m - 1, -1):
        coef = (r[top] << s) // lead
        q[top - m] = coef
        for i, ai in enumerate(a_full):
            r[top - m + i] -= (coef * ai) >> s
    return q, r[:m]


def _aliased_response(b: list[int], a: list[int], L: int, s: int, stable: bool) -> list[int]:
    """The length-L solution k of k * a_pad = b_pad (cyclic), without any DFT.

    With b = q a + r (deg r < m = deg a): k = q + trunc_L(N/a) where
    N = r (1 - z^{-L})^{-1} mod a (z is invertible mod a because a(0) = 1). Proof:
    N/a = trunc_L(N/a) + z^L R/a with R = z^{-L} N mod a, so
    trunc_L(N/a) a = N - z^L R = N - R = r mod (z^L - 1), and N - R has degree < m.
    1 - z^{-L} is invertible mod a iff a has no root at an L-th root of unity.
    Conditioning: for a stable a the poles (roots of rev(a)(y) = y^m a(1/y), monic) are
    inside the disk, so y^L = z^{-L} is small in Q[y]/(rev a), where reduction by a monic
    polynomial with small coefficients does not amplify rounding; rev maps e to y^{m-1} e.
    Otherwise the form N (z^L - 1) = r z^L mod a is used.
    """
    m = max((i for i, c in enumerate(a, start=1) if c), default=0)
    if m == 0:
        return (b + [0] * L)[:L]
    one = MPZ(1) << s
    a_full = [one] + a[:m]
    q, r = _divide(b, a_full, s)
    ring = _QuotientRing(a_full, s)
    if stable:  # in y = 1/z: rev(N) (1 - y^L) = rev(r) mod the monic rev(a), y^L small
        ring = _QuotientRing(a[:m][::-1] + [one], s)
        w = ring.power_of_z(L)
        factor, target = [one - w[0]] + [-c for c in w[1:]], (r + [0] * m)[:m][::-1]
    else:  # N (z^L - 1) = r z^L mod a; a's roots are inside the disk, so z^L is small
        w = ring.power_of_z(L)
        factor, target = [w[0] - one] + w[1:], ring.multiply(r, w)
    inverse = _neumann_inverse(ring, w, s)
    if inverse is None:
        numerator = _solve_in_ring(ring, factor, target, s)
    else:  # factor = 1 - w (stable) or -(1 - w)
        numerator = ring.multiply(target, inverse)
        numerator = numerator if stable else [-v for v in numerator]
    if stable:
        numerator = numerator[::-1]
    h = _impulse_response(numerator, a, L, s)
    return [v + (q[k] if k < len(q) else 0) for k, v in enumerate(h)]


#: Squarings tried by ``_neumann_inverse`` before the m x m solve.
_NEUMANN_STEPS = 8


def _neumann_inverse(ring: _QuotientRing, w: list[int], s: int) -> list[int] | None:
    """(1 - w)^{-1} in the ring as (1 + w)(1 + w^2)(1 + w^4)..., or None if the powers
    w^(2^j) do not fall to the rounding level (every coefficient below 2^-(s - 4)) within
    ``_NEUMANN_STEPS`` squarings. The factors left out then differ from 1 by 16 units of
    2^-s at most, at every precision, so their effect shrinks with the working precision
    as rounding does and the two-precision certificate covers it (the m x m solve would
    round as much). w = z^{-L} mod rev(a) for a stable a, small when |poles|^L is."""
    one, inverse, power = MPZ(1) << s, None, w
    for _ in range(_NEUMANN_STEPS):
        if max(map(abs, power)) < 16:
            return inverse if inverse is not None else ring.reduce([one])
        factor = [one + power[0]] + power[1:]
        inverse = factor if inverse is None else ring.multiply(inverse, factor)
        power = ring.multiply(power, power)
    return None


def _solve_in_ring(ring: _QuotientRing, factor: list[int], target: list[int], s: int) -> list[int]:
    """N with factor N = target in the quotient ring (the m x m multiplication matrix)."""
    columns = [factor]
    for _ in range(ring.m - 1):
        columns.append(ring.reduce([0] + columns[-1]))
    try:
        solution = _solve_fixed([list(row) for row in zip(*columns)], [[t] for t in target], s)
    except InvalidArgumentError:
        raise InvalidArgumentError(
            "a(z) vanishes at an L-th root of unity (to working precision): the aliased kernel "
            "IDFT(DFT(b)/DFT(a)) is not defined"
        ) from None
    return [row[0] for row in solution]


def _schur_cohn_verdict(work: _Work, a: list) -> bool | None:
    """Whether all poles (roots of z^m + a_1 z^{m-1} + ... + a_m) lie strictly inside |z| = 1.

    False when a reflection coefficient has modulus >= 1 (a pole on or outside the circle),
    None when one is within 2^-(prec/2) below 1 (cannot be told from the boundary here).
    The monic recursion p_{m-1} = (p - k p*) / (z (1 - k^2)) on fixed-point ints at
    ``prec`` bits (one rounding per coefficient and step).
    """
    s = work.prec
    one = MPZ(1) << s
    coeffs = [one] + [work.fixed(work.num(v)) for v in a]  # leading first
    while len(coeffs) > 1 and coeffs[-1] == 0:
        coeffs.pop()  # a root at z = 0 is inside
    edge = one - (MPZ(1) << (s - s // 2))
    while len(coeffs) > 1:
        k = coeffs[-1]
        if abs(k) >= one:
            return False
        if abs(k) > edge:
            return None
        m = len(coeffs) - 1
        r = (MPZ(1) << (3 * s)) // ((one << s) - k * k)  # 1 / (1 - k^2) at scale 2^-s
        coeffs = [one] + [
            (((x << s) - k * y) * r) >> (2 * s) for x, y in zip(coeffs[1:m], coeffs[m - 1 : 0 : -1])
        ]
    return True


def rtf_stability(a: Any, *, prec: int = 256) -> bool | None:
    """Whether b(z)/a(z) is stable: every root of a(z) = 1 + a_1 z + ... + a_d z^d
    strictly outside the unit circle (every pole 1/root strictly inside).

    Schur-Cohn step-down at ``prec`` and 2 ``prec`` bits: True when every reflection
    coefficient is below 1 - 2^-(prec/2) in modulus at both, False when one is >= 1 at
    both, None otherwise (a pole within rounding of the circle).

    Arguments:
        a: (a_1, ..., a_d), real; prec: bits, an int >= 64.
    Returns:
        True, False or None (undecided).
    Raises:
        InvalidArgumentError / InvalidTypeError: a unreadable or empty, bad prec.
    """
    a = exact_vector("a", a)
    prec = require_int("prec", prec, 64)
    verdicts = {_schur_cohn_verdict(_Work(p), a) for p in (prec, 2 * prec)}
    return verdicts.pop() if len(verdicts) == 1 else None


def rtf_notes(stable: bool | None, aliased: bool) -> tuple[str, ...]:
    """The warning an RTF result carries when its denominator is not known to be stable.

    Arguments:
        stable: True, False or None (undecided); aliased: for the aliased kernel.
    Returns:
        A tuple of note strings, empty when ``stable`` is True.
    """
    if stable is True:
        return ()
    state = "not stable" if stable is False else "on the edge of stability (undecided)"
    tail = "; the aliased kernel is defined but is not its periodization" if aliased else ""
    return (f"a(z) is {state}: the impulse response does not decay{tail}",)


def require_rtf_work(d: int, L: int, aliased: bool) -> None:
    """Refuse an RTF job of degree d and length L above the work limit.

    Arguments:
        d: degree of a; L: taps; aliased: the aliased kernel (work: ``rtf_kernel``).
    Raises:
        InvalidArgumentError: work above ``current_work_limit()``.
    """
    if aliased:
        what = f"rtf_kernel work d L + d^2 log2 L + d^3 + 32 (d^2 + L) (aliased; d = {d}, L = {L})"
        _require_work(what, d * L + d * d * L.bit_length() + d**3 + _MP * (d * d + L))
    else:
        what = f"rtf_kernel work d L + 32 (d^2 + L) (impulse response; d = {d}, L = {L})"
        _require_work(what, d * L + _MP * (d * d + L))


def rtf_kernel(
    a: Any,
    b: Any,
    L: int,
    *,
    aliased: bool = True,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """RTF kernel of b(z)/a(z), a(z) = 1 + a_1 z + ... + a_d z^d, b(z) = b_1 + ... + b_d z^{d-1}.

    * ``aliased=False``: the impulse response h_k, k < L (power series of b/a):
      h_k = b_{k+1} - sum_{i=1}^{min(k, d)} a_i h_{k-i}, b_{k+1} = 0 for k >= d.
    * ``aliased=True``: what the FFT algorithm returns, IDFT(DFT(b_pad) / DFT(a_pad)), both
      padded to L: the unique k with k * a_pad = b_pad (cyclic). For a stable a it is the
      periodized response sum_m h_{k+mL}. Exact polynomial algebra modulo a(z)
      (``_aliased_response``), no DFT. Needs d < L and a(z) != 0 at the L-th roots of 1.

    Work: d L + 32 (d^2 + L) (32 d^2: the stability test), plus d^2 log2 L + d^3 aliased.

    Arguments:
        a, b: d real coefficients each; L: taps >= 1; aliased: a bool.
    Returns:
        OracleResult, ``values`` the L taps; ``stable`` = ``rtf_stability(a)``; ``notes``
        warn when a is not known to be stable (the response does not decay).
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, ``rtf_args``' errors, bad
            L or aliased, d >= L (aliased), a(z) = 0 at an L-th root of unity (aliased).
    """
    return _rtf_kernel(a, b, L, aliased, digits, max_prec, rtf_stability)


def _rtf_kernel(
    a: Any,
    b: Any,
    L: int,
    aliased: bool,
    digits: int,
    max_prec: int,
    verdict: Callable[[list], bool | None],
) -> OracleResult:
    """``rtf_kernel`` with ``stable = verdict(a)`` (a read exactly), asked after every
    input check: the package passes its exact Schur-Cohn verdict, so that the numerical
    one is not computed only to be replaced."""
    a, b = rtf_args(a, b)
    L = require_int("L", L, 1)
    if not isinstance(aliased, bool):
        raise InvalidTypeError(f"aliased: expected a bool, got {aliased!r}")
    if aliased and len(a) >= L:
        raise InvalidArgumentError(
            f"aliased RTF kernel needs d < L (the FFT pads a's d + 1 = {len(a) + 1} "
            f"coefficients to length L = {L})"
        )
    digits, max_prec = _require_digits(digits, max_prec)
    require_rtf_work(len(a), L, aliased)
    stable = verdict(a)

    def compute(work: _Work) -> list[list[int]]:
        s = work.prec
        a_fixed = [work.fixed(work.num(v)) for v in a]
        b_fixed = [work.fixed(work.num(v)) for v in b]
        if aliased:
            return [_aliased_response(b_fixed, a_fixed, L, s, stable is True)]
        return [_impulse_response(b_fixed, a_fixed, L, s)]

    # the taps of two runs compared as fixed-point ints (max-norm agreement, as _certify)
    parts, got, prec = _certify_channels(compute, digits, max_prec)
    notes = rtf_notes(stable, aliased)
    params = {"a": a, "b": b, "L": L, "aliased": aliased}
    method = "aliased/quotient-ring" if aliased else "impulse/recurrence"
    return _result("rtf_kernel", parts, got, prec, method, params, notes=notes, stable=stable)


def rtf_impulse_response(
    a: Any, b: Any, L: int, *, digits: int = 30, max_prec: int = DEFAULT_MAX_PREC
) -> OracleResult:
    """The first L taps of the power series of b(z)/a(z):
    h_k = b_{k+1} - sum_{i=1}^{min(k, d)} a_i h_{k-i} (b_{k+1} = 0 for k >= d), any d.

    ``rtf_kernel(a, b, L, aliased=False)`` under the torch kernel's name.

    Arguments:
        a, b: d real coefficients each (conventions of ``rtf_kernel``); L: taps >= 1.
    Returns:
        OracleResult, ``values`` the L taps; ``stable`` and ``notes`` as ``rtf_kernel``.
    Raises:
        As ``rtf_kernel``.
    """
    result = rtf_kernel(a, b, L, aliased=False, digits=digits, max_prec=max_prec)
    return dataclasses.replace(result, family="rtf_impulse_response")


def require_rtf_recurrence(u: Any, L: Any, d: int) -> tuple[list, int]:
    """(u, L) of ``rtf_recurrence``, checked before any work.

    Arguments:
        u: the input; L: the kernel length; d: the degree of a.
    Returns:
        (u as a list of exact scalars, L as an int).
    Raises:
        InvalidArgumentError / InvalidTypeError: u empty, complex or longer than L, L not
            an int > d, work above ``current_work_limit()``.
    """
    u = _real_vector("u", u)
    L = require_int("L", L, 1)
    if d >= L:
        raise InvalidArgumentError(
            f"rtf_recurrence needs d < L (the realization of the aliased kernel; d = {d}, L = {L})"
        )
    if len(u) > L:
        raise InvalidArgumentError(
            f"rtf_recurrence: u has {len(u)} samples but the realization reproduces the L = {L} "
            "tap kernel only for the first L outputs; give len(u) <= L"
        )
    require_rtf_work(d, L, True)
    _require_work(
        f"rtf_recurrence work n^2 + 32 n (n = len(u) = {len(u)})", len(u) ** 2 + _MP * len(u)
    )
    return u, L


def rtf_recurrence(
    a: Any,
    b: Any,
    u: Any,
    *,
    L: int,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """y_k = sum_{j <= k} K_j u_{k-j}, k < len(u), K the aliased length-L RTF kernel.

    K = ``rtf_kernel(a, b, L, aliased=True)``: what the companion recurrence of
    ``kernels.rtf_recurrence`` computes (its realization reproduces K for k < L only,
    hence len(u) <= L). Work: ``rtf_kernel``'s plus n^2 + 32 n, n = len(u).

    Arguments:
        a, b: d real coefficients each; u: real input, 1 <= len(u) <= L; L: an int > d.
    Returns:
        OracleResult, ``values`` the len(u) outputs; ``stable`` and ``notes`` as
        ``rtf_kernel``.
    Raises:
        InvalidArgumentError / InvalidTypeError: as ``rtf_kernel``, plus u empty, complex
            or longer than L.
    """
    return _rtf_recurrence(a, b, u, L, digits, max_prec, rtf_stability)


def _rtf_recurrence(
    a: Any,
    b: Any,
    u: Any,
    L: int,
    digits: int,
    max_prec: int,
    verdict: Callable[[list], bool | None],
) -> OracleResult:
    """``rtf_recurrence`` with ``stable = verdict(a)``, asked after every input check (as
    ``_rtf_kernel``)."""
    a, b = rtf_args(a, b)
    u, L = require_rtf_recurrence(u, L, len(a))
    digits, max_prec = _require_digits(digits, max_prec)
    stable = verdict(a)

    def compute(work: _Work) -> list[list]:
        s = work.prec
        a_fixed, b_fixed, u_fixed = ([work.fixed(work.num(v)) for v in vec] for vec in (a, b, u))
        taps = _aliased_response(b_fixed, a_fixed, L, s, stable is True)
        return [[work.unfixed(v) for v in _conv_fixed(taps[: len(u)], u_fixed, s)]]

    parts, got, prec = _certify(compute, digits, max_prec)
    method, params = "aliased/quotient-ring+direct-conv", {"a": a, "b": b, "u": u, "L": L}
    notes = rtf_notes(stable, True)
    return _result("rtf_recurrence", parts, got, prec, method, params, notes=notes, stable=stable)


