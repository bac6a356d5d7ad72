"""Issue 27: structure from the tagger's architecture. On full-shape worlds of the LayerNorm families (2 blocks of
16,000 rows, width 1024, 10,861 tags; split 80/20, seed 0), `train_model`'s default (`auto`: the structure probe, then
the converter it supports; where that is not the probe's own recommendation, the recommended closed form too) beside
the learned `lowrank` and the limit (the generator's true norms): seconds of fit +
evaluation (the probe, the fit or training, and `finish_run`'s evaluation with its references and plots), pred_mse,
tag F1, norm error. Then a zoo: each family at `--zoo-seeds` world seeds from `--zoo-start` (seeds no test uses),
`--zoo-profile` shape, the auto default's gap to the limit per family (median, worst). Then the probe over
`--rss-blocks` blocks' worth of rows (the same blocks streamed again) in a child process, its peak RSS.

    python -m bench.structure --record
    python -m bench.structure --families token_ln --baseline '' --zoo-seeds 2   # a quicker look

The zoo's default families are those whose auto default is a closed form (seconds per draw); families where it
trains (`lowrank`, `plane_residual`: ~100 short epochs at the tiny shape, minutes per draw on a loaded 2-core
machine) are added with `--zoo-families`.
"""
import json, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed, peak_rss_mb
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset, open_npz_member
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model

KEYS = ('pred_mse', 'tag_f1', 'emb_norms')

def run(world, model:str='auto', **kwargs)->dict:
    "One `train_model` run on `world`'s blocks (80/20, seed 0): seconds, metrics, the limit's, the choice."
    ds = EmbeddingDataset(world.block_files())
    tr, te = dataset_split(ds, [0.8, 0.2], seed=0)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = train_model(tr, te, 'SwinV2_v3', model, workdir=d, quiet=True, **kwargs)
        secs = time.perf_counter() - t0
        m = json.loads((Path(d) / 'metrics.json').read_text())
    lim = res['references'].get('limit', {})
    return dict(seconds=secs, model=m.get('model_choice', {}).get('model', model),
                reason=m.get('model_choice', {}).get('reason'), probe=m.get('probe'),
                **{k: res['metrics'][k] for k in KEYS}, **{f'limit_{k}': lim.get(k) for k in KEYS},
                constant_pred_mse=res['references']['constant']['pred_mse'], train_rows=len(tr), test_rows=len(te))

FLOAT_FLOOR = 1e-12  # pred MSE of float32 rounding and below: the exact families' limit (~1e-15) is rounding itself

def ratio(r:dict)->float:
    "pred_mse over the limit's, both floored at `FLOAT_FLOOR` (two float-rounding errors are both at the limit)."
    return max(r['pred_mse'], FLOAT_FLOOR) / max(r['limit_pred_mse'], FLOAT_FLOOR)

def line(name:str, r:dict)->str:
    return (f"{name}: {r['model']} {r['seconds']:.1f}s pred_mse {r['pred_mse']:.3g} (limit {r['limit_pred_mse']:.3g}, "
            f"constant {r['constant_pred_mse']:.3g}) tag_f1 {r['tag_f1']:.5f} (limit {r['limit_tag_f1']:.5f}) "
            f"norm_err {r['emb_norms']:.3g}")

def zoo(families:list, seeds:range, profile:str, root:Path, block_size:int|None=None)->dict:
    "The auto default (and the probe's recommendation where auto serves another) on each family at each seed."
    out, tag = {}, f'_b{block_size}' if block_size else ''
    for f in families:
        for s in seeds:
            w = make_world(root / f'{f}_{profile}{tag}_{s}', profile=profile, seed=s, samples=(), blocks=2, family=f,
                           block_size=block_size)
            r = run(w)
            rec = r['probe']['recommendation'] if r['probe'] else None
            for key, r in [(f, r)] + ([(f'{f} {rec}', run(w, rec))] if rec and rec != r['model'] else []):
                out.setdefault(key, []).append(dict(seed=s, **{k: v for k, v in r.items() if k != 'probe'},
                                                    recommendation=rec))
                print(f"  zoo {key} seed {s}: {r['model']} pred_mse {r['pred_mse']:.3g} (limit {r['limit_pred_mse']:.3g}, "
                      f"x{ratio(r):.3g}) tag_f1 {r['tag_f1']:.4f} (limit {r['limit_tag_f1']:.4f}) {r['seconds']:.1f}s",
                      flush=True)
    return out

def zoo_summary(runs:list)->dict:
    "Median and worst gap to the limit over a family's draws."
    rs, f1 = [ratio(r) for r in runs], [r['limit_tag_f1'] - r['tag_f1'] for r in runs]
    return dict(draws=len(runs), models=sorted({r['model'] for r in runs}), ratio_median=float(np.median(rs)),
                ratio_worst=float(np.max(rs)), pred_mse_median=float(np.median([r['pred_mse'] for r in runs])),
                pred_mse_worst=float(np.max([r['pred_mse'] for r in runs])), f1_gap_median=float(np.median(f1)),
                f1_gap_worst=float(np.max(f1)))

def probe_rss(world:str, blocks:int)->dict:
    "The probe over `blocks` blocks (the world's blocks again and again, as memory maps) in this process."
    from tagger_embedding_aligner.probe import probe_structure
    files = make_world(world).block_files()
    maps = [open_npz_member(files[i % len(files)], 'embs') for i in range(blocks)]
    t0 = time.perf_counter()
    p = probe_structure(maps)
    return dict(blocks=blocks, rows=p.n_fit + p.n_held_out, seconds=time.perf_counter() - t0,
                peak_rss_mb=peak_rss_mb(), recommendation=p.recommendation)

@call_parse
def main(
    worlds:str='/work/worlds',        # folder of the full worlds, `<family>_full` (made on first use)
    families:str='token_ln,pooled_ln,pooled_ln_beta0', # full-shape families trained with the auto default
    probe_only:str='token_ln_beta0', # full-shape families only probed (what auto would pick, and why)
    baseline:str='token_ln',         # families where `lowrank` also trains ('': none)
    zoo_families:str='token_ln,pooled_ln,pooled_ln_beta0,pooled_ln_eps3',
    zoo_seeds:int=10,                 # draws per family (0: no zoo)
    zoo_start:int=1000,               # first zoo world seed (seeds no test or tuning uses)
    zoo_profile:str='tiny',           # zoo world shape
    zoo_block_size:int=None,          # rows per zoo block (2 blocks; default: the profile's, 1,000 at tiny)
    rss_blocks:int=60,                # blocks' worth of rows the probe streams for the memory check (0: skip)
    rss_only:bool=False,              # (internal) just the memory check, printed as JSON
    record:bool=False,                # write the figures to `<results>/<name>.json`
    name:str='structure',             # the record's name
    results:str=str(RESULTS),         # folder of the records
):
    "The auto default on the architecture families at full shape, a zoo of unseen draws, and the probe's memory."
    root = Path(worlds)
    if rss_only:
        print(json.dumps(probe_rss(str(root / 'token_ln_full'), rss_blocks)))
        return
    full = {}
    for f in [x for x in families.split(',') if x]:
        w = make_world(root / f'{f}_full', profile='full', seed=0, samples=(), blocks=2, block_size=16000, family=f)
        full[f] = dict(auto=run(w))
        print(line(f'{f} auto', full[f]['auto']), flush=True)
        print(f"  {full[f]['auto']['reason']}", flush=True)
        rec = full[f]['auto']['probe']['recommendation']
        if rec != full[f]['auto']['model']:  # auto serves the probe's finding with another converter: both, side by side
            full[f][rec] = run(w, rec)
            print(line(f'{f} {rec}', full[f][rec]), flush=True)
        pr = full[f]['auto']['probe']
        alone = [pr['base']] + ([pr['poly']['start']] if pr['base'] == 'poly' else [])  # a polynomial's start too
        for cf in alone if rec == 'plane_residual' else []:  # the closed forms alone, beside it
            if cf in full[f]: continue
            full[f][cf] = run(w, cf)
            print(line(f'{f} {cf}', full[f][cf]), flush=True)
        if f in baseline.split(','):
            full[f]['lowrank'] = run(w, 'lowrank')
            print(line(f'{f} lowrank', full[f]['lowrank']), flush=True)
        if rec == 'plane_residual':  # the approximate variant's target: auto against the better of each alone
            others = {k: r['pred_mse'] for k, r in full[f].items() if k in ('plane', 'quadric', 'poly', 'lowrank')}
            best = min(others, key=others.get)
            print(f"  {f}: auto pred_mse x{full[f]['auto']['pred_mse'] / others[best]:.3g} the best alone ({best}); "
                  + ', '.join(f"x{full[f]['auto']['pred_mse'] / v:.3g} {k}" for k, v in others.items())
                  + f"; x{full[f]['auto']['pred_mse'] / max(full[f]['auto']['limit_pred_mse'], 1e-300):.3g} the "
                  "exact floor (the limit)", flush=True)
    for f in [x for x in probe_only.split(',') if x]:
        from tagger_embedding_aligner.probe import probe_structure
        from tagger_embedding_aligner.closed_form import choose_converter
        w = make_world(root / f'{f}_full', profile='full', seed=0, samples=(), blocks=2, block_size=16000, family=f)
        tr, _ = dataset_split(EmbeddingDataset(w.block_files()), [0.8, 0.2], seed=0)
        t0 = time.perf_counter()
        p = probe_structure(tr)
        full[f] = dict(probe_only=dict(seconds=time.perf_counter() - t0, choice=choose_converter(p)[2], probe=p.to_dict()))
        print(f"{f} probe only ({full[f]['probe_only']['seconds']:.1f}s): {p.summary()}\n  {choose_converter(p)[2]}", flush=True)
    zruns = zoo([x for x in zoo_families.split(',') if x], range(zoo_start, zoo_start + zoo_seeds), zoo_profile,
                root / 'zoo', zoo_block_size) if zoo_seeds else {}
    zsum = {f: zoo_summary(r) for f, r in zruns.items()}
    for f, s in zsum.items():
        print(f"zoo {f} ({s['draws']} draws, {zoo_profile}, {s['models']}): pred_mse/limit median x{s['ratio_median']:.3g}, "
              f"worst x{s['ratio_worst']:.3g}; pred_mse median {s['pred_mse_median']:.3g}; tag F1 below the limit "
              f"median {s['f1_gap_median']:.4f}, worst {s['f1_gap_worst']:.4f}")
    rss = None
    if rss_blocks:
        p = subprocess.run([sys.executable, '-m', 'bench.structure', '--worlds', worlds, '--rss-blocks', str(rss_blocks),
                            '--rss-only'], capture_output=True, text=True)
        rss = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else dict(error=p.stderr[-500:])
        print(f"probe over {rss_blocks} blocks: {rss}")
    if not record: return
    ex = {f: r['auto'] for f, r in full.items() if f in ('token_ln', 'pooled_ln', 'pooled_ln_beta0')}
    figure = ('; '.join(f"{f}: {r['model']}, pred MSE {r['pred_mse']:.2g}, F1 {r['tag_f1']:.4f}, {r['seconds']:.0f} s"
                        for f, r in ex.items()))
    figure = figure or '; '.join(f"{f}: pred MSE median {z['pred_mse_median']:.2g}, worst {z['pred_mse_worst']:.2g}"
                                 for f, z in zsum.items())
    figure = figure or '; '.join(f"{f}: {r['auto']['model']}, pred MSE {r['auto']['pred_mse']:.2g} ("
                                 + ', '.join(f"{k} {v['pred_mse']:.2g}" for k, v in r.items() if k != 'auto')
                                 + f"), {r['auto']['seconds']:.0f} s" for f, r in full.items() if 'auto' in r)
    what = "`auto` (structure probe + the converter it supports) on the LayerNorm families, full shape, 25,600 train rows"
    write_record(name, what=what, figure=figure, results=results,
                 figures=dict(full=full, zoo=zsum, zoo_runs=zruns, zoo_profile=zoo_profile,
                              zoo_block_size=zoo_block_size, float_floor=FLOAT_FLOOR, probe_rss=rss),
                 args=changed(main, worlds=worlds, families=families, probe_only=probe_only, baseline=baseline, zoo_families=zoo_families,
                              zoo_seeds=zoo_seeds, zoo_start=zoo_start, zoo_profile=zoo_profile, zoo_block_size=zoo_block_size,
                              rss_blocks=rss_blocks,
                              name=name))
