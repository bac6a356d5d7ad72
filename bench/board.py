"""Issue 28: the robustness board. For each world family, every converter asked for is fitted on the same split
(80/20, seed 0) and judged on the same held-out rows, clean and under every perturbation kind (`02c_perturb`) at
cosines .999 to .8, beside the true norm on the perturbed direction and the training rows' mean norm. Learned
converters train with the `train_model` defaults; `NAME+noise` trains NAME on perturbed directions (`DirectionNoise`,
cosines in [.8, 1], half the rows); closed forms (`robust`, `plane`, ...) are fitted from the structure probe, and
`auto` is what `train_model` picks by default.

    .venv/bin/python -m bench.board --record                       # every family, small profile
    .venv/bin/python -m bench.board --families token_ln pooled_ln --profile full --blocks 2 --block-size 20000
"""
import json, os, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed
from tagger_embedding_aligner.families import list_families
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.model import open_model
from tagger_embedding_aligner.robustness import robustness_board, trust_calibration, plot_board, board_summary

def direction_cov(ds, rows, chunk:int=8192)->np.ndarray:
    "Covariance (float64) of the training rows' directions, in chunks: what a `subspace` error is drawn from."
    rows, s, ss = np.sort(np.asarray(rows)), np.zeros(ds.width), np.zeros((ds.width, ds.width))
    for i in range(0, len(rows), chunk):
        e = ds.embeddings(rows[i:i + chunk]).astype(np.float64)
        u = e / np.linalg.norm(e, axis=1, keepdims=True)
        s, ss = s + u.sum(0), ss + u.T @ u
    return (ss - np.outer(s, s) / len(rows)) / (len(rows) - 1)

def fit_method(name:str, tr, te, workdir:Path)->tuple:
    "A converter fitted by `train_model` for `name` (`NAME+noise`: with DirectionNoise) and the seconds it took."
    t0 = time.perf_counter()
    model, _, tag = name.partition('+')
    kw = dict(noise=(.8, 1., .5)) if tag == 'noise' else {}
    res = train_model(tr, te, 'SwinV2_v3', model, workdir=str(workdir / name), quiet=True, **kw)
    choice = (res.get('model_choice') or {}).get('model', model)
    conv = open_model(workdir / name, head=tr.dataset.head_path).converter
    return conv, time.perf_counter() - t0, choice

def family_board(family, profile, blocks, block_size, methods, worlds:Path, test_rows:int, seed:int, layout='hf')->dict:
    "The board, trust calibration and fit times of every method on one family's world."
    w = make_world(worlds / f'{family}_{profile}', profile=profile, family=family, samples=(), blocks=blocks,
                   block_size=block_size, layout=layout)
    ds = EmbeddingDataset(w.block_files())
    tr, te = dataset_split(ds, [.8, .2], seed=0)
    te = torch.utils.data.Subset(ds, np.asarray(te.indices)[:test_rows])
    cov_u = direction_cov(ds, tr.indices)
    mean_norm = float(np.linalg.norm(ds.embeddings(np.sort(np.asarray(tr.indices))[:20000]), axis=1).mean())
    with tempfile.TemporaryDirectory() as d:
        fitted = {m: fit_method(m, tr, te, Path(d)) for m in methods}
    board = robustness_board({m: c for m, (c, _, _) in fitted.items()}, te, cov=cov_u, mean_norm=mean_norm, seed=seed)
    trust = {m: trust_calibration(c, te, cov=cov_u, seed=seed) for m, (c, _, _) in fitted.items() if hasattr(c, 'trust')}
    return dict(board=board, trust=trust, fit_s={m: s for m, (_, s, _) in fitted.items()},
                chosen={m: ch for m, (_, _, ch) in fitted.items()}, train=len(tr), test=len(te))

def _kept(profile:str, results, fams:list)->dict:
    "The families of `board_<profile>.json` that this run does not measure again (each entry says when it was made)."
    path = Path(results) / f'board_{profile}.json'
    if not path.is_file(): return {}
    prev = json.loads(path.read_text())
    return {f: dict(v, date=v.get('date', prev.get('date'))) for f, v in prev['figures'].items() if f not in fams}

def _record(out:dict, profile:str, results, args:dict):
    "Write (or rewrite, after each family) `board_<profile>.json` with the families measured so far."
    Path(results).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=results) as d:  # same file system: the rename is atomic
        src = write_record('board', what=f"robustness board ({profile} worlds)", figure='see the Cross-modal section',
                           figures=out, args=changed(main.__wrapped__ if hasattr(main, '__wrapped__') else main, **args),
                           results=d)
        dst = Path(results) / f'board_{profile}.json'
        os.replace(src, dst)
        print(f"record: {dst}")

@call_parse
def main(
    families:str='',            # families, comma- or space-separated (default: every registered family)
    methods:str='auto,robust,lowrank,lowrank+noise', # converters (`NAME+noise`: trained with DirectionNoise)
    profile:str='small',        # world profile
    blocks:int=2,               # training blocks per world
    block_size:int=None,        # rows per block (default: the profile's)
    test_rows:int=2000,         # held-out rows judged
    seed:int=0,                 # seed of the perturbations
    worlds:str='worlds/board',  # where the worlds are made (kept for reruns)
    images:str='nbs/images',    # where the plots go (`board_<family>.png`)
    record:bool=False,          # write `<results>/board_<profile>.json` (after each family)
    results:str=str(RESULTS),   # folder of the records
):
    "Tag F1 and pred MSE of converters on clean and perturbed directions, per world family."
    fams = [f for f in families.replace(',', ' ').split()] or list_families()
    meths = [m for m in methods.replace(',', ' ').split()]
    out = _kept(profile, results, fams) if record else {}  # families of an earlier record not re-run here stay
    pd.set_option('display.width', 250)
    for fam in fams:
        t0 = time.perf_counter()
        r = family_board(fam, profile, blocks, block_size, meths, Path(worlds), test_rows, seed)
        fits = ', '.join(f"{m} ({r['chosen'][m]}) {t:.0f}s" for m, t in r['fit_s'].items())
        print(f"\n== {fam} ({r['train']} train / {r['test']} test rows; fits: {fits}; {time.perf_counter() - t0:.0f}s)")
        print(board_summary(r['board']).round(4).to_string())
        for m, cal in r['trust'].items(): print(f"trust of {m}:\n{cal.round(4).to_string()}")
        if images:
            fig = plot_board(r['board'], title=f'{fam} ({profile})')
            fig.savefig(Path(images) / f'board_{fam}.png', dpi=80)
        out[fam] = dict(rows=r['board'].reset_index().to_dict('records'), fit_s=r['fit_s'], chosen=r['chosen'],
                        train=r['train'], date=time.strftime('%Y-%m-%dT%H:%M:%S%z'), methods=meths,
                        test=r['test'], trust={m: c.rename(columns=str).reset_index().to_dict('records')
                                               for m, c in r['trust'].items()})
        if record: _record(out, profile, results, dict(families=families, methods=methods, profile=profile,
                                                       blocks=blocks, block_size=block_size, test_rows=test_rows, seed=seed))
