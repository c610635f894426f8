# 2. Work limit -------------------------------------------------------------------------

_WORK_LIMIT: ContextVar[int] = ContextVar("mp_oracles_work_limit", default=DEFAULT_WORK_LIMIT)


def current_work_limit() -> int:
    """The ceiling on an oracle's estimated work in this thread / task.

    Returns:
        An int: ``DEFAULT_WORK_LIMIT``, or the ceiling of the innermost ``work_limit``.
    """
    return _WORK_LIMIT.get()


@contextmanager
def work_limit(n: int) -> Iterator[int]:
    """Set the work ceiling inside a ``with`` block (thread- and task-local).

    Example: ``with work_limit(2**30): ssm_kernel(A, B, C, L=10**6, dt=...)``.

    Arguments:
        n: the ceiling, an int >= 1.
    Returns:
        A context manager yielding ``n``; the previous ceiling is restored on exit.
    Raises:
        InvalidTypeError / InvalidArgumentError: ``n`` not an int >= 1.
    """
    n = require_int("n", n, 1)
    token = _WORK_LIMIT.set(n)
    try:
        yield n
    finally:
        _WORK_LIMIT.reset(token)


#: Work units of one operation on mpmath numbers (one fixed-point multiply-add is 1).
_MP = 32


def _require_work(what: str, cost: int) -> None:
    """Refuse a job whose estimated ``cost`` is above the ceiling, before any work."""
    ceiling = _WORK_LIMIT.get()
    if cost > ceiling:
        raise InvalidArgumentError(
            f"{what} = {cost} exceeds the oracle work limit {ceiling}; this would take very "
            f"long or exhaust memory. To run it anyway: with mp_oracles.work_limit({cost}): "
            f"... (hippo_verify.oracles: with hippo_verify.size_limits(oracle_work={cost}): ...)"
        )


