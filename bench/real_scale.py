"""Issue 30: the real scale, simulated. A world of the real block count in the embeddings-only layout (60 blocks of
100,000 rows, width 1024: ~6M rows, ~24.6 GB of float32 `embs`), opened, probed and fitted by the shipped default
(`train_model(model='auto')`: the structure probe's streaming float64 sums, then the closed form it supports, then the
evaluation of the held-out rows), each block count in a fresh process.

Disk is short (59 GB free, shared), so `--physical` distinct blocks are written and the other names are hard links to
them (stated in the record): the 60 names hold `--physical` physical files. Each physical block holds the rows of a
full-shape world's blocks (default /work/worlds/token_ln_full, 2 x 16,000 rows) tiled and shuffled (seeded) up to
`--rows`: the same rows appear several times, which does not change the work per row. The validation rows are a
seeded choice by position (a numpy permutation), not `dataset_split`'s split by content, which would move every held-out
row into training here (every row repeats) and adds a hashing pass over the rows. The files carry the
embeddings-only sidecar and 32 verification rows of `preds`, as `fetch_embeddings` writes them.

Read rates: one physical file read in 64 MB chunks after `posix_fadvise(DONTNEED)` (from disk) and again (page cache).
Peak RSS: VmHWM (`ru_maxrss` survives `execve`: a child would report its parent's) and the polled
RssAnon/RssFile of each child (see bench/peak_rss.py).
Compute share: the probe's float64 sums counted as the Gram updates do them (BLAS `dsyrk`, `k(k+1)` FLOPs a row:
`k = C + 1` over every row, fitted and held out, and `k = 2C + 1` over the fitted rows' share that carries the quadric,
~160,000; `bench.common.probe_gram_flop`) over the probe's seconds of the largest run, against this CPU's sustained
`dsyrk` rate at the linear shape (4096 rows into [C+1]^2 in place, measured after the children); its read rate
(every row once, the ~200,000 checked held-out rows again) against the two measured above.

    nice -n 10 .venv/bin/python -m bench.real_scale --blocks 1,4,15,60 --record
    .venv/bin/python -m bench.real_scale --root /tmp/rs --rows 4000 --blocks 1,3 --physical 1   # a quick check
"""
import json, math, os, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path
import numpy as np
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed, peak_rss_mb, proc_status, probe_default, probe_gram_flop
from tagger_embedding_aligner.synthetic import write_npz
from tagger_embedding_aligner.remote import sidecar
from tagger_embedding_aligner.dataset import open_npz_member
from tagger_embedding_aligner.heads import head_predictions

SOURCE = '/work/worlds/token_ln_full'
TAGGER = 'SwinV2_v3'

def _world_files(source:str)->dict:
    "Blocks, head and labels of an `hf`-layout world."
    src = Path(source)
    return dict(blocks=sorted(src.glob(f'datasets--*/snapshots/*/{TAGGER}/training_data_part*.npz')),
                head=next(src.glob('models--*/snapshots/*/*/*/inv.npz')),
                labels=next(src.glob('models--*/snapshots/*/selected_tags.csv')))

def build(root:str, source:str=SOURCE, rows:int=100_000, blocks:int=60, physical:int=2, seed:int=0)->list:
    "The `blocks` file names of the simulated world (writing the `physical` distinct blocks and hard links if missing)."
    root, found = Path(root), _world_files(source)
    root.mkdir(parents=True, exist_ok=True)
    names = [root / f'training_data_part{i}.npz' for i in range(blocks)]
    with np.load(found['head'], allow_pickle=False) as z: w, b = z['weights'], z['bias']
    src = [open_npz_member(f, 'embs') for f in found['blocks']]
    n_src = sum(len(e) for e in src)
    for p in range(min(physical, blocks)):
        if names[p].is_file(): continue
        order = np.random.default_rng([seed, p]).permutation(np.arange(rows) % n_src)
        def chunks(step=8192):
            for i in range(0, rows, step):
                idx = np.sort(order[i:i + step])
                yield np.concatenate([e[idx[(idx >= o) & (idx < o + len(e))] - o] for e, o in
                                      zip(src, np.cumsum([0] + [len(e) for e in src[:-1]]))])
        sample = np.sort(np.random.default_rng(0).choice(rows, 32, replace=False))
        emb_s = np.concatenate([c for c in chunks()])[sample] if rows <= 20000 else None
        if emb_s is None:  # only the 32 verification rows, without holding the block
            emb_s = np.empty((32, w.shape[0]), np.float32)
            for i, c in zip(range(0, rows, 8192), chunks()):
                m = (sample >= i) & (sample < i + len(c))
                emb_s[m] = c[sample[m] - i]
        sidecar(names[p]).write_text(json.dumps(dict(path=f'{TAGGER}/{names[p].name}', simulated=True,
                                                     physical=p, rows=rows, source=str(source))))
        write_npz(names[p], {'embs': ((rows, w.shape[0]), np.float32, chunks()), 'preds_rows': sample.astype(np.int64),
                             'preds_sample': head_predictions(emb_s, w, b).astype(np.float32)})
    for i, n in enumerate(names[physical:], physical):
        if n.exists(): continue
        os.link(names[i % physical], n)
        shutil.copyfile(sidecar(names[i % physical]), sidecar(n))
    return names

def read_rate(path:Path, chunk:int=64 << 20)->tuple:
    "(MB/s from disk after evicting the file's pages, MB/s from the page cache) reading `path` once each."
    def once():
        t, n = time.perf_counter(), 0
        with open(path, 'rb', buffering=0) as f:
            while (b := f.read(chunk)): n += len(b)
        return n / 2**20 / (time.perf_counter() - t)
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
    return once(), once()

def _status()->dict: return proc_status(('VmRSS', 'RssAnon', 'RssFile'))

def run_child(root:str, n_blocks:int, source:str, check:bool, valid_rows:int=20_000):
    "Open, probe and fit `n_blocks` blocks with the auto default; print one JSON line of times and memory."
    peaks, stop = {}, threading.Event()
    def poll():
        while not stop.is_set():
            for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
            time.sleep(0.05)
    th = threading.Thread(target=poll, daemon=True)
    th.start()
    from tagger_embedding_aligner.dataset import EmbeddingDataset
    import torch
    from torch.utils.data import Subset
    from tagger_embedding_aligner.train import train_model
    found = _world_files(source)
    t0 = time.perf_counter()
    ds = EmbeddingDataset([Path(root) / f'training_data_part{i}.npz' for i in range(n_blocks)], head=str(found['head']),
                          check=check)
    n_valid = min(len(ds) // 5, valid_rows)
    # `dataset_split`'s split by content would move every held-out row into training here (the re-listed blocks
    # repeat their rows), and its hashing pass is one more read: the simulation splits by position
    # numpy indices (`random_split`'s Python list of 6M ints is ~200 MB by itself), and no permutation of every row:
    # the held-out positions are drawn, the training positions are the rest (one int64 array, 48 MB at 6M rows)
    held = np.sort(np.random.default_rng(0).choice(len(ds), n_valid, replace=False))
    keep = np.ones(len(ds), bool)
    keep[held] = False
    tr, te = Subset(ds, np.flatnonzero(keep)), Subset(ds, held)
    del keep
    t_open = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        res = train_model(tr, te, TAGGER, 'auto', workdir=d, labels=str(found['labels']), quiet=True)
    t_end = time.perf_counter()
    stop.set()
    th.join()
    for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
    print(json.dumps(dict(blocks=n_blocks, rows=len(ds), train_rows=len(tr), valid_rows=len(te), open_s=t_open - t0, fit_s=t_end - t_open,
                          probe_s=res['probe']['seconds'], total_s=t_end - t0, model=res['model_choice']['model'],
                          probe_rows_fit=res['probe']['rows_fit'], probe_rows_held_out=res['probe']['rows_held_out'],
                          width=res['probe']['width'],
                          reason=res['model_choice']['reason'], pred_mse=res['metrics']['pred_mse'],
                          ru_maxrss_mb=peak_rss_mb(),  # VmHWM under the old key: ru_maxrss had the parent's
                          peak_anon_mb=peaks['RssAnon'], peak_file_mb=peaks['RssFile'])))

def probe_flop(r:dict)->float:
    "FLOPs of the probe's float64 sums in a child's run `r` (`probe_gram_flop`)."
    return probe_gram_flop(r['width'], r['probe_rows_fit'], r['probe_rows_held_out'])

def gram_limit_gflops(c:int, reps:int=3)->float:
    ("This CPU's sustained float64 GFLOPS for the probe's Gram update at the linear shape: BLAS `dsyrk` of 4096 rows "
     "into a [C+1]^2 matrix in place, as `ProbeStats` does (the best of numpy's `x.T @ x` and it, so not understated).")
    from scipy.linalg.blas import dsyrk
    x = np.random.default_rng(0).standard_normal((4096, c + 1))
    g = np.zeros((c + 1, c + 1))
    best = math.inf
    for f in (lambda: x.T @ x, lambda: dsyrk(1., x.T, beta=1., c=g.T, lower=1, overwrite_c=1)):
        f()
        for _ in range(reps):
            t = time.perf_counter()
            f()
            best = min(best, time.perf_counter() - t)
    return 4096 * (c + 1) * (c + 2) / best / 1e9

@call_parse
def main(
    root:str='worlds/real_scale', # folder of the simulated embeddings-only world (written when missing)
    source:str=SOURCE,            # `hf`-layout full-shape world whose rows fill the blocks
    rows:int=100_000,             # rows per block
    blocks:str='1,4,15,60',       # comma-separated block counts, one child process each
    physical:int=2,               # distinct physical blocks; the other names are hard links to them
    valid_rows:int=20_000,        # validation rows evaluated at the end (at most 20% of the rows)
    check:bool=True,              # the dataset's scan of every row (NaN/inf, zero norm) as `tea-train` does it
    child:int=None,               # (internal) run one child over this many blocks
    record:bool=False,            # write the headline figures to `<results>/real_scale.json`
    results:str=str(RESULTS),     # folder of the records
):
    "Open, probe and fit 1..60 embeddings-only blocks with the auto default; rows/s, read rates, peak RSS, wall time."
    if child: return run_child(root, child, source, check, valid_rows)
    counts = [int(k) for k in blocks.split(',')]
    t = time.perf_counter()
    names = build(root, source, rows, max(counts), physical)
    print(f"world: {len(names)} names over {physical} physical blocks of {rows:,} rows ({time.perf_counter() - t:.0f}s)")
    disk, cache = read_rate(names[0])
    print(f"read_mb_per_s: disk {disk:.0f}, page cache {cache:.0f} (one {names[0].stat().st_size / 2**20:.0f} MB file)")
    res = []
    for k in counts:
        cmd = [sys.executable, '-m', 'bench.real_scale', '--root', root, '--source', source, '--child', str(k),
               '--valid-rows', str(valid_rows),
               *([] if check else ['--no-check'])]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode: sys.exit(f"child over {k} blocks failed:\n{out.stderr[-3000:]}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        res.append(r)
        print(f"blocks {k}: {r['rows']:,} rows, open {r['open_s']:.1f}s, probe {r['probe_s']:.1f}s, train_model "
              f"{r['fit_s']:.1f}s, total {r['total_s']:.1f}s ({r['rows'] / r['total_s']:,.0f} rows/s); {r['model']}; "
              f"pred_mse {r['pred_mse']:.3g}; peak RSS {r['ru_maxrss_mb']:.0f} MB, anon {r['peak_anon_mb']:.0f} MB",
              flush=True)
    rss = [r['ru_maxrss_mb'] for r in res]
    flat = max(rss) / min(rss)
    print(f"peak_rss_mb: {' / '.join(f'{v:.0f}' for v in rss)} (blocks {blocks}; max/min {flat:.2f})")
    print(f"load: {os.getloadavg()}")
    last = res[-1]
    limit = gram_limit_gflops(last['width'])   # measured after the children: nothing else runs beside it
    achieved = probe_flop(last) / last['probe_s'] / 1e9
    checked = min(probe_default('check_rows'), last['probe_rows_held_out'])
    read_rows = last['probe_rows_fit'] + last['probe_rows_held_out'] + checked
    read_mb_s = read_rows * last['width'] * 4 / 2**20 / last['probe_s']  # every row, then the checked ones again
    share = (f"probe {probe_flop(last):.2e} FLOP at {achieved:.0f} GFLOPS = {achieved / limit:.0%} of this CPU's "
             f"float64 Gram limit ({limit:.0f} GFLOPS); it reads {read_mb_s:.0f} MB/s = {read_mb_s / cache:.0%} of the "
             f"page cache's rate, {read_mb_s / disk:.0%} of the disk's")
    print(share)
    if not record: return
    figures = dict(runs=res, read_mb_per_s_disk=disk, read_mb_per_s_cache=cache, rss_max_over_min=flat,
                   physical_blocks=physical, rows_per_block=rows, load_avg=os.getloadavg(), probe_flop=probe_flop(last),
                   probe_gflops=achieved, gram_limit_gflops=limit, probe_read_mb_per_s=read_mb_s)
    write_record('real_scale',
        what=f"the real scale, simulated: {last['blocks']} embeddings-only blocks of {rows // 1000}k rows "
             f"({last['rows'] / 1e6:.1f}M rows; {physical} physical blocks, the rest hard links) opened, probed and "
             "fitted by the auto default",
        figure=f"**{last['total_s'] / 60:.1f} min** for {last['rows'] / 1e6:.1f}M rows ({last['rows'] / last['total_s']:,.0f} "
               f"rows/s; probe {last['probe_s']:.0f} s; {last['model']}); peak RSS {' / '.join(f'{v:.0f}' for v in rss)}"
               f" MB over {blocks.replace(',', ' / ')} blocks (max/min {flat:.2f}); {share}",
        figures=figures, results=results,
        args=changed(main, root=root, source=source, rows=rows, blocks=blocks, physical=physical, check=check,
                     valid_rows=valid_rows))
