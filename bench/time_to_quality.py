"""Issues 7, 30: time to quality of the default (`auto`) and of `num2`. The reference loop (bench/reference.py, the original's recipe: batch 16, lr 1e-3,
stored preds in RAM) trains num2 for --ref-epochs epochs over 2 full-shape blocks (20k rows each, 10% held out);
its final validation pred_mse is the bar. Then this project's default path (`train_model`: fastai, batch 256,
lr 3e-2, the curvature objective, recomputed targets, --our-epochs of one-cycle schedule) trains on the same split
until its validation pred_mse (every validation row, evaluated after each epoch by a fastai callback off the
clock) reaches the bar. Times: the
reference's training epochs only (its validation is not counted); ours from the call to `train_model`: set-up, the
curvature pass and the validation passes included. The same is then done for `num2` (--models).

    .venv/bin/python -m bench.time_to_quality --record
    .venv/bin/python -m bench.time_to_quality --world /tmp/tiny --profile tiny --ref-epochs 1 --our-epochs 2  # a check
"""
import tempfile, time
from fastcore.script import call_parse
from bench.common import full_world, split, RESULTS, write_record, changed
from bench.time_to_limit import EpochCurve
from bench.reference import reference_setup, reference_epoch, reference_pred_mse
from fastai.callback.core import CancelFitException
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.dataset import subset_indices

class StopAtQuality(EpochCurve):
    """Stop fitting at the end of the first epoch whose pred_mse over every validation row in `test` is <= `bar`
    (evaluated off the clock: `EpochCurve`; the run itself validates at most `valid_rows` of them)."""
    def __init__(self, bar, t0, test=None):
        super().__init__(t0, test)
        self.bar, self.reached, self.epochs = bar, None, self.points
    def after_epoch(self):
        super().after_epoch()
        if self.epochs[-1][1] <= self.bar:
            self.reached = self.epochs[-1]
            raise CancelFitException()

def quality_text(runs, bar, ref_secs, ref_epochs, n_train, n_valid, profile)->dict:
    "The record's `what`, `figure` and `figures` from the timed runs (`StopAtQuality` callbacks by objective)."
    def one(stop, note=''):
        if stop.reached is None:
            return f"not reached (best {min(m for _, m in stop.epochs):.3g} in {len(stop.epochs)} epochs)"
        t, m = stop.reached
        if note: return f"{m:.3g} after {t:.1f} s{note}: **{t / ref_secs:.3f}** of the time"
        return f"{m:.3g} after {t:.1f} s, {t / ref_secs:.3f}"
    shape = '' if profile == 'full' else f", {profile} world"
    what = (f"time to the original loop's {ref_epochs}-epoch pred_mse ({n_train:,} train / {n_valid:,} validation rows"
            f"{shape}: {bar:.4g} after {ref_secs:.1f} s)")
    first, *others = runs
    notes = [f"`{o}`: {one(runs[o])}" for o in others]
    figure = f"`{first}`: " + one(runs[first], ', set-up, probe, curvature pass and validations included')
    if notes: figure += f" ({'; '.join(notes)})"
    figures = dict(reference_pred_mse=bar, reference_train_s=ref_secs, train_rows=n_train, valid_rows=n_valid,
                   **{f'{o}_epochs': [dict(seconds=t, pred_mse=m) for t, m in st.epochs] for o, st in runs.items()},
                   **{f'{o}_time_to_quality_s': st.reached[0] if st.reached else None for o, st in runs.items()})
    return dict(what=what, figure=figure, figures=figures)

@call_parse
def main(
    world:str='worlds/full',    # full-shape world folder (generated on first use)
    ref_epochs:int=3,           # epochs of the reference loop; its last validation pred_mse is the bar
    our_epochs:int=8,           # most epochs of ours
    models:str='auto,num2',     # comma-separated converters of ours to time (`auto`: the default), objective auto
    profile:str='full',         # world profile (`tiny`: a quick check of the script)
    block_size:int=None,        # rows per block of a new world (default: the profile's)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "Wall time of `train_model` to reach the reference loop's validation pred_mse."
    w = full_world(world, blocks=2, profile=profile, block_size=block_size)
    ds, tr, te = split(w, 2, test_ratio=0.1)
    _, tr_rows = subset_indices(tr); _, te_rows = subset_indices(te)
    r_ds, model, dl, opt, sched = reference_setup([w.block_file(0), w.block_file(1)], tr_rows, (ds.weights, ds.bias), epochs=ref_epochs)
    ref_secs, ref_curve = 0., []
    for e in range(ref_epochs):
        n, s = reference_epoch(model, dl, opt, sched); ref_secs += s
        ref_curve.append(reference_pred_mse(model, r_ds, te_rows))
        print(f"reference_epoch_{e}: {s:.1f}s, {n / s:.0f} samples/s, valid pred_mse {ref_curve[-1]:.4g}", flush=True)
    bar = ref_curve[-1]
    del r_ds, model, dl
    print(f"train_rows: {len(tr_rows)}  valid_rows: {len(te_rows)}")
    print(f"reference_epochs: {ref_epochs}")
    print(f"reference_train_s: {ref_secs:.1f}")
    print(f"reference_pred_mse: {bar:.4g}")
    runs = {}
    for model in models.split(','):
        sfx = '' if model == 'auto' else f'_{model}'
        t0 = time.perf_counter()
        stop = StopAtQuality(bar, t0, te)
        with tempfile.TemporaryDirectory() as d:
            res = train_model(tr, te, 'SwinV2_v3', model, workdir=d, max_epochs=our_epochs, quiet=True, cbs=[stop])
        if not stop.epochs:  # a closed form: no epochs, its quality is the final evaluation's
            stop.epochs = [(time.perf_counter() - t0, res['metrics']['pred_mse'])]
            stop.reached = stop.epochs[0] if stop.epochs[0][1] <= bar else None
        print(f"ours{sfx}: {model} -> {res.get('model_choice', {}).get('model', model)}")
        runs[model] = stop
        for i, (t, m) in enumerate(stop.epochs): print(f"ours{sfx}_epoch_{i}: {t:.1f}s cumulative, valid pred_mse {m:.4g}")
        if stop.reached is None:
            print(f"ours{sfx}_reached: no (best {min(m for _, m in stop.epochs):.4g} in {our_epochs} epochs)"); print(f"time_to_quality_ratio{sfx}: n/a")
        else:
            print(f"ours{sfx}_time_to_quality_s: {stop.reached[0]:.1f} (epoch {len(stop.epochs)} of {our_epochs}, pred_mse {stop.reached[1]:.4g})")
            print(f"time_to_quality_ratio{sfx}: {stop.reached[0] / ref_secs:.3f}")
    if not record: return
    args = changed(main, world=world, ref_epochs=ref_epochs, our_epochs=our_epochs, models=models,
                   profile=profile, block_size=block_size)
    text = quality_text(runs, bar, ref_secs, ref_epochs, len(tr_rows), len(te_rows), profile)
    write_record('time_to_quality', **text, results=results, args=args)
