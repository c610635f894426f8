# 12. Public oracles: selective scans (Mamba's S6, Mamba-2's SSD, S5) ------------------

#: Discretizations of ``selective_scan``: ``"mamba"`` (Ab = e^{delta A}, Bb = delta B, as
#: Mamba's ``selective_scan_ref``) and ``"zoh"`` (exact ZOH, Bb = (e^{delta A} - 1)/A B).
SELECTIVE_DISCRETIZATIONS = ("mamba", "zoh")
#: Discretizations of ``s5_scan``.
S5_DISCRETIZATIONS = ("zoh", "bilinear")

#: Guard bits of the fixed-point exponentials (scale 2^-(prec + _EXP_GUARD)).
_EXP_GUARD = 24


# 12. (internal) Fixed-point exponentials by table reduction ---------------------------


class _FixedExp:
    """e^x, e^{x + iy} and phi_1(z) = (e^z - 1)/z on fixed-point ints at scale 2^-w.

    Real part: x = q ln 2 + r, 0 <= r < ln 2; r = k1 2^-8 + k2 2^-16 + k3 2^-24 + t with
    0 <= t < 2^-24, e^x = 2^q T1[k1] T2[k2] T3[k3] e^t, e^t by a Taylor polynomial whose
    tail is below 2^-(w+2). Imaginary part likewise modulo 2 pi with tables of (cos, sin).
    About 2 us per real exponential at 30 digits (mpmath's exp: 8 us); each result is within
    a few units of 2^-w of the true value, relative to max(1, |e^z|). phi_1(z) by its Taylor
    series for |z| < 2^-20, else (e^z - 1)/z (which then loses at most 20 of the guard bits).
    The truncated Taylor tails are below 2^-(w+2) at every w, so they shrink with the
    working precision exactly as rounding does and the two-precision certificate covers
    them. Tables come from a private mpmath context at w + 16 bits, built once per w
    (``_fixed_exp``). ``exp``, ``expi`` are closures over the tables (the hot path).
    """

    _PHI_BITS = 20

    def __init__(self, w: int):
        self.w = w
        ctx = mpmath.MPContext()
        ctx.prec = w + 16
        self.ctx = ctx
        self.one = MPZ(1) << w
        self.ln2 = MPZ(ctx.to_fixed(ctx.ln2, w))
        self.two_pi = MPZ(ctx.to_fixed(2 * ctx.pi, w))
        self._taylor = self._coefficients(24, 0)  # e^t, 0 <= t < 2^-24
        self._phi_limit = MPZ(1) << (w - self._PHI_BITS)
        self._phi_taylor = self._coefficients(self._PHI_BITS - 1, 1)  # |z| < sqrt(2) 2^-20
        self.exp = self._make_exp()
        self._expi: Callable[[int], tuple[int, int]] | None = None

    def _fixed(self, value: Any) -> MPZ:
        return MPZ(self.ctx.to_fixed(value, self.w))

    def _tables(self, fn: Callable[[Any], Any], first: int) -> tuple[list, list, list]:
        """fn(k 2^-8), k < first; fn(k 2^-16), fn(k 2^-24), k < 256."""
        ctx = self.ctx
        return tuple(
            [fn(ctx.ldexp(k, -8 * level)) for k in range(first if level == 1 else 256)]
            for level in (1, 2, 3)
        )

    def _coefficients(self, small_bits: int, offset: int) -> tuple[MPZ, ...]:
        """1/(k + offset)!, k = K .. 0, at scale 2^-w: the Taylor coefficients (of e^t for
        offset 0, of phi_1 for offset 1) for |t| < 2^-small_bits, tail below 2^-(w+2)."""
        K = 1
        while small_bits * K + math.lgamma(K + offset + 1) / math.log(2) < self.w + 2:
            K += 1
        return tuple(self.one // math.factorial(k + offset) for k in range(K, -1, -1))

    def _make_exp(self) -> Callable[[int], int]:
        w, ctx, ln2 = self.w, self.ctx, self.ln2
        T1, T2, T3 = self._tables(lambda x: self._fixed(ctx.exp(x)), int(ctx.ln2 * 256) + 1)
        c0, rest = self._taylor[0], self._taylor[1:]
        s1, s2, s3, mask = w - 8, w - 16, w - 24, (MPZ(1) << (w - 24)) - 1

        def exp(x: int) -> int:
            """e^x (x at scale 2^-w) at scale 2^-w."""
            q, r = divmod(x, ln2)
            v = (T1[r >> s1] * T2[(r >> s2) & 255]) >> w
            v = (v * T3[(r >> s3) & 255]) >> w
            r &= mask
            p = c0
            for c in rest:
                p = c + ((p * r) >> w)
            v = (v * p) >> w
            return v << q if q >= 0 else v >> -q

        return exp

    def expi(self, y: int) -> tuple[int, int]:
        """(cos y, sin y) (y at scale 2^-w) at scale 2^-w."""
        if self._expi is None:
            self._expi = self._make_expi()
        return self._expi(y)

    def _make_expi(self) -> Callable[[int], tuple[int, int]]:
        w, ctx, two_pi = self.w, self.ctx, self.two_pi

        def cos_sin(x: Any) -> tuple[MPZ, MPZ]:
            c, s = ctx.cos_sin(x)
            return self._fixed(c), self._fixed(s)

        T1, T2, T3 = self._tables(cos_sin, int(2 * ctx.pi * 256) + 1)
        c0, rest = self._taylor[0], self._taylor[1:]
        s1, s2, s3, mask = w - 8, w - 16, w - 24, (MPZ(1) << (w - 24)) - 1

        def expi(y: int) -> tuple[int, int]:
            r = y % two_pi
            c, s = T1[r >> s1]
            tc, ts = T2[(r >> s2) & 255]
            c, s = (c * tc - s * ts) >> w, (c * ts + s * tc) >> w
            tc, ts = T3[(r >> s3) & 255]
            c, s = (c * tc - s * ts) >> w, (c * ts + s * tc) >> w
            r &= mask
            pc, ps = c0, 0  # e^{ir} = sum (i r)^k / k!, by Horner in i r
            for k in rest:
                pc, ps = k - ((ps * r) >> w), (pc * r) >> w
            return (c * pc - s * ps) >> w, (c * ps + s * pc) >> w

        return expi

    def expc(self, x: int, y: int) -> tuple[int, int]:
        """e^{x + iy} as (re, im) at scale 2^-w."""
        m = self.exp(x)
        c, s = self.expi(y)
        return (m * c) >> self.w, (m * s) >> self.w

    def phi(self, x: int, e: int) -> int:
        """phi_1(x) = (e^x - 1)/x at scale 2^-w, given e = e^x (phi_1(0) = 1)."""
        if -self._phi_limit < x < self._phi_limit:
            p = self._phi_taylor[0]
            for c in self._phi_taylor[1:]:
                p = c + ((p * x) >> self.w)
            return p
        return ((e - self.one) << self.w) // x

    def phic(self, x: int, y: int, er: int, ei: int) -> tuple[int, int]:
        """phi_1(x + iy) as (re, im), given e^{x + iy} = er + i ei."""
        w = self.w
        if -self._phi_limit < x < self._phi_limit and -self._phi_limit < y < self._phi_limit:
            pr, pi = self._phi_taylor[0], 0
            for c in self._phi_taylor[1:]:
                pr, pi = c + ((pr * x - pi * y) >> w), (pr * y + pi * x) >> w
            return pr, pi
        nr, ni, norm = er - self.one, ei, x * x + y * y
        return ((nr * x + ni * y) << w) // norm, ((ni * x - nr * y) << w) // norm


_FIXED_EXP_CACHE: dict[int, _FixedExp] = {}


def _fixed_exp(w: int) -> _FixedExp:
    """The tables at scale 2^-w (built once per w; a few of them kept)."""
    tables = _FIXED_EXP_CACHE.get(w)
    if tables is None:
        tables = _FixedExp(w)
        if len(_FIXED_EXP_CACHE) >= 8:
            _FIXED_EXP_CACHE.pop(next(iter(_FIXED_EXP_CACHE)), None)
        _FIXED_EXP_CACHE[w] = tables
    return tables


# 12. (internal) Reading tensors ---------------------------------------------------------


class _NotPlain(Exception):
    """A leaf the fast path of ``_read_tensor`` does not read (the slow path does)."""


def _plain_leaf(v: Any) -> Fraction | float:
    """A finite float is kept (it is an exact binary rational; 10x cheaper than a
    Fraction), an int becomes a Fraction; anything else goes the slow way."""
    kind = type(v)
    if kind is float and v - v == 0.0:  # finite
        return v
    if kind is int or kind is Fraction:
        return Fraction(v)
    raise _NotPlain


def _complex_typed(v: Any) -> bool:
    """A complex number type (whatever its imaginary part), a complex string ('...j'), or
    a protocol object whose value is complex: what a complex tensor's ``tolist()`` gives."""
    if _is_complex(v):
        return True
    if isinstance(v, str):
        return v.strip().endswith(("j", "J"))
    if hasattr(v, "_mpmath_") and not isinstance(v, (bool, numbers.Real)):
        return not _is_real(v)
    return False


def _as_rows(v: Any) -> list | None:
    """``v`` as a list if it is a sequence or an array (``tolist()``), else None."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, (str, bytes)) or not hasattr(v, "tolist"):
        return None
    rows = v.tolist()
    return rows if isinstance(rows, list) else None


def _depth(value: Any) -> int:
    """The nesting depth of ``value`` along its first entries (0 for a scalar)."""
    ndim = getattr(value, "ndim", None)
    if isinstance(ndim, int) and hasattr(value, "tolist"):  # NumPy / torch: no conversion
        return ndim
    depth, v = 0, value
    while True:
        rows = _as_rows(v)
        if rows is None:
            return depth
        depth += 1
        if not rows:
            return depth
        v = rows[0]


def _read_tensor(
    name: str, value: Any, ndim: int, real: str | None = ""
) -> tuple[list, tuple[int, ...], bool]:
    """Read an ``ndim``-dimensional nested sequence (lists, tuples, anything with
    ``tolist()``) exactly: (entries nested ``ndim`` deep, shape, complex-typed). Entries
    are ``exact_scalar``'s, except that finite floats stay floats (exact binary values).

    ``real``: None allows complex entries; a string (possibly empty) refuses entries of a
    complex type with InvalidTypeError (the string says why). Complex-typed is True if any
    entry has a complex type, even with zero imaginary part (it is then read as real).
    """
    shape: list[int] = []
    seen_complex = False

    def leaf(v: Any, index: tuple[int, ...]) -> Any:
        nonlocal seen_complex
        where = f"{name}[{', '.join(map(str, index))}]"
        if isinstance(v, (list, tuple)) or _as_rows(v) is not None:
            raise InvalidArgumentError(f"{name}: expected {ndim} dimensions, got more (at {where})")
        if _complex_typed(v):
            if real is not None:
                raise InvalidTypeError(f"{name} must be real{real}, got complex {where} = {v!r}")
            seen_complex = True
        return exact_scalar(where, v)

    def walk(v: Any, depth: int, index: tuple[int, ...]) -> list:
        rows = _as_rows(v)
        if rows is None:
            raise InvalidArgumentError(
                f"{name}: expected {ndim} dimensions, got {depth}"
                + (f" (at {name}[{', '.join(map(str, index))}])" if index else "")
            )
        if not rows:
            raise InvalidArgumentError(f"{name}: dimension {depth} must not be empty")
        if len(shape) == depth:
            shape.append(len(rows))
        elif shape[depth] != len(rows):
            raise InvalidArgumentError(
                f"{name}: ragged: dimension {depth} has lengths {shape[depth]} and "
                f"{len(rows)} (at {name}[{', '.join(map(str, index))}])"
            )
        if depth + 1 < ndim:
            return [walk(r, depth + 1, index + (i,)) for i, r in enumerate(rows)]
        try:
            return [_plain_leaf(r) for r in rows]
        except _NotPlain:
            return [leaf(r, index + (i,)) for i, r in enumerate(rows)]

    if isinstance(value, bool) or value is None:
        raise InvalidTypeError(f"{name}: expected a {ndim}-d nested sequence, got {value!r}")
    entries = walk(value, 0, ())
    return entries, tuple(shape), seen_complex


def _require_shape(name: str, shape: tuple[int, ...], wanted: tuple[int, ...], dims: str) -> None:
    if shape != wanted:
        raise InvalidArgumentError(f"{name}: expected shape {dims} = {wanted}, got {shape}")


def _optional_tensor(name: str, value: Any, wanted: tuple[int, ...], dims: str) -> list | None:
    if value is None:
        return None
    entries, shape, _ = _read_tensor(name, value, len(wanted))
    _require_shape(name, shape, wanted, dims)
    return entries


def _require_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidTypeError(f"{name}: expected a bool, got {_describe(value)}")
    return value


def _require_name(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name}: expected one of {choices}, got {_describe(value)}")
    if value not in choices:
        raise InvalidArgumentError(f"{name}: unknown {value!r}; expected one of {choices}")
    return value


def _flat(entries: list) -> list:
    """The leaves of a nested list, in row-major order."""
    while entries and isinstance(entries[0], list):
        entries = [v for row in entries for v in row]
    return entries


def _float_value(v: Any) -> complex:
    """An exact scalar as a Python complex, for the pre-work bounds (overflow is inf)."""
    if isinstance(v, float):
        return complex(v)
    if isinstance(v, Fraction):
        try:
            return complex(float(v))
        except OverflowError:
            return complex(math.inf if v > 0 else -math.inf)
    if isinstance(v, tuple):
        return complex(_float_value(v[0]).real, _float_value(v[1]).real)
    return complex(mpmath.mp.convert(v._mpmath_(53, "n")))


def _require_positive(name: str, entries: list) -> None:
    """Refuse an entry <= 0 (exact for rationals; protocol objects at 64 bits)."""
    for i, v in enumerate(_flat(entries)):
        exact = isinstance(v, (Fraction, float))
        value = v if exact else mpmath.mp.convert(v._mpmath_(64, "n"))
        if not value > 0:
            raise InvalidArgumentError(
                f"{name} must be > 0 everywhere; entry {i} (row-major) is {v}"
            )


def _softplus_float(v: float) -> float:
    return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


def _require_growth(what: str, bits: float, max_prec: int) -> None:
    """Refuse a scan whose state can grow by more than 2^max_prec (before any work)."""
    if bits > max_prec:
        raise InvalidArgumentError(
            f"{what}: the state can grow by a factor up to 2^{bits:.4g} over the scan "
            f"(products of e^(delta A) above 1), beyond max_prec = {max_prec} bits; the "
            "fixed-point scan would need integers that large. Raise max_prec to run it."
        )


# 12. (internal) Fixed point at a given scale, and certification per output channel ------


def _scaled(work: _Work, v: Any, scale: int) -> tuple[int, int]:
    """An exact scalar (or a float) as fixed-point (re, im) at scale 2^-scale."""
    if isinstance(v, (Fraction, float)):
        num, den = v.as_integer_ratio()
        return MPZ((num << scale) // den), 0
    if isinstance(v, tuple):
        return _scaled(work, v[0], scale)[0], _scaled(work, v[1], scale)[0]
    number = work.ctx.convert(v._mpmath_(scale + 16, "n"))
    if isinstance(number, work.ctx.mpc):
        re_, im = number.real, number.imag
        return MPZ(work.ctx.to_fixed(re_, scale)), MPZ(work.ctx.to_fixed(im, scale))
    return MPZ(work.ctx.to_fixed(number, scale)), 0


def _scaled_real(work: _Work, v: Any, scale: int) -> int:
    return _scaled(work, v, scale)[0]


def _num(work: _Work, v: Any) -> Any:
    """An exact scalar (or a float) at working precision."""
    return work.ctx.mpf(v) if isinstance(v, float) else work.num(v)


def _fixed_row(work: _Work, values: list, scale: int) -> list[int]:
    """Real exact scalars as fixed-point ints at scale 2^-scale (rationals inline)."""
    try:
        ratios = [v.as_integer_ratio() for v in values]
    except AttributeError:  # a protocol object among them
        return [_scaled_real(work, v, scale) for v in values]
    return [MPZ((num << scale) // den) for num, den in ratios]


def _floor_log10_ratio(scale: int, diff: int) -> int:
    """floor(log10(scale / diff)) for ints scale >= diff > 0, exactly."""
    k = max(int((scale.bit_length() - diff.bit_length()) * 0.30102999566398) - 1, 0)
    while diff * 10 ** (k + 1) <= scale:
        k += 1
    while k and diff * 10**k > scale:
        k -= 1
    return k


def _channel_agreement(low: list[list[int]], p_low: int, high: list[list[int]], p_high: int) -> int:
    """Digits on which two runs agree, per channel: min over channels of floor(-log10(max_t
    |low_t - high_t| / scale)), scale the channel's max-norm in ``high``, or the global
    max-norm for a ~0 channel: max-norm 0 or below 2^-p_low times the global max-norm (at
    the rounding level of the lower run, so not certifiable relative to itself there).
    Channels are fixed-point ints at scales 2^-p_low and 2^-p_high; capped at the digits
    of p_low bits."""
    shift = p_high - p_low
    maxima = [max(map(abs, ch)) for ch in high]
    top = max(maxima)
    digits = int(p_low / _LOG2_10)
    for lo, hi, m in zip(low, high, maxima):
        diff = max(abs((a << shift) - b) for a, b in zip(lo, hi))
        if not diff:
            continue
        scale = m if (m << p_low) >= top else top
        if diff > scale:
            return 0
        digits = min(digits, _floor_log10_ratio(scale, diff))
    return digits


def _certify_channels(
    compute: Callable[[_Work], list[list[int]]], digits: int, max_prec: int
) -> tuple[list[list], int, int]:
    """Run ``compute`` (a ``_Work`` -> output channels as fixed-point ints at scale
    2^-prec) at rising precisions until two runs agree to ``digits`` digits on every channel
    (``_channel_agreement``): the schedule of ``_certify``, comparing the integers directly
    (an mpf per output would cost more than the scan). Returns (the channels of the higher
    run as mpf, certified digits, its precision)."""
    needed = _bits_for(digits) + 8
    prec, best, best_prec, learned = needed + 24, None, 0, 0
    while True:
        channels = compute(_Work(prec, guard_bits=prec - needed))
        if best is None:
            best, best_prec = channels, prec
            next_prec = prec + max(32, prec // 4)
        else:
            agreed = _channel_agreement(best, best_prec, channels, prec)
            if agreed >= digits:
                make, to_mpf = mpmath.mp.make_mpf, mpmath.libmp.from_man_exp
                values = [[make(to_mpf(v, -prec)) for v in ch] for ch in channels]
                return values, agreed, prec
            # The lower run kept only `agreed` digits: learn the loss and start a new pair.
            learned = max(learned, best_prec - int(agreed * _LOG2_10))
            best, next_prec = None, max(needed + learned + 32, best_prec + 32)
        if next_prec > max_prec:
            raise CertificationError(
                f"could not certify {digits} digits within max_prec = {max_prec} bits "
                f"(the problem loses about {learned} bits to cancellation or is "
                "ill-conditioned); raise max_prec or ask for fewer digits"
            )
        prec = next_prec


# 12. (internal) The selective scan on one channel -----------------------------------------


def _bc_columns(work: _Work, layout: tuple, complex_: bool) -> dict:
    """B or C in fixed point (scale 2^-prec; (re, im) pairs if ``complex_``, else ints),
    keyed by what selects them: ("const", i) -> one row of n entries; ("step", b) or
    ("group", b, k) -> a list over t of rows of n entries."""
    s, kind = work.prec, layout[0]

    def fix(row: list) -> list:
        return [_scaled(work, v, s) for v in row] if complex_ else _fixed_row(work, row, s)

    def per_step(rows: list) -> list:  # n rows over l -> l rows over n
        return [list(col) for col in zip(*[fix(row) for row in rows])]

    columns: dict = {}
    if kind == "const":
        for i, row in enumerate(layout[1]):
            columns["const", i] = fix(row)
    elif kind == "step":
        for b, rows in enumerate(layout[1]):
            columns["step", b] = per_step(rows)
    else:
        for b, groups in enumerate(layout[2]):
            for k, rows in enumerate(groups):
                columns["group", b, k] = per_step(rows)
    return columns


def _bc_key(layout: tuple, b: int, i: int, d: int) -> tuple:
    if layout[0] == "const":
        return ("const", i)
    if layout[0] == "step":
        return ("step", b)
    return ("group", b, i // (d // layout[1]))


def _scan_channel_real(
    fx: _FixedExp,
    s: int,
    steps: list[int],
    inputs: list[int],
    A: list[int],
    Bs: Any,
    Cs: Any,
    constant_B: bool,
    constant_C: bool,
    zoh: bool,
) -> list[int]:
    """y_t = sum_n C_t[n] x_t[n], x_t = e^{delta_t A} x_{t-1} + Bb_t u_t (real A), at
    scale 2^-s; steps (delta_t), inputs (u_t), A, B and C at scale 2^-s; B/C per-step
    lists of rows, or one row if constant."""
    w, exp, phi = fx.w, fx.exp, fx.phi
    down = s - _EXP_GUARD  # (scale-s delta) * (scale-s A) >> down is at scale 2^-w
    state = [0] * len(A)
    out = []
    for t, (dt, u) in enumerate(zip(steps, inputs)):
        B_t = Bs if constant_B else Bs[t]
        C_t = Cs if constant_C else Cs[t]
        du = (dt * u) >> s
        if zoh:  # Bb u = delta phi_1(delta A) B u; delta u phi_1 at scale 2^-(s + w)
            xs = [(dt * a) >> down for a in A]
            E = [exp(x) for x in xs]
            state = [
                ((e * h) >> w) + ((((du * phi(x, e)) >> w) * b) >> s)
                for e, h, x, b in zip(E, state, xs, B_t)
            ]
        else:
            E = [exp((dt * a) >> down) for a in A]
            state = [((e * h) >> w) + ((du * b) >> s) for e, h, b in zip(E, state, B_t)]
        out.append(sum(map(mul, C_t, state)) >> s)
    return out


def _scan_channel_complex(
    fx: _FixedExp,
    s: int,
    steps: list[int],
    inputs: list[int],
    A: list[tuple[int, int]],
    Bs: Any,
    Cs: Any,
    constant_B: bool,
    constant_C: bool,
    zoh: bool,
) -> list[int]:
    """As ``_scan_channel_real`` for complex A (and B, C): y_t = 2 Re sum_n C_t[n] x_t[n]."""
    w, expc, phic = fx.w, fx.expc, fx.phic
    down = s - _EXP_GUARD
    n = len(A)
    hr, hi = [0] * n, [0] * n
    A_re, A_im = [a for a, _ in A], [b for _, b in A]
    out = []
    for t, (dt, u) in enumerate(zip(steps, inputs)):
        B_t = Bs if constant_B else Bs[t]
        C_t = Cs if constant_C else Cs[t]
        du = (dt * u) >> s
        xr = [(dt * a) >> down for a in A_re]
        xi = [(dt * a) >> down for a in A_im]
        E = [expc(a, b) for a, b in zip(xr, xi)]
        if zoh:  # coefficient delta u phi_1(delta A) at scale 2^-s
            coef = []
            for a, b, (er, ei) in zip(xr, xi, E):
                pr, pi = phic(a, b, er, ei)
                coef.append(((du * pr) >> w, (du * pi) >> w))
        else:
            coef = [(du, 0)] * n
        new_r, new_i = [], []
        for (er, ei), h_r, h_i, (cr, ci), (br, bi) in zip(E, hr, hi, coef, B_t):
            new_r.append(((er * h_r - ei * h_i) >> w) + ((cr * br - ci * bi) >> s))
            new_i.append(((er * h_i + ei * h_r) >> w) + ((cr * bi + ci * br) >> s))
        hr, hi = new_r, new_i
        total = sum(c * a - d * b for (c, d), a, b in zip(C_t, hr, hi))
        out.append((2 * total) >> s)
    return out


def _softplus_fixed(fx: _FixedExp, v: int, s: int) -> int:
    """log(1 + e^v) (v at scale 2^-w) at scale 2^-s: max(v, 0) + log1p(e^-|v|)."""
    w = fx.w
    e = fx.exp(-abs(v))
    log1p = mpmath.libmp.mpf_log(mpmath.libmp.from_man_exp(fx.one + e, -w), s + 16)
    return (max(v, 0) >> (w - s)) + MPZ(mpmath.libmp.to_fixed(log1p, s))


def _silu_fixed(fx: _FixedExp, z: int, s: int) -> int:
    """z sigmoid(z) = z / (1 + e^-z) (z at scale 2^-s) at scale 2^-s."""
    e = fx.exp(-(z << (fx.w - s)))
    return (z << fx.w) // (fx.one + e)


def selective_scan(
    u: Any,
    delta: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any = None,
    z: Any = None,
    delta_bias: Any = None,
    delta_softplus: bool = False,
    *,
    discretization: str = "mamba",
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """Mamba's selective scan (S6), the semantics and shapes of ``selective_scan_ref``.

    b = batch, d = channels, n = state, l = length, g = groups. Per channel i and batch
    element: delta <- delta + delta_bias (if given); delta <- softplus(delta) = log(1 +
    e^delta) if ``delta_softplus``; x_{-1} = 0 and for t = 0 .. l-1::

        Ab_t = e^{delta_t A_i}        (elementwise over the n states)
        Bb_t = delta_t B_t                          ("mamba", Mamba's simplification)
             = (e^{delta_t A_i} - 1)/A_i B_t        ("zoh"; delta_t B_t where A = 0)
        x_t  = Ab_t x_{t-1} + Bb_t u_t
        y_t  = sum_n C_t[n] x_t[n]                  (after the update)

    With a complex A, y_t = 2 Re(y_t) (conjugate pairs, Mamba's ``y.real * 2``); then
    y_t += D_i u_t and, if z is given, y_t *= silu(z_t) = z_t / (1 + e^{-z_t}).

    A is complex when any entry has a complex type (Python or NumPy complex, mpmath mpc, a
    string ending in j), even with zero imaginary parts, as ``tolist()`` of a complex tensor
    gives. delta may be any finite real (no sign is required: the formulas are entire in
    delta; delta = 0 holds the state), as in Mamba's reference.

    Algorithm: the recurrence in fixed point at the working precision; e^{delta A} by
    table reduction and a short Taylor polynomial (``_FixedExp``), softplus with mpmath's
    log. Digits are certified relative to each output channel's max-norm
    (max_t |y[b, i, t]| per b, i); a channel whose max-norm is exactly 0 or below 2^-p
    times the global max-norm (p the working bits of the lower of the two runs compared,
    where such a channel is rounding noise) is certified relative to the global max-norm
    instead. Work: 16 b d l n (real A), 48 b d l n (complex A), + 32 b d l,
    + 8 b d l n more for "zoh" (b 1, d 4, n 16, l 4096, real A: about 2 s on one core).

    Arguments:
        u: (b, d, l) real. delta: (b, d, l) real. A: (d, n) real or complex.
        B, C: each (d, n) constant, (b, n, l) per step, or (b, g, n, l) per step and grouped
            (d % g == 0, channel i uses group i // (d // g)); real, or complex when A is.
        D: (d,) real or None. z: (b, d, l) real or None. delta_bias: (d,) real or None.
        delta_softplus: a bool. discretization: ``"mamba"`` or ``"zoh"``.
        digits, max_prec: as every oracle.
    Returns:
        OracleResult, ``values`` y as nested lists (b, d, l) of mpf.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, shapes that disagree, g not
            dividing d, complex u/delta/D/z/delta_bias (or B/C with a real A), a non-bool
            delta_softplus, an unknown discretization, a state that can grow beyond
            2^max_prec (Re(delta A) > 0 summed over the scan).
    """
    u_x, (nb, d, nl), _ = _read_tensor("u", u, 3)
    delta_x, shape, _ = _read_tensor("delta", delta, 3)
    _require_shape("delta", shape, (nb, d, nl), "(b, d, l)")
    A_x, (dA, n), complex_A = _read_tensor("A", A, 2, None)
    _require_shape("A", (dA, n), (d, n), "(d, n)")
    layouts = {}
    for name, value in (("B", B), ("C", C)):
        layouts[name] = _bc_layout(name, value, nb, d, n, nl, complex_A)
    D_x = _optional_tensor("D", D, (d,), "(d,)")
    z_x = _optional_tensor("z", z, (nb, d, nl), "(b, d, l)")
    bias_x = _optional_tensor("delta_bias", delta_bias, (d,), "(d,)")
    softplus = _require_flag("delta_softplus", delta_softplus)
    method = _require_name("discretization", discretization, SELECTIVE_DISCRETIZATIONS)
    digits, max_prec = _require_digits(digits, max_prec)
    zoh = method == "zoh"
    _require_selective_growth(delta_x, A_x, bias_x, softplus, max_prec)
    per_state = (48 if complex_A else 16) + (8 if zoh else 0)
    _require_work(
        f"selective_scan work {per_state} b d l n + 32 b d l "
        f"(b = {nb}, d = {d}, l = {nl}, n = {n})",
        per_state * nb * d * nl * n + _MP * nb * d * nl,
    )

    def compute(work: _Work) -> list[list[int]]:
        s = work.prec
        w = s + _EXP_GUARD
        fx = _fixed_exp(w)
        B_cols = _bc_columns(work, layouts["B"], complex_A)
        C_cols = _bc_columns(work, layouts["C"], complex_A)
        A_fixed = [[_scaled(work, v, s) for v in row] for row in A_x]
        bias = _fixed_row(work, bias_x, w) if bias_x is not None else None
        D_fixed = _fixed_row(work, D_x, s) if D_x is not None else None
        channels = []
        for b in range(nb):
            for i in range(d):
                inputs = _fixed_row(work, u_x[b][i], s)
                raw = _fixed_row(work, delta_x[b][i], w)
                if bias is not None:
                    raw = [v + bias[i] for v in raw]
                if softplus:
                    steps = [_softplus_fixed(fx, v, s) for v in raw]
                else:
                    steps = [v >> _EXP_GUARD for v in raw]
                key_B = _bc_key(layouts["B"], b, i, d)
                key_C = _bc_key(layouts["C"], b, i, d)
                args = (
                    fx,
                    s,
                    steps,
                    inputs,
                    A_fixed[i] if complex_A else [a for a, _ in A_fixed[i]],
                    B_cols[key_B],
                    C_cols[key_C],
                    key_B[0] == "const",
                    key_C[0] == "const",
                    zoh,
                )
                y = _scan_channel_complex(*args) if complex_A else _scan_channel_real(*args)
                if D_fixed is not None:
                    y = [v + ((D_fixed[i] * x) >> s) for v, x in zip(y, inputs)]
                if z_x is not None:
                    gates = [_silu_fixed(fx, _scaled_real(work, v, s), s) for v in z_x[b][i]]
                    y = [(v * g) >> s for v, g in zip(y, gates)]
                channels.append(y)
        return channels

    flat, got, prec = _certify_channels(compute, digits, max_prec)
    values = [flat[b * d : (b + 1) * d] for b in range(nb)]
    method_name_ = f"{method}/fixed-point-scan"
    params: dict[str, Any] = {"u": u_x, "delta": delta_x, "A": A_x}
    params["B"], params["C"] = layouts["B"][-1], layouts["C"][-1]
    for name, value in (("D", D_x), ("z", z_x), ("delta_bias", bias_x)):
        if value is not None:
            params[name] = value
    params["delta_softplus"], params["discretization"] = softplus, method
    return OracleResult("selective_scan", values, got, prec, method_name_, params)


def _bc_layout(name: str, value: Any, nb: int, d: int, n: int, nl: int, complex_A: bool) -> tuple:
    """B or C read by its number of dimensions: ("const", (d, n)), ("step", (b, n, l)) or
    ("group", g, (b, g, n, l)); the last element is always the exact entries."""
    real = None if complex_A else " when A is real (complex B/C need a complex A)"
    ndim = _depth(value)
    if ndim not in (2, 3, 4):
        raise InvalidArgumentError(
            f"{name}: expected (d, n), (b, n, l) or (b, g, n, l), got {ndim} dimensions"
        )
    entries, shape, _ = _read_tensor(name, value, ndim, real)
    if ndim == 2:
        _require_shape(name, shape, (d, n), "(d, n)")
        return ("const", entries)
    if ndim == 3:
        _require_shape(name, shape, (nb, n, nl), "(b, n, l)")
        return ("step", entries)
    g = shape[1]
    _require_shape(name, shape, (nb, g, n, nl), "(b, g, n, l)")
    if d % g:
        raise InvalidArgumentError(f"{name}: g = {g} groups do not divide d = {d} channels")
    return ("group", g, entries)


def _require_selective_growth(
    delta: list, A: list, bias: list | None, softplus: bool, max_prec: int
) -> None:
    """Refuse if sum_t max_n Re(delta_t A_n)^+ exceeds max_prec bits for some channel."""
    for i, row in enumerate(A):
        re_parts = [_float_value(v).real for v in row]
        top, bottom = max(max(re_parts), 0.0), min(min(re_parts), 0.0)
        if not top and not bottom:
            continue
        shift = _float_value(bias[i]).real if bias is not None else 0.0
        for batch in delta:
            growth = 0.0
            for v in batch[i]:
                step = _float_value(v).real + shift
                if math.isnan(step):  # inf - inf: the exact sum of two huge rationals
                    step = _float_value(Fraction(v) + Fraction(bias[i])).real  # type: ignore
                if softplus:
                    step = _softplus_float(step)
                growth += step * top if step > 0 else step * bottom
            _require_growth("selective_scan", growth / math.log(2), max_prec)


def _require_bilinear_step(lam: Any, step: Any) -> None:
    """Refuse Lambda delta = 2 exactly (1 - Lambda delta/2 = 0) for rational inputs."""
    lam = Fraction(lam) if isinstance(lam, float) else lam
    step = Fraction(step) if isinstance(step, float) else step
    if isinstance(step, Fraction) and isinstance(lam, (Fraction, tuple)):
        re_, im = lam if isinstance(lam, tuple) else (lam, Fraction(0))
        if re_ * step == 2 and im == 0:
            raise InvalidArgumentError(
                f"Lambda delta = 2 for a state (Lambda = {re_}, delta = {step}): "
                "1 - Lambda delta/2 = 0, the bilinear transform is not defined"
            )


# 12. Mamba-2's SSD and S5 ---------------------------------------------------------------


def ssd(
    X: Any,
    dt: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any = None,
    *,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """Mamba-2's SSD (state-space duality), scalar A per head, by its recurrence.

    Per batch element and head i (group k = i // (h // g)), H_{-1} = 0 (p x n) and::

        H_t = e^{dt_t A_i} H_{t-1} + dt_t X_t B_t^T      (outer product, p x n)
        y_t = H_t C_t + D_i X_t

    Mamba-2's minimal ``ssd_minimal_discrete(X*dt, A*dt, B, C, block_len)`` is this map.
    Algorithm: the recurrence in fixed point (one table exponential per step and head).
    Digits relative to each output channel's max-norm (max_t |y[b, t, i, j]| per b, i, j),
    a ~0 channel relative to the global max-norm (as ``selective_scan``).
    Work: 3 b l h p n + 32 b l h (p + 1).

    Arguments:
        X: (b, l, h, p) real. dt: (b, l, h) real > 0 (already softplus-ed). A: (h,) real.
        B, C: (b, l, g, n) real, h % g == 0. D: (h,) real or None. digits, max_prec.
    Returns:
        OracleResult, ``values`` y as nested lists (b, l, h, p) of mpf.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, shapes, g not dividing h,
            complex inputs, dt <= 0, a state that can grow beyond 2^max_prec.
    """
    X_x, (nb, nl, h, p), _ = _read_tensor("X", X, 4)
    dt_x, shape, _ = _read_tensor("dt", dt, 3)
    _require_shape("dt", shape, (nb, nl, h), "(b, l, h)")
    A_x, shape, _ = _read_tensor("A", A, 1)
    _require_shape("A", shape, (h,), "(h,)")
    B_x, shape, _ = _read_tensor("B", B, 4)
    g, n = shape[2], shape[3]
    _require_shape("B", shape, (nb, nl, g, n), "(b, l, g, n)")
    C_x, shape, _ = _read_tensor("C", C, 4)
    _require_shape("C", shape, (nb, nl, g, n), "(b, l, g, n)")
    if h % g:
        raise InvalidArgumentError(f"B, C: g = {g} groups do not divide h = {h} heads")
    D_x = _optional_tensor("D", D, (h,), "(h,)")
    digits, max_prec = _require_digits(digits, max_prec)
    _require_positive("dt", dt_x)
    for i, a in enumerate(A_x):
        rate = max(_float_value(a).real, 0.0)
        if rate:
            for batch in dt_x:
                total = sum(_float_value(row[i]).real for row in batch)
                _require_growth("ssd", rate * total / math.log(2), max_prec)
    _require_work(
        f"ssd work 3 b l h p n + 32 b l h (p + 1) (b = {nb}, l = {nl}, h = {h}, p = {p}, n = {n})",
        3 * nb * nl * h * p * n + _MP * nb * nl * h * (p + 1),
    )

    def compute(work: _Work) -> list[list[int]]:
        s = work.prec
        w = s + _EXP_GUARD
        exp = _fixed_exp(w).exp
        A_f = _fixed_row(work, A_x, s)
        D_f = _fixed_row(work, D_x, s) if D_x is not None else None
        outputs = [[[[0] * p for _ in range(h)] for _ in range(nl)] for _ in range(nb)]
        for b in range(nb):
            Bf = [[_fixed_row(work, grp, s) for grp in row] for row in B_x[b]]
            Cf = [[_fixed_row(work, grp, s) for grp in row] for row in C_x[b]]
            for i in range(h):
                k = i // (h // g)
                rows = [[0] * n for _ in range(p)]
                for t in range(nl):
                    step = _scaled_real(work, dt_x[b][t][i], s)
                    a = exp((step * A_f[i]) >> (s - _EXP_GUARD)) >> _EXP_GUARD
                    x_t = _fixed_row(work, X_x[b][t][i], s)
                    B_t, C_t = Bf[t][k], Cf[t][k]
                    rows = [
                        [(a * hv + c * bv) >> s for hv, bv in zip(row, B_t)]
                        for row, c in zip(rows, [(step * x) >> s for x in x_t])
                    ]
                    y = [sum(map(mul, C_t, row)) >> s for row in rows]
                    if D_f is not None:
                        y = [v + ((D_f[i] * x) >> s) for v, x in zip(y, x_t)]
                    outputs[b][t][i] = y
        series = [(b, i, j) for b in range(nb) for i in range(h) for j in range(p)]
        return [[outputs[b][t][i][j] for t in range(nl)] for b, i, j in series]

    flat, got, prec = _certify_channels(compute, digits, max_prec)
    values = [
        [[[flat[(b * h + i) * p + j][t] for j in range(p)] for i in range(h)] for t in range(nl)]
        for b in range(nb)
    ]
    params: dict[str, Any] = {"X": X_x, "dt": dt_x, "A": A_x, "B": B_x, "C": C_x}
    if D_x is not None:
        params["D"] = D_x
    return OracleResult("ssd", values, got, prec, "fixed-point-scan", params)


def s5_scan(
    Lambda: Any,
    B: Any,
    C: Any,
    u: Any,
    delta: Any,
    D: Any = None,
    *,
    discretization: str = "zoh",
    conj_sym: bool = True,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """S5: a time-invariant MIMO diagonal system (P states, H inputs and outputs).

    ZOH: Lbar = e^{Lambda delta}, Bbar = ((Lbar - 1)/Lambda)[:, None] B (delta B where
    Lambda = 0); bilinear: Lbar = (1 + Lambda delta/2)/(1 - Lambda delta/2), Bbar =
    (delta/(1 - Lambda delta/2))[:, None] B. x_{-1} = 0, x_k = Lbar x_{k-1} + Bbar u_k,
    y_k = 2 Re(C x_k) with ``conj_sym`` (one state of each conjugate pair stored), else
    Re(C x_k); y_k += D u_k (elementwise). Per-state steps delta (S5's exp(log_step)).

    Algorithm: (Lbar, Bbar) by mpmath at the working precision, then the recurrence in
    fixed point. Digits relative to each output channel's max-norm (max_k |y[b, k, j]|
    per b, j), a ~0 channel relative to the global max-norm (as ``selective_scan``).
    Work: b l (4 P H + 8 P) + 32 b l H + 32 P H.

    Arguments:
        Lambda: (P,) (complex; real allowed). B: (P, H). C: (H, P) (complex allowed).
        u: (b, l, H) real. delta: (P,) real > 0. D: (H,) real or None.
        discretization: ``"zoh"`` or ``"bilinear"``; conj_sym: a bool; digits, max_prec.
    Returns:
        OracleResult, ``values`` y as nested lists (b, l, H) of mpf.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, shapes, complex u, delta
            or D, delta <= 0, Lambda delta = 2 (bilinear), an unknown discretization, a
            non-bool conj_sym, a state that can grow beyond 2^max_prec (|Lbar|^l).
    """
    lam_x, (P,), _ = _read_tensor("Lambda", Lambda, 1, None)
    B_x, (PB, H), _ = _read_tensor("B", B, 2, None)
    _require_shape("B", (PB, H), (P, H), "(P, H)")
    C_x, shape, _ = _read_tensor("C", C, 2, None)
    _require_shape("C", shape, (H, P), "(H, P)")
    u_x, (nb, nl, Hu), _ = _read_tensor("u", u, 3)
    _require_shape("u", (nb, nl, Hu), (nb, nl, H), "(b, l, H)")
    delta_x, shape, _ = _read_tensor("delta", delta, 1)
    _require_shape("delta", shape, (P,), "(P,)")
    D_x = _optional_tensor("D", D, (H,), "(H,)")
    method = _require_name("discretization", discretization, S5_DISCRETIZATIONS)
    conj = _require_flag("conj_sym", conj_sym)
    digits, max_prec = _require_digits(digits, max_prec)
    _require_positive("delta", delta_x)
    growth = 0.0
    for lam, step in zip(lam_x, delta_x):
        if method == "bilinear":
            _require_bilinear_step(lam, step)
        z_ = _float_value(lam) * _float_value(step).real
        if method == "zoh":
            growth = max(growth, z_.real / math.log(2))
        elif abs(1 - z_ / 2) == 0:
            growth = math.inf
        else:
            growth = max(growth, math.log2(abs(1 + z_ / 2) / abs(1 - z_ / 2)))
    _require_growth("s5_scan", growth * nl, max_prec)
    _require_work(
        f"s5_scan work b l (4 P H + 8 P) + 32 b l H + 32 P H "
        f"(b = {nb}, l = {nl}, P = {P}, H = {H})",
        nb * nl * (4 * P * H + 8 * P) + _MP * (nb * nl * H + P * H),
    )
    factor = 2 if conj else 1

    def compute(work: _Work) -> list[list[int]]:
        ctx, s = work.ctx, work.prec
        Lbar, gains = [], []
        for lam, step in zip(lam_x, delta_x):
            z_ = _num(work, lam) * _num(work, step)
            if method == "zoh":
                Lbar.append(ctx.exp(z_))
                gains.append(_num(work, step) if z_ == 0 else ctx.expm1(z_) / _num(work, lam))
            else:
                den = 1 - z_ / 2
                if den == 0:
                    raise InvalidArgumentError("1 - Lambda delta/2 = 0 for a state (bilinear)")
                Lbar.append((1 + z_ / 2) / den)
                gains.append(_num(work, step) / den)
        L_f = [work.fixed_pair(v) for v in Lbar]
        Bb = [[work.fixed_pair(g * _num(work, v)) for v in row] for g, row in zip(gains, B_x)]
        Bb_re = [[re_ for re_, _ in row] for row in Bb]
        Bb_im = [[im for _, im in row] for row in Bb]
        C_f = [[work.fixed_pair(_num(work, v)) for v in row] for row in C_x]
        C_re = [[re_ for re_, _ in row] for row in C_f]
        C_neg_im = [[-im for _, im in row] for row in C_f]
        D_f = _fixed_row(work, D_x, s) if D_x is not None else None
        channels = []
        for b in range(nb):
            hr, hi = [0] * P, [0] * P
            outputs = []
            for t in range(nl):
                u_t = _fixed_row(work, u_x[b][t], s)
                new_r, new_i = [], []
                for (lr, li), a, c, br, bi in zip(L_f, hr, hi, Bb_re, Bb_im):
                    new_r.append(((lr * a - li * c) >> s) + (sum(map(mul, br, u_t)) >> s))
                    new_i.append(((lr * c + li * a) >> s) + (sum(map(mul, bi, u_t)) >> s))
                hr, hi = new_r, new_i
                y = [
                    (factor * (sum(map(mul, cr, hr)) + sum(map(mul, ci, hi)))) >> s
                    for cr, ci in zip(C_re, C_neg_im)
                ]
                if D_f is not None:
                    y = [v + ((dv * x) >> s) for v, dv, x in zip(y, D_f, u_t)]
                outputs.append(y)
            channels.extend([outputs[t][j] for t in range(nl)] for j in range(H))
        return channels

    flat, got, prec = _certify_channels(compute, digits, max_prec)
    values = [[[flat[b * H + j][t] for j in range(H)] for t in range(nl)] for b in range(nb)]
    params: dict[str, Any] = {"Lambda": lam_x, "B": B_x, "C": C_x, "u": u_x, "delta": delta_x}
    if D_x is not None:
        params["D"] = D_x
    params["discretization"], params["conj_sym"] = method, conj
    return OracleResult("s5_scan", values, got, prec, f"{method}/fixed-point-scan", params)
