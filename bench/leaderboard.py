"""Issue 14: the converter leaderboard. Trains every listed converter on the same split of each world family
(`01_synthetic`: features, latent, anisotropic) and reports, on the held-out rows: pred_mse, tag F1 and emb-norm
error, the gap to the family's limit (pred_mse ratio, F1 difference), parameters and FLOPs (`profile_converter`),
the training time on this machine, and tag F1 when the input direction is perturbed to cosine 0.95
(`perturb_directions`, 10_robustness). Finished runs are reused (their timing is kept in `timing.json`).

    PYTHONPATH=$PWD .venv/bin/python bench/leaderboard.py                 # small profile, 2 blocks of 5k, 8 epochs
    PYTHONPATH=$PWD .venv/bin/python bench/leaderboard.py --readme        # ... and write the table into the README

Writes `--out`/leaderboard.csv and leaderboard.md, the Pareto plot `nbs/images/leaderboard_pareto.png`
(gap to the limit against FLOPs and against training time), and with `--readme` the table between the
`<!-- leaderboard -->` markers of nbs/index.ipynb, then README.md via tools/make_readme.py.
"""
import argparse, json, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd
import matplotlib; matplotlib.use('agg')
import matplotlib.pyplot as plt
from tagger_embedding_aligner.synthetic import make_world, FAMILIES
from tagger_embedding_aligner.dataset import EmbeddingDataset, subset_indices
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.model import open_model
from tagger_embedding_aligner.train import train_model, profile_converter, _mean_norm
from tagger_embedding_aligner.robustness import robustness_table

SEED_MODELS = ['simple', 'simple_num', 'simple_num_n2', 'num', 'num0', 'num1', 'num2']
NEW_MODELS = ['stdlog']
ROOT = Path(__file__).resolve().parent.parent

def family_split(root, family, profile, blocks, block_size, seed=0):
    "The family's world (generated on first use) and its 80/20 split of `blocks` training blocks."
    w = make_world(Path(root) / family, profile=profile, family=family, blocks=blocks, block_size=block_size, samples=())
    ds = EmbeddingDataset(w.block_files())
    return ds, *dataset_split(ds, [0.8, 0.2], seed=seed)

def train_or_reuse(tr, te, model, workdir, epochs):
    "Train `model` unless `workdir` holds a finished run; returns (result table, training seconds)."
    timing = Path(workdir) / 'timing.json'
    t0 = time.perf_counter()
    res = train_model(tr, te, 'SwinV2_v3', model, workdir=str(workdir), max_epochs=epochs, quiet=True)
    secs = json.loads(timing.read_text())['secs'] if timing.is_file() else time.perf_counter() - t0
    timing.write_text(json.dumps(dict(secs=secs)))
    return res, secs

def robust_f1(workdir, te, mean_norm, cos=0.95):
    "Tag F1 of the trained aligner when its input is perturbed to cosine `cos` (targets from the clean embedding)."
    t = robustness_table(open_model(workdir), te, cos_values=(cos,), mean_norm=mean_norm, methods=('aligner',))
    return float(t['tag_f1'].iloc[0])

def family_rows(family, a):
    "One leaderboard row per model, plus the limit, for one family."
    ds, tr, te = family_split(a.root, family, a.profile, a.blocks, a.block_size)
    rows, refs = [], None
    for m in a.models:
        wd = Path(a.out) / family / m
        res, secs = train_or_reuse(tr, te, m, wd, a.epochs)
        t, refs = res['table'], res['table']
        prof = profile_converter(open_model(wd).converter, ds.width)
        rows.append(dict(family=family, model=m, pred_mse=t.loc['aligner', 'pred_mse'], tag_f1=t.loc['aligner', 'tag_f1'],
                         emb_norms=t.loc['aligner', 'emb_norms'], **{f'gap_{k}': v for k, v in res['gap_to_limit'].items()},
                         params=prof['params'], flops=prof['flops'], train_s=secs,
                         tag_f1_c095=robust_f1(wd, te, _mean_norm(*subset_indices(tr)))))
        print(f"{family:12s} {m:14s} pred_mse {rows[-1]['pred_mse']:.3g} (x{rows[-1]['gap_pred_mse_ratio']:.2f} limit) "
              f"F1 {rows[-1]['tag_f1']:.4f} ({-rows[-1]['gap_tag_f1_diff']:+.4f}) {secs:.0f}s", flush=True)
    for r in ('limit', 'constant'):
        rows.append(dict(family=family, model=f'({r})', pred_mse=refs.loc[r, 'pred_mse'], tag_f1=refs.loc[r, 'tag_f1'],
                         emb_norms=refs.loc[r, 'emb_norms']))
    return rows

def markdown(df):
    "GitHub table of the leaderboard (figures rounded for reading)."
    cols = ['family', 'model', 'pred_mse', 'gap_pred_mse_ratio', 'tag_f1', 'gap_tag_f1_diff', 'emb_norms', 'tag_f1_c095',
            'params', 'flops', 'train_s']
    fmt = dict(pred_mse='{:.3g}', gap_pred_mse_ratio='x{:.2f}', tag_f1='{:.4f}', gap_tag_f1_diff='{:.4f}', emb_norms='{:.3g}',
               tag_f1_c095='{:.4f}', params='{:,.0f}', flops='{:,.0f}', train_s='{:.0f}')
    head = ['family', 'model', 'pred MSE', 'x limit', 'tag F1', 'F1 below limit', 'norm err', 'F1 at c=0.95', 'params',
            'FLOPs', 'train s']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * 2 + '---:|' * (len(head) - 2)]
    for _, r in df.iterrows():
        lines.append('| ' + ' | '.join('' if pd.isna(r[c]) else fmt[c].format(r[c]) if c in fmt else str(r[c]) for c in cols) + ' |')
    return '\n'.join(lines)

def pareto_plot(df, path):
    "Gap to the limit (pred_mse ratio) against FLOPs and against training time, one colour per family."
    fig, axs = plt.subplots(1, 2, figsize=(11, 4))
    d = df[df.flops.notna()]
    for fam, g in d.groupby('family'):
        for ax, x in zip(axs, ('flops', 'train_s')):
            ax.scatter(g[x], g['gap_pred_mse_ratio'], label=fam)
            for _, r in g.iterrows(): ax.annotate(r['model'], (r[x], r['gap_pred_mse_ratio']), fontsize=7)
    for ax, lab in zip(axs, ('FLOPs per sample', 'training time on this CPU (s)')):
        ax.set(xscale='log', yscale='log', xlabel=lab, ylabel='pred MSE / limit pred MSE'); ax.axhline(2, color='gray', ls='--')
        ax.legend()
    fig.tight_layout(); fig.savefig(path, dpi=90); plt.close(fig)

def write_readme(table_md):
    "Put the table between the leaderboard markers of nbs/index.ipynb and regenerate README.md."
    nb_path = ROOT / 'nbs' / 'index.ipynb'
    nb = json.loads(nb_path.read_text())
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and '<!-- leaderboard -->' in src:
            pre, rest = src.split('<!-- leaderboard -->', 1)
            post = rest.split('<!-- /leaderboard -->', 1)[1]
            c['source'] = (pre + '<!-- leaderboard -->\n' + table_md + '\n<!-- /leaderboard -->' + post).splitlines(keepends=True)
            break
    else: raise SystemExit(f"{nb_path}: no markdown cell with <!-- leaderboard --> ... <!-- /leaderboard -->")
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_readme.py')], check=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--families', default=','.join(FAMILIES))
    ap.add_argument('--models', default=','.join(SEED_MODELS + NEW_MODELS))
    ap.add_argument('--profile', default='small'); ap.add_argument('--blocks', type=int, default=2)
    ap.add_argument('--block-size', type=int, default=None, help="rows per block (default: the profile's)")
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--root', default='worlds/leaderboard', help='worlds, one folder per family')
    ap.add_argument('--out', default='runs/leaderboard')
    ap.add_argument('--plot', default=str(ROOT / 'nbs' / 'images' / 'leaderboard_pareto.png'))
    ap.add_argument('--readme', action='store_true', help='write the table into nbs/index.ipynb and README.md')
    a = ap.parse_args()
    a.models = a.models.split(',')
    rows = [r for fam in a.families.split(',') for r in family_rows(fam, a)]
    df = pd.DataFrame(rows)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    df.to_csv(Path(a.out) / 'leaderboard.csv', index=False)
    md = markdown(df)
    (Path(a.out) / 'leaderboard.md').write_text(md + '\n')
    pareto_plot(df, a.plot)
    if a.readme: write_readme(md)
    print(md)
    print(f"wrote: {a.out}/leaderboard.csv, leaderboard.md, {a.plot} (profile {a.profile}, {a.blocks} blocks, {a.epochs} epochs)")

if __name__ == '__main__': main()
