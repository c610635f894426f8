"""mambapy (``pip install mambapy``: Mamba in pure PyTorch) graded as hippo-verify kernels.

Each public function is an adapter with the signature of ``kernels.selective_scan`` (the
kernel of the ``selective-scan-*`` algorithms): torch tensors in our layout in, y (b, d, L)
out, so ``check_kernel(fn, "selective-scan-parallel")`` grades it as is. The layout maps
are the named transforms of ``hippo_verify.testing.conventions``:

* ``selective_scan`` / ``selective_scan_seq``: the two scans of ``mambapy.mamba.MambaBlock``
  (``config.pscan`` picks one: the parallel ``pscan`` or a Python loop over time), called
  on a block built for the sizes, as the block calls them. ``conventions.mambapy_inputs``
  puts time before channels (x, delta (b, L, d); B, C (b, L, n), one per step for every
  channel); the two lines ``MambaBlock.ssm`` and ``forward`` run around the scan are
  repeated as mambapy writes them: delta = softplus(delta + dt_proj.bias) before
  (torch's ``F.softplus``) and y * silu(z) after. mambapy has Mamba's B-bar = delta B only,
  a real A, and one B and C per step for all channels: other inputs raise
  (``supported_inputs`` maps drawn inputs onto what it takes).
* ``selective_scan_autocast``: ``selective_scan`` with the dtypes ``torch.autocast`` gives
  it in a bfloat16 model (delta, A, D and the bias in float32, x, B, C in bfloat16), run
  under autocast, the float32 output rounded to bfloat16.
* ``pscan_scan``: mambapy's ``pscan(A, X)`` (H_t = A_t H_{t-1} + X_t, tensors (b, L, d,
  n)) as the scan of our recurrence (``conventions.recurrence_from_selective`` and
  ``selective_from_states``): every layout, complex A and exact ZOH, since only the scan
  is mambapy's.

Precision (checked by tests/thirdparty/test_mambapy.py): mambapy computes in its input
dtype. For bfloat16 inputs the scans run entirely in bfloat16 (exp(delta A), delta B x,
every step of the scan, the contraction with C), where the project's mixed-precision model
(and Mamba's own CUDA kernel) accumulate in float32: graded with
``dtypes=[torch.bfloat16]`` that is the difference the model measures.
``selective_scan_seq`` starts its state with ``torch.zeros(...)`` in the default dtype,
float32: in bfloat16 the state becomes float32 and the final ``hs @ C`` multiplies float32
by bfloat16, which raises (``MambaBlock.step`` has the same zeros). A block cast to
bfloat16 cannot run at all (``ssm`` adds ``D.float() * x``, so y is float32 when it reaches
the bfloat16 ``out_proj``): a bfloat16 mambapy model runs under ``torch.autocast``, where
the scan gets float32 delta, A, D and computes in float32, and the autocast matmul
``hs @ C`` rounds the states to bfloat16. ``pscan_scan`` hands pscan the operands in the
compute precision (float32 for bfloat16), as a float32-accumulating kernel would.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from mambapy.mamba import MambaBlock, MambaConfig
from mambapy.pscan import pscan

from hippo_verify.testing import conventions


@functools.cache
def _block(d: int, n: int) -> MambaBlock:
    """A MambaBlock whose scans have d channels (expand_factor 1) and n states (the scans
    read only these sizes from it). Its random initialisation leaves the caller's RNG alone."""
    with torch.random.fork_rng(devices=[]):
        return MambaBlock(MambaConfig(d_model=d, n_layers=1, d_state=n, expand_factor=1))


def _mambapy(
    scan: str, autocast: bool, u, delta, A, B, C, D, z, delta_bias, delta_softplus, discretization
):
    """MambaBlock.<scan> on our inputs, with MambaBlock.ssm's softplus and forward's gate;
    ``autocast``: delta, A, D and the bias in float32, as the block hands them to the scan
    under ``torch.autocast`` (A = -exp(A_log.float()), D.float(), float32 softplus)."""
    if discretization != "mamba":
        raise ValueError(f"mambapy has B-bar = delta B only, not {discretization!r}")
    x, dt, A, B, C, D = conventions.mambapy_inputs(u, delta, A, B, C, D)
    if autocast:
        dt, A, D = dt.float(), A.float(), D.float()
        delta_bias = None if delta_bias is None else delta_bias.float()
    if delta_bias is not None:
        dt = dt + delta_bias  # MambaBlock.ssm: F.softplus(delta + self.dt_proj.bias)
    if delta_softplus:
        dt = F.softplus(dt)
    with torch.autocast(u.device.type, dtype=u.dtype, enabled=autocast):
        y = getattr(_block(*A.shape), scan)(x, dt, A, B, C, D)
    if z is not None:
        y = y * F.silu(z.transpose(1, 2))  # MambaBlock.forward: y * silu(z)
    return conventions.selective_from_mambapy(y).to(u.dtype)


def supported_inputs(inputs: dict) -> dict:
    """Drawn selective-scan inputs mapped onto what MambaBlock's scans take (for
    ``check_kernel(..., strategy=ALGORITHMS[name].strategy().map(supported_inputs))``): the
    ``"mamba"`` discretization, A real (the real part of a complex draw), B and C per step
    and shared by the channels (channel 0's constant row at every step, group 0 of a
    grouped draw; real parts). Every value stays an exact short binary number."""
    out = dict(inputs, discretization="mamba")
    b, L = len(inputs["u"]), len(inputs["u"][0][0])
    out["A"] = [[complex(a).real for a in row] for row in inputs["A"]]
    for name in ("B", "C"):
        value = inputs[name]
        if not isinstance(value[0][0], list):  # constant (d, n)
            value = [[[v] * L for v in value[0]] for _ in range(b)]
        elif isinstance(value[0][0][0], list):  # grouped (b, g, n, L)
            value = [batch[0] for batch in value]
        out[name] = [[[complex(v).real for v in row] for row in batch] for batch in value]
    return out


def selective_scan(
    u,
    delta,
    A,
    B,
    C,
    D=None,
    z=None,
    delta_bias=None,
    delta_softplus=False,
    *,
    discretization="mamba",
):
    """selective-scan-parallel: MambaBlock.selective_scan (pscan), as MambaBlock.ssm runs it."""
    args = (u, delta, A, B, C, D, z, delta_bias, delta_softplus, discretization)
    return _mambapy("selective_scan", False, *args)


def selective_scan_seq(
    u,
    delta,
    A,
    B,
    C,
    D=None,
    z=None,
    delta_bias=None,
    delta_softplus=False,
    *,
    discretization="mamba",
):
    """selective-scan-sequential: MambaBlock.selective_scan_seq (a loop over time)."""
    args = (u, delta, A, B, C, D, z, delta_bias, delta_softplus, discretization)
    return _mambapy("selective_scan_seq", False, *args)


def selective_scan_autocast(
    u,
    delta,
    A,
    B,
    C,
    D=None,
    z=None,
    delta_bias=None,
    delta_softplus=False,
    *,
    discretization="mamba",
):
    """selective-scan-parallel: MambaBlock.selective_scan with the dtypes torch.autocast
    gives it in a bfloat16 model (x, B, C, z in the input dtype; delta, A, D float32), so
    that the scan runs in float32; the float32 output rounded to the input dtype."""
    args = (u, delta, A, B, C, D, z, delta_bias, delta_softplus, discretization)
    return _mambapy("selective_scan", True, *args)


def pscan_scan(
    u,
    delta,
    A,
    B,
    C,
    D=None,
    z=None,
    delta_bias=None,
    delta_softplus=False,
    *,
    discretization="mamba",
):
    """selective-scan-parallel: pscan(A_t, X_t) as the scan of our recurrence (any layout,
    complex A, ZOH; operands in the compute precision)."""
    Abar, X = conventions.recurrence_from_selective(
        u, delta, A, B, delta_bias, delta_softplus, discretization=discretization
    )
    return conventions.selective_from_states(pscan(Abar, X), u, C, D, z)
