# 11. Public oracles: HiPPO projections by quadrature -----------------------------------


def _legendre(n: int, x: Any) -> Any:
    """P_n(x) by the three-term recurrence (n+1) P_{n+1} = (2n+1) x P_n - n P_{n-1}."""
    previous, current = 1, x
    if n == 0:
        return x * 0 + 1
    for k in range(1, n):
        previous, current = current, ((2 * k + 1) * x * current - k * previous) / (k + 1)
    return current


def _laguerre(n: int, x: Any) -> Any:
    """L_n(x) by the recurrence (k+1) L_{k+1} = (2k+1-x) L_k - k L_{k-1} (exact at zeros,
    unlike a hypergeometric evaluation that must reach relative accuracy there)."""
    previous, current = x * 0 + 1, 1 - x
    if n == 0:
        return previous
    for k in range(1, n):
        previous, current = current, ((2 * k + 1 - x) * current - k * previous) / (k + 1)
    return current


def _basis(ctx: Any, measure: str, n: int, T: Any) -> tuple[Any, Callable[[Any], Any]]:
    """(window start, integrand factor g(s)) with c_n = int_start^T f(s) g(s) ds."""
    if measure == "legt":
        scale = ctx.sqrt(2 * n + 1)
        return T - 1, lambda s: scale * _legendre(n, 2 * (s - T) + 1)
    if measure == "legs":
        scale = ctx.sqrt(2 * n + 1) / T
        return ctx.zero, lambda s: scale * _legendre(n, 2 * s / T - 1)
    if measure == "lagt":
        return None, lambda s: _laguerre(n, T - s) * ctx.exp(s - T)
    k = (n + 1) // 2
    if n == 0:
        return T - 1, lambda s: ctx.one
    trig = ctx.cos if n % 2 else ctx.sin
    return T - 1, lambda s: ctx.sqrt(2) * trig(2 * ctx.pi * k * (s - T + 1))


def _require_two_arguments(f: Callable[..., Any]) -> None:
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # no signature (some builtins): find out when called
        return
    try:
        signature.bind(None, None)
    except TypeError:
        raise InvalidTypeError(
            f"f: must accept two positional arguments f(s, ctx), got signature {signature}"
        ) from None


def _signal_value(ctx: Any, value: Any, s: Any) -> Any:
    """f's value as a finite number of ``ctx`` (refusing strings, NaN and infinities)."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise InvalidTypeError(f"f: must return a number, got {type(value).__name__} {value!r}")
    try:
        number = ctx.convert(value)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"f: must return a number, got {type(value).__name__} {value!r}"
        ) from None
    if not ctx.isfinite(number):
        raise InvalidArgumentError(f"f: returned {number} at s = {ctx.nstr(s, 10)}")
    return number


def hippo_projection(
    measure: str,
    f: Callable[[Any, Any], Any],
    t: Any,
    N: int,
    *,
    digits: int = 30,
    max_prec: int = DEFAULT_MAX_PREC,
) -> OracleResult:
    """c_n(t) = <f, p_n>_{mu_t}, n < N: the HiPPO coefficients of f at time t, by quadrature.

    Canonical conventions (the symbolic layer's); f(s) = 0 for s < 0 (the signal starts at
    0, as the ODE from c(0) = 0):

    * ``legt``: c_n = int_{t-1}^t f(s) sqrt(2n+1) P_n(2(s-t)+1) ds;
    * ``legs``: c_n = (1/t) int_0^t f(s) sqrt(2n+1) P_n(2s/t - 1) ds;
    * ``lagt``: c_n = int_{-inf}^t f(s) L_n(t-s) e^{-(t-s)} ds;
    * ``fout``: c_n = int_{t-1}^t f(s) p_n(s-t+1) ds, p = 1, sqrt2 cos 2 pi x, sqrt2 sin 2 pi x, ...

    Work: 2^14 N^2 (N tanh-sinh quadratures of an O(N) integrand).

    Arguments:
        measure: one of ``MEASURES``.
        f: called as ``f(s, ctx)``, computing in the mpmath context ``ctx`` (e.g.
            ``lambda s, ctx: ctx.sin(3 * s)``) so that its precision follows the working
            precision (the global mpmath precision would defeat the certification); it
            returns a finite real or complex number.
        t: time > 0; N: number of coefficients >= 1.
    Returns:
        OracleResult, ``values`` c_0 .. c_{N-1}.
    Raises:
        InvalidArgumentError / InvalidTypeError: the common ones, unknown measure, f not
            callable with two arguments or returning a non-number, NaN or infinity, bad t/N.
    """
    if measure not in MEASURES:
        raise InvalidArgumentError(f"measure: unknown {measure!r}; use one of {MEASURES}")
    if not callable(f):
        raise InvalidTypeError("f: expected a callable f(s, ctx)")
    _require_two_arguments(f)
    t = require_step(t, "t")
    N = require_int("N", N, 1)
    digits, max_prec = _require_digits(digits, max_prec)
    _require_work(f"hippo_projection work 2^14 N^2 (N = {N})", N * N << 14)

    def compute(work: _Work) -> list[list]:
        ctx, T = work.ctx, work.num(t)
        coefficients, errors = [], []

        def signal(s: Any) -> Any:
            return _signal_value(ctx, f(s, ctx), s)

        for n in range(N):
            start, g = _basis(ctx, measure, n, T)
            lo = ctx.zero if start is None or start < 0 else start
            value, error = ctx.quad(lambda s, g=g: signal(s) * g(s), [lo, T], error=True)
            coefficients.append(value)
            errors.append(error)
        scale = _max_abs(ctx, coefficients)
        if scale and _max_abs(ctx, errors) > scale * ctx.ldexp(1, -work.prec + work.guard_bits):
            work.expect_loss(work.prec)  # quadrature not converged: more precision, more nodes
        return [coefficients]

    parts, got, prec = _certify(compute, digits, max_prec)
    params = {"measure": measure, "t": t, "N": N, "convention": "canonical"}
    return _result("hippo_projection", parts, got, prec, "quadrature/tanh-sinh", params)


