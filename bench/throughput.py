"""Issues 7, 30: training throughput (samples/s) of the shipped default (`auto`: on this `features` world the probe
finds no constraint and `lowrank` is trained; the probe's pass counts in the set-up) and of `num2` (the earlier rows)
on the full-shape world, this project vs the original's loop, in the same run on the same rows.

Ours: `train_model` defaults (fastai Learner, batch 256, the curvature objective, targets recomputed from the head),
--epochs epochs over the 19,000 training rows of block 0. Two figures: `ours_samples_per_s` counts everything from
the call to the end of the fit except the validation passes -- set-up, the one pass that computes the curvature terms
(the run's only `u @ W`), and the training epochs; `ours_epoch_samples_per_s` counts the training epochs alone. The
exact `fast` objective (u @ W every step) is timed for one epoch as well, for comparison.
Reference (bench/reference.py): batch 16, blocks in RAM via np.load, per-item normalization, DataLoader with
min(cpu_count, 16) workers, BCELoss on the head's sigmoid, AdamW + OneCycleLR; timed over --ref-samples after a warm-up.

    .venv/bin/python -m bench.throughput --record
    .venv/bin/python -m bench.throughput --world /work/worlds/features_full --models auto,num2,lowrank --record
        # + `lowrank` asked for by name: the learned path's own set-up (no probe: nothing to decide)
    .venv/bin/python -m bench.throughput --world /tmp/tiny --profile tiny --epochs 2 --ref-samples 320  # a quick check
"""
import tempfile, time
import torch
from fastcore.script import call_parse
from bench.common import full_world, split, TrainTimer, RESULTS, write_record, changed
from bench.reference import reference_setup, reference_epoch
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.dataset import subset_indices

def ours(tr, te, epochs, bs, objective='auto', model='auto'):
    "(samples, seconds without validation, seconds of the training epochs alone, converter) of one `train_model` run."
    timer = TrainTimer()
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = train_model(tr, te, 'SwinV2_v3', model, workdir=d, batch_size=bs, max_epochs=epochs, objective=objective,
                          quiet=True, cbs=[timer])
    end = getattr(timer, 'fit_end', time.perf_counter())  # a closed form has no fit: its seconds are the whole call
    return timer.samples, end - t0 - timer.valid_secs, timer.secs, res.get('model_choice', {}).get('model', model)

@call_parse
def main(
    world:str='worlds/full',  # full-shape world folder (generated on first use)
    ref_samples:int=3200,     # samples the reference loop is timed over
    bs:int=256,               # our batch size
    epochs:int=8,             # our epochs
    blocks:int=1,             # blocks of the world to train on (1: 19,000 training rows)
    profile:str='full',         # world profile (`tiny` with a small --block-size: a quick check of the script)
    block_size:int=None,        # rows per block of a new world (default: the profile's)
    models:str='auto,num2',     # comma-separated converters; the first is the headline (`auto`: the default)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "Training throughput of `train_model` against the original project's loop."
    w = full_world(world, blocks=blocks, profile=profile, block_size=block_size)
    ds, tr, te = split(w, blocks)
    _, rows = subset_indices(tr)
    r_ds, model, dl, opt, sched = reference_setup([w.block_file(0)], rows, (ds.weights, ds.bias), epochs=1)
    reference_epoch(model, dl, opt, sched, max_samples=320)                 # warm-up (workers, allocator)
    n_ref, s_ref = reference_epoch(model, dl, opt, sched, max_samples=ref_samples)
    del r_ds, model, dl
    ref = n_ref / s_ref
    rows = {}
    for model in models.split(','):
        sfx = '' if model == models.split(',')[0] else f'_{model}'
        n, s_all, s_epochs, got = ours(tr, te, epochs, bs, model=model)
        n1, s1_all, _, _ = ours(tr, te, 1, bs, model=model)
        nf, sf_all, sf_epochs, _ = ours(tr, te, 1, bs, objective='fast', model=model)
        r = dict(model=model, trained=got, samples=n, samples_per_s=n / s_all, epoch_samples_per_s=n / s_epochs,
                 one_epoch_samples_per_s=n1 / s1_all, fast_objective_samples_per_s=nf / sf_epochs, seconds=s_all)
        rows[model] = r
        print(f"ours{sfx}: {model} -> {got}, {n} samples (batch {bs}, {epochs} epochs, objective auto)")
        print(f"ours{sfx}_samples_per_s: {r['samples_per_s']:.1f} (set-up, probe, curvature pass and epochs, "
              f"validation excluded: {s_all:.1f}s)")
        print(f"ours{sfx}_epoch_samples_per_s: {r['epoch_samples_per_s']:.1f} (training epochs alone: {s_epochs:.1f}s)")
        print(f"ours{sfx}_one_epoch_samples_per_s: {r['one_epoch_samples_per_s']:.1f} (a 1-epoch run, set-up included)")
        print(f"fast_objective{sfx}_samples_per_s: {r['fast_objective_samples_per_s']:.1f} (1 epoch, u @ W every step)")
        print(f"throughput_ratio{sfx}: {r['samples_per_s'] / ref:.2f} (epochs alone {r['epoch_samples_per_s'] / ref:.1f})")
    print(f"torch_threads: {torch.get_num_threads()}")
    print(f"reference_samples: {n_ref}")
    print(f"reference_samples_per_s: {ref:.1f}")
    if not record: return
    shape = '' if profile == 'full' else f" ({profile} world: width {ds.width}, {ds.n_tags} tags)"
    f = dict(reference_samples_per_s=ref, models=rows, train_rows=len(tr), epochs=epochs, bs=bs,
             torch_threads=torch.get_num_threads())
    def text(r):
        return (f"{r['samples_per_s']:,.0f} samples/s: **{r['samples_per_s'] / ref:.1f}x** (epochs alone "
                f"{r['epoch_samples_per_s']:,.0f}, {r['epoch_samples_per_s'] / ref:.0f}x; a 1-epoch run "
                f"{r['one_epoch_samples_per_s'] / ref:.1f}x)")
    first, *others = rows.values()
    write_record('throughput',
        what="training throughput of the default (`auto`) beside "
             + ', '.join('`' + r['model'] + '`' for r in others) + ", this "
             "project vs the original loop (batch 16, stored preds in RAM, per-item work, BCE through the head), same "
             f"run, same rows{shape}",
        figure=f"the original {ref:,.0f} samples/s; `auto` -> `{first['trained']}` {text(first)}"
               + ''.join(f"; `{r['model']}` {text(r)}" for r in others)
               + f"; {epochs} epochs of {len(tr):,} rows, set-up (probe, curvature pass) included",
        figures=f, results=results,
        args=changed(main, world=world, ref_samples=ref_samples, bs=bs, epochs=epochs, blocks=blocks, profile=profile,
                     block_size=block_size, models=models))
