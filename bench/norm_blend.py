"""Issue 28, a negative result kept with its numbers: can the auto default's norm be blended toward the training rows'
mean norm by its own trust score, so that `other` errors (toward another row, ending (b)) stop losing to the mean norm
without losing elsewhere? For each kind and cosine it prints tag F1 of: the true norm and the mean norm on the
perturbed direction; the auto converter's mended direction with its norm `n**a * mean**(1-a)` for a = 1, .5, 0; and
with a = trust**k (k = 1, 4, 16); and the median trust. Same world, split and perturbation seed as bench/board.py.

Found (pooled_ln, full shape, 2026-12-06, 2-core CPU): at c = .95 the median trust is .37 under both `other` and
`subspace`, but `other` wants a = .5 (F1 .536 against .503 at a = 1) and `subspace` a = 1 (.604 against .574 at a = .5):
the trust cannot tell them apart, and every trust-gated blend loses .04-.09 on `subspace` and at c = .999 on `other`.

    PYTHONPATH=. .venv/bin/python -m bench.norm_blend pooled_ln /work/worlds   # family, worlds folder; ~3 min
"""
import sys, tempfile, numpy as np, torch
from pathlib import Path
from bench.board import direction_cov, fit_method
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.robustness import _board_inputs
from tagger_embedding_aligner.perturb import perturb
from tagger_embedding_aligner.metrics import AlignStats
from tagger_embedding_aligner.heads import TaggerHead
fam = sys.argv[1] if len(sys.argv) > 1 else 'pooled_ln'
worlds = Path(sys.argv[2] if len(sys.argv) > 2 else 'worlds/board')
w = make_world(worlds / f'{fam}_full', profile='full', family=fam, samples=(), blocks=2, block_size=16000, layout='hf')
ds = EmbeddingDataset(w.block_files())
tr, te = dataset_split(ds, [.8, .2], seed=0)
te = torch.utils.data.Subset(ds, np.asarray(te.indices)[:2000])
cov_u = direction_cov(ds, tr.indices)
mean_norm = float(np.linalg.norm(ds.embeddings(np.sort(np.asarray(tr.indices))[:20000]), axis=1).mean())
with tempfile.TemporaryDirectory() as d:
    conv, s, ch = fit_method('auto', tr, te, Path(d))
print('chosen', ch, s)
conv.eval()
u, n, target, base = _board_inputs(te, 1024)
cats = np.asarray(base.labels()['category'])
head = TaggerHead(base.weights, base.bias)
def f1(emb):
    st = AlignStats(cats); st.update(head.logits(emb.float()), emb.float(), target, u, n); return st.compute()['tag_f1']
with torch.no_grad():
  for kind in ['iso', 'subspace', 'other', 'offset']:
    for c in [.999, .99, .95, .9, .8]:
        up = torch.from_numpy(perturb(u.numpy(), kind, c, 0, cov=cov_u))
        e = conv(up).double(); nr = e.norm(dim=-1, keepdim=True); ur = e / nr
        t = conv.trust(up).double()[:, None]   # auto -> robust on the architecture worlds
        out = {'true': f1(up.double() * n[:, None]), 'mean': f1(up.double() * mean_norm)}
        for a in [1, .5, 0]:
            out[f'a{a}'] = f1(ur * nr ** a * mean_norm ** (1 - a))
        # the converter's own trust sets the blend: a = trust^k
        for k in [1, 4, 16]:
            a = t ** k
            out[f't{k}'] = f1(ur * nr ** a * mean_norm ** (1 - a))
        out['trust_med'] = float(t.median())
        print(kind, c, ' '.join(f'{k}={v:.4f}' for k, v in out.items()), flush=True)
