#!/usr/bin/env bash
# One-shot check on a machine with a CUDA GPU (never part of CI): the whole default test
# suite there (the CUDA-parametrised kernel tests run instead of skipping), then the kernel
# benchmark on the GPU and on that machine's CPU. Logs go to $OUT (or ./device-out).
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name(0))" | tee "$out/device.txt"
python3 -m pytest -q -p no:cacheprovider -n 12 -rs 2>&1 | tail -40 | tee "$out/tests.log"
python3 benchmarks/bench_kernels.py --device cuda 2>&1 | tee "$out/bench_cuda.log"
python3 benchmarks/bench_kernels.py --device cpu --repeat 5 2>&1 | tee "$out/bench_cpu.log"
