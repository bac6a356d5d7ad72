"""Issue 14: the converter leaderboard (`nbs/15_leaderboard.ipynb`). Trains every listed converter on the same split of
each world family (`01a_families`: every registered one unless --families says) with the `train_model` defaults and
reports, on the held-out rows: pred_mse, tag F1 and emb-norm error, the gap to the family's limit (pred_mse ratio, F1
difference), parameters and FLOPs (`profile_converter`), the train + evaluation time on this machine, and tag F1 when
the input direction is perturbed to cosine 0.95 (10_robustness). Finished runs in --out are reused with their recorded time.

    PYTHONPATH=$PWD .venv/bin/python bench/leaderboard.py --readme

The families can run in parallel (`--families latent --out runs/lb_latent`, ...) and be merged with `--combine`.

Writes `--out`/leaderboard.csv and leaderboard.md, the Pareto plot (gap to the limit against FLOPs and against
training time) to --plot, and with `--readme` the table between the `<!-- leaderboard -->` markers of
nbs/index.ipynb, then README.md via tools/make_readme.py.
"""
import argparse, json, subprocess, sys
from pathlib import Path
import pandas as pd
import matplotlib; matplotlib.use('agg')
from tagger_embedding_aligner.families import list_families
from tagger_embedding_aligner.leaderboard import SEED_MODELS, family_board, leaderboard_markdown, pareto_plot

ROOT = Path(__file__).resolve().parent.parent

def write_readme(table_md:str, title:str):
    "Put the table between the leaderboard markers of nbs/index.ipynb and regenerate README.md."
    nb_path = ROOT / 'nbs' / 'index.ipynb'
    nb = json.loads(nb_path.read_text())
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and '<!-- leaderboard -->' in src:
            pre, rest = src.split('<!-- leaderboard -->', 1)
            post = rest.split('<!-- /leaderboard -->', 1)[1]
            c['source'] = (pre + f'<!-- leaderboard -->\n{title}\n\n{table_md}\n<!-- /leaderboard -->' + post).splitlines(keepends=True)
            break
    else: raise SystemExit(f"{nb_path}: no markdown cell with <!-- leaderboard --> ... <!-- /leaderboard -->")
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_readme.py')], check=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--families', default=",".join(list_families()))
    ap.add_argument('--models', default=','.join(SEED_MODELS + ['stdlog', 'lowrank']))
    ap.add_argument('--profile', default='tiny', help='world profile (tiny: width 128, 512 tags; small: 256, 2048; full)')
    ap.add_argument('--blocks', type=int, default=2)
    ap.add_argument('--block-size', type=int, default=2500, help="rows per block (0: the profile's)")
    ap.add_argument('--epochs', type=int, default=None, help='default: train_model\'s (default_epochs)')
    ap.add_argument('--root', default='worlds/leaderboard', help='worlds, one folder per family')
    ap.add_argument('--out', default='runs/leaderboard')
    ap.add_argument('--plot', default=str(ROOT / 'nbs' / 'images' / 'leaderboard_pareto.png'))
    ap.add_argument('--readme', action='store_true', help='write the table into nbs/index.ipynb and README.md')
    ap.add_argument('--combine', default='', help='comma-separated leaderboard.csv files (e.g. one per family, run in parallel) '
                                                  'to merge instead of training')
    a = ap.parse_args()
    root, out = Path(a.root) / a.profile, Path(a.out) / a.profile
    if a.combine: df = pd.concat([pd.read_csv(f) for f in a.combine.split(',')], ignore_index=True)
    else: df = pd.concat([family_board(root, out, fam, a.models.split(','), profile=a.profile, blocks=a.blocks,
                                       block_size=a.block_size or None, verbose=True, max_epochs=a.epochs)
                          for fam in a.families.split(',')], ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / 'leaderboard.csv', index=False)
    md = leaderboard_markdown(pd.read_csv(out / 'leaderboard.csv'))
    (out / 'leaderboard.md').write_text(md + '\n')
    pareto_plot(df, a.plot)
    n_train = int(0.8 * a.blocks * (a.block_size or 0)) or 'the 80% split of'
    epochs = a.epochs or 'default'
    title = (f"Profile `{a.profile}`, {n_train} training rows per family, {epochs} epochs (`default_epochs`: 8, more on "
             "small data), `train_model` defaults; "
             f"times on this project's shared 2-core CPU (train + evaluation).")
    if a.readme: write_readme(md, title)
    print(md)
    print(f"wrote: {out}/leaderboard.csv, leaderboard.md, {a.plot}; {title}")

if __name__ == '__main__': main()
