"""Issue 7: GPU training throughput of num2 through `train_model` as a GPU user runs it: recomputed targets, the
training rows resident on the device (`ResidentDL`), bf16 autocast (`precision='auto'`; losses and metrics in float32).

Two objectives: the default `curvature` (its terms computed once, in float32, on the device; then steps that never
touch the head) and the exact `fast` one (`u @ W` every step). `gpu_samples_per_s` is the curvature run's training
epochs alone; `gpu_samples_per_s_with_pass` counts everything from the call to the end of the fit except validation
(set-up, copying the rows to the device, the curvature pass). Exits 0 printing `gpu_samples_per_s: unavailable
(no CUDA)` where there is no GPU; `--cpu-dry-run` runs the same code on the CPU in float32 (checks the script only).

    PYTHONPATH=$PWD .venv/bin/python bench/gpu_throughput.py [--blocks 4 --bs 4096 --epochs 10]
"""
import argparse, sys, tempfile, time
from pathlib import Path
import torch

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/full'); ap.add_argument('--bs', type=int, default=4096)
    ap.add_argument('--epochs', type=int, default=10); ap.add_argument('--blocks', type=int, default=4)
    ap.add_argument('--cpu-dry-run', action='store_true', help='run the same code on CPU in float32 (checks the script, not a figure)')
    a = ap.parse_args()
    if not torch.cuda.is_available() and not a.cpu_dry_run:
        print("gpu_samples_per_s: unavailable (no CUDA)"); return
    sys.path.insert(0, str(Path(__file__).parent))
    from common import full_world, split, TrainTimer
    from tagger_embedding_aligner.train import train_model
    dev = 'cpu' if a.cpu_dry_run else 'cuda'
    w = full_world(a.world, blocks=a.blocks)
    ds, tr, te = split(w, a.blocks)
    rates = {}
    for objective in ('curvature', 'fast'):
        timer = TrainTimer()
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            train_model(tr, te, 'SwinV2_v3', 'num2', workdir=d, batch_size=a.bs, max_epochs=a.epochs, objective=objective,
                        device=dev, resident=True, quiet=True, cbs=[timer])
        rates[objective] = (timer.samples / timer.secs, timer.samples / (timer.fit_end - t0 - timer.valid_secs))
    kind = 'cpu_dry_run' if a.cpu_dry_run else 'gpu'
    print(f"device: {'cpu (dry run, float32)' if a.cpu_dry_run else torch.cuda.get_device_name()}")
    print(f"train_rows: {len(tr)}  batch: {a.bs}  epochs: {a.epochs}")
    print(f"{kind}_samples_per_s_fast_objective: {rates['fast'][0]:.0f} ({rates['fast'][1]:.0f} with set-up)")
    print(f"{kind}_samples_per_s_with_pass: {rates['curvature'][1]:.0f}")
    print(f"{kind}_samples_per_s: {rates['curvature'][0]:.0f}")

if __name__ == '__main__': main()
