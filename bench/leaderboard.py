"""Issue 14: the converter leaderboard (`nbs/15_leaderboard.ipynb`). Trains every listed converter on the same split of
each world family (`01a_families`: every registered one unless --families says) with the `train_model` defaults and
reports, on the held-out rows: pred_mse, tag F1 and emb-norm error, the gap to the family's limit (pred_mse ratio, F1
difference), parameters and FLOPs (`profile_converter`), the train + evaluation time on this machine, and tag F1 when
the input direction is perturbed to cosine 0.95 (10_robustness). Finished runs in --out are reused with their recorded time.

    .venv/bin/python -m bench.leaderboard --readme

The families can run in parallel (`--families latent --out runs/lb_latent`, ...) and be merged with `--combine`.

Writes `--out`/leaderboard.csv and leaderboard.md, the Pareto plot (gap to the limit against FLOPs and against
training time) to --plot, and with `--readme` the table between the `<!-- leaderboard -->` markers of
nbs/index.ipynb, then README.md via tools/make_readme.py.
"""
import json, subprocess, sys
from pathlib import Path
import pandas as pd
import matplotlib
from fastcore.script import call_parse
from tagger_embedding_aligner.families import list_families
from tagger_embedding_aligner.leaderboard import family_board, leaderboard_markdown, pareto_plot
from tagger_embedding_aligner.model import list_converters

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

@call_parse
def main(
    families:str=None,      # comma-separated world families (default: every registered one, `list_families()`)
    models:str=None,        # comma-separated converters (default: every registered one, `list_converters()`)
    profile:str='tiny',     # world profile (tiny: width 128, 512 tags; small: 256, 2048; full)
    blocks:int=2,           # training blocks per world
    block_size:int=2500,    # rows per block (0: the profile's)
    epochs:int=None,        # epochs (default: train_model's, `default_epochs`)
    root:str='worlds/leaderboard', # worlds, one folder per family
    out:str='runs/leaderboard',    # results folder
    plot:str=str(ROOT / 'nbs' / 'images' / 'leaderboard_pareto.png'), # the Pareto plot
    readme:bool=False,      # write the table into nbs/index.ipynb and README.md
    combine:str='',         # comma-separated leaderboard.csv files (one per family, run in parallel) to merge instead
):
    "Train every listed converter on every listed family and write the leaderboard (table, csv, Pareto plot)."
    matplotlib.use('agg')
    families, models = families or ','.join(list_families()), models or ','.join(list_converters())
    root, out = Path(root) / profile, Path(out) / profile
    if combine: df = pd.concat([pd.read_csv(f) for f in combine.split(',')], ignore_index=True)
    else: df = pd.concat([family_board(root, out, fam, models.split(','), profile=profile, blocks=blocks,
                                       block_size=block_size or None, verbose=True, max_epochs=epochs)
                          for fam in families.split(',')], ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / 'leaderboard.csv', index=False)
    md = leaderboard_markdown(pd.read_csv(out / 'leaderboard.csv'))
    (out / 'leaderboard.md').write_text(md + '\n')
    pareto_plot(df, plot)
    n_train = int(0.8 * blocks * (block_size or 0)) or 'the 80% split of'
    epochs = epochs or 'default'
    title = (f"Profile `{profile}`, {n_train} training rows per family, {epochs} epochs (`default_epochs`: 8, more on "
             "small data), `train_model` defaults; "
             f"times on this project's shared 2-core CPU (train + evaluation).")
    if readme: write_readme(md, title)
    print(md)
    print(f"wrote: {out}/leaderboard.csv, leaderboard.md, {plot}; {title}")

