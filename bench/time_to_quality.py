"""Issue 7: time to quality. The reference loop (bench/reference.py, the original's recipe: batch 16, lr 1e-3,
stored preds in RAM) trains num2 for --ref-epochs epochs over 2 full-shape blocks (20k rows each, 10% held out);
its final validation pred_mse is the bar. Then this project's default path (`train_model`: fastai, batch 256,
lr 3e-2, fast objective, recomputed targets) trains on the same split until its validation pred_mse (checked after
each epoch by a fastai callback) reaches the bar. Times: the reference's training epochs only (its validation is
not counted); ours from the start of `fit`, validation passes included.

    PYTHONPATH=$PWD .venv/bin/python bench/time_to_quality.py
"""
import argparse, sys, tempfile, time
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).parent))
from common import full_world, split
from reference import reference_setup, reference_epoch, reference_pred_mse
from fastai.callback.core import Callback, CancelFitException
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.dataset import subset_indices

class StopAtQuality(Callback):
    "Stop fitting at the end of the first epoch whose validation pred_mse is <= `bar`."
    order = 90  # after the Recorder and the checkpoint
    def __init__(self, bar): self.bar, self.reached, self.epochs = bar, None, []
    def before_fit(self): self.t0 = time.perf_counter()
    def after_epoch(self):
        d = dict(zip(self.recorder.metric_names[1:-1], self.recorder.values[-1]))
        self.epochs.append((time.perf_counter() - self.t0, d['valid_pred_mse']))
        if d['valid_pred_mse'] <= self.bar:
            self.reached = self.epochs[-1]; raise CancelFitException()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/full'); ap.add_argument('--ref-epochs', type=int, default=3)
    ap.add_argument('--our-epochs', type=int, default=3)
    a = ap.parse_args()
    w = full_world(a.world, blocks=2)
    ds, tr, te = split(w, 2, test_ratio=0.1)
    _, tr_rows = subset_indices(tr); _, te_rows = subset_indices(te)
    r_ds, model, dl, opt, sched = reference_setup([w.block_file(0), w.block_file(1)], tr_rows, (ds.weights, ds.bias), epochs=a.ref_epochs)
    ref_secs, ref_curve = 0., []
    for e in range(a.ref_epochs):
        n, s = reference_epoch(model, dl, opt, sched); ref_secs += s
        ref_curve.append(reference_pred_mse(model, r_ds, te_rows))
        print(f"reference_epoch_{e}: {s:.1f}s, {n / s:.0f} samples/s, valid pred_mse {ref_curve[-1]:.4g}", flush=True)
    bar = ref_curve[-1]
    del r_ds, model, dl
    stop = StopAtQuality(bar)
    with tempfile.TemporaryDirectory() as d:
        train_model(tr, te, 'SwinV2_v3', 'num2', workdir=d, max_epochs=a.our_epochs, quiet=True, cbs=[stop])
    for i, (t, m) in enumerate(stop.epochs): print(f"ours_epoch_{i}: {t:.1f}s cumulative, valid pred_mse {m:.4g}")
    print(f"train_rows: {len(tr_rows)}  valid_rows: {len(te_rows)}")
    print(f"reference_epochs: {a.ref_epochs}")
    print(f"reference_train_s: {ref_secs:.1f}")
    print(f"reference_pred_mse: {bar:.4g}")
    if stop.reached is None:
        print(f"ours_reached: no (best {min(m for _, m in stop.epochs):.4g} in {a.our_epochs} epochs)"); print("time_to_quality_ratio: n/a")
    else:
        print(f"ours_time_to_quality_s: {stop.reached[0]:.1f} (epoch {len(stop.epochs)} of {a.our_epochs}, pred_mse {stop.reached[1]:.4g})")
        print(f"time_to_quality_ratio: {stop.reached[0] / ref_secs:.3f}")

if __name__ == '__main__': main()
