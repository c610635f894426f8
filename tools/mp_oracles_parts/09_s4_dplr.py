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


def _dft(ctx: Any, values: list, sign: int) -> list:
    """sum_k x_k e^{sign 2 pi i j k / n} (recursive mixed radix; O(n^2) for prime n)."""
    n = len(values)
    if n == 1:
        return list(values)
    p = next((q for q in range(2, int(math.isqrt(n)) + 1) if n % q == 0), n)
    if p == n:
        roots = [ctx.expjpi(ctx.mpf(2 * sign * k) / n) for k in range(n)]
        return [ctx.fsum(values[k] * roots[(j * k) % n] for k in range(n)) for j in range(n)]
    m = n // p
    subs = [_dft(ctx, values[r::p], sign) for r in range(p)]
    roots = [ctx.expjpi(ctx.mpf(2 * sign * k) / n) for k in range(n)]
    return [ctx.fsum(subs[r][j % m] * roots[(r * j) % n] for r in range(p)) for j in range(n)]


def _dft_work(n: int) -> int:
    """Multiplications of ``_dft`` on n points: n times the sum of n's prime factors."""
    total, rest, p = 0, n, 2
    while p * p <= rest:
        while rest % p == 0:
            total, rest = total + p, rest // p
        p += 1
    return n * (total + (rest if rest > 1 else 0))


def _woodbury_spectrum(
    work: _Work, lam: list, P: list, Qh: list, B: list, Ct: list, dt: Any, L: int
) -> list:
    """G(z_j) = Ct (I - z_j Ab)^{-1} Bb at z_j = e^{-2 pi i j / L} by Cauchy sums + Woodbury.

    G(z) = 2/(1+z) [k_CB - k_CP (I + k_QP)^{-1} k_QB], k_XY = sum_n X_n Y_n / (w - lam_n),
    w = (2/dt)(1-z)/(1+z). At z = -1 the factorization is singular but G is not:
    (I - z Ab)^{-1} Bb = [(I - dt/2 A) + (I + dt/2 A)]^{-1} dt B = dt B / 2.
    """
    ctx, step = work.ctx, work.num(dt)
    r = len(P[0])
    spectrum = []
    for j in range(L):
        if 2 * j == L:
            spectrum.append(step / 2 * ctx.fsum(c * b for c, b in zip(Ct, B)))
            continue
        z = ctx.expjpi(ctx.mpf(-2 * j) / L)
        w = 2 / step * (1 - z) / (1 + z)
        inv = [1 / (w - pole) for pole in lam]

        def cauchy(x: list, y: list) -> Any:
            return ctx.fsum(a * b * g for a, b, g in zip(x, y, inv))

        cols = [[P[n][q] for n in range(len(lam))] for q in range(r)]
        k_cb = cauchy(Ct, B)
        k_cp = ctx.matrix([[cauchy(Ct, cols[q]) for q in range(r)]])
        k_qb = ctx.matrix([[cauchy(Qh[q], B)] for q in range(r)])
        k_qp = ctx.matrix([[cauchy(Qh[q], cols[t]) for t in range(r)] for q in range(r)])
        correction = (k_cp * ctx.lu_solve(ctx.eye(r) + k_qp, k_qb))[0, 0]
        spectrum.append(2 / (1 + z) * (k_cb - correction))
    return spectrum


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

    Route 1 (S4's algorithm): Ct = C (I - Ab^L); the DFT of the taps is G(z_j) = Ct (I -
    z_j Ab)^{-1} Bb at z_j = e^{-2 pi i j/L}, by Cauchy sums and Woodbury's identity
    (``_woodbury_spectrum``), then an inverse DFT. Route 2: the dense A, discretized and
    powered (Krylov). Work: N^2 L + 32 [N^3 log2 L + L N (r + 1)^2 + L sum(prime factors
    of L)].

    Arguments:
        Lambda: N diagonal entries; P, Q: N x r (a length-N vector is r = 1); B: length N;
        C: length-N row; L: taps >= 1; dt: step > 0.
    Returns:
        OracleResult, ``values`` route 1's L taps (mpc); digits the smaller of the
        two-precision agreement and the agreement between the routes.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes or ranks, or
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
    cost = n * n * L + _MP * (n**3 * L.bit_length() + L * n * (r + 1) ** 2)
    _require_work(what, cost)  # cheap bound first: it keeps the factorization below small
    _require_work(what, cost + _MP * _dft_work(L))

    def compute(work: _Work) -> list[list]:
        ctx, num = work.ctx, work.num
        lam_w = [num(v) for v in lam]
        P_w = [[num(v) for v in row] for row in P_]
        Q_w = [[num(v) for v in row] for row in Q_]
        A = [
            [
                (lam_w[i] if i == j else 0)
                - ctx.fsum(P_w[i][q] * ctx.conj(Q_w[j][q]) for q in range(r))
                for j in range(n)
            ]
            for i in range(n)
        ]
        Ab, Bb = _discretize_work(work, A, B_, dt, "bilinear")
        C_w = [num(v) for v in C_]
        dense = _krylov_kernel(work, Ab, Bb, C_w, L)
        AbL = ctx.matrix(Ab) ** L
        Ct = [C_w[i] - ctx.fsum(C_w[k] * AbL[k, i] for k in range(n)) for i in range(n)]
        Qh = [[ctx.conj(Q_w[i][q]) for i in range(n)] for q in range(r)]
        try:
            spectrum = _woodbury_spectrum(work, lam_w, P_w, Qh, [num(v) for v in B_], Ct, dt, L)
        except ZeroDivisionError:  # a Cauchy pole or I + k_QP singular at some z_j
            raise InvalidArgumentError(
                "dplr_kernel: S4's Cauchy/Woodbury route is singular for this system: some "
                "Lambda_n discretizes (bilinear) to an L-th root of unity (e.g. Lambda_n = 0 "
                "gives 1), or I + k_QP is singular at a frequency; the kernel exists but this "
                "route cannot compute it (ssm_kernel on the dense A can)"
            ) from None
        woodbury = [v / L for v in _dft(ctx, spectrum, +1)]
        return [woodbury, dense]

    parts, got, prec = _certify(compute, digits, max_prec)
    between = _agreement([parts[0]], [parts[1]], prec)
    if between < digits:
        raise CertificationError(
            f"Woodbury/IDFT and dense routes agree to {between} digits only (each is stable to "
            f"{got}); requested {digits}"
        )
    params = dict(Lambda=lam, P=P_, Q=Q_, B=B_, C=C_, L=L, dt=dt, method="bilinear")
    return _result(
        "dplr_kernel", parts[:1], min(got, between), prec, "bilinear/woodbury-idft+dense", params
    )


