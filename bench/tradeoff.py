"""Issue 28: what clean exactness costs against errors that look like data, as a curve.

Where the only constraint is a plane `a.e = b` (ending (a) of REFERENCE.md), every direction in the cone of the rows
is the direction of some clean embedding, so an error that keeps the input there (`subspace`, `other`) is invisible:
a converter exact on clean rows must answer it with the plane's norm. `robust`'s `data_cos` option is a prior on such
an error (`nbs/03d_robust.ipynb`, *Data-like errors*): the cosine a user expects their modality to leave, from which
the plane's reading is shrunk toward its mean by the Wiener factor `f = 1 / (1 + (1 - c^2) / (c^2 spread))`, i.e. the
norm is the harmonic blend `1 / n = f / n_exact + (1 - f) / H`. `data_cos = 1` (the default) is exact on clean rows.
Nothing here is fitted to the board's kinds.

For each `data_cos` this prints, per family, tag F1 and pred MSE on clean rows and under each kind and cosine of the
board (`auto`, fitted once; the prior set with `with_data_cos`), beside the true norm and the mean norm on the
perturbed direction; `--record` writes `bench/results/tradeoff.json` and `nbs/images/tradeoff_<family>.png` (one panel
per kind: the kind's tag F1 against clean tag F1 as `data_cos` falls, a line per cosine, a ring where the prior
matches the error's cosine, the mean norm's F1 dotted). Same worlds, split and perturbation seed as `bench/board.py`.

Beside the fixed priors, the prior a user would measure (`auto (measured)`): `tea-data-cos`'s estimate
(`nbs/09c_modality.ipynb`, `1 / sqrt(mean(1 / c^2))` of the cosines between `auto`'s output direction and the clean
embedding) on `pairs` training rows moved by the same kind and cosine with another seed, then applied to the test rows;
and the prior fitted on those pairs' tags (`auto (fitted)`: `fit_data_cos`, the Wiener-factor grid and the measured
cosine, the one whose tags of the pairs agree best with the tagger's), applied to the test rows the same way.

    PYTHONPATH=. .venv/bin/python -m bench.tradeoff --families token_ln,pooled_ln --worlds /work/worlds --record
    PYTHONPATH=. .venv/bin/python -m bench.tradeoff --families token_ln_nonlin,pooled_ln_fp16 --profile small \
        --worlds /work/worlds/board --record   # the small board's approximate-constraint worlds: tradeoff_small.json
"""
import tempfile, numpy as np, torch
from pathlib import Path
from fastcore.script import call_parse
from bench.board import direction_cov, fit_method
from bench.common import write_record, changed
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.robustness import _board_inputs
from tagger_embedding_aligner.perturb import perturb
from tagger_embedding_aligner.metrics import AlignStats
from tagger_embedding_aligner.heads import TaggerHead
from tagger_embedding_aligner.modality import effective_data_cos, fit_data_cos

KINDS, COSINES = ('iso', 'subspace', 'other', 'offset'), (.999, .99, .95, .9, .8)

def moved_pairs(e:np.ndarray, kind:str, c:float, cov_u, seed:int=1)->np.ndarray:
    "The other side of pairs `e` (raw rows): their directions moved by `kind` to cosine `c` (not the test's seed)."
    u = e / np.linalg.norm(e, axis=1, keepdims=True)
    return u if kind == 'clean' else perturb(u, kind, c, seed, cov=cov_u)

def measured_prior(conv, e:np.ndarray, moved:np.ndarray)->float:
    "The `data_cos` `tea-data-cos` would report for pairs `e` (raw rows) whose other side is `moved` (`moved_pairs`)."
    out = conv(torch.from_numpy(moved).double()).numpy()
    cos = (out * e).sum(1) / np.linalg.norm(out, axis=1) / np.linalg.norm(e, axis=1)
    return effective_data_cos(np.clip(cos[cos > 0], None, 1.))

def family_curve(fam:str, worlds:Path, priors:list, test_rows:int=2000, pairs:int=1000, profile:str='full')->dict:
    "Tag F1 and pred MSE of `auto` with each `data_cos` prior, and with the measured one, clean and under every error."
    w = make_world(worlds / f'{fam}_{profile}', profile=profile, family=fam, samples=(), blocks=2,
                   block_size=16000 if profile == 'full' else None,
                   layout='hf')
    ds = EmbeddingDataset(w.block_files())
    tr, te = dataset_split(ds, [.8, .2], seed=0)
    te = torch.utils.data.Subset(ds, np.asarray(te.indices)[:test_rows])
    cov_u = direction_cov(ds, tr.indices)
    mean_norm = float(np.linalg.norm(ds.embeddings(np.sort(np.asarray(tr.indices))[:20000]), axis=1).mean())
    with tempfile.TemporaryDirectory() as d: conv, _, chosen = fit_method('auto', tr, te, Path(d))
    conv.eval()
    u, n, target, base = _board_inputs(te, 1024)
    e_pairs = ds.embeddings(np.sort(np.asarray(tr.indices))[:pairs]).astype(np.float64)
    cats, head = np.asarray(base.labels()['category']), TaggerHead(base.weights, base.bias)
    def score(emb):
        st = AlignStats(cats)
        st.update(head.logits(emb.float()), emb.float(), target, u, n)
        r = st.compute()
        return dict(tag_f1=float(r['tag_f1']), pred_mse=float(r['pred_mse']))
    rows = []
    with torch.no_grad():
        for kind, c in [('clean', 1.)] + [(k, c) for k in KINDS for c in COSINES]:
            up = u if kind == 'clean' else torch.from_numpy(perturb(u.numpy(), kind, c, 0, cov=cov_u))
            rows += [dict(kind=kind, cos=c, method='true norm', **score(up.double() * n[:, None])),
                     dict(kind=kind, cos=c, method='mean norm', **score(up.double() * mean_norm))]
            for dc in priors:
                conv.with_data_cos(dc)
                rows.append(dict(kind=kind, cos=c, method='auto', data_cos=dc, f=float(conv.wf),
                                 **score(conv(up).double())))
            up_pairs = moved_pairs(e_pairs, kind, c, cov_u)
            dm = measured_prior(conv, e_pairs, up_pairs)
            conv.with_data_cos(dm)
            rows.append(dict(kind=kind, cos=c, method='auto (measured)', measured_cos=dm, f=float(conv.wf),
                             **score(conv(up).double())))
            conv.with_data_cos(1.)
            fit = fit_data_cos(conv, up_pairs, e_pairs, head, cats, measured=dm)
            conv.with_data_cos(fit['data_cos'])
            rows.append(dict(kind=kind, cos=c, method='auto (fitted)', fitted_cos=fit['data_cos'], f=float(conv.wf),
                             pairs_f1=fit['tag_f1'], **score(conv(up).double())))
            conv.with_data_cos(1.)
            print(fam, kind, c, ' '.join(f"{r.get('data_cos', r['method'])}={r['tag_f1']:.3f}"
                                         for r in rows[-len(priors) - 4:-2]),
                  f"measured {dm:.3f}={rows[-2]['tag_f1']:.3f} fitted {fit['data_cos']:.3f}={rows[-1]['tag_f1']:.3f}",
                  flush=True)
    return dict(chosen=chosen, H=float(conv.hmean), spread=float(conv.spread), mean_norm=mean_norm, rows=rows,
                test=len(te), train=len(tr))

def plot_curve(fam:str, res:dict):
    "One panel per kind: the kind's tag F1 against clean tag F1 as `data_cos` falls; the mean norm's F1 dotted."
    import matplotlib
    matplotlib.use('agg')
    import matplotlib.pyplot as plt
    rows = res['rows']
    clean = {r['data_cos']: r['tag_f1'] for r in rows if r['kind'] == 'clean' and 'data_cos' in r}
    fig, axs = plt.subplots(1, len(KINDS), figsize=(4 * len(KINDS), 3.6), sharey=True)
    for ax, kind in zip(axs, KINDS):
        for i, c in enumerate(COSINES):
            pts = sorted((r['data_cos'], r['tag_f1']) for r in rows if r['kind'] == kind and r['cos'] == c
                         and 'data_cos' in r)
            col = f'C{i}'
            ax.plot([clean[d] for d, _ in pts], [v for _, v in pts], 'o-', color=col, ms=3, label=f'c = {c}')
            ax.plot([clean[d] for d, v in pts if d == c], [v for d, v in pts if d == c], 'o', mfc='none', mec=col,
                    ms=9)
            mn = next(r['tag_f1'] for r in rows if r['kind'] == kind and r['cos'] == c and r['method'] == 'mean norm')
            ax.axhline(mn, color=col, ls=':', lw=1)
        ax.set(title=kind, xlabel='clean tag F1 (data_cos falls to the right)')
        ax.invert_xaxis()
    axs[0].set_ylabel('tag F1 under the error')
    axs[-1].legend(fontsize=7)
    fig.suptitle(f'{fam}: auto ({res["chosen"]}) with the data-like error prior; ring: data_cos = c; '
                 'dotted: mean norm')
    fig.tight_layout()
    return fig

@call_parse
def main(families:str='token_ln,pooled_ln', # world families (full shape, 2 x 16,000 rows, as bench/board.py)
         worlds:str='worlds/board',         # folder of the worlds (`<family>_<profile>`), made where missing
         profile:str='full',                # world profile: `full` (2 x 16,000 rows) or `small` (as the small board)
         priors:str='1,0.999,0.99,0.95,0.9,0.8', # the `data_cos` priors
         images:str='nbs/images',           # where the plots go (`tradeoff_<family>.png`)
         record:bool=False):                # write bench/results/tradeoff.json and the plots
    "The clean-exactness trade-off against data-like errors: `auto` (`robust`) with each `data_cos` prior."
    ps = [float(p) for p in priors.split(',')]
    out = {fam: family_curve(fam, Path(worlds), ps, profile=profile) for fam in families.split(',')}
    if not record: return
    heads = []
    for fam, res in out.items():
        plot_curve(fam, res).savefig(Path(images) / f'tradeoff_{fam}.png', dpi=80)
        get = lambda kind, c, d: next(r['tag_f1'] for r in res['rows'] if r['kind'] == kind and r['cos'] == c
                                      and r.get('data_cos') == d)
        mean = lambda kind, c: next(r['tag_f1'] for r in res['rows'] if r['kind'] == kind and r['cos'] == c
                                    and r['method'] == 'mean norm')
        meas = lambda kind, c: next(r for r in res['rows'] if r['kind'] == kind and r['cos'] == c
                                    and r['method'] == 'auto (measured)')
        heads.append(f"{fam}: data_cos 1 / .9: clean F1 {get('clean', 1., 1.):.3f} / {get('clean', 1., .9):.3f}, "
                     f"subspace .9 {get('subspace', .9, 1.):.3f} / {get('subspace', .9, .9):.3f}, other .9 "
                     f"{get('other', .9, 1.):.3f} / {get('other', .9, .9):.3f} (mean norm "
                     f"{mean('subspace', .9):.3f}, {mean('other', .9):.3f}); measured prior: "
                     + ', '.join(f"{k} .9 {meas(k, .9)['tag_f1']:.3f} (data_cos {meas(k, .9)['measured_cos']:.3f})"
                                 for k in KINDS))
    write_record('tradeoff' if profile == 'full' else f'tradeoff_{profile}',
                 what=f'clean exactness against data-like errors (`robust`, `data_cos` prior; {profile} worlds)',
                 figure='; '.join(heads), figures=out, args=changed(main, families=families, worlds=worlds,
                                                                   profile=profile, priors=priors, images=images,
                                                                   record=record))
