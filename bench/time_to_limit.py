"""Issue 14: time to quality against the limit. The main job's split (2 full-shape blocks, 80/20, seed 0) is trained
with the `train_model` defaults of --model (default `auto`, what users get; a closed form has no epochs: its one point
is the whole call, probe and fit included); after each epoch a callback records the wall time since
the call and the validation pred_mse. The limit's pred_mse on the same validation rows comes from the run's final
evaluation (`references['limit']`); after each epoch the callback evaluates every validation row itself, off the
clock (the run validates a subset of at most `valid_rows`). The figure: seconds until the validation pred_mse is at most --factor times the
limit's (set-up and every validation included), and the run's final gap to the limit.

    .venv/bin/python -m bench.time_to_limit --record
    .venv/bin/python -m bench.time_to_limit --world /tmp/tiny --profile tiny --block-size 2500  # a quick check
"""
import tempfile, time
import torch
from fastcore.script import call_parse
from fastai.callback.core import Callback
from bench.common import full_world, valid_metrics, RESULTS, write_record, changed
from tagger_embedding_aligner.dataset import EmbeddingDataset, subset_indices
from tagger_embedding_aligner.loaders import EmbeddingDL
from tagger_embedding_aligner.evaluation import evaluate_aligner
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model

class EpochCurve(Callback):
    """(seconds of the run's own work since `t0`, pred_mse of every held-out row in `test`) after every epoch.
    The run validates only `valid_rows` of them after each epoch; the benchmark evaluates them all, off the clock
    (`paused`), as it does for the original loop. Without `test`: the run's own validation figure."""
    order = 90  # after the Recorder
    def __init__(self, t0, test=None):
        self.t0, self.test, self.points, self.paused = t0, test, [], 0.
        self.cats = None if test is None else subset_indices(test)[0].labels()['category']
    def after_epoch(self):
        t = time.perf_counter()
        if self.test is None: m = valid_metrics(self.recorder)['pred_mse']
        else:
            with torch.no_grad():
                m = evaluate_aligner(self.learn.model.aligner, EmbeddingDL(self.test, bs=512), self.cats)['pred_mse']
        self.points.append((t - self.t0 - self.paused, m))
        if self.test is not None: self.paused += time.perf_counter() - t

def first_within(points, bar)->tuple|None:
    "The first `(seconds, pred_mse)` of `points` with pred_mse <= `bar`, or None."
    return next(((t, m) for t, m in points if m <= bar), None)

@call_parse
def main(
    world:str='worlds/full',    # full-shape world folder (generated on first use)
    model:str='auto',           # converter, trained with its `train_model` defaults (`auto`: the default)
    factor:float=2.,            # the bar: this many times the limit's pred_mse
    profile:str='full',         # world profile (`tiny`: a quick check of the script)
    block_size:int=None,        # rows per block of a new world (default: the profile's)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "Wall time of `train_model` (defaults) to reach `factor` times the limit's validation pred_mse."
    w = full_world(world, blocks=2, profile=profile, block_size=block_size)
    ds = EmbeddingDataset(w.block_files())
    tr, te = dataset_split(ds, [0.8, 0.2], seed=0)
    t0 = time.perf_counter()
    curve = EpochCurve(t0, te)
    with tempfile.TemporaryDirectory() as d:
        res = train_model(tr, te, 'SwinV2_v3', model, workdir=d, quiet=True, cbs=[curve])
    if not curve.points: curve.points = [(res['seconds']['ready'], res['metrics']['pred_mse'])]  # a closed form: fitted
    got = res.get('model_choice', {}).get('model', model)
    print(f"model: {model} -> {got}")
    total, limit = time.perf_counter() - t0 - curve.paused, res['references']['limit']['pred_mse']
    hit, gap = first_within(curve.points, factor * limit), res['gap_to_limit']
    for i, (t, m) in enumerate(curve.points): print(f"epoch_{i}: {t:.1f}s cumulative, valid pred_mse {m:.4g} (x{m / limit:.2f})")
    print(f"limit_pred_mse: {limit:.4g}")
    print(f"time_to_{factor:g}x_limit_s: {hit[0]:.1f}" if hit else f"time_to_{factor:g}x_limit_s: not reached")
    print(f"final: pred_mse x{gap['pred_mse_ratio']:.2f}, tag_f1 {-gap['tag_f1_diff']:+.4f}; {total:.1f}s in all")
    if not record: return
    reached = (f"**{hit[0]:.0f} s** (epoch {curve.points.index(hit) + 1} of {len(curve.points)})" if hit
               else f"not reached in {len(curve.points)} epochs")
    figure = (f"{reached}, set-up and validations included; the run ends at x{gap['pred_mse_ratio']:.2f} the limit's "
              f"pred MSE and {gap['tag_f1_diff']:.4f} below its tag F1 after {total:.0f} s")
    what = (f"time to {factor:g}x the limit's pred MSE, `{model}`{f' -> `{got}`' if got != model else ''} with the "
            f"`train_model` defaults "
            f"({len(tr):,} train / {len(te):,} validation rows)")
    figures = dict(model=got, limit_pred_mse=limit, seconds_to_bar=hit[0] if hit else None, total_s=total,
                   epochs=[dict(seconds=t, pred_mse=m) for t, m in curve.points], **gap)
    write_record('time_to_limit', what=what, figure=figure, figures=figures, results=results,
                 args=changed(main, world=world, model=model, factor=factor, profile=profile, block_size=block_size))
