"""Issue 7: GPU training throughput of num2 with recomputed targets, bf16 autocast, data resident on the device.

The embeddings of the training rows are copied to the GPU once (a block of 100k rows at width 1024 is 400 MB), the
head lives there as buffers, and each step is the project's default objective for scalar converters, `curvature`
(`curvature_terms` computed once on the GPU and timed separately; then steps that never touch the head), and the
exact `fast` objective (`u @ W` every step), both through `AlignCallback` + `TrainModule` under fastai's
`MixedPrecision(amp_mode='bf16')`; the losses stay float32 (`align_loss` / `curvature_loss` cast).
`gpu_samples_per_s` is the curvature steps' rate; `gpu_samples_per_s_with_pass` charges the pass to one epoch
over the rows on the device. Exits 0 printing `gpu_samples_per_s: unavailable (no CUDA)` where there is no GPU.

    PYTHONPATH=$PWD .venv/bin/python bench/gpu_throughput.py [--blocks 1 --bs 4096 --steps 200]
"""
import argparse, sys, time
from pathlib import Path
import torch

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/full'); ap.add_argument('--bs', type=int, default=4096)
    ap.add_argument('--steps', type=int, default=200); ap.add_argument('--blocks', type=int, default=1)
    ap.add_argument('--cpu-dry-run', action='store_true', help='run the same loop on CPU in float32 (checks the script, not a figure)')
    a = ap.parse_args()
    if not torch.cuda.is_available() and not a.cpu_dry_run:
        print("gpu_samples_per_s: unavailable (no CUDA)"); return
    sys.path.insert(0, str(Path(__file__).parent))
    import numpy as np
    from common import full_world
    from fastai.learner import Learner
    from fastai.data.core import DataLoaders
    from fastai.callback.all import MixedPrecision
    from fastai.callback.core import Callback, CancelFitException
    from fastai.optimizer import Adam
    from tagger_embedding_aligner.dataset import EmbeddingDataset
    from tagger_embedding_aligner.heads import TaggerHead
    from tagger_embedding_aligner.model import get_model
    from tagger_embedding_aligner.train import TrainModule, AlignCallback, align_loss, init_scale, curvature_terms
    dev = torch.device('cpu' if a.cpu_dry_run else 'cuda')
    sync = (lambda: None) if a.cpu_dry_run else torch.cuda.synchronize
    w = full_world(a.world, blocks=a.blocks)
    ds = EmbeddingDataset([w.block_file(i) for i in range(a.blocks)])
    U, _, N = ds.batch(np.arange(len(ds)), with_targets=False)
    U, N = U.to(dev), N.to(dev)                                    # device-resident data
    head = TaggerHead(ds.weights, ds.bias).to(dev)
    sync(); t = time.perf_counter()
    terms = torch.from_numpy(curvature_terms(ds, head, bs=a.bs, device=dev)).to(dev)
    sync(); pass_secs = time.perf_counter() - t

    class DeviceDL:
        "Shuffled batches sliced from device tensors: `(unit, norm)` (targets recomputed by AlignCallback), plus `(k, r, h)` for curvature."
        n_inp = 1
        def __init__(self, n_batches, curvature): self.n_batches, self.curvature, self.device = n_batches, curvature, dev
        def __len__(self): return self.n_batches
        def to(self, d): return self
        def __iter__(self):
            perm = torch.randperm(len(U), device=dev)
            for i in range(self.n_batches):
                j = perm[(i * a.bs) % len(U):][:a.bs]
                yield (U[j], N[j], *terms[j].unbind(1)) if self.curvature else (U[j], N[j])
    warm = 20
    class Timer(Callback):
        order = 100
        def before_batch(self):
            if self.iter == warm: sync(); self.t = time.perf_counter()
        def after_fit(self): sync(); self.secs = time.perf_counter() - self.t
    rates = {}
    for objective in ('curvature', 'fast'):
        aligner = get_model('num2', head=TaggerHead(ds.weights, ds.bias)).to(dev)
        init_scale(aligner.converter, U[:1024], float(N.mean()))
        timer, cur = Timer(), objective == 'curvature'
        learn = Learner(DataLoaders(DeviceDL(a.steps + warm, cur), DeviceDL(1, False), device=dev), TrainModule(aligner), loss_func=align_loss,
                        opt_func=Adam, cbs=[AlignCallback(objective), timer] + ([] if a.cpu_dry_run else [MixedPrecision(amp_mode='bf16')]))
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 3e-2)
        rates[objective] = a.steps * a.bs / timer.secs
    kind = 'cpu_dry_run' if a.cpu_dry_run else 'gpu'
    print(f"device: {'cpu (dry run, float32)' if a.cpu_dry_run else torch.cuda.get_device_name()}")
    print(f"rows_on_device: {len(U)}  batch: {a.bs}  steps_timed: {a.steps}")
    print(f"curvature_pass_rows_per_s: {len(U) / pass_secs:.0f} ({pass_secs:.2f}s for {len(U)} rows)")
    print(f"{kind}_samples_per_s_fast_objective: {rates['fast']:.0f}")
    print(f"{kind}_samples_per_s_with_pass: {len(U) / (pass_secs + len(U) / rates['curvature']):.0f} (one epoch over the rows, pass included)")
    print(f"{kind}_samples_per_s: {rates['curvature']:.0f}")

if __name__ == '__main__': main()
