"""A reference training loop equivalent to the original implementation (deepghs/tagger_embedding_aligner), written
from its description for the benchmarks of issue 7 -- not the project's code path.

What it keeps from the original: whole blocks loaded into RAM with `np.load` (embs and preds), a torch `Dataset` that
normalizes one item at a time, a `DataLoader` with batch 16, shuffle, drop_last and `min(cpu_count, bs)` workers,
the converter followed by the head's sigmoid, `nn.BCELoss` on probabilities against the stored preds, AdamW
(lr 1e-3, wd 1e-3) and `OneCycleLR(pct_start=0.15, final_div_factor=20)` stepped every batch.
"""
import os, time
import numpy as np, torch
from torch import nn
from torch.utils.data import Dataset, DataLoader, Subset
from tagger_embedding_aligner.heads import TaggerHead
from tagger_embedding_aligner.model import get_model


class InMemoryDataset(Dataset):
    "The original's dataset: every file fully loaded, one normalized item at a time."
    def __init__(self, files):
        self.pairs = []
        for f in files:
            with np.load(f, allow_pickle=False) as z: self.pairs.append((z['embs'], z['preds']))
        self.prefixes = np.cumsum([len(e) for e, _ in self.pairs])
    def __len__(self): return int(self.prefixes[-1])
    def __getitem__(self, i):
        fi = int(np.searchsorted(self.prefixes, i, side='right'))
        j = i - (self.prefixes[fi - 1] if fi else 0)
        e, p = self.pairs[fi]
        emb = e[j]; norm = np.linalg.norm(emb)
        return emb / norm, p[j], norm


def reference_setup(files, train_idx, head_arrays, epochs:int, bs:int=16, lr:float=1e-3, wd:float=1e-3, seed:int=0,
                    num_workers=None):
    "Model, optimizer, scheduler and train loader as the original builds them."
    torch.manual_seed(seed)
    ds = InMemoryDataset(files)
    model = get_model('num2', head=TaggerHead(*head_arrays))
    nw = min(os.cpu_count(), bs) if num_workers is None else num_workers
    dl = DataLoader(Subset(ds, list(map(int, train_idx))), batch_size=bs, shuffle=True, num_workers=nw, drop_last=True,
                    persistent_workers=nw > 0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, steps_per_epoch=len(dl), epochs=epochs,
                                                pct_start=0.15, final_div_factor=20)
    return ds, model, dl, opt, sched


def reference_epoch(model, dl, opt, sched, max_samples=None)->tuple:
    "One training epoch (or its first `max_samples`); returns (samples, seconds)."
    loss_fn, n, t = nn.BCELoss(), 0, time.perf_counter()
    model.train()
    for u, p, norm in dl:
        pred, _ = model(u)
        loss = loss_fn(pred, p)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        n += len(u)
        if max_samples and n >= max_samples: break
    return n, time.perf_counter() - t


@torch.no_grad()
def reference_pred_mse(model, ds, idx, bs:int=512)->float:
    "Validation pred_mse (mean squared error of probabilities), in eval mode."
    model.eval(); se, n = 0., 0
    for i in range(0, len(idx), bs):
        items = [ds[int(j)] for j in idx[i:i + bs]]
        u = torch.from_numpy(np.stack([x[0] for x in items])); p = torch.from_numpy(np.stack([x[1] for x in items]))
        pred, _ = model(u)
        se += float(((pred - p) ** 2).mean(1).sum()); n += len(u)
    return se / n
