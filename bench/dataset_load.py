"""Issue 3 benchmark: build an EmbeddingDataset over full-shape blocks and iterate it once in batches.

Prints load time, iteration time and peak memory. RSS counts the memory-mapped file pages the process touched
(page cache: shared, clean and reclaimable), so the anonymous peak (RssAnon: heap, arrays, tensors) is reported too.

    .venv/bin/python -m bench.dataset_load --world worlds/bench --blocks 2 --record
    .venv/bin/python -m bench.dataset_load --world /tmp/tiny --profile tiny --block-size 500   # a quick check
"""
import resource, time
import numpy as np
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed, proc_status

def private_mb():
    "RssAnon of this process in MB (Linux): memory that is not a mapped file."
    return proc_status(('RssAnon',)).get('RssAnon', float('nan'))

@call_parse
def main(
    world:str='worlds/bench',   # world folder (generated on first use)
    blocks:int=2,               # blocks
    block_size:int=20000,       # rows per block
    bs:int=256,                 # batch size
    targets:str='auto',         # 'auto' (recomputed: preds never read) or 'stored'
    profile:str='full',         # world profile (`tiny` for a quick check of the script)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "Load an `EmbeddingDataset` over full-shape blocks and iterate it once."
    t = time.time()
    w = make_world(world, profile=profile, samples=(), blocks=blocks, block_size=block_size)
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
    if not record: return
    rss, anon = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, max(peak_private, private_mb())
    shape = '' if profile == 'full' else f" ({profile} world: width {ds.width}, {ds.n_tags} tags)"
    write_record('dataset_load',
        what=f"open {blocks} blocks of {block_size / 1000:g}k (check every row, verify preds), iterate once{shape}",
        figure=f"{load:.2f} s + {it:.2f} s; RssAnon peak {anon:.0f} MB (RSS {rss:.0f} MB with mapped pages)",
        figures=dict(rows=len(ds), load_s=load, iterate_s=it, peak_anon_mb=anon, peak_rss_mb=rss,
                     recomputed=ds.recompute),
        args=changed(main, world=world, blocks=blocks, block_size=block_size, bs=bs, targets=targets, profile=profile),
        results=results)
