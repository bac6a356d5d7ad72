"""Issue 30: the compute limit on this CPU, and the share of it the default's phases achieve.

Limit: sustained matmul GFLOPS with torch (float32 and float64) at the shapes the default uses -- the training batch
through `lowrank`'s first layer ([256, C] @ [C, 16]), the head ([256, C] @ [C, T]), the probe's Gram update
([k, 4096] @ [4096, k] in float64, k = C + 1 or 2C + 1) -- and at a large square GEMM (the machine's best case).
Counts: FLOPs per training sample (forward + backward + objective, `torch.utils.flop_counter.FlopCounterMode` around
fastai's training phase) and per validation sample (the same around the validation phase) of `lowrank` trained on a
full-shape world; per probe row, the Gram updates' k(k+1) (symmetric rank-k updates,
BLAS `dsyrk`, as `ProbeStats` runs them; `bench.common.probe_gram_flop`); per tagged row (`tea-tag`'s forward:
converter + head) with the counter around the aligner's forward.
Achieved: the counts times the measured rows/s of each phase. The biggest gap is profiled (`torch.profiler`, top ops).

    nice -n 10 .venv/bin/python -m bench.compute_limit --record
    .venv/bin/python -m bench.compute_limit --rows 2048 --reps 1      # a quick check
"""
import os, tempfile, time
import numpy as np, torch
from fastcore.script import call_parse
from fastai.callback.core import Callback
from torch.utils.flop_counter import FlopCounterMode
from bench.common import RESULTS, TrainTimer, write_record, changed, probe_gram_flop
from bench.real_scale import _world_files, SOURCE
from tagger_embedding_aligner.dataset import EmbeddingDataset, subset_indices
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.probe import probe_structure

def gflops(fn, flop:float, reps:int=3)->float:
    "Sustained GFLOPS of `fn` (best of `reps` timed calls after a warm-up)."
    fn()
    best = min(_timed(fn) for _ in range(reps))
    return flop / best / 1e9

def _timed(fn)->float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t

def machine_limits(c:int, t:int, reps:int=3)->dict:
    "GFLOPS of torch matmuls at the default's shapes (float32) and of the probe's Gram update (float64)."
    r = {}
    for name, (m, k, n, dt) in dict(train_first_layer=(256, c, 16, torch.float32), head=(256, c, t, torch.float32),
                                    square_f32=(2048, 2048, 2048, torch.float32),
                                    square_f64=(2048, 2048, 2048, torch.float64)).items():
        a, b = torch.randn(m, k, dtype=dt), torch.randn(k, n, dtype=dt)
        r[name] = gflops(lambda: a @ b, 2 * m * k * n, reps)
    for name, k in (('gram_linear_f64', c + 1), ('gram_quadratic_f64', 2 * c + 1)):
        x = np.random.default_rng(0).standard_normal((4096, k))
        r[name] = gflops(lambda: x.T @ x, 4096 * k * (k + 1), reps)  # syrk: the k(k+1)/2 distinct entries, 2 FLOP each
    return r

class FlopPhases(Callback):
    "FLOPs counted in fastai's training and validation phases, with the samples of each."
    order = 100
    def __init__(self): self.flops, self.samples = dict(train=0, valid=0), dict(train=0, valid=0)
    def _start(self): self.fc = FlopCounterMode(display=False); self.fc.__enter__()
    def _stop(self, k):
        self.fc.__exit__(None, None, None)
        self.flops[k] += self.fc.get_total_flops()
    def before_train(self): self._start()
    def after_train(self): self._stop('train')
    def before_validate(self): self._start()
    def after_validate(self): self._stop('valid')
    def after_batch(self): self.samples['train' if self.training else 'valid'] += len(self.xb[0])

def tag_forward(aligner, u:torch.Tensor):
    "The forward `tea-tag` runs per batch: converter (norm) then head (probabilities)."
    with torch.no_grad(): return aligner(u)

class ProfileTraining(Callback):
    "`torch.profiler` around fastai's training phases only (the epochs, not set-up or validation)."
    order = 100
    def __init__(self):
        from torch.profiler import profile, ProfilerActivity
        self.prof = profile(activities=[ProfilerActivity.CPU])
    def before_train(self): self.prof.start()
    def after_train(self): self.prof.stop()

def profile_gap(phase:str, tr, te, found, top:int=12)->str:
    "The top ops (self CPU time) of one epoch of `lowrank` training (its training phase) or of the probe."
    if phase == 'probe':
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU]) as prof: probe_structure(tr)
    else:
        cb = ProfileTraining()
        with tempfile.TemporaryDirectory() as d:
            train_model(tr, te, 'SwinV2_v3', 'lowrank', workdir=d, max_epochs=1, quiet=True,
                        labels=str(found['labels']), cbs=[cb])
        prof = cb.prof
    return prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=top)

@call_parse
def main(
    source:str=SOURCE,         # full-shape `hf` world (its block 0 is used)
    rows:int=16_000,           # rows of block 0 used (80% trained, 20% validated)
    epochs:int=2,              # epochs of the timed training run
    reps:int=3,                # timed repetitions of each GEMM
    record:bool=False,         # write `<results>/compute_limit.json`
    results:str=str(RESULTS),  # folder of the records
):
    "Measured GFLOPS limits, FLOPs per sample, and achieved/limit of training, validation, the probe and tagging."
    found = _world_files(source)
    ds = EmbeddingDataset(found['blocks'][:1], head=str(found['head']))
    c, t = ds.width, ds.n_tags
    lim = machine_limits(c, t, reps)
    for k, v in lim.items(): print(f"limit_{k}_gflops: {v:.1f}")
    peak32, peak64 = max(lim['square_f32'], lim['head']), max(lim['square_f64'], lim['gram_quadratic_f64'])
    use, _ = dataset_split(ds, [rows, max(len(ds) - rows, 0)], seed=0) if rows < len(ds) else (ds, None)
    tr, te = dataset_split(use, [0.8, 0.2], seed=0)
    counter = FlopPhases()
    with tempfile.TemporaryDirectory() as d:
        train_model(tr, te, 'SwinV2_v3', 'lowrank', workdir=d, max_epochs=1, quiet=True, labels=str(found['labels']),
                    cbs=[counter])
    f_train, f_valid = (counter.flops[k] / max(counter.samples[k], 1) for k in ('train', 'valid'))
    timer = TrainTimer()
    with tempfile.TemporaryDirectory() as d:
        res = train_model(tr, te, 'SwinV2_v3', 'lowrank', workdir=d, max_epochs=epochs, quiet=True,
                          labels=str(found['labels']), cbs=[timer])
    train_sps = timer.samples / timer.secs
    valid_sps = len(te) * epochs / timer.valid_secs
    t0 = time.perf_counter()
    pr = probe_structure(tr)
    probe_s = time.perf_counter() - t0
    probe_rows_s = (pr.n_fit + pr.n_held_out) / probe_s
    f_probe = probe_gram_flop(c, pr.n_fit, pr.n_held_out) / (pr.n_fit + pr.n_held_out)  # per row, syrk's k(k+1)
    from tagger_embedding_aligner.model import get_model
    from tagger_embedding_aligner.heads import TaggerHead
    aligner = get_model('lowrank', head=TaggerHead(ds.weights, ds.bias)).eval()
    u = torch.from_numpy(np.asarray(ds.embeddings(np.arange(1024)), np.float32))
    u = u / u.norm(dim=1, keepdim=True)
    with FlopCounterMode(display=False) as fc: tag_forward(aligner, u)
    f_tag = fc.get_total_flops() / len(u)
    tag_rows_s = len(u) / min(_timed(lambda: tag_forward(aligner, u)) for _ in range(reps))
    phases = dict(
        training_epochs=dict(flop_per_row=f_train, rows_per_s=train_sps, limit_gflops=peak32),
        validation=dict(flop_per_row=f_valid, rows_per_s=valid_sps, limit_gflops=peak32),
        probe=dict(flop_per_row=f_probe, rows_per_s=probe_rows_s, limit_gflops=peak64),
        tag_forward=dict(flop_per_row=f_tag, rows_per_s=tag_rows_s, limit_gflops=peak32))
    for name, p in phases.items():
        p['achieved_gflops'] = p['flop_per_row'] * p['rows_per_s'] / 1e9
        p['share'] = p['achieved_gflops'] / p['limit_gflops']
        print(f"{name}: {p['flop_per_row'] / 1e6:.3f} MFLOP/row x {p['rows_per_s']:,.0f} rows/s = "
              f"{p['achieved_gflops']:.1f} GFLOPS of {p['limit_gflops']:.1f}: {p['share']:.1%}")
    worst = min(('training_epochs', 'probe'), key=lambda k: phases[k]['share'])
    print(f"biggest gap: {worst}; profile:")
    prof_text = profile_gap(worst, tr, te, found)
    print(prof_text)
    print(f"load: {os.getloadavg()}")
    if not record: return
    fig = '; '.join(f"{k.replace('_', ' ')} {p['achieved_gflops']:.1f} of {p['limit_gflops']:.0f} GFLOPS "
                    f"(**{p['share']:.1%}**, {p['flop_per_row'] / 1e6:.2f} MFLOP/row)" for k, p in phases.items())
    write_record('compute_limit', what="the compute limit of this CPU (torch matmul, float32 / float64 for the "
                 "probe's sums) and the default's share of it per phase (`lowrank` trained, the probe, tagging)",
                 figure=fig, figures=dict(limits=lim, phases=phases, biggest_gap=worst, profile=prof_text,
                                          load_avg=os.getloadavg()), results=results,
                 args=changed(main, source=source, rows=rows, epochs=epochs, reps=reps))
