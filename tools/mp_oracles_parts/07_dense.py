# 7. Public oracles: dense systems ------------------------------------------------------


def _require_kernel_work(family: str, n: int, L: int, eigen: bool) -> None:
    # 32 L: every tap is exported and compared as an mpmath number.
    if eigen:
        what = f"{family} work N^3 + N L + 32 L (N = {n}, L = {L})"
        _require_work(what, n**3 + n * L + _MP * L)
    else:
        what = f"{family} work N^3 + N^2 L + 32 L (N = {n}, L = {L})"
        _require_work(what, n**3 + n * n * L + _MP * L)


def _system(A: Any, B: Any, C: Any) -> tuple[list[list], list, list]:
    A = exact_matrix("A", A)
    return A, exact_vector("B", B, len(A)), exact_vector("C", C, len(A))


def discretize(
    A: Any,
    B: Any,
    dt: Any,
    method: Any = "bilinear",
    *,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """(Ab, Bb) of x' = A x + B u for one step dt (conventions: module docstring).

    gbt: one solve with I - alpha dt A. ZOH: the exponential of the augmented matrix
    [[A, B], [0, 0]] dt, whose last column is Bb = int_0^dt e^{sA} ds B (no inverse of A).
    Work: 32 N^3 (gbt), 512 N^3 (ZOH: about 16 products in ``mpmath`` expm).

    Arguments:
        A: N x N; B: length N; dt: step > 0; method: see ``method_alpha``.
    Returns:
        OracleResult, ``values = (Ab rows, Bb)``; digits certified for Ab and Bb, each
        relative to its own max-norm, the smaller reported.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones (module docstring), a
            non-square A, B of the wrong length, bad dt or method, I - alpha dt A singular.
    """
    A = exact_matrix("A", A)
    B = exact_vector("B", B, len(A))
    dt = require_step(dt)
    alpha = method_alpha(method)
    digits, max_prec = _require_digits(digits, max_prec)
    d = len(A)
    if alpha is None:
        _require_work(f"discretize work 512 N^3 (ZOH; N = {d})", 16 * _MP * d**3)
    else:
        _require_work(f"discretize work 32 N^3 (N = {d})", _MP * d**3)

    def compute(work: _Work) -> list[list]:
        Ab, Bb = _discretize_work(work, A, B, dt, method)
        return [[v for row in Ab for v in row], Bb]

    parts, got, prec = _certify(compute, digits, max_prec)
    flat = [_export(v) for v in parts[0]]
    values = ([flat[i * d : (i + 1) * d] for i in range(d)], [_export(v) for v in parts[1]])
    params = {"A": A, "B": B, "dt": dt, "method": method_name(method)}
    return OracleResult("discretize", values, got, prec, method_name(method), params)


def ssm_kernel(
    A: Any,
    B: Any,
    C: Any,
    L: int,
    *,
    dt: Any,
    method: Any = "bilinear",
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
    algorithm: str = "auto",
) -> OracleResult:
    """K_k = C Ab^k Bb, k = 0 .. L-1, of (A, B, C) discretized with step dt.

    Algorithms: ``"triangular-eigen"`` (real triangular A with distinct eigenvalues, e.g.
    LegS: eigenvectors by substitution, then a Vandermonde sum), ``"krylov"`` (L
    matrix-vector products, any A); ``"auto"`` picks the first that applies (a repeated
    eigenvalue falls back to Krylov, whose work is checked then). Fixed-point ints.
    Work: N^3 + N L + 32 L (eigen), N^3 + N^2 L + 32 L (Krylov).

    Arguments:
        A: N x N state matrix; B: length-N input; C: length-N output row; L: taps >= 1;
        dt: step > 0; method: see ``method_alpha``; algorithm: as above.
    Returns:
        OracleResult, ``values`` the L taps (mpf, or mpc for complex systems); digits
        relative to max_k |K_k|.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes, L, dt,
            method or algorithm (eigen on a non-triangular A), I - alpha dt A singular.
    """
    A, B, C = _system(A, B, C)
    L = require_int("L", L, 1)
    dt = require_step(dt)
    alpha = method_alpha(method)
    digits, max_prec = _require_digits(digits, max_prec)
    shape = _triangular_shape(A, B, C, _require_algorithm(algorithm))
    _require_kernel_work("ssm_kernel", len(A), L, shape != "dense")
    A_low, B_low, C_low = _lower_form(A, B, C, shape)
    used: list[str] = []

    def compute(work: _Work) -> list[list]:
        if shape != "dense":
            T = _fixed_lower(work, A_low)
            b, c = ([work.fixed_exact(v) for v in vec] for vec in (B_low, C_low))

            def modes(eigenvalues: list) -> tuple[list, list]:
                return _discretize_modes(work, eigenvalues, [1] * len(eigenvalues), dt, alpha)

            direct = None if alpha is None else _gbt_direct_taps(work, T, b, c, dt, alpha)
            values = _triangular_eigen_kernel(work, T, b, c, L, modes, direct)
            if values is not None:
                used.append("triangular-eigen")
                return [values]
            _require_kernel_work("ssm_kernel", len(A), L, False)
        Ab, Bb = _discretize_work(work, A, B, dt, method)
        used.append("krylov")
        return [_krylov_kernel(work, Ab, Bb, [work.num(v) for v in C], L)]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"A": A, "B": B, "C": C, "L": L, "dt": dt, "method": method_name(method)}
    return _result("ssm_kernel", parts, got, prec, f"{method_name(method)}/{used[-1]}", params)


def discrete_kernel(
    Ab: Any,
    Bb: Any,
    C: Any,
    L: int,
    *,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
    algorithm: str = "auto",
) -> OracleResult:
    """K_k = C Ab^k Bb, k = 0 .. L-1, of an already discrete system.

    Algorithms and work as ``ssm_kernel`` (without the discretization).

    Arguments:
        Ab: N x N; Bb: length N; C: length-N row; L: taps >= 1; algorithm: see ``ssm_kernel``.
    Returns:
        OracleResult, ``values`` the L taps.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes, L, algorithm.
    """
    Ab, Bb, C = _system(Ab, Bb, C)
    L = require_int("L", L, 1)
    digits, max_prec = _require_digits(digits, max_prec)
    shape = _triangular_shape(Ab, Bb, C, _require_algorithm(algorithm))
    _require_kernel_work("discrete_kernel", len(Ab), L, shape != "dense")
    T_low, b_low, c_low = _lower_form(Ab, Bb, C, shape)
    used: list[str] = []

    def compute(work: _Work) -> list[list]:
        num = work.num
        if shape != "dense":
            T = _fixed_lower(work, T_low)
            b, c = ([work.fixed_exact(v) for v in vec] for vec in (b_low, c_low))
            direct = _discrete_direct_taps(T, b, c, work.prec)
            values = _triangular_eigen_kernel(work, T, b, c, L, None, direct)
            if values is not None:
                used.append("triangular-eigen")
                return [values]
            _require_kernel_work("discrete_kernel", len(Ab), L, False)
        used.append("krylov")
        Ab_w = [[num(v) for v in row] for row in Ab]
        return [_krylov_kernel(work, Ab_w, [num(v) for v in Bb], [num(v) for v in C], L)]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"Ab": Ab, "Bb": Bb, "C": C, "L": L}
    return _result("discrete_kernel", parts, got, prec, used[-1], params)


def continuous_kernel(
    A: Any, B: Any, C: Any, t: Any, *, digits: int = 30, max_prec: int = DEFAULT_MAX_PREC
) -> OracleResult:
    """K(t) = C e^{tA} B at one time t or at each time of a sequence t.

    Matrix exponential (``mpmath`` expm); work 512 N^3 T for T times.

    Arguments:
        A: N x N; B: length N; C: length-N row; t: a real time or a sequence of them.
    Returns:
        OracleResult, ``values`` K(t) for each time (one entry for a single t).
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, bad shapes, no time,
            a complex time.
    """
    A, B, C = _system(A, B, C)
    times = [exact_scalar("t", v) for v in (t if isinstance(t, (list, tuple)) else [t])]
    if not times:
        raise InvalidArgumentError("t: give at least one time")
    if any(isinstance(v, tuple) for v in times):
        raise InvalidArgumentError("t: times must be real")
    digits, max_prec = _require_digits(digits, max_prec)
    n = len(A)
    _require_work(
        f"continuous_kernel work 512 N^3 T (N = {n}, T = {len(times)} times)",
        16 * _MP * n**3 * len(times),
    )

    def compute(work: _Work) -> list[list]:
        ctx, num = work.ctx, work.num
        Aw = ctx.matrix([[num(v) for v in row] for row in A])
        Bw = ctx.matrix([num(v) for v in B])
        Cw = ctx.matrix([[num(v) for v in C]])
        return [[(Cw * ctx.expm(Aw * num(time)) * Bw)[0, 0] for time in times]]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"A": A, "B": B, "C": C, "t": times, "N": n}
    return _result("continuous_kernel", parts, got, prec, "expm", params)


