# 6. Working precision: a private context plus fixed point for the hot loops ------------


class _MorePrecision(Exception):
    """Raised inside a computation that has measured a loss larger than its guard bits."""

    def __init__(self, lost_bits: int, measured: bool = False):
        super().__init__(lost_bits)
        self.lost_bits = lost_bits
        self.measured = measured


class _Work:
    """One evaluation at ``prec`` bits: a private MPContext and fixed-point helpers.

    Fixed point: an integer X stands for X * 2^-prec. Products are (X * Y) >> prec; the hot
    loops (O(N^2 L), O(N L)) run on integers, 10-50x faster than mpf objects. Integers are
    mpmath's ``MPZ`` (gmpy2's mpz when gmpy2 is installed, about 3x faster than Python
    ints at 1000 bits; plain int otherwise).
    """

    def __init__(self, prec: int, guard_bits: int | None = None):
        self.prec = prec
        self.ctx = mpmath.MPContext()
        self.ctx.prec = prec
        self.guard_bits = prec if guard_bits is None else guard_bits
        self.lost_bits = 0  # cancellation an algorithm observed (drives the next precision)
        self.loss_measured = False  # the loss came from magnitudes known without cancellation

    def expect_loss(self, lost_bits: int, measured: bool = False) -> None:
        """Abort this run early if a predicted cancellation exceeds the guard bits.

        ``measured``: the prediction compares magnitudes computed without cancellation, so
        it holds even when it exceeds the precision (the next run can use it directly
        instead of doubling the precision)."""
        self.lost_bits = max(self.lost_bits, lost_bits)
        self.loss_measured = measured
        if lost_bits > self.guard_bits:
            raise _MorePrecision(lost_bits, measured)

    def num(self, v: Any) -> Any:
        """An exact scalar at working precision, in the private context."""
        ctx = self.ctx
        if isinstance(v, Fraction):
            return ctx.mpf(v.numerator) / v.denominator
        if isinstance(v, tuple):
            return ctx.mpc(self.num(v[0]), self.num(v[1]))
        if isinstance(v, (ctx.mpf, ctx.mpc, int)):  # already a working-precision number
            return ctx.convert(v)
        return ctx.convert(v._mpmath_(self.prec, "n"))

    def fixed(self, x: Any) -> int:
        """A real working-precision number (or exact Fraction) as a fixed-point int."""
        if isinstance(x, Fraction):
            return MPZ((x.numerator << self.prec) // x.denominator)
        return MPZ(self.ctx.to_fixed(self.ctx.convert(x), self.prec))

    def fixed_exact(self, v: Any) -> int:
        """A real exact input as a fixed-point int, without an mpf on the way for Fractions
        and for q sqrt(r) objects (Fraction attributes ``factor`` q and ``radicand`` r >= 0,
        such as hippo-verify's sympy radicals): sign(q) floor(sqrt(q^2 r 2^(2 prec)))."""
        if isinstance(v, Fraction):
            return self.fixed(v)
        factor, radicand = getattr(v, "factor", None), getattr(v, "radicand", None)
        if isinstance(factor, Fraction) and isinstance(radicand, Fraction):
            (p, q), (r, t) = factor.as_integer_ratio(), radicand.as_integer_ratio()
            if r >= 0:  # integer comparisons: Fraction's are slow in this hot loop
                root = _isqrt(
                    MPZ(p * p * r) << (2 * self.prec)
                    if q * q * t == 1
                    else (MPZ(p * p * r) << (2 * self.prec)) // (q * q * t)
                )
                return root if p >= 0 else -root
        return self.fixed(self.num(v))

    def fixed_pair(self, x: Any) -> tuple[int, int]:
        x = self.ctx.convert(x)
        if isinstance(x, self.ctx.mpc):
            return self.fixed(x.real), self.fixed(x.imag)
        return self.fixed(x), 0

    def unfixed(self, X: int) -> Any:
        return self.ctx.ldexp(self.ctx.mpf(X), -self.prec)

    def unfixed_complex(self, re_: int, im: int, scale: int, divisor: int = 1) -> Any:
        """(re_ + i im) 2^-scale / divisor as a context mpc, rounded once (divisor >= 1)."""
        prec, lib = self.prec, mpmath.libmp
        if divisor & (divisor - 1) == 0:  # a power of two: exact in the exponent
            exp = -scale - (divisor.bit_length() - 1)
            parts = (lib.from_man_exp(re_, exp, prec, "n"), lib.from_man_exp(im, exp, prec, "n"))
        else:
            den = lib.from_int(divisor)
            parts = tuple(
                lib.mpf_div(lib.from_man_exp(v, -scale), den, prec, "n") for v in (re_, im)
            )
        return self.ctx.make_mpc(parts)

    def note_cancellation(self, big: Any, small: Any) -> None:
        """Record that a result of size ``small`` came from terms of size ``big``."""
        if big and small:
            lost = int(self.ctx.log(abs(big) / abs(small), 2)) + 1
            self.lost_bits = max(self.lost_bits, lost)


def _bits_for(digits: int) -> int:
    return int(math.ceil(digits * _LOG2_10))


def _max_abs(ctx: Any, values: list) -> Any:
    return max((abs(v) for v in values), default=ctx.zero)


def agreement_digits(parts: list[list], reference: list[list], *, cap: int, prec: int) -> int:
    """Digits on which ``parts`` agree with ``reference``: min over parts of
    floor(-log10(max |a - b| / max |b|)), relative to each reference part's max-norm.

    Arguments:
        parts, reference: lists of parts, each a flat list of numbers, aligned pairwise;
        cap: the result for identical parts, and its maximum; prec: bits to compare at.
    Returns:
        An int in [0, cap] (0 when a reference part is zero and the part is not).
    Raises:
        TypeError: numbers mpmath cannot convert.
    """
    ctx = mpmath.MPContext()
    ctx.prec = prec
    digits = cap
    for part, part_ref in zip(parts, reference):
        scale2 = _max_squared(ctx, part_ref, None, prec)
        diff2 = _max_squared(ctx, part, part_ref, prec)
        if diff2 == _FZERO:
            continue
        if scale2 == _FZERO:
            return 0
        ratio = ctx.make_mpf(_lib.mpf_div(diff2, scale2, prec, "n"))
        digits = min(digits, int(ctx.floor(-ctx.log10(ratio) / 2)))
    return max(digits, 0)


_lib = mpmath.libmp
_FZERO = _lib.fzero


def _raw_parts(ctx: Any, value: Any) -> tuple:
    """(re, im) raw mpf tuples of a number of any mpmath context (or anything convertible)."""
    raw = getattr(value, "_mpc_", None)
    if raw is not None:
        return raw
    raw = getattr(value, "_mpf_", None)
    if raw is not None:
        return raw, _FZERO
    return _raw_parts(ctx, ctx.convert(value))


def _max_squared(ctx: Any, values: list, subtract: list | None, prec: int) -> tuple:
    """max_k |values_k - subtract_k|^2 (or max_k |values_k|^2) as a raw mpf at ``prec`` bits:
    squared moduli avoid a square root per number (the order is the same)."""
    lib, best = _lib, _FZERO
    sub, add, mul_, cmp = lib.mpf_sub, lib.mpf_add, lib.mpf_mul, lib.mpf_cmp
    pairs = zip(values, subtract) if subtract is not None else ((v, None) for v in values)
    for v, w in pairs:
        re_, im = _raw_parts(ctx, v)
        if w is not None:
            w_re, w_im = _raw_parts(ctx, w)
            re_, im = sub(re_, w_re, prec, "n"), sub(im, w_im, prec, "n")
        size = add(mul_(re_, re_, prec, "n"), mul_(im, im, prec, "n"), prec, "n")
        if cmp(size, best) > 0:
            best = size
    return best


def _agreement(low: list[list], high: list[list], prec_low: int) -> int:
    """Digits on which a run at ``prec_low`` bits agrees with a more precise one."""
    return agreement_digits(low, high, cap=int(prec_low / _LOG2_10), prec=prec_low + 64)


def _certify(
    compute: Callable[[_Work], list[list]], digits: int, max_prec: int
) -> tuple[list[list], int, int]:
    """Run ``compute`` at rising precisions until two runs agree to ``digits`` digits.

    ``compute`` returns a list of parts, each a flat list of numbers. It may report the
    cancellation it saw in ``work.lost_bits``; a run whose loss ate its guard bits is
    redone at a precision that covers the loss instead of being compared.
    Returns (parts at the higher precision, certified digits, that precision).
    """
    needed = _bits_for(digits) + 8
    prec, best, best_prec, learned_loss = needed + 24, None, 0, 0
    while True:
        work = _Work(prec, guard_bits=prec - needed)
        try:
            parts = compute(work)
        except _MorePrecision:
            parts = None
        lost = learned_loss = max(learned_loss, work.lost_bits)
        if parts is None or work.lost_bits > prec - needed:
            # A loss close to the precision itself is saturated (the run was noise), so
            # grow geometrically, unless it was measured without cancellation; otherwise the
            # loss tells the precision needed.
            saturated = work.lost_bits >= prec - 16 and not work.loss_measured
            next_prec = 2 * prec if saturated else needed + lost + 32
        elif best is None:
            best, best_prec = parts, prec
            partner = needed + lost + 24
            # A run whose guard bits covered a measured loss needs a partner only far enough
            # above it (32 bits) for the agreement to bound the error of the higher run.
            step = 32 if work.loss_measured else max(32, prec // 4)
            next_prec = partner if partner < prec - 32 else prec + step
        else:
            low_prec = min(prec, best_prec)
            low, high = (parts, best) if prec < best_prec else (best, parts)
            agreed = _agreement(low, high, low_prec)
            if agreed >= digits:
                return high, agreed, max(prec, best_prec)
            # The lower run kept only `agreed` digits: learn the loss and start a new pair.
            learned_loss = max(learned_loss, low_prec - int(agreed * _LOG2_10))
            best, next_prec = None, max(needed + learned_loss + 32, low_prec + 32)
        if next_prec > max_prec:
            raise CertificationError(
                f"could not certify {digits} digits within max_prec = {max_prec} bits "
                f"(the problem loses about {learned_loss} bits to cancellation or is "
                "ill-conditioned); raise max_prec or ask for fewer digits"
            )
        prec = max(next_prec, 64)


def _export(value: Any) -> Any:
    """A working-precision number as a global-mpmath number with all its bits."""
    if hasattr(value, "_mpc_"):
        return mpmath.mp.make_mpc(value._mpc_)
    return mpmath.mp.make_mpf(value._mpf_)


def _result(
    family: str, parts: list, digits: int, prec: int, method: str, params: dict, **kw: Any
) -> OracleResult:
    values = (
        [_export(v) for v in parts[0]]
        if len(parts) == 1
        else tuple([_export(v) for v in p] for p in parts)
    )
    return OracleResult(family, values, digits, prec, method, params, **kw)


# 6. (internal) Fixed-point linear algebra (complex: the real 2x2-block embedding) ------


def _embed_matrix(work: _Work, M: list[list]) -> list[list[int]]:
    """Fixed-point real embedding [[Re, -Im], [Im, Re]] of a complex matrix (or Re if real)."""
    pairs = [[work.fixed_pair(work.num(v)) for v in row] for row in M]
    if all(im == 0 for row in pairs for _, im in row):
        return [[re_ for re_, _ in row] for row in pairs]
    top = [[re_ for re_, _ in row] + [-im for _, im in row] for row in pairs]
    bottom = [[im for _, im in row] + [re_ for re_, _ in row] for row in pairs]
    return top + bottom


def _solve_fixed(M: list[list[int]], R: list[list[int]], s: int) -> list[list[int]]:
    """X with M X = R (fixed point, Gauss-Jordan with partial pivoting); R has rows like M."""
    n = len(M)
    rows = [list(M[i]) + list(R[i]) for i in range(n)]
    for k in range(n):
        pivot_row = max(range(k, n), key=lambda i: abs(rows[i][k]))
        if rows[pivot_row][k] == 0:
            raise InvalidArgumentError("the matrix to invert is singular at working precision")
        rows[k], rows[pivot_row] = rows[pivot_row], rows[k]
        pivot = rows[k][k]
        rows[k] = [(v << s) // pivot for v in rows[k]]
        top = rows[k]
        for i in range(n):
            factor = rows[i][k]
            if i != k and factor:
                rows[i] = [a - ((factor * b) >> s) for a, b in zip(rows[i], top)]
    return [row[n:] for row in rows]


def _matvec(M: list[list[int]], x: list[int], s: int) -> list[int]:
    return [sum(map(mul, row, x)) >> s for row in M]


# 6. (internal) Discretization at working precision -------------------------------------


_isqrt = mpmath.libmp.isqrt  # gmpy2's when installed (15x faster than math.isqrt)


def _known_real(v: Any) -> bool:
    """``_is_real`` without evaluating q sqrt(r) objects (``_Work.fixed_exact``)."""
    radicand = getattr(v, "radicand", None)
    if isinstance(radicand, Fraction) and radicand.numerator >= 0:
        return isinstance(getattr(v, "factor", None), Fraction)
    return _is_real(v)


def _system_is_real(*parts: list) -> bool:
    return all(
        _known_real(v)
        for part in parts
        for row in part
        for v in (row if isinstance(row, list) else [row])
    )


def _discretize_work(
    work: _Work, A: list[list], B: list, dt: Any, method: Any
) -> tuple[list[list], list]:
    """(Ab, Bb) as working-precision context numbers (complex allowed)."""
    ctx, d = work.ctx, len(A)
    alpha = method_alpha(method)
    step = work.num(dt)
    if alpha is None:
        aug = ctx.matrix(d + 1, d + 1)
        for i in range(d):
            for j in range(d):
                aug[i, j] = work.num(A[i][j]) * step
            aug[i, d] = work.num(B[i]) * step
        E = ctx.expm(aug)
        return [[E[i, j] for j in range(d)] for i in range(d)], [E[i, d] for i in range(d)]
    M = ctx.matrix(d, d)
    R = ctx.matrix(d, d + 1)
    for i in range(d):
        for j in range(d):
            a_ij = work.num(A[i][j]) * step
            M[i, j] = (i == j) - alpha * a_ij if alpha else ctx.mpf(i == j)
            R[i, j] = (i == j) + (1 - alpha) * a_ij
        R[i, d] = work.num(B[i]) * step
    X = _solve_context(work, M, R)
    return [[X[i][j] for j in range(d)] for i in range(d)], [X[i][d] for i in range(d)]


def _split_pairs(rows: list[list[tuple[int, int]]]) -> tuple[list, list]:
    real = [[re_ for re_, _ in row] for row in rows]
    imag = [[im for _, im in row] for row in rows]
    return real, imag


def _solve_context(work: _Work, M: Any, R: Any) -> list[list]:
    """M^{-1} R through the fixed-point solver (real embedding for complex data)."""
    ctx, d, m = work.ctx, M.rows, R.cols
    M_pairs = [[work.fixed_pair(M[i, j]) for j in range(d)] for i in range(d)]
    R_pairs = [[work.fixed_pair(R[i, j]) for j in range(m)] for i in range(d)]
    complex_ = any(im for row in M_pairs + R_pairs for _, im in row)
    M_re, M_im = _split_pairs(M_pairs)
    R_re, R_im = _split_pairs(R_pairs)
    if complex_:  # [[Re, -Im], [Im, Re]] [X_re; X_im] = [R_re; R_im]
        M_fixed = [r + [-v for v in i] for r, i in zip(M_re, M_im)] + [
            i + r for r, i in zip(M_re, M_im)
        ]
        R_fixed = R_re + R_im
    else:
        M_fixed, R_fixed = M_re, R_re
    try:
        X = _solve_fixed(M_fixed, R_fixed, work.prec)
    except InvalidArgumentError:
        raise InvalidArgumentError(
            "I - alpha dt A is singular: 1/(alpha dt) is an eigenvalue of A"
        ) from None
    if not complex_:
        return [[work.unfixed(v) for v in row] for row in X]
    return [
        [ctx.mpc(work.unfixed(X[i][j]), work.unfixed(X[i + d][j])) for j in range(m)]
        for i in range(d)
    ]


# 6. (internal) Kernels of a discrete system at working precision -----------------------


def _lower_triangular(M: list[list]) -> bool:
    return all(_is_zero(M[i][j]) for i in range(len(M)) for j in range(i + 1, len(M)))


def _transpose(M: list[list]) -> list[list]:
    return [list(col) for col in zip(*M)]


def _krylov_kernel(work: _Work, Ab: list[list], Bb: list, C: list, L: int) -> list:
    """K_k = C Ab^k Bb by L fixed-point matrix-vector steps (any dense system)."""
    ctx, s = work.ctx, work.prec
    values = [Ab[i][j] for i in range(len(Ab)) for j in range(len(Ab))] + Bb + C
    if not any(isinstance(v, ctx.mpc) for v in values):
        A_fixed = [[work.fixed(v) for v in row] for row in Ab]
        x = [work.fixed(v) for v in Bb]
        c = [work.fixed(v) for v in C]
        out = []
        for _ in range(L):
            out.append(sum(map(mul, c, x)))
            x = _matvec(A_fixed, x, s)
        return [work.unfixed(v >> s) for v in out]
    A_fixed = _embed_matrix(work, [[ctx.mpc(v) for v in row] for row in Ab])
    b_pairs = [work.fixed_pair(v) for v in Bb]
    x = [re_ for re_, _ in b_pairs] + [im for _, im in b_pairs]
    c_pairs = [work.fixed_pair(v) for v in C]
    c_re = [re_ for re_, _ in c_pairs] + [-im for _, im in c_pairs]
    c_im = [im for _, im in c_pairs] + [re_ for re_, _ in c_pairs]
    out = []
    for _ in range(L):
        out.append((sum(map(mul, c_re, x)), sum(map(mul, c_im, x))))
        x = _matvec(A_fixed, x, s)
    return [ctx.mpc(work.unfixed(r >> s), work.unfixed(i >> s)) for r, i in out]


def _triangular_eigen_kernel(
    work: _Work,
    T: list[list[int]],
    b: list[int],
    c: list[int],
    L: int,
    modes: Callable[[list], tuple[list, list]] | None = None,
    direct: Callable[[int], list[int]] | None = None,
) -> list | None:
    """K_k = sum_j (c v_j) g_j beta_j mu_j^k for a real lower-triangular T (fixed point).

    T is given by rows (row i has i + 1 entries); v_j are its right eigenvectors, found by
    substitution (v_j[j] = 1), beta solves V beta = b. ``modes(eigenvalues)`` returns the
    discrete modes mu_j and input gains g_j of a discretization (a function of T shares
    its eigenvectors: gbt maps lambda to (1 + (1-alpha) dt lambda)/(1 - alpha dt lambda)
    with gain dt/(1 - alpha dt lambda), ZOH to e^{dt lambda} with gain expm1(dt lambda)/lambda);
    None means T is already discrete (mu = lambda, g = 1). The expansion cancels (for LegS
    about 0.75 N digits); the loss, log2 of the largest weight over the largest of the
    first taps, is reported before the O(N L) sum is spent. ``direct(count)`` gives the
    first taps without the expansion (fixed point), so the loss is measured even when it
    exceeds the precision; without it they come from the expansion itself (then a loss
    near the precision only says "more"). Returns None for repeated eigenvalues.
    """
    s, n = work.prec, len(T)
    diagonal = [T[j][j] for j in range(n)]
    if len(set(diagonal)) < n:
        return None
    one = MPZ(1) << s
    V_rows: list[list[int]] = [[0] * (i + 1) for i in range(n)]  # V_rows[i][j] = v_j[i]
    for j in range(n):
        v = [one]  # v_j[j:]
        for i in range(j + 1, n):
            v.append(sum(map(mul, T[i][j:i], v)) // (diagonal[j] - diagonal[i]))
        for offset, value in enumerate(v):
            V_rows[j + offset][j] = value
    coeffs: list[int] = []
    for i in range(n):  # forward substitution, V is unit lower triangular
        coeffs.append(b[i] - (sum(map(mul, V_rows[i][:i], coeffs)) >> s))
    cv = [sum(c[i] * V_rows[i][j] for i in range(j, n)) >> s for j in range(n)]
    if modes is None:
        mu, gains = diagonal, [one] * n
    else:
        mu_w, gains_w = modes([work.unfixed(v) for v in diagonal])
        mu, gains = [work.fixed(v) for v in mu_w], [work.fixed(v) for v in gains_w]
    weights = [(((x * y) >> s) * g) >> s for x, y, g in zip(cv, coeffs, gains)]
    largest = max(abs(w) for w in weights).bit_length()
    if direct is not None:
        first = [abs(v) for v in direct(min(L, 4))]
    else:
        first = [abs(v) for v in _vandermonde_blocked(weights, mu, min(L, 8), s, 0)]
    if largest:
        work.expect_loss(largest - max(max(first), 1).bit_length(), direct is not None)
    # Weights above 1 carry no more than s significant bits: drop the bits below them.
    drop = max(0, min(largest - s - 8, s - 8))
    return [work.unfixed(v) for v in _vandermonde_blocked(weights, mu, L, s, drop)]


def _vandermonde_blocked(weights: list[int], mu: list[int], L: int, s: int, drop: int) -> list:
    """out_k = sum_n weights_n mu_n^k (fixed point, scale 2^-s), k < L, by blocks of m =
    isqrt(L): out_{jm+i} = sum_n (weights_n mu_n^{jm}) mu_n^i with the table mu^i (i < m),
    so each tap is one C-level ``sum(map(mul))`` and the per-mode products are one pass per
    block. The block factors are kept divided by 2^drop (drop <= s: an absolute error of
    2^(drop - s) per term, for weights much larger than 1 whose own error is larger)."""
    m = max(1, math.isqrt(L))
    table = [[MPZ(1) << s] * len(mu)]
    for _ in range(1, min(m, L)):
        table.append([(p * u) >> s for p, u in zip(table[-1], mu)])
    step = [(p * u) >> s for p, u in zip(table[-1], mu)]  # mu^m
    factors = [w >> drop for w in weights]
    out, shift = [], s - drop
    for start in range(0, L, m):
        for row in table[: L - start]:
            out.append(sum(map(mul, factors, row)) >> shift)
        factors = [(f * u) >> s for f, u in zip(factors, step)]
    return out


def _gbt_direct_taps(
    work: _Work, T: list[list[int]], b: list[int], c: list[int], dt: Any, alpha: Fraction
) -> Callable[[int], list[int]]:
    """``direct`` for ``_triangular_eigen_kernel``: the first taps C Ab^k Bb of the gbt
    discretization of a lower-triangular A (rows T, fixed point) by triangular solves with
    I - alpha dt A, no eigenvectors. Work N^2 per tap."""
    s, one = work.prec, MPZ(1) << work.prec
    step = work.num(dt)
    a_dt, r_dt = work.fixed(alpha * step), work.fixed((1 - alpha) * step)
    M = [[-((a_dt * v) >> s) for v in row] for row in T]  # I - alpha dt A
    R = [[(r_dt * v) >> s for v in row] for row in T]  # I + (1 - alpha) dt A
    for i in range(len(T)):
        M[i][i] += one
        R[i][i] += one

    def solve(rhs: list[int]) -> list[int]:
        y: list[int] = []
        for row, r in zip(M, rhs):
            y.append(((r << s) - sum(map(mul, row[:-1], y))) // row[-1])
        return y

    def taps(count: int) -> list[int]:
        x = solve([(v * work.fixed(step)) >> s for v in b])
        out = []
        for k in range(count):
            out.append(sum(map(mul, c, x)) >> s)
            if k + 1 < count:
                x = solve([sum(map(mul, row, x[: len(row)])) >> s for row in R])
        return out

    return taps


def _discrete_direct_taps(
    T: list[list[int]], b: list[int], c: list[int], s: int
) -> Callable[[int], list[int]]:
    """``direct`` for a discrete lower-triangular T: x <- T x (fixed point), N^2 per tap."""

    def taps(count: int) -> list[int]:
        x, out = list(b), []
        for k in range(count):
            out.append(sum(map(mul, c, x)) >> s)
            if k + 1 < count:
                x = [sum(map(mul, row, x[: len(row)])) >> s for row in T]
        return out

    return taps


def _reverse_order(A: list[list], B: list, C: list) -> tuple[list[list], list, list]:
    """(J A J, J B, C J) with J the reversal: maps upper to lower triangular, same kernel."""
    return [row[::-1] for row in A[::-1]], B[::-1], C[::-1]


def _triangular_shape(A: list[list], B: list, C: list, algorithm: str) -> str:
    """``"lower"`` if the eigen route applies (after ``_reverse_order`` for upper A)."""
    if algorithm == "krylov" or not _system_is_real(A, [B, C]):
        shape = "dense"
    elif _lower_triangular(A):
        shape = "lower"
    elif _lower_triangular(_transpose(A)):
        shape = "upper"
    else:
        shape = "dense"
    if algorithm == "triangular-eigen" and shape == "dense":
        raise InvalidArgumentError("algorithm 'triangular-eigen' needs a real triangular matrix")
    return shape


def _lower_form(A: list[list], B: list, C: list, shape: str) -> tuple[list[list], list, list]:
    return _reverse_order(A, B, C) if shape == "upper" else (A, B, C)


def _fixed_lower(work: _Work, A: list[list]) -> list[list[int]]:
    return [[work.fixed_exact(A[i][j]) for j in range(i + 1)] for i in range(len(A))]


_ALGORITHMS = ("auto", "krylov", "triangular-eigen")


def _require_algorithm(algorithm: Any) -> str:
    if algorithm not in _ALGORITHMS:
        raise InvalidArgumentError(f"algorithm: unknown {algorithm!r}; use one of {_ALGORITHMS}")
    return algorithm


