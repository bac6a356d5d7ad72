"""Issue 14: structure and recipe search, as measured experiments. Trains converter/option variants on the same
split of a family's world (as `bench/leaderboard.py` builds it) and prints pred_mse, tag F1 and emb-norm error with
their gap to the limit and the training time. Negative results are kept: every variant is printed and saved.

    .venv/bin/python -m bench.recipe_search --family features --variants base,lr3e-3,drop0
    .venv/bin/python -m bench.recipe_search --rows 2000,4000,8000 --variants stdlog   # learning curve

A variant is a name from VARIANTS below, or a spec `converter[:key=value...]` whose pairs are `train_model` keyword
arguments or converter options (`lowrank:learning_rate=1e-2:max_epochs=16`, `lowrank:rank=32`). Writes
`--out`/recipe_<family>.csv (appending to earlier runs of other variants). `--device cuda --precision fp32` runs the
same search on a GPU without changing the arithmetic (a quick search; times are then the GPU's).
"""
import json, time
from pathlib import Path
import numpy as np, pandas as pd
from torch.utils.data import Subset
from fastcore.script import call_parse
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.leaderboard import family_split
from tagger_embedding_aligner.families import DEFAULT_FAMILY, list_families

VARIANTS = {
    'num2': ('num2', {}),
    'lowrank': ('lowrank', {}),
    'num2_drop0': ('num2', dict(dropout_rate=0.)),
    'num2_lr3e-3': ('num2', dict(learning_rate=3e-3)),
    'stdlog': ('stdlog', {}),
    'stdlog_drop0.1_lr3e-3': ('stdlog', dict(dropout_rate=0.1, learning_rate=3e-3)),
    'stdlog_drop0': ('stdlog', dict(dropout_rate=0.)),  # the same as 'stdlog' since dropout 0 became its default
    'stdlog_drop0.1': ('stdlog', dict(dropout_rate=0.1)),
    'stdlog_drop0_e16': ('stdlog', dict(dropout_rate=0., max_epochs=16)),
    'stdlog_drop0_wd1e-2': ('stdlog', dict(dropout_rate=0., weight_decay=1e-2)),
    'stdlog_drop0_bs64': ('stdlog', dict(dropout_rate=0., batch_size=64)),
    'stdlog_drop0_lr3e-3': ('stdlog', dict(dropout_rate=0., learning_rate=3e-3)),
    'stdlog_wide': ('stdlog', dict(layers=[1.0, 0.5])),
    'stdlog_deep': ('stdlog', dict(layers=[0.5, 0.5, 0.35])),
    'stdlog_drop0.1_e16': ('stdlog', dict(dropout_rate=0.1, max_epochs=16)),
}

def _value(v:str):
    "A spec value: int, float, or the string itself."
    for t in (int, float):
        try: return t(v)
        except ValueError: pass
    return v

def parse_variant(variant:str)->tuple:
    "(converter, keyword arguments) of a VARIANTS name or a `converter[:key=value...]` spec."
    if variant in VARIANTS: return VARIANTS[variant]
    model, *pairs = variant.split(':')
    bad = [p for p in pairs if '=' not in p]
    if bad: raise SystemExit(f"variant {variant!r}: {bad[0]!r} is not key=value")
    return model, {k: _value(v) for k, v in (p.split('=', 1) for p in pairs)}

def run(variant, tr, te, out, epochs, **extra):
    "Train one variant (reused when finished); its row of figures."
    model, kw = parse_variant(variant)
    kw = dict(dict(max_epochs=epochs) if epochs else {}, **kw, **extra)  # no --epochs: `default_epochs`
    wd = Path(out) / f"{variant.replace(':', '_')}_{len(tr)}"
    t0 = time.perf_counter()
    res = train_model(tr, te, 'SwinV2_v3', model, workdir=str(wd), quiet=True, **kw)
    tf = wd / 'timing.json'
    secs = json.loads(tf.read_text())['secs'] if tf.is_file() else time.perf_counter() - t0
    tf.write_text(json.dumps(dict(secs=secs)))
    t = res['table']
    return dict(variant=variant, train_rows=len(tr), pred_mse=t.loc['aligner', 'pred_mse'], tag_f1=t.loc['aligner', 'tag_f1'],
                emb_norms=t.loc['aligner', 'emb_norms'], **res['gap_to_limit'], secs=secs, best_epoch=res['metrics']['epoch'])

@call_parse
def main(
    family:str=DEFAULT_FAMILY,    # world family (`list_families()`)
    profile:str='tiny',           # world profile
    blocks:int=2,                 # training blocks
    block_size:int=2500,          # rows per block
    variants:str='num2,stdlog',   # comma-separated VARIANTS names or `converter[:key=value...]` specs
    epochs:int=None,              # epochs (default: `default_epochs`)
    rows:str='',                  # comma-separated training-row counts (a learning curve); default: all
    root:str='worlds/leaderboard',# worlds, one folder per family
    out:str='runs/recipe',        # results folder
    device:str=None,              # cpu or cuda (default: cuda when available)
    precision:str='auto',         # auto, fp32 or bf16 (train_model)
):
    "Train converter/option variants on one family's split and print and save their figures."
    if family not in list_families(): raise SystemExit(f"--family {family!r}; expected one of {list_families()}")
    ds, tr, te = family_split(Path(root) / profile, family, profile, blocks, block_size)
    sizes = [int(r) for r in rows.split(',')] if rows else [len(tr)]
    runs, results = Path(out) / profile / family, []
    for n in sizes:
        sub = tr if n >= len(tr) else Subset(tr, list(range(n)))
        for v in variants.split(','):
            results.append(run(v, sub, te, runs, epochs, device=device, precision=precision))
            r = results[-1]
            print(f"{family} {v:22s} rows {r['train_rows']:6d} pred_mse {r['pred_mse']:.3g} (x{r['pred_mse_ratio']:.2f} limit) "
                  f"F1 {r['tag_f1']:.4f} ({-r['tag_f1_diff']:+.4f}) norm err x{r['emb_norms_ratio']:.2f} {r['secs']:.0f}s "
                  f"best epoch {r['best_epoch']}", flush=True)
    csv = Path(out) / f'recipe_{family}.csv'
    old = pd.read_csv(csv) if csv.is_file() else pd.DataFrame()
    new = pd.DataFrame(results)
    keep = old[~old.set_index(['variant', 'train_rows']).index.isin(new.set_index(['variant', 'train_rows']).index)] if len(old) else old
    pd.concat([keep, new]).to_csv(csv, index=False)
    print(f"wrote {csv}")

