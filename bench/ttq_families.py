"""Issue 30: time to quality per world family, the headline. For each family's world (2 blocks, 80/20 split, seed 0:
the main job's split), the shipped default (`train_model(model='auto')`) runs with a callback that records
(wall seconds since the call, validation pred_mse) after each epoch; a closed form has no epochs, its one point is the
moment it is fitted (`train_model`'s `seconds['ready']`: data set-up, probe and fit; the evaluation report after it
only measures, like the original loop's, which is not timed either; the whole call is recorded as `total_seconds`). The limit's pred_mse on the same validation rows comes from the run's final
evaluation. Then the original loop (bench/reference.py: batch 16, BCE through the head, blocks in RAM) trains on the
same rows for --ref-epochs, its validation pred_mse measured after each epoch (its training seconds only).
Figures: seconds to 2x the limit's pred_mse and to the limit + 10%, for both; where the original does not get there in
its epochs, a power law through its last two points (pred_mse against seconds, log-log) extrapolates the time, stated
as such (not beyond 100x its own run). An exact limit (pred_mse ~1e-15, float32 rounding) has the bar 1e-10. The plot (pred_mse against wall seconds, log axes, one panel per family) goes to nbs/images/.

    nice -n 10 .venv/bin/python -m bench.ttq_families --record
    .venv/bin/python -m bench.ttq_families --worlds /tmp/ttq --profile tiny --block-size 2000 --families token_ln,features --ref-epochs 1
"""
import math, tempfile, time
from pathlib import Path
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed
from bench.time_to_limit import EpochCurve, first_within
from bench.reference import reference_setup, reference_epoch, reference_pred_mse
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset, subset_indices
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model

IMAGE = Path(__file__).resolve().parents[1] / 'nbs' / 'images' / 'time_to_quality_families.png'

def extrapolate(points, bar)->float|None:
    "Seconds at which the power law through the last two `(seconds, pred_mse)` points reaches `bar` (None: not falling)."
    if len(points) < 2: return None
    (t1, m1), (t2, m2) = points[-2:]
    if not (m2 < m1 and m2 > 0 and t2 > t1): return None
    slope = (math.log(m2) - math.log(m1)) / (math.log(t2) - math.log(t1))
    return t2 * math.exp((math.log(bar) - math.log(m2)) / slope)

FLOOR = 1e-10  # pred_mse below this is float32 rounding: an exact limit's bar is the floor, not 2x its rounding noise

def times_to(points, bar, most:float=100.)->dict:
    "`seconds` to `bar` (measured, or extrapolated and said so; not beyond `most` times the run's own seconds)."
    hit = first_within(points, bar)
    if hit: return dict(seconds=hit[0], how='measured')
    t = extrapolate(points, bar)
    if t is not None and t > most * points[-1][0]: return dict(seconds=None, how=f'beyond {most:g}x its run (extrapolated)')
    return dict(seconds=t, how='extrapolated' if t else 'not reached')

def one_family(world_root:str, family:str, profile:str, block_size:int|None, ref_epochs:int)->dict:
    "The default's and the original loop's curves on one family's world, with the limit's pred_mse."
    w = make_world(world_root, profile=profile, family=family, blocks=2, samples=(), block_size=block_size)
    ds = EmbeddingDataset(w.block_files())
    tr, te = dataset_split(ds, [0.8, 0.2], seed=0)
    t0 = time.perf_counter()
    curve = EpochCurve(t0, te)   # every validation row evaluated after each epoch, off the clock
    with tempfile.TemporaryDirectory() as d:
        res = train_model(tr, te, 'SwinV2_v3', 'auto', workdir=d, quiet=True, cbs=[curve])
    if not curve.points: curve.points = [(res['seconds']['ready'], res['metrics']['pred_mse'])]
    limit, model = res['references']['limit']['pred_mse'], res['model_choice']['model']
    _, tr_rows = subset_indices(tr)
    _, te_rows = subset_indices(te)
    r_ds, net, dl, opt, sched = reference_setup(w.block_files(), tr_rows, (ds.weights, ds.bias), epochs=ref_epochs)
    ref, secs = [], 0.
    for e in range(ref_epochs):
        n, s = reference_epoch(net, dl, opt, sched)
        secs += s
        ref.append((secs, reference_pred_mse(net, r_ds, te_rows)))
        print(f"  {family} original epoch {e}: {s:.1f}s, valid pred_mse {ref[-1][1]:.4g} (x{ref[-1][1] / limit:.2f})",
              flush=True)
    del r_ds, net, dl
    out = dict(family=family, model=model, limit_pred_mse=limit, train_rows=len(tr), valid_rows=len(te),
               total_seconds=res['seconds']['total'] - curve.paused,
               default=[dict(seconds=t, pred_mse=m) for t, m in curve.points],
               original=[dict(seconds=t, pred_mse=m) for t, m in ref])
    for name, bar in (('2x', max(2 * limit, FLOOR)), ('1.1x', max(1.1 * limit, FLOOR))):
        out[f'default_to_{name}'] = times_to(curve.points, bar)
        out[f'original_to_{name}'] = times_to(ref, bar)
    return out

def plot(runs:list, path:Path=IMAGE):
    "pred_mse against wall seconds (log axes), the default and the original per family, the limit's 2x and 1.1x."
    import matplotlib
    matplotlib.use('agg')
    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, len(runs), figsize=(3.6 * len(runs), 3.4), squeeze=False)
    for ax, r in zip(axs[0], runs):
        for key, style in (('default', 'o-'), ('original', 's--')):
            pts = r[key]
            ax.plot([p['seconds'] for p in pts], [max(p['pred_mse'], 1e-12) for p in pts], style,
                    label=f"{'auto -> ' + r['model'] if key == 'default' else 'original loop'}")
        for f, ls in ((2, ':'), (1.1, '-.')):
            ax.axhline(max(f * r['limit_pred_mse'], FLOOR), color='gray', ls=ls, lw=1, label=f'{f}x limit')
        ax.set(xscale='log', yscale='log', title=r['family'], xlabel='wall seconds')
        ax.legend(fontsize=7)
    axs[0][0].set_ylabel('validation pred_mse')
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + '.tmp.png')
    fig.savefig(tmp, dpi=80)
    tmp.replace(path)
    plt.close(fig)

def _t(d:dict)->str:
    if d['seconds'] is None: return d['how'].replace('measured', 'not reached')
    return f"{d['seconds']:.1f} s" + (' (extrapolated)' if d['how'] == 'extrapolated' else '')

@call_parse
def main(
    worlds:str='worlds',          # folder of the worlds, `<worlds>/<family>_<profile>` (generated when missing)
    families:str='token_ln,pooled_ln,features,latent,anisotropic', # comma-separated world families
    profile:str='full',           # world profile
    block_size:int=16_000,        # rows per block (2 blocks: 32k rows)
    ref_epochs:int=2,             # epochs of the original loop
    image:str=str(IMAGE),         # the plot
    record:bool=False,            # write `<results>/ttq_families.json`
    results:str=str(RESULTS),     # folder of the records
):
    "Seconds to 2x and to 1.1x the limit's pred_mse per family, the default against the original loop; a plot."
    runs = []
    for fam in families.split(','):
        r = one_family(f'{worlds}/{fam}_{profile}', fam, profile, block_size, ref_epochs)
        runs.append(r)
        print(f"{fam}: auto -> {r['model']}; limit pred_mse {r['limit_pred_mse']:.4g}; to 2x: default "
              f"{_t(r['default_to_2x'])}, original {_t(r['original_to_2x'])}; to 1.1x: default "
              f"{_t(r['default_to_1.1x'])}, original {_t(r['original_to_1.1x'])}", flush=True)
    plot(runs, Path(image))
    print(f"plot: {image}")
    if not record: return
    figure = '; '.join(f"{r['family']} (`{r['model']}`): **{_t(r['default_to_2x'])}** vs {_t(r['original_to_2x'])}"
                       f" to 2x, {_t(r['default_to_1.1x'])} vs {_t(r['original_to_1.1x'])} to 1.1x" for r in runs)
    write_record('ttq_families', what=f"time to 2x / 1.1x the limit's pred MSE per family, the default (`auto`) vs "
                 f"the original loop ({runs[0]['train_rows']:,} train rows, {profile} shape; plot "
                 f"nbs/images/{Path(image).name})", figure=figure, figures=dict(runs=runs), results=results,
                 args=changed(main, worlds=worlds, families=families, profile=profile, block_size=block_size,
                              ref_epochs=ref_epochs))
