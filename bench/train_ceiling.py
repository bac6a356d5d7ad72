"""Issue 30: how much of the compute limit training this model can reach on this CPU at all, beside what the default
reaches: the ceiling the training epochs' share is judged against.

The learned default (`lowrank` on the `features` world, the `lognorm` objective) does ~0.49 MFLOP per training row
(forward + backward + loss, `torch.utils.flop_counter.FlopCounterMode`) on rows of 1,024 float32 values: its matmuls
are short next to the elementwise passes over each [batch, 1024] array (standardisation, SiLU, the log scale, their
gradients) and the optimizer's, which are bound by memory traffic and per-op dispatch, not by FLOPs. So the share of
the square-GEMM limit that a training step can reach is a property of the model and the machine, and this script
measures it: the same converter, loss and rows, stepped by a bare torch loop with every advantage -- rows resident
in memory (no loader, no disk), torch's `AdamW(foreach=True)`, no callbacks -- at batch 256 (the default), 1024 and
4096, eager and fused by `torch.compile` (inductor's C++ kernels; its compile time is not counted), beside the
default's own training epochs (`train_model`, fastai, rows read from disk each batch; as `bench/throughput.py`
times them) in the same run. Shares are of the square float32 GEMM (2048^3) measured in the run, as
`bench/compute_limit.py` reports them.

    nice -n 10 .venv/bin/python -m bench.train_ceiling --record
    .venv/bin/python -m bench.train_ceiling --batch-sizes 256 --no-compiled   # a quick check
"""
import time
import torch
from fastcore.script import call_parse
from torch.utils.flop_counter import FlopCounterMode
from bench.common import full_world, split, write_record, changed
from bench.compute_limit import gflops
from bench.throughput import ours
from tagger_embedding_aligner.loaders import aligner_dls
from tagger_embedding_aligner.train import aligner_learner

def square_gflops(n:int=2048, reps:int=5)->float:
    "Sustained float32 GFLOPS of an n^3 matmul (best of `reps`, `bench.compute_limit.gflops`)."
    a, b = torch.randn(n, n), torch.randn(n, n)
    return gflops(lambda: a @ b, 2 * n ** 3, reps)

def bare_setup(tr, te, model_name:str='lowrank'):
    "`(model, loss, units, norms)`: a fresh converter in front of the head, its loss, the training rows in memory."
    dls = aligner_dls(tr, te, 256, device='cpu', resident=True)
    learn = aligner_learner(dls, model_name, objective='auto', release_every=0)
    if learn.objective != 'lognorm': raise ValueError(f"{model_name}: objective {learn.objective}; this script "
                                                      "steps the `lognorm` objective (a log-scale converter)")
    learn.model.train()
    return learn.model, learn.loss_func, dls.train.units, dls.train.norms

def flop_per_row(model, loss_fn, units, norms, bs:int=256)->float:
    "Forward + backward + loss FLOPs per row of one training step (`FlopCounterMode`)."
    with FlopCounterMode(display=False) as fc:
        loss_fn(model(units[:bs], None, True), norms[:bs]).backward()
    model.zero_grad(set_to_none=True)
    return fc.get_total_flops() / bs

def bare_rate(model, loss_fn, units, norms, bs:int, compiled:bool=False, epochs:int=3, seed:int=0)->float:
    "Rows/s of the last of `epochs` shuffled epochs of full batches, `AdamW(foreach=True)`; compiled: fused."
    def fwd_bwd(u, n): loss_fn(model(u, None, True), n).backward()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, foreach=True)
    step, opt_step = (torch.compile(fwd_bwd), torch.compile(opt.step)) if compiled else (fwd_bwd, opt.step)
    g, n_rows = torch.Generator().manual_seed(seed), (len(units) // bs) * bs
    for _ in range(epochs):  # the first compiles (one shape: full batches only); the last is timed
        perm = torch.randperm(len(units), generator=g)
        t = time.perf_counter()
        for i in range(0, n_rows, bs):
            idx = perm[i:i + bs]
            opt.zero_grad(set_to_none=False)
            step(units[idx], norms[idx])
            opt_step()
        dt = time.perf_counter() - t
    return n_rows / dt

def default_rate(tr, te, epochs:int=3)->float:
    "Rows/s of the default's training epochs (`train_model`, `auto` -> `lowrank`, batch 256), validation excluded."
    samples, _, epoch_secs, _ = ours(tr, te, epochs, 256)
    return samples / epoch_secs

@call_parse
def main(
    world:str='worlds/full',      # full-shape world folder (generated on first use)
    batch_sizes:str='256,1024,4096', # comma-separated batch sizes of the bare loop
    compiled:bool=True,           # also the loop fused by `torch.compile` (--no-compiled: eager only)
    record:bool=False,            # write `<results>/train_ceiling.json` (the README's table)
):
    "The share of the compute limit a bare training loop of the default's model reaches, beside the default's."
    torch.manual_seed(0)
    w = full_world(world, blocks=1)
    ds, tr, te = split(w, 1)
    ours = default_rate(tr, te)
    model, loss_fn, units, norms = bare_setup(tr, te)
    flop = flop_per_row(model, loss_fn, units, norms)
    limit = square_gflops()
    share = lambda rate: 100 * rate * flop / 1e9 / limit
    print(f"{flop / 1e6:.3f} MFLOP/row; square float32 limit {limit:.0f} GFLOPS; {len(units):,} training rows")
    print(f"default (fastai, rows from disk, batch 256): {ours:,.0f} rows/s = {share(ours):.1f}%")
    rows = {}
    for bs in map(int, batch_sizes.split(',')):
        for fused in (False, True) if compiled else (False,):
            rate = bare_rate(model, loss_fn, units, norms, bs, compiled=fused)
            rows[f"{'compiled' if fused else 'eager'}_{bs}"] = dict(bs=bs, compiled=fused, rows_per_s=rate,
                                                                    share_pct=share(rate))
            print(f"bare loop, batch {bs}, {'compiled' if fused else 'eager'}: {rate:,.0f} rows/s = {share(rate):.1f}%",
                  flush=True)
    if not record: return
    bss = batch_sizes.replace(',', ' / ')
    row = lambda kind: ' / '.join(f"{r['share_pct']:.1f}" for r in rows.values() if r['compiled'] == (kind == 'c'))
    fig = (f"the default's epochs **{share(ours):.1f}%** (batch 256, fastai, rows from disk); a bare torch loop "
           f"(rows in memory, `AdamW(foreach=True)`) at batch {bss}: eager **{row('e')}%**"
           + (f", fused by `torch.compile` **{row('c')}%**" if compiled else '')
           + f" ({flop / 1e6:.2f} MFLOP/row; limit {limit:.0f} GFLOPS square float32)")
    write_record('train_ceiling', what="share of the compute limit a training step of the default's model can reach "
                 "(`lowrank`, features world, 15,200 rows)", figure=fig,
                 figures=dict(flop_per_row=flop, limit_gflops=limit, default_rows_per_s=ours,
                              default_share_pct=share(ours), bare=rows, train_rows=len(units)),
                 args=changed(main, world=world, batch_sizes=batch_sizes, compiled=compiled, record=record))
