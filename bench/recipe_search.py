"""Issue 14: structure and recipe search, as measured experiments. Trains converter/option variants on the same
split of a family's world (as `bench/leaderboard.py` builds it) and prints pred_mse, tag F1 and emb-norm error with
their gap to the limit and the training time. Negative results are kept: every variant is printed and saved.

    PYTHONPATH=$PWD .venv/bin/python bench/recipe_search.py --family features --variants base,lr3e-3,drop0
    PYTHONPATH=$PWD .venv/bin/python bench/recipe_search.py --rows 2000,4000,8000 --variants stdlog   # learning curve

A variant is a name from VARIANTS below, or a spec `converter[:key=value...]` whose pairs are `train_model` keyword
arguments or converter options (`lowrank:learning_rate=1e-2:max_epochs=16`, `lowrank:rank=32`). Writes
`--out`/recipe_<family>.csv (appending to earlier runs of other variants). `--device cuda --precision fp32` runs the
same search on a GPU without changing the arithmetic (a quick search; times are then the GPU's).
"""
import argparse, json, time
from pathlib import Path
import numpy as np, pandas as pd
from torch.utils.data import Subset
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

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--family', default=DEFAULT_FAMILY, choices=list_families())
    ap.add_argument('--profile', default='tiny')
    ap.add_argument('--blocks', type=int, default=2); ap.add_argument('--block-size', type=int, default=2500)
    ap.add_argument('--variants', default='num2,stdlog'); ap.add_argument('--epochs', type=int, default=None)
    ap.add_argument('--rows', default='', help='comma-separated training-row counts (a learning curve); default: all')
    ap.add_argument('--root', default='worlds/leaderboard'); ap.add_argument('--out', default='runs/recipe')
    ap.add_argument('--device', default=None, help='cpu or cuda (default: cuda when available)')
    ap.add_argument('--precision', default='auto', help='auto, fp32 or bf16 (train_model)')
    a = ap.parse_args()
    ds, tr, te = family_split(Path(a.root) / a.profile, a.family, a.profile, a.blocks, a.block_size)
    sizes = [int(r) for r in a.rows.split(',')] if a.rows else [len(tr)]
    out = Path(a.out) / a.profile / a.family
    rows = []
    for n in sizes:
        sub = tr if n >= len(tr) else Subset(tr, list(range(n)))
        for v in a.variants.split(','):
            rows.append(run(v, sub, te, out, a.epochs, device=a.device, precision=a.precision))
            r = rows[-1]
            print(f"{a.family} {v:22s} rows {r['train_rows']:6d} pred_mse {r['pred_mse']:.3g} (x{r['pred_mse_ratio']:.2f} limit) "
                  f"F1 {r['tag_f1']:.4f} ({-r['tag_f1_diff']:+.4f}) norm err x{r['emb_norms_ratio']:.2f} {r['secs']:.0f}s "
                  f"best epoch {r['best_epoch']}", flush=True)
    csv = Path(a.out) / f'recipe_{a.family}.csv'
    old = pd.read_csv(csv) if csv.is_file() else pd.DataFrame()
    new = pd.DataFrame(rows)
    keep = old[~old.set_index(['variant', 'train_rows']).index.isin(new.set_index(['variant', 'train_rows']).index)] if len(old) else old
    pd.concat([keep, new]).to_csv(csv, index=False)
    print(f"wrote {csv}")

if __name__ == '__main__': main()
