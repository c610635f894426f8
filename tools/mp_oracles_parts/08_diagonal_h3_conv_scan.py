# 8. Public oracles: diagonal systems, H3, convolution, scan ----------------------------


def _discretize_modes(
    work: _Work, lam: list, B: list, dt: Any, alpha: Fraction | None
) -> tuple[list, list]:
    """Per-mode (lam_bar, Bb): ZOH e^{dt l}, expm1(dt l)/l b (dt b at l = 0); gbt as in A."""
    ctx, step = work.ctx, work.num(dt)
    modes, inputs = [], []
    for lam_exact, b_exact in zip(lam, B):
        mode, b = work.num(lam_exact), work.num(b_exact)
        if alpha is None:
            modes.append(ctx.exp(step * mode))
            inputs.append(step * b if mode == 0 else ctx.expm1(step * mode) / mode * b)
            continue
        den = 1 - alpha * step * mode
        if den == 0:
            raise InvalidArgumentError(
                "1 - alpha dt lambda = 0 for a mode: the step hits 1/(alpha dt)"
            )
        modes.append((1 + (1 - alpha) * step * mode) / den)
        inputs.append(step * b / den)
    return modes, inputs


def _complex_times(x_re: list, x_im: list, m_re: list, m_im: list, s: int) -> tuple[list, list]:
    """Elementwise x m on fixed-point complex pairs (each product rounded down at 2^-s)."""
    return (
        [(a * c - b * d) >> s for a, b, c, d in zip(x_re, x_im, m_re, m_im)],
        [(a * d + b * c) >> s for a, b, c, d in zip(x_re, x_im, m_re, m_im)],
    )


def _pack(digits: list[int], width: int) -> int:
    """sum_j digits[j] 2^(width j) (Kronecker substitution; digits may be negative)."""
    packed = 0
    for v in reversed(digits):
        packed = (packed << width) + v
    return packed


def _unpack(packed: int, count: int, width: int) -> list[int]:
    """The ``count`` signed digits t_j of ``packed`` = sum_j t_j 2^(width j), each
    |t_j| < 2^(width - 1) and width a multiple of 8: add 2^(width - 1) to every digit so
    that all are nonnegative, then read fixed-width fields of the bytes."""
    half, size = 1 << (width - 1), width // 8
    offset = _pack([half] * count, width)
    raw = int(packed + offset).to_bytes(count * size, "little")
    return [int.from_bytes(raw[i : i + size], "little") - half for i in range(0, len(raw), size)]


def _vandermonde_fixed(
    work: _Work, modes: list, weights: list, L: int, real_part: bool
) -> tuple[list[int], list[int]]:
    """sum_n w_n m_n^k, k < L, as fixed-point ints at scale 2^-prec: (real parts,
    imaginary parts), the second empty when ``real_part``.

    Blocked by time: with B = ceil(sqrt(L)) and k = q B + j (j < B),
    sum_n w_n m_n^k = sum_n x_n^(q) P_j[n], x^(q) = w m^(q B), P_j = m^j. The table P
    (B N complex products) and the block weights x^(q) (L/B N products, each x^(q-1) m^B)
    come by repeated fixed-point multiplication. The B taps of a block are then the digits
    of one packed sum: with Q_n = sum_j P_j[n] 2^(W j) (Kronecker substitution, W bits per
    digit, more than any |tap| needs), sum_n x_n^(q) Q_n = sum_j tap_{qB+j} 2^(W j), so a
    block costs 2 N (4 N complex) big-int products instead of B N. The products and the
    digit read-out are exact; the only roundings are those of P and x^(q): P_j carries ~j
    units of 2^-prec relative error, x^(q) ~q B, so a tap carries ~k units times
    sum |w_n m_n^k|, as repeated multiplication does; the two-precision certificate
    measures it.
    """
    s, n_modes = work.prec, len(modes)
    m_re, m_im = (list(t) for t in zip(*[work.fixed_pair(m) for m in modes]))
    x_re, x_im = (list(t) for t in zip(*[work.fixed_pair(w) for w in weights]))
    block = math.isqrt(L - 1) + 1
    table = [([MPZ(1) << s] * n_modes, [MPZ(0)] * n_modes)]
    for _ in range(block):
        table.append(_complex_times(*table[-1], m_re, m_im, s))
    step_re, step_im = table.pop()  # m^B
    blocks = [(x_re, x_im)]
    for _ in range((L - 1) // block):
        blocks.append(_complex_times(*blocks[-1], step_re, step_im, s))
    biggest = max(abs(v) for part in table + blocks for values in part for v in values)
    # |tap| at scale 2^-2s <= 2 N max|x| max|P| < 2^(width - 1)
    width = 8 * ((2 * biggest.bit_length() + (2 * n_modes).bit_length() + 1) // 8 + 1)
    packed_re = [_pack(list(column), width) for column in zip(*[p for p, _ in table])]
    packed_im = [_pack(list(column), width) for column in zip(*[p for _, p in table])]
    out_re: list[int] = []
    out_im: list[int] = []
    for q, (xr, xi) in enumerate(blocks):
        count = min(block, L - q * block)
        total = sum(map(mul, xr, packed_re)) - sum(map(mul, xi, packed_im))
        out_re += [v >> s for v in _unpack(total, block, width)[:count]]
        if not real_part:
            total = sum(map(mul, xr, packed_im)) + sum(map(mul, xi, packed_re))
            out_im += [v >> s for v in _unpack(total, block, width)[:count]]
    return out_re, out_im


def _from_fixed(work: _Work, values: list[int]) -> list:
    """Fixed-point ints at scale 2^-prec as working-precision mpf (rounded to nearest)."""
    ctx, prec, to_mpf = work.ctx, work.prec, mpmath.libmp.from_man_exp
    return [ctx.make_mpf(to_mpf(v, -prec, prec, "n")) for v in values]


def _vandermonde_sum(work: _Work, modes: list, weights: list, L: int, real_part: bool) -> list:
    """sum_n w_n m_n^k for k < L (``_vandermonde_fixed``) as mpf (``real_part``) or mpc."""
    real, imag = _vandermonde_fixed(work, modes, weights, L, real_part)
    if real_part:
        return _from_fixed(work, real)
    return [work.ctx.mpc(r, i) for r, i in zip(_from_fixed(work, real), _from_fixed(work, imag))]


def diag_kernel(
    lam: Any,
    B: Any,
    C: Any,
    L: int,
    *,
    dt: Any,
    method: Any = "zoh",
    conj_pairs: bool = True,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """S4D kernel of A = diag(lam) by the Vandermonde sum.

    K_k = sum_n C_n Bb_n lam_bar_n^k with (lam_bar, Bb) the per-mode discretization
    (``"zoh"``: lam_bar = e^{dt lam}, Bb = (e^{dt lam} - 1)/lam B, dt B at lam = 0). With
    ``conj_pairs`` (S4D) ``lam`` holds one mode of each conjugate pair and the kernel is
    2 Re of the sum; otherwise the complex sum. Work: 8 N L + 32 L.

    Arguments:
        lam, B, C: N modes, inputs, output weights (complex allowed); L: taps >= 1;
        dt: step > 0; method: see ``method_alpha`` (default ZOH); conj_pairs: a bool.
    Returns:
        OracleResult, ``values`` the L taps (mpf with ``conj_pairs``, else mpc).
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, lengths, L, dt, method,
            conj_pairs not a bool, 1 - alpha dt lam = 0 for a mode.
    """
    lam = exact_vector("lam", lam)
    B, C = exact_vector("B", B, len(lam)), exact_vector("C", C, len(lam))
    L = require_int("L", L, 1)
    dt = require_step(dt)
    alpha = method_alpha(method)
    if not isinstance(conj_pairs, bool):
        raise InvalidTypeError(f"conj_pairs: expected a bool, got {conj_pairs!r}")
    digits, max_prec = _require_digits(digits, max_prec)
    _require_work(
        f"diag_kernel work 8 N L + 32 L (N = {len(lam)}, L = {L})", 8 * len(lam) * L + _MP * L
    )

    def weighted_modes(work: _Work) -> tuple[list, list]:
        modes, inputs = _discretize_modes(work, lam, B, dt, alpha)
        return modes, [work.num(c) * b * (2 if conj_pairs else 1) for c, b in zip(C, inputs)]

    def compute_pairs(work: _Work) -> list[list[int]]:
        return [_vandermonde_fixed(work, *weighted_modes(work), L, True)[0]]

    def compute(work: _Work) -> list[list]:
        return [_vandermonde_sum(work, *weighted_modes(work), L, False)]

    if conj_pairs:  # real taps: compare the fixed-point ints of two runs directly
        parts, got, prec = _certify_channels(compute_pairs, digits, max_prec)
    else:
        parts, got, prec = _certify(compute, digits, max_prec)
    params = dict(lam=lam, B=B, C=C, L=L, dt=dt, method=method_name(method))
    params["conj_pairs"] = conj_pairs
    return _result("diag_kernel", parts, got, prec, f"{method_name(method)}/vandermonde", params)


def h3_diag_kernel(
    lam: Any,
    B: Any,
    C: Any,
    L: int,
    *,
    dt: Any,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """The diagonal SSM of an H3 layer: ``diag_kernel(..., method="zoh",
    conj_pairs=True)`` under the H3 path's name (family ``"h3_diag_kernel"``).

    Arguments:
        lam, B, C, L, dt: as ``diag_kernel``.
    Returns:
        OracleResult, ``values`` the L real taps 2 Re sum_n C_n Bb_n e^{k dt lam_n}.
    Raises:
        As ``diag_kernel``.
    """
    result = diag_kernel(
        lam, B, C, L, dt=dt, method="zoh", conj_pairs=True, digits=digits, max_prec=max_prec
    )
    return dataclasses.replace(result, family="h3_diag_kernel")


def shift_kernel(
    C: Any, L: int, *, digits: int = 30, max_prec: int = DEFAULT_MAX_PREC
) -> OracleResult:
    """H3's shift SSM: Ab the down-shift (Ab[i+1, i] = 1), Bb = e_0, so
    K_k = C Ab^k e_0 = C_k for k < d, 0 for k >= d. Work: 32 L.

    Arguments:
        C: length-d output row; L: taps >= 1 (entries of C beyond L are dropped).
    Returns:
        OracleResult, ``values`` C padded with zeros or truncated to L (exact inputs are
        only rounded to the working precision).
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, C empty, bad L.
    """
    C = exact_vector("C", C)
    L = require_int("L", L, 1)
    digits, max_prec = _require_digits(digits, max_prec)
    _require_work(f"shift_kernel work 32 L (L = {L})", _MP * L)

    def compute(work: _Work) -> list[list]:
        taps = [work.num(c) for c in C[:L]]
        return [taps + [work.ctx.zero] * (L - len(taps))]

    parts, got, prec = _certify(compute, digits, max_prec)
    return _result("shift_kernel", parts, got, prec, "shift", {"C": C, "L": L})


def _conv_fixed(K: list[int], u: list[int], s: int) -> list[int]:
    """y_k = sum_{j <= k} K_j u_{k-j}, k < len(u), on fixed-point ints (scale 2^-s)."""
    rev_u, n = u[::-1], len(u)
    out = []
    for k in range(n):
        m = min(k + 1, len(K))
        out.append(sum(map(mul, K[:m], rev_u[n - 1 - k : n - 1 - k + m])) >> s)
    return out


def causal_conv(
    u: Any, K: Any, *, digits: int = 30, max_prec: int = DEFAULT_MAX_PREC
) -> OracleResult:
    """y_k = sum_{j <= k} K_j u_{k-j}, k < len(u): causal convolution, no wrap-around.

    With K_k = C Ab^k Bb this is y_k = C x_{k+1} of x_{k+1} = Ab x_k + Bb u_k, x_0 = 0 (the
    output sees the current input). Taps of K beyond len(u) are unused.
    Work: n m + 32 n, n = len(u), m = min(len(K), n).

    Arguments:
        u: the input sequence; K: the kernel taps (real or complex, lengths >= 1).
    Returns:
        OracleResult, ``values`` the len(u) outputs.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, u or K empty.
    """
    u = exact_vector("u", u)
    K = exact_vector("K", K)
    digits, max_prec = _require_digits(digits, max_prec)
    used_taps = min(len(K), len(u))
    _require_work(
        f"causal_conv work n m + 32 n (n = len(u) = {len(u)}, m = {used_taps} taps)",
        len(u) * used_taps + _MP * len(u),
    )
    complex_ = not _system_is_real([u, K])

    def compute(work: _Work) -> list[list]:
        ctx = work.ctx
        if complex_:
            uw, Kw = [work.num(v) for v in u], [work.num(v) for v in K]
            return [
                [
                    ctx.fsum(Kw[j] * uw[k - j] for j in range(min(k + 1, len(Kw))))
                    for k in range(len(uw))
                ]
            ]
        uf, Kf = ([work.fixed(work.num(v)) for v in vec] for vec in (u, K))
        return [[work.unfixed(v) for v in _conv_fixed(Kf, uf, work.prec)]]

    parts, got, prec = _certify(compute, digits, max_prec)
    return _result("causal_conv", parts, got, prec, "direct", {"u": u, "K": K})


def _scan_outputs(work: _Work, Ab: list[list], Bb: list, C: list, u: list, complex_: bool) -> list:
    """y_k = C x_{k+1}, x_{k+1} = Ab x_k + Bb u_k, x_0 = 0, in fixed point; complex data in
    the real embedding (z -> [Re z; Im z], so b u = Re(u) b + Im(u) (i b))."""
    s, ctx = work.prec, work.ctx
    A = [[work.fixed_pair(work.num(v)) for v in row] for row in Ab]
    b, c, uu = ([work.fixed_pair(work.num(v)) for v in vec] for vec in (Bb, C, u))
    if complex_:
        A_f = [[r for r, _ in row] + [-i for _, i in row] for row in A]
        A_f += [[i for _, i in row] + [r for r, _ in row] for row in A]
        b_re = [r for r, _ in b] + [i for _, i in b]
        b_im = [-i for _, i in b] + [r for r, _ in b]
        c_re = [r for r, _ in c] + [-i for _, i in c]
        c_im = [i for _, i in c] + [r for r, _ in c]
    else:
        A_f = [[r for r, _ in row] for row in A]
        b_re, b_im, c_re, c_im = [r for r, _ in b], [0] * len(b), [r for r, _ in c], []
    x, out = [0] * len(A_f), []
    for u_re, u_im in uu:
        x = [v + ((p * u_re + q * u_im) >> s) for v, p, q in zip(_matvec(A_f, x, s), b_re, b_im)]
        real = work.unfixed(sum(map(mul, c_re, x)) >> s)
        out.append(ctx.mpc(real, work.unfixed(sum(map(mul, c_im, x)) >> s)) if complex_ else real)
    return out


def scan(
    Ab: Any, Bb: Any, C: Any, u: Any, *, digits: int = 30, max_prec: int = DEFAULT_MAX_PREC
) -> OracleResult:
    """y_k = C x_{k+1}, x_{k+1} = Ab x_k + Bb u_k, x_0 = 0, k < len(u): the SSM recurrence.

    Equals sum_{j <= k} C Ab^j Bb u_{k-j} (``causal_conv(u, discrete_kernel(Ab, Bb, C,
    len(u)))``), computed here by stepping the state (an independent route).
    Work: N^2 n + 32 n, 4 N^2 n + 32 n for complex data, n = len(u).

    Arguments:
        Ab: N x N; Bb: length N; C: length-N output row; u: the input (length >= 1).
    Returns:
        OracleResult, ``values`` the len(u) outputs (mpf, or mpc for complex data).
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes, u empty.
    """
    Ab, Bb, C = _system(Ab, Bb, C)
    u = exact_vector("u", u)
    digits, max_prec = _require_digits(digits, max_prec)
    complex_ = not _system_is_real(Ab, [Bb, C, u])
    n, N = len(u), len(Ab)
    factor = 4 if complex_ else 1
    what = f"scan work {'4 ' if complex_ else ''}N^2 n + 32 n (N = {N}, n = len(u) = {n})"
    _require_work(what, factor * N * N * n + _MP * n)

    def compute(work: _Work) -> list[list]:
        return [_scan_outputs(work, Ab, Bb, C, u, complex_)]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"Ab": Ab, "Bb": Bb, "C": C, "u": u}
    return _result("scan", parts, got, prec, "recurrence", params)


def _real_vector(name: str, value: Any, length: int | None = None) -> list:
    vector = exact_vector(name, value, length)
    if not _system_is_real([vector]):
        raise InvalidArgumentError(f"{name}: must be real")
    return vector


def h3_ssm(
    q: Any,
    k: Any,
    v: Any,
    shift_C: Any,
    lam: Any,
    B: Any,
    C: Any,
    *,
    dt: Any,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """H3's SSM path y = q * causal_conv(v * causal_conv(k, K_shift), K_diag).

    K_shift = ``shift_kernel(shift_C, L)``, K_diag = ``h3_diag_kernel(lam, B, C, L,
    dt=dt)`` (ZOH, conjugate pairs), L = len(q); products elementwise in time, indices
    from 0 (the convention of ``kernels.h3_ssm``). Work: L min(d, L) + L^2 + 8 N L + 32 L.

    Arguments:
        q, k, v: real sequences of one length L >= 1; shift_C: real, length d >= 1;
        lam, B, C: N modes (one of each conjugate pair), inputs, outputs (complex
        allowed); dt: the ZOH step > 0.
    Returns:
        OracleResult, ``values`` the L outputs (mpf); digits relative to max |y|.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, lengths, complex
            q/k/v/shift_C, bad dt.
    """
    q = _real_vector("q", q)
    L = len(q)
    k, v = _real_vector("k", k, L), _real_vector("v", v, L)
    shift_C = _real_vector("shift_C", shift_C)
    lam = exact_vector("lam", lam)
    B, C = exact_vector("B", B, len(lam)), exact_vector("C", C, len(lam))
    dt = require_step(dt)
    digits, max_prec = _require_digits(digits, max_prec)
    d, N = len(shift_C), len(lam)
    what = f"h3_ssm work L min(d, L) + L^2 + 8 N L + 32 L (L = {L}, d = {d}, N = {N})"
    _require_work(what, L * min(d, L) + L * L + 8 * N * L + _MP * L)

    def compute(work: _Work) -> list[list]:
        s = work.prec
        qf, kf, vf, cf = ([work.fixed(work.num(x)) for x in vec] for vec in (q, k, v, shift_C))
        shifted = _conv_fixed(cf[:L], kf, s)  # the shift kernel is shift_C truncated to L
        modes, inputs = _discretize_modes(work, lam, B, dt, None)
        weights = [2 * work.num(c) * b for c, b in zip(C, inputs)]
        K_diag = _vandermonde_fixed(work, modes, weights, L, True)[0]
        w = _conv_fixed(K_diag, [(a * b) >> s for a, b in zip(shifted, vf)], s)
        return [[work.unfixed((a * b) >> s) for a, b in zip(w, qf)]]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"q": q, "k": k, "v": v, "shift_C": shift_C, "lam": lam, "B": B, "C": C, "dt": dt}
    return _result("h3_ssm", parts, got, prec, "zoh/shift+vandermonde+direct-conv", params)


