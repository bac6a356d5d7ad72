"""Issue 16 benchmark: `tag_file` (the `tea-tag` command) on the full-shape synthetic world (width 1024, 10,861 tags).

Builds (or reuses) a full-shape world holding samples_2000 only, trains `num2` for one epoch on it and exports it (a
throwaway aligner: the speed does not depend on its quality), writes a `.npy` of N raw embeddings (the samples' rows,
repeated and scaled), and tags it in chunks to JSON lines. Prints rows/s, tags per row and the growth of the peak RSS
while tagging (Linux: writing 5 to /proc/self/clear_refs restarts the peak from the current RSS).

    .venv/bin/python bench/tag_throughput.py --world worlds/bench_tag --rows 50000
"""
import argparse, time
from pathlib import Path
import numpy as np
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.export import export_to_directory
from tagger_embedding_aligner.tag import tag_file, load_aligner

def mb(key):
    "A `/proc/self/status` figure in MB."
    return int(next(l for l in open('/proc/self/status') if l.startswith(key)).split()[1]) / 1024

def reset_peak():
    "Restart the peak RSS from the current RSS; the current RSS in MB."
    with open('/proc/self/clear_refs', 'w') as f: f.write('5')
    return mb('VmRSS:')

def aligner_export(root:Path)->Path:
    "A full-shape world and a 1-epoch `num2` export in it (made once)."
    world = make_world(root / 'hub', profile='full', samples=(2000,), blocks=0)
    if not (root / 'export').exists():
        tr, te = dataset_split(EmbeddingDataset([world.samples_file(2000)]), [0.8, 0.2], seed=0)
        train_model(tr, te, 'SwinV2_v3', 'num2', workdir=root / 'run', max_epochs=1, quiet=True)
        export_to_directory(root / 'run', root / 'export', name='SwinV2_v3_mnum2_bench')
    return world, root / 'export'

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/bench_tag')
    ap.add_argument('--rows', type=int, default=50000)
    ap.add_argument('--bs', type=int, default=1024)
    a = ap.parse_args()
    root = Path(a.world)
    world, export = aligner_export(root)
    al = load_aligner(export, hub_kwargs=world.hub_kwargs)
    e = EmbeddingDataset([world.samples_file(2000)]).embeddings(np.arange(2000))
    emb = np.lib.format.open_memmap(root / 'embs.npy', mode='w+', dtype=np.float32, shape=(a.rows, e.shape[1]))
    for i in range(0, a.rows, 2000): emb[i:i + 2000] = e[:min(2000, a.rows - i)] * np.float32(1 + (i // 2000) % 5)
    emb.flush()
    del emb
    np.save(root / 'warm.npy', e[:3 * a.bs])
    tag_file(root / 'warm.npy', al, root / 'warm.jsonl', batch_size=a.bs, progress=False, overwrite=True)  # first calls
    base, cpu = reset_peak(), time.process_time()
    rep = tag_file(root / 'embs.npy', al, root / 'tags.jsonl', batch_size=a.bs, progress=False, overwrite=True)
    growth, cpu = mb('VmHWM:') - base, time.process_time() - cpu
    size = (root / 'embs.npy').stat().st_size / 2**20
    with open(root / 'tags.jsonl') as f: n_tags = sum(line.count('": ') - 3 for line in f)  # minus the 3 category keys
    print(f"rows: {rep['rows']} (width {al.width}, {len(al.labels)} tags), file {size:.0f} MB, batch {a.bs}")
    print(f"tag_s: {rep['seconds']:.1f} wall, {cpu:.1f} CPU, all threads ({rep['rows'] / rep['seconds']:.0f} rows/s; "
          "row check and writing included)")
    print(f"tags_per_row: {n_tags / rep['rows']:.1f} (4 ratings + general and character above 0.35 / 0.85)")
    print(f"peak_rss_growth_mb: {growth:.1f} (RSS before: {base:.0f} MB)")

if __name__ == '__main__': main()
