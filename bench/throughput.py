"""Issue 7: training throughput (samples/s) of num2 on the full-shape world, this project vs the original's loop.

Ours: `train_model` defaults (fastai Learner, batch 256, fast scalar objective, targets recomputed from the head),
one epoch over the 19,000 training rows of block 0; only the training phase is timed.
Reference (bench/reference.py): batch 16, blocks in RAM via np.load, per-item normalization, DataLoader with
min(cpu_count, 16) workers, BCELoss on the head's sigmoid, AdamW + OneCycleLR; timed over --ref-samples after a warm-up.

    PYTHONPATH=$PWD .venv/bin/python bench/throughput.py
"""
import argparse, sys, tempfile
from pathlib import Path
import numpy as np, torch
sys.path.insert(0, str(Path(__file__).parent))
from common import full_world, split, TrainTimer
from reference import reference_setup, reference_epoch
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.dataset import subset_indices

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/full'); ap.add_argument('--ref-samples', type=int, default=3200)
    ap.add_argument('--bs', type=int, default=256)
    a = ap.parse_args()
    w = full_world(a.world, blocks=1)
    ds, tr, te = split(w, 1)
    _, rows = subset_indices(tr)
    r_ds, model, dl, opt, sched = reference_setup([w.block_file(0)], rows, (ds.weights, ds.bias), epochs=1)
    reference_epoch(model, dl, opt, sched, max_samples=320)                 # warm-up (workers, allocator)
    n_ref, s_ref = reference_epoch(model, dl, opt, sched, max_samples=a.ref_samples)
    del r_ds, model, dl
    timer = TrainTimer()
    with tempfile.TemporaryDirectory() as d:
        train_model(tr, te, 'SwinV2_v3', 'num2', workdir=d, batch_size=a.bs, max_epochs=1, quiet=True, cbs=[timer])
    ours, ref = timer.samples / timer.secs, n_ref / s_ref
    print(f"torch_threads: {torch.get_num_threads()}")
    print(f"reference_samples: {n_ref}")
    print(f"reference_samples_per_s: {ref:.1f}")
    print(f"ours_samples: {timer.samples} (batch {a.bs}, 1 epoch)")
    print(f"ours_samples_per_s: {ours:.1f}")
    print(f"throughput_ratio: {ours / ref:.2f}")

if __name__ == '__main__': main()
