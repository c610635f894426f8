#!/usr/bin/env bash
# One-shot check on a machine with a CUDA GPU (never part of CI): the CUDA-parametrised tests
# (which skip elsewhere), then the kernel benchmarks on the GPU: the overview, the selective
# scans, and the four per-row scripts (S4D, DPLR, RTF, sequential scan) against their anchors.
# Logs go to $OUT (or ./device-out). Optional wheels (mambapy, for its benchmark rows) may be
# carried in .whl/.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=$PWD:/tmp/site
fi
python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name(0))" | tee "$out/device.txt"
python3 -m pytest -q -p no:cacheprovider -n 8 -k cuda -rs "${@}" 2>&1 | tail -40 | tee "$out/tests.log"
python3 benchmarks/bench_kernels.py --device cuda 2>&1 | tee "$out/bench_cuda.log"
python3 benchmarks/bench_selective.py --device cuda --repeat 5 2>&1 | tee "$out/bench_selective_cuda.log"
for row in s4d_kernel dplr_kernel rtf_kernel scan_kernel; do
    python3 benchmarks/bench_$row.py --device cuda --repeat 5 2>&1 | tee "$out/bench_${row}_cuda.log"
done
