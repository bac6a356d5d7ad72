"""Issue 3 benchmark: build an EmbeddingDataset over full-shape blocks and iterate it once in batches.

Prints load time, iteration time and peak memory. RSS counts the memory-mapped file pages the process touched
(page cache: shared, clean and reclaimable), so the anonymous peak (RssAnon: heap, arrays, tensors) is reported too.

    .venv/bin/python -m bench.dataset_load --world worlds/bench --blocks 2
"""
import resource, time
import numpy as np
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from fastcore.script import call_parse

def private_mb():
    "RssAnon of this process in MB (Linux): memory that is not a mapped file."
    for line in open('/proc/self/status'):
        if line.startswith('RssAnon:'): return int(line.split()[1]) / 1024
    return float('nan')

@call_parse
def main(
    world:str='worlds/bench',   # world folder (generated on first use)
    blocks:int=2,               # blocks
    block_size:int=20000,       # rows per block
    bs:int=256,                 # batch size
    targets:str='auto',         # 'auto' (recomputed: preds never read) or 'stored'
):
    "Load an `EmbeddingDataset` over full-shape blocks and iterate it once."
    t = time.time(); w = make_world(world, profile='full', samples=(), blocks=blocks, block_size=block_size)
    gen = time.time() - t
    base_mb = private_mb()
    t = time.time(); ds = EmbeddingDataset(w.block_files(), targets=targets); load = time.time() - t
    t, peak_private, n = time.time(), 0., 0
    for i in range(0, len(ds), bs):
        u, p, norm = ds.batch(np.arange(i, min(i + bs, len(ds))), with_targets=not ds.recompute)
        n += len(u)
        if i % (10 * bs) == 0: peak_private = max(peak_private, private_mb())
    it = time.time() - t
    print(f"rows: {len(ds)} (width {ds.width}, {ds.n_tags} tags, {blocks} blocks), targets recomputed: {ds.recompute}")
    print(f"world_generation_s: {gen:.1f} (0 when the files already existed)")
    print(f"load_s: {load:.2f} (open, check every row, verify preds against the head)")
    print(f"iterate_s: {it:.2f} ({n / it:.0f} rows/s, batch {bs}, {'embs only' if ds.recompute else 'embs + preds'})")
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(f"anon_mb_before_load: {base_mb:.0f}")
    print(f"peak_anon_mb: {max(peak_private, private_mb()):.0f}")

