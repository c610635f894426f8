# 9. Public oracles: S4 (diagonal plus low rank) ----------------------------------------


def _low_rank(name: str, value: Any, n: int) -> list[list]:
    """An N x r factor; a length-N vector means r = 1."""
    rows = _nested(name, value)
    if rows and not isinstance(rows[0], (list, tuple)):
        return [[v] for v in exact_vector(name, rows, n)]
    matrix = exact_matrix(name, value, square=False)
    if len(matrix) != n:
        if len(matrix[0]) == n:  # r x N given: transpose
            return _transpose(matrix)
        raise InvalidArgumentError(
            f"{name}: expected shape (N, r) with N = {n}, got {len(matrix)} x {len(matrix[0])}"
        )
    return matrix


def _dft_work(n: int) -> int:
    """Complex products of ``_dft_fixed`` on n points: n times the sum of n's prime factors."""
    total, rest, p = 0, n, 2
    while p * p <= rest:
        while rest % p == 0:
            total, rest = total + p, rest // p
        p += 1
    return n * (total + (rest if rest > 1 else 0))


def _smallest_factor(n: int) -> int:
    return next((q for q in range(2, int(math.isqrt(n)) + 1) if n % q == 0), n)


def _dft_fixed(
    xr: list[int], xi: list[int], wr: list[int], wi: list[int], s: int, stride: int = 1
) -> tuple[list[int], list[int]]:
    """y_j = sum_k x_k w^(j k stride) on fixed-point complex pairs (recursive mixed radix).

    (wr, wi) is the table w_m = e^{2 pi i m / L} of the top-level length L; a sub-transform
    of length n = L / stride uses its every stride-th entry. Work ``_dft_work(n)`` products.
    """
    n = len(xr)
    if n == 1:
        return list(xr), list(xi)
    p = _smallest_factor(n)
    if p == n:  # prime length: the O(n^2) sum
        out_r, out_i = [], []
        for j in range(n):
            cr = [wr[(j * k % n) * stride] for k in range(n)]
            ci = [wi[(j * k % n) * stride] for k in range(n)]
            out_r.append((sum(map(mul, xr, cr)) - sum(map(mul, xi, ci))) >> s)
            out_i.append((sum(map(mul, xr, ci)) + sum(map(mul, xi, cr))) >> s)
        return out_r, out_i
    m = n // p
    subs = [_dft_fixed(xr[q::p], xi[q::p], wr, wi, s, stride * p) for q in range(p)]
    if p == 2:  # butterflies: y_j = a_j + w^j b_j, y_{j+m} = a_j - w^j b_j
        (ar, ai), (br, bi) = subs
        cr, ci = wr[: m * stride : stride], wi[: m * stride : stride]
        tr = [(b * c - d * e) >> s for b, d, c, e in zip(br, bi, cr, ci)]
        ti = [(b * e + d * c) >> s for b, d, c, e in zip(br, bi, cr, ci)]
        return (
            [a + t for a, t in zip(ar, tr)] + [a - t for a, t in zip(ar, tr)],
            [a + t for a, t in zip(ai, ti)] + [a - t for a, t in zip(ai, ti)],
        )
    out_r, out_i = [], []
    for j in range(n):
        re_, im_ = subs[0][0][j % m] << s, subs[0][1][j % m] << s
        for q in range(1, p):
            c, e = wr[(q * j % n) * stride], wi[(q * j % n) * stride]
            b, d = subs[q][0][j % m], subs[q][1][j % m]
            re_, im_ = re_ + b * c - d * e, im_ + b * e + d * c
        out_r.append(re_ >> s)
        out_i.append(im_ >> s)
    return out_r, out_i


def _fixed_vector(work: _Work, values: list) -> tuple[list[int], list[int]]:
    """(Re, Im) fixed-point ints of working-precision numbers."""
    pairs = [work.fixed_pair(v) for v in values]
    return [re_ for re_, _ in pairs], [im for _, im in pairs]


def _complex_solve_fixed(M: list[list[tuple]], rhs: list[tuple], s: int) -> list[tuple]:
    """x with M x = rhs, a small complex fixed-point system of (re, im) pairs (Gauss-Jordan,
    partial pivoting). Raises ZeroDivisionError when a pivot is exactly 0."""
    r = len(M)
    rows = [list(M[i]) + [rhs[i]] for i in range(r)]
    for k in range(r):
        pivot_row = max(range(k, r), key=lambda i: rows[i][k][0] ** 2 + rows[i][k][1] ** 2)
        rows[k], rows[pivot_row] = rows[pivot_row], rows[k]
        pr, pi = rows[k][k]
        den = pr * pr + pi * pi
        if not den:
            raise ZeroDivisionError("singular pivot")
        rows[k] = [
            (((a * pr + b * pi) << s) // den, ((b * pr - a * pi) << s) // den) for a, b in rows[k]
        ]
        for i in range(r):
            fr, fi = rows[i][k]
            if i != k and (fr or fi):
                rows[i] = [
                    (a - ((fr * c - fi * d) >> s), b - ((fr * d + fi * c) >> s))
                    for (a, b), (c, d) in zip(rows[i], rows[k])
                ]
    return [row[r] for row in rows]


def _dplr_bilinear(
    work: _Work, lam: list, P: list[list], Qh: list[list], B: list, dt: Any
) -> tuple[list, list[list], list[list], list]:
    """Bilinear step of A = diag(lam) - P Qh as a diagonal plus rank r: (lam_bar, Pb, Qb, Bb).

    With h = dt/2, D = I - h diag(lam) and M = I - h A = D + h P Qh, Woodbury gives
    M^{-1} = D^{-1} - D^{-1} P (h S^{-1}) Qh D^{-1}, S = I_r + h Qh D^{-1} P; since
    Ab = M^{-1}(2I - M) = 2 M^{-1} - I:
    Ab = diag(lam_bar) - Pb Qb, lam_bar = (1 + h lam)/(1 - h lam), Pb = D^{-1} P (2h S^{-1}),
    Qb = Qh D^{-1}; Bb = M^{-1} dt B = dt (D^{-1} B - Pb (Qb B) / 2). Work O(N r^2 + r^3).
    """
    ctx, step = work.ctx, work.num(dt)
    h, r, n = step / 2, len(Qh), len(lam)
    dens = [1 - h * v for v in lam]
    if any(d == 0 for d in dens):
        raise InvalidArgumentError(
            "dplr_kernel: 1 - dt/2 Lambda_n = 0 for some n (its bilinear image is infinite): "
            "the diagonal-plus-low-rank recurrence cannot use this step (ssm_kernel on the "
            "dense A can)"
        )
    d_inv = [1 / d for d in dens]
    lam_bar = [(1 + h * v) * g for v, g in zip(lam, d_inv)]
    Qb = [[q * g for q, g in zip(row, d_inv)] for row in Qh]
    S = ctx.matrix(
        [
            [(q == t) + h * ctx.fsum(Qb[q][i] * P[i][t] for i in range(n)) for t in range(r)]
            for q in range(r)
        ]
    )
    try:
        G = ctx.inverse(S) * (2 * h)
    except ZeroDivisionError:
        raise InvalidArgumentError(
            "I - alpha dt A is singular: 1/(alpha dt) is an eigenvalue of A"
        ) from None
    Pb = [
        [g * ctx.fsum(P[i][q] * G[q, t] for q in range(r)) for t in range(r)]
        for i, g in enumerate(d_inv)
    ]
    QbB = [ctx.fsum(row[i] * B[i] for i in range(n)) for row in Qb]
    Bb = [
        step * (g * b - ctx.fsum(Pb[i][t] * QbB[t] for t in range(r)) / 2)
        for i, (g, b) in enumerate(zip(d_inv, B))
    ]
    return lam_bar, Pb, Qb, Bb


def _pack_fields(values: list[int], width: int) -> int:
    """sum_j values[j] 2^(width j): several signed fixed-point numbers in one int, so that
    one product with a number x carries every values[j] x (fields may be negative)."""
    packed = 0
    for v in reversed(values):
        packed = (packed << width) + v
    return packed


def _unpack_fields(packed: int, width: int, count: int, offset: int) -> list[int]:
    """The ``count`` signed fields of ``_pack_fields``, each of magnitude < 2^(width - 1),
    width a multiple of 8 and ``offset`` = ``_pack_fields([2^(width - 1)] * count, width)``:
    with the offset added every field is nonnegative and is read from the bytes."""
    half, size = 1 << (width - 1), width // 8
    raw = int(packed + offset).to_bytes(count * size, "little")
    return [int.from_bytes(raw[i : i + size], "little") - half for i in range(0, len(raw), size)]


def _magnitude_bits(*vectors: list[int]) -> int:
    """Bits of the largest |v| over fixed-point vectors."""
    return max(max(max(v), -min(v)) for v in vectors).bit_length()


class _PackedRows:
    """Constant complex vectors u^(1..m) (as (Re, Im) fixed-point lists) packed per index n
    into one int Z_n = sum_j u^(j)_n parts 2^(width j), so that the 2m real dot products
    sum_n x_n Re/Im u^(j)_n of a real vector x come from one ``sum(map(mul, x, Z))``.

    The field width is chosen from the magnitude of x (call ``fit``) so that no field
    overflows: |field| <= N max|x| max|u| < 2^(width - 1).
    """

    def __init__(self, rows: list[tuple[list[int], list[int]]]):
        self.fields = [list(col) for col in zip(*[part for row in rows for part in row])]
        self.bits = _magnitude_bits(*[part for row in rows for part in row])
        self.count, self.width, self.packed, self.offset = 2 * len(rows), 0, [], 0

    def fit(self, x_bits: int) -> None:
        need = x_bits + self.bits + len(self.fields).bit_length() + 2
        if need > self.width:
            self.width = -(-(need + 32) // 64) * 64  # headroom (repacking is rare), whole words
            self.packed = [_pack_fields(f, self.width) for f in self.fields]
            self.offset = _pack_fields([1 << (self.width - 1)] * self.count, self.width)

    def dots(self, x: list[int]) -> list[int]:
        total = sum(map(mul, x, self.packed))
        return _unpack_fields(total, self.width, self.count, self.offset)


def _dplr_recurrence(
    work: _Work, lam_bar: list, Pb: list[list], Qb: list[list], Bb: list, C: list, L: int
) -> tuple[list, tuple[list[int], list[int]]]:
    """K_k = y_k Bb with y_0 = C, y_{k+1} = y_k Ab = y_k diag(lam_bar) - (y_k Pb) Qb.

    Fixed point, O(N r) per step (Ab is never formed); the complex dot products y Bb and
    y Pb come from two packed sums (``_PackedRows``). Returns the L taps (working-precision
    numbers) and y_L = C Ab^L as fixed-point (Re, Im) lists.
    """
    s, r = work.prec, len(Qb)
    if r == 1 and L >= 2:
        return _dplr_recurrence_pairs(work, lam_bar, Pb, Qb, Bb, C, L)
    lr, li = _fixed_vector(work, lam_bar)
    rows = [_fixed_vector(work, Bb)] + [
        _fixed_vector(work, [row[t] for row in Pb]) for t in range(r)
    ]
    packed = _PackedRows(rows)
    (qr, qi), extra = _fixed_vector(work, Qb[0]), [_fixed_vector(work, row) for row in Qb[1:]]
    yr, yi = _fixed_vector(work, C)
    taps = []
    for _ in range(L):
        packed.fit(_magnitude_bits(yr, yi))
        dr, di = packed.dots(yr), packed.dots(yi)  # x (u_r + i u_i) for x = yr, yi
        taps.append((dr[0] - di[1], dr[1] + di[0]))
        coef = [
            ((dr[j] - di[j + 1]) >> s, (dr[j + 1] + di[j]) >> s) for j in range(2, 2 * r + 2, 2)
        ]
        (cr, ci) = coef[0]
        if not extra:
            yr, yi = (
                [
                    (a * c - b * d - cr * e + ci * f) >> s
                    for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
                ],
                [
                    (a * d + b * c - cr * f - ci * e) >> s
                    for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
                ],
            )
            continue
        new_r = [
            a * c - b * d - cr * e + ci * f for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
        ]
        new_i = [
            a * d + b * c - cr * f - ci * e for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
        ]
        for (cr, ci), (er, ei) in zip(coef[1:], extra):
            new_r = [v - cr * e + ci * f for v, e, f in zip(new_r, er, ei)]
            new_i = [v - cr * f - ci * e for v, e, f in zip(new_i, er, ei)]
        yr, yi = [v >> s for v in new_r], [v >> s for v in new_i]
    return [work.unfixed_complex(a, b, 2 * s) for a, b in taps], (yr, yi)


def _cos_sin_table(ctx: Any, L: int) -> tuple[list, list]:
    """cos and sin of 2 pi m / L for m = 0 .. L//2 (working precision): cospi/sinpi on the
    first octant when 8 | L, the rest by the exact symmetries cos(pi/2 - x) = sin x and
    cos(pi - x) = -cos x."""
    if L % 8:
        angles = [ctx.mpf(2 * m) / L for m in range(L // 2 + 1)]
        return [ctx.cospi(x) for x in angles], [ctx.sinpi(x) for x in angles]
    eighth, quarter = L // 8, L // 4
    cos_ = [ctx.cospi(ctx.mpf(2 * m) / L) for m in range(eighth + 1)]
    sin_ = [ctx.sinpi(ctx.mpf(2 * m) / L) for m in range(eighth + 1)]
    cos_, sin_ = cos_ + sin_[eighth - 1 :: -1], sin_ + cos_[eighth - 1 :: -1]  # to L/4
    return cos_ + [-c for c in cos_[quarter - 1 :: -1]], sin_ + sin_[quarter - 1 :: -1]


def _dplr_recurrence_pairs(
    work: _Work, lam_bar: list, Pb: list[list], Qb: list[list], Bb: list, C: list, L: int
) -> tuple[list, tuple[list[int], list[int]]]:
    """``_dplr_recurrence`` for rank 1, two steps per pass over the state (the elementwise
    update is the costly part): with c_k = y_k Pb,
    y_{k+2} = y_k diag(lam_bar^2) - c_k (Qb lam_bar) - c_{k+1} Qb,
    c_{k+1} = y_k (lam_bar Pb) - c_k (Qb Pb), K_{k+1} = y_k (lam_bar Bb) - c_k (Qb Bb);
    an odd L ends with one plain step."""
    ctx, s = work.ctx, work.prec
    pb, qb = [row[0] for row in Pb], Qb[0]
    lam_pb = [v * p for v, p in zip(lam_bar, pb)]
    packed = _PackedRows(
        [_fixed_vector(work, v) for v in (Bb, pb, [v * b for v, b in zip(lam_bar, Bb)], lam_pb)]
    )
    l2r, l2i = _fixed_vector(work, [v * v for v in lam_bar])
    ur, ui = _fixed_vector(work, [q * v for q, v in zip(qb, lam_bar)])
    qr, qi = _fixed_vector(work, qb)
    hr, hi = work.fixed_pair(ctx.fsum(q * p for q, p in zip(qb, pb)))
    gr, gi = work.fixed_pair(ctx.fsum(q * b for q, b in zip(qb, Bb)))
    yr, yi = _fixed_vector(work, C)
    taps: list[tuple[int, int]] = []
    for _ in range(L // 2):
        packed.fit(_magnitude_bits(yr, yi))
        dr, di = packed.dots(yr), packed.dots(yi)  # y u_j = (dr[2j] - di[2j+1], dr[2j+1] + di[2j])
        c0r, c0i = (dr[2] - di[3]) >> s, (dr[3] + di[2]) >> s
        taps.append((dr[0] - di[1], dr[1] + di[0]))
        taps.append((dr[4] - di[5] - c0r * gr + c0i * gi, dr[5] + di[4] - c0r * gi - c0i * gr))
        c1r = (dr[6] - di[7] - c0r * hr + c0i * hi) >> s
        c1i = (dr[7] + di[6] - c0r * hi - c0i * hr) >> s
        yr, yi = (
            [
                (a * c - b * d - c0r * e + c0i * f - c1r * g + c1i * h) >> s
                for a, b, c, d, e, f, g, h in zip(yr, yi, l2r, l2i, ur, ui, qr, qi)
            ],
            [
                (a * d + b * c - c0r * f - c0i * e - c1r * h - c1i * g) >> s
                for a, b, c, d, e, f, g, h in zip(yr, yi, l2r, l2i, ur, ui, qr, qi)
            ],
        )
    if L % 2:  # the last step alone: K = y Bb, y <- y diag(lam_bar) - (y Pb) Qb
        packed.fit(_magnitude_bits(yr, yi))
        dr, di = packed.dots(yr), packed.dots(yi)
        taps.append((dr[0] - di[1], dr[1] + di[0]))
        c0r, c0i = (dr[2] - di[3]) >> s, (dr[3] + di[2]) >> s
        lr, li = _fixed_vector(work, lam_bar)
        yr, yi = (
            [
                (a * c - b * d - c0r * e + c0i * f) >> s
                for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
            ],
            [
                (a * d + b * c - c0r * f - c0i * e) >> s
                for a, b, c, d, e, f in zip(yr, yi, lr, li, qr, qi)
            ],
        )
    return [work.unfixed_complex(a, b, 2 * s) for a, b in taps], (yr, yi)


def _unit_circle_tables(work: _Work, L: int) -> tuple[list[int], list[int], list[int]]:
    """Fixed-point w_m = e^{2 pi i m / L} (Re, Im lists) and t_j = tan(pi j / L), j < L/2.

    tan(pi j/L) = sin x / (1 + cos x) for x = 2 pi j / L <= pi/2, (1 - cos x) / sin x beyond:
    each form has no cancellation where it is used.
    """
    half = L // 2
    cos_, sin_ = _cos_sin_table(work.ctx, L)
    tans = [
        (s_ / (1 + c) if 4 * j <= L else (1 - c) / s_)
        for j, (c, s_) in enumerate(zip(cos_[: (L + 1) // 2], sin_))
    ]
    wr = [work.fixed(c) for c in cos_]
    wi = [work.fixed(s_) for s_ in sin_]
    rest = range(L - half - 1, 0, -1)  # w_{L-m} = conj(w_m)
    return wr + [wr[m] for m in rest], wi + [-wi[m] for m in rest], [work.fixed(t) for t in tans]


def _woodbury_spectrum_fixed(
    work: _Work,
    lam: list,
    P: list[list],
    Qh: list[list],
    B: list,
    Ct: tuple[list[int], list[int]],
    dt: Any,
    tans: list[int],
    L: int,
) -> tuple[list[int], list[int]]:
    """G(z_j) = Ct (I - z_j Ab)^{-1} Bb at z_j = e^{-2 pi i j/L}, j < L, by Cauchy sums and
    Woodbury's identity (S4's algorithm), fixed point.

    G(z) = 2/(1+z) [k_CB - k_CP (I + k_QP)^{-1} k_QB], k_XY = sum_n X_n Y_n / (w - lam_n),
    w = (2/dt)(1-z)/(1+z). On the unit circle w = 2 i t_j / dt and 2/(1+z) = 1 + i t_j,
    t_j = tan(pi j/L) (``tans``; t_{L-j} = -t_j). At z = -1 (j = L/2) the factorization is
    singular but G is not: (I - z Ab)^{-1} Bb = [(I - dt/2 A) + (I + dt/2 A)]^{-1} dt B =
    dt B / 2. Raises ZeroDivisionError where a Cauchy pole or I + k_QP is singular.
    """
    s, r = work.prec, len(Qh)
    lam_re, lam_im = _fixed_vector(work, lam)
    a_ = [-v for v in lam_re]  # Re(w - lam_n); Im(w - lam_n) = w - lam_im_n
    xs = [Ct] + [_fixed_vector(work, row) for row in Qh]
    ys = [_fixed_vector(work, B)] + [_fixed_vector(work, [row[t] for row in P]) for t in range(r)]
    xy = [_pairwise_times(x, y, s) for x in xs for y in ys]  # one per Cauchy sum
    # 1/(w - lam_n) = (a_n + i lam_im_n - i w) q_n with q_n = 1/|w - lam_n|^2, so every sum
    # is read from sum_n Z_n q_n, Z_n packing xy_n (a_n + i lam_im_n) and xy_n (exact ints).
    packed = _PackedRows([_pairwise_times(v, (a_, lam_im), 0) for v in xy] + xy)
    energy = [a * a + v * v for a, v in zip(a_, lam_im)]
    twice_im = [2 * v for v in lam_im]
    scale, half_dt = work.fixed(2 / work.num(dt)), work.fixed(work.num(dt) / 2)
    one, top, m, count = MPZ(1) << s, MPZ(1) << (3 * s), r + 1, len(xy)
    g_r, g_i = [], []
    for j in range(L):
        if 2 * j == L:
            total_r, total_i = (sum(f[2 * count + i] for f in packed.fields) for i in (0, 1))
            g_r.append((half_dt * total_r) >> s)  # dt/2 Ct B
            g_i.append((half_dt * total_i) >> s)
            continue
        t = tans[j] if 2 * j < L else -tans[L - j]
        w = (scale * t) >> s
        ww = w * w
        q = [top // (e - w * v + ww) for e, v in zip(energy, twice_im)]
        packed.fit(max(q).bit_length())
        f = packed.dots(q)  # scale 2^-3s for xy (a + i lam_im), 2^-2s for xy
        # sum xy (a + i lam_im - i w) q = (vr + w xi) + i (vi - w xr)
        k = [
            (
                (f[2 * c] + w * f[2 * (c + count) + 1]) >> (2 * s),
                (f[2 * c + 1] - w * f[2 * (c + count)]) >> (2 * s),
            )
            for c in range(count)
        ]
        k = [k[b * m : b * m + m] for b in range(m)]
        if r == 1:
            (nr, ni), (dr, di) = _complex_mul(k[0][1], k[1][0], s), k[1][1]
            dr += one
            den = dr * dr + di * di
            if not den:
                raise ZeroDivisionError("I + k_QP is singular")
            cr, ci = ((nr * dr + ni * di) << s) // den, ((ni * dr - nr * di) << s) // den
        else:
            M = [
                [
                    (k[1 + a][1 + b][0] + (one if a == b else 0), k[1 + a][1 + b][1])
                    for b in range(r)
                ]
                for a in range(r)
            ]
            X = _complex_solve_fixed(M, [k[1 + a][0] for a in range(r)], s)
            cr = ci = 0
            for b in range(r):
                pr_, pi_ = _complex_mul(k[0][1 + b], X[b], s)
                cr, ci = cr + pr_, ci + pi_
        er, ei = k[0][0][0] - cr, k[0][0][1] - ci
        g_r.append(er - ((t * ei) >> s))
        g_i.append(ei + ((t * er) >> s))
    return g_r, g_i


def _pairwise_times(
    x: tuple[list[int], list[int]], y: tuple[list[int], list[int]], s: int
) -> tuple[list[int], list[int]]:
    """Elementwise x_n y_n of fixed-point complex vectors given as (Re, Im) lists."""
    (xr, xi), (yr, yi) = x, y
    return (
        [(a * c - b * d) >> s for a, b, c, d in zip(xr, xi, yr, yi)],
        [(a * d + b * c) >> s for a, b, c, d in zip(xr, xi, yr, yi)],
    )


def _complex_mul(x: tuple[int, int], y: tuple[int, int], s: int) -> tuple[int, int]:
    return (x[0] * y[0] - x[1] * y[1]) >> s, (x[0] * y[1] + x[1] * y[0]) >> s


def dplr_kernel(
    Lambda: Any,
    P: Any,
    Q: Any,
    B: Any,
    C: Any,
    L: int,
    *,
    dt: Any,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """S4 kernel of A = diag(Lambda) - P Q^H (bilinear), by two routes that must agree.

    Both routes keep the structure (no N x N matrix is formed) and run in fixed point.
    Route 1 (S4's algorithm): Ct = C (I - Ab^L); the DFT of the taps is G(z_j) = Ct (I -
    z_j Ab)^{-1} Bb at z_j = e^{-2 pi i j/L}, by Cauchy sums and Woodbury's identity
    (``_woodbury_spectrum_fixed``), then an inverse DFT. Route 2: the recurrence
    y_{k+1} = y_k Ab from y_0 = C with Ab = diag(lam_bar) - Pb Qb applied in O(N r)
    (``_dplr_bilinear``: Woodbury on I - dt/2 A), K_k = y_k Bb; its y_L gives route 1's
    C Ab^L. Work: 4 N L [(r + 1)^2 + 2 r + 4] + 4 L sum(prime factors of L) + 32 [L + N
    (r + 1)^2 + r^3].

    Arguments:
        Lambda: N diagonal entries; P, Q: N x r (a length-N vector is r = 1); B: length N;
        C: length-N row; L: taps >= 1; dt: step > 0.
    Returns:
        OracleResult, ``values`` route 1's L taps (mpc); digits the smaller of the
        two-precision agreement and the agreement between the routes.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes or ranks,
            I - dt/2 A singular, 1 - dt/2 Lambda_n = 0 (the recurrence's diagonal), or
            S4's route singular (a Lambda_n whose bilinear image is an L-th root of unity,
            e.g. Lambda_n = 0, or I + k_QP singular at a frequency).
        CertificationError: the routes disagree beyond the requested digits.
    """
    lam = exact_vector("Lambda", Lambda)
    n = len(lam)
    P_ = _low_rank("P", P, n)
    Q_ = _low_rank("Q", Q, n)
    if len(P_[0]) != len(Q_[0]):
        raise InvalidArgumentError(
            f"P and Q must have the same rank; got {len(P_[0])} and {len(Q_[0])}"
        )
    B_, C_ = exact_vector("B", B, n), exact_vector("C", C, n)
    L = require_int("L", L, 1)
    dt = require_step(dt)
    digits, max_prec = _require_digits(digits, max_prec)
    r = len(P_[0])
    what = f"dplr_kernel work (see its docstring; N = {n}, L = {L}, r = {r})"
    cost = 4 * n * L * ((r + 1) ** 2 + 2 * r + 4) + _MP * (L + n * (r + 1) ** 2 + r**3)
    _require_work(what, cost)  # cheap bound first: it keeps the factorization below small
    _require_work(what, cost + 4 * _dft_work(L))

    def compute(work: _Work) -> list[list]:
        ctx, num, s = work.ctx, work.num, work.prec
        lam_w = [num(v) for v in lam]
        P_w = [[num(v) for v in row] for row in P_]
        Qh = [[ctx.conj(num(Q_[i][q])) for i in range(n)] for q in range(r)]
        B_w, C_w = [num(v) for v in B_], [num(v) for v in C_]
        lam_bar, Pb, Qb, Bb = _dplr_bilinear(work, lam_w, P_w, Qh, B_w, dt)
        recurrence, (yr, yi) = _dplr_recurrence(work, lam_bar, Pb, Qb, Bb, C_w, L)
        cr, ci = _fixed_vector(work, C_w)
        Ct = ([a - b for a, b in zip(cr, yr)], [a - b for a, b in zip(ci, yi)])
        wr, wi, tans = _unit_circle_tables(work, L)
        try:
            g_r, g_i = _woodbury_spectrum_fixed(work, lam_w, P_w, Qh, B_w, Ct, dt, tans, L)
        except ZeroDivisionError:  # a Cauchy pole or I + k_QP singular at some z_j
            raise InvalidArgumentError(
                "dplr_kernel: S4's Cauchy/Woodbury route is singular for this system: some "
                "Lambda_n discretizes (bilinear) to an L-th root of unity (e.g. Lambda_n = 0 "
                "gives 1), or I + k_QP is singular at a frequency; the kernel exists but this "
                "route cannot compute it (ssm_kernel on the dense A can)"
            ) from None
        k_r, k_i = _dft_fixed(g_r, g_i, wr, wi, s)
        woodbury = [work.unfixed_complex(a, b, s, L) for a, b in zip(k_r, k_i)]
        return [woodbury, recurrence]

    parts, got, prec = _certify(compute, digits, max_prec)
    between = _agreement([parts[0]], [parts[1]], prec)
    if between < digits:
        raise CertificationError(
            f"Woodbury/IDFT and recurrence routes agree to {between} digits only (each is "
            f"stable to {got}); requested {digits}"
        )
    params = dict(Lambda=lam, P=P_, Q=Q_, B=B_, C=C_, L=L, dt=dt, method="bilinear")
    return _result(
        "dplr_kernel",
        parts[:1],
        min(got, between),
        prec,
        "bilinear/woodbury-idft+recurrence",
        params,
    )


