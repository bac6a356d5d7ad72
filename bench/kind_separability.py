"""Issue 28, the bound behind a negative result: can *anything* computed from a perturbed direction tell an `other` error
(toward another row's direction) from a `subspace` error (drawn from the training directions' covariance) at the same
cosine? `bench/norm_blend.py` found that the two want opposite norms (`other` a norm shrunk toward the mean norm,
`subspace` the mended norm) and that the auto converter's trust score is the same under both. If no classifier can
separate the two kinds either, no converter (a function of its input alone) can answer each the way it wants, and the
board's target "never below the best of the ridge plane, the mean norm and the learned default on every kind" cannot
hold on `other` and `subspace` at once.

For each cosine it perturbs the same held-out rows both ways, then fits classifiers (scikit-learn) on two thirds of
the rows and prints their ROC AUC on the other third (0.5: no better than a coin):
- `linear`: logistic regression on the direction itself (1024 numbers);
- `quadratic`: logistic regression on the direction's coordinates in the training directions' principal basis, and
  their squares (what a Gaussian model of each kind would use);
- `summary`: logistic regression on what the converter and the tagger's head see: the robust converter's trust and
  norm, the spread of its tag probabilities (entropy, share of uncertain tags, tags on, top probability);
- `mlp`: a small neural network (256 hidden units) on the direction.

It then asks the question that decides what a converter exact on clean rows may do: can a perturbed row be told from
a clean one (`linear` on the direction, `summary` as above)?

Found (pooled_ln, full shape, 6,000 rows each way, 2026-12-06, 2-core CPU; ~5 min): **the two kinds are separable**,
so the bound that `norm_blend` suggested is not one. `other` against `subspace`: summary AUC .902 / .975 / .996 / .999 /
1.000 at c = .999 / .99 / .95 / .9 / .8 (linear .691 / .909 / .977 / .992 / .998). Much of it is the first moment: the
`subspace` error is drawn from the *centred* covariance, so it pulls the direction off the data's mean direction
(projection .823 clean, .782 at c = .95), while an `other` error moves toward another row and keeps it (.890).
Clean against perturbed, summary: 1.000 for `iso` and `offset` at every c, .979-1.000 for `subspace`, .996-1.000
for `other` (the trust is ~1 on clean rows). What is missing is not information but an estimator that uses it: a norm
chosen for the expected tag agreement under the posterior of the clean row, instead of a blend gated by trust alone.
Ending (a) (`token_ln`, same command with `token_ln`): `other` against `subspace` .60 / .80 / .96 / .99 / 1.00 (linear);
clean against `subspace` .50 / .55 / .72 / .85 / .95 and against `other` .60 / .77 / .91 / .91 / .70 (linear; the
summary about the same): partly separable, never cleanly, so there a gate that helps perturbed rows also moves clean
ones (the clean target is pred MSE <= 1e-9).

    PYTHONPATH=. .venv/bin/python -m bench.kind_separability pooled_ln /work/worlds   # family, worlds folder
"""
import sys, tempfile, numpy as np, torch
from pathlib import Path
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.metrics import roc_auc_score
from bench.board import direction_cov, fit_method
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.robustness import _board_inputs
from tagger_embedding_aligner.perturb import perturb, PERTURB_KINDS
from tagger_embedding_aligner.heads import TaggerHead


def summary_features(conv, head, up:torch.Tensor)->np.ndarray:
    "What the converter and the head see of directions `up`: trust, norm, and the spread of the tag probabilities."
    e = conv(up).float()
    p = torch.sigmoid(head.logits(e))
    ent = (torch.special.entr(p) + torch.special.entr(1 - p)).mean(1)
    cols = [conv.trust(up).float(), e.norm(dim=1), ent, ((p > .2) & (p < .8)).float().mean(1),
            (p > .35).float().sum(1), p.max(1).values]
    return torch.stack(cols, 1).double().numpy()


def auc(model, x:np.ndarray, y:np.ndarray, fit:np.ndarray)->float:
    "ROC AUC on the rows not in `fit` of `model` fitted on the rows in `fit`."
    model.fit(x[fit], y[fit])
    return float(roc_auc_score(y[~fit], model.predict_proba(x[~fit])[:, 1]))


def main(fam:str='pooled_ln', worlds:str='worlds/board', rows:int=6000, cos=(.999, .99, .95, .9, .8), seed:int=0):
    w = make_world(Path(worlds) / f'{fam}_full', profile='full', family=fam, samples=(), blocks=2, block_size=16000,
                   layout='hf')
    ds = EmbeddingDataset(w.block_files())
    tr, te = dataset_split(ds, [.8, .2], seed=seed)
    cov_u = direction_cov(ds, tr.indices)
    with tempfile.TemporaryDirectory() as d:
        conv, s, ch = fit_method('auto', tr, te, Path(d))
    conv.eval()
    print(f"{fam}: auto -> {ch}; {rows} rows each way, classifiers fitted on 2/3 of the rows", flush=True)
    picked = torch.utils.data.Subset(ds, np.sort(np.asarray(tr.indices))[:rows])  # rows the classifier sees only
    u, _, _, base = _board_inputs(picked, 1024)
    head = TaggerHead(base.weights, base.bias)
    lam, vec = np.linalg.eigh(cov_u)
    basis = vec[:, ::-1][:, :256]  # the 256 leading principal directions
    fit_rows = np.random.default_rng(seed).random(rows) < 2 / 3
    fit = np.concatenate([fit_rows, fit_rows])  # a row is in the same part under both kinds
    y = np.r_[np.zeros(rows), np.ones(rows)]
    print('other against subspace (ROC AUC)\ncos     linear  quadratic  summary  mlp', flush=True)
    for c in cos:
        ups = [torch.from_numpy(perturb(u.numpy(), k, c, seed, cov=cov_u)) for k in ('subspace', 'other')]
        x = torch.cat(ups).double().numpy()
        z = x @ basis
        with torch.no_grad(): summ = np.concatenate([summary_features(conv, head, up) for up in ups])
        lin = make_pipeline(StandardScaler(), LogisticRegression(C=.1, max_iter=2000))
        res = dict(linear=auc(lin, x, y, fit),
                   quadratic=auc(make_pipeline(StandardScaler(), LogisticRegression(C=.1, max_iter=2000)),
                                 np.c_[z, z * z], y, fit),
                   summary=auc(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), summ, y, fit),
                   mlp=auc(make_pipeline(StandardScaler(), MLPClassifier((256,), early_stopping=True,
                                                                        random_state=seed, max_iter=200)), x, y, fit))
        print(f"{c:<7} " + '  '.join(f"{res[k]:.3f}".ljust(len(k)) for k in ('linear', 'quadratic', 'summary', 'mlp')),
              flush=True)
    # the question that decides what a converter exact on clean rows may do: is a perturbed row told from a clean one?
    print('clean against each kind (ROC AUC; linear, summary)\ncos     ' + '  '.join(f'{k:<13}' for k in PERTURB_KINDS))
    with torch.no_grad(): clean = summary_features(conv, head, u)
    for c in cos:
        out = []
        for k in PERTURB_KINDS:
            up = torch.from_numpy(perturb(u.numpy(), k, c, seed + 1, cov=cov_u))
            with torch.no_grad(): summ = np.r_[clean, summary_features(conv, head, up)]
            x = np.r_[u.double().numpy(), up.double().numpy()]
            lin = auc(make_pipeline(StandardScaler(), LogisticRegression(C=.1, max_iter=2000)), x, y, fit)
            out.append(f"{lin:.3f} {auc(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), summ, y, fit):.3f}")
        print(f"{c:<7} " + '  '.join(f'{o:<13}' for o in out), flush=True)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'pooled_ln', sys.argv[2] if len(sys.argv) > 2 else 'worlds/board')
