"""Issue 12 benchmark: bytes (and time) to download N full-shape blocks, embeddings only vs whole files.

A full-shape world (SwinV2_v3 shape: width 1024, 10,861 tags) is written as Hub repo folders, served by a `FakeHub`
on loopback, and downloaded twice through `huggingface_hub`: `fetch_embeddings` (zip directory, `embs`, 32 rows of
`preds` per file) and `hf_hub_download` (the whole file). The server counts the bytes of file contents it sends.

    .venv/bin/python -m bench.embs_only --world worlds/embs_bench --blocks 2
"""
import shutil, tempfile, time
from pathlib import Path
from fastcore.script import call_parse
from huggingface_hub import hf_hub_download
from tagger_embedding_aligner.hub import DATASET_REPO
from tagger_embedding_aligner.synthetic import make_world, serve_world
from tagger_embedding_aligner.remote import fetch_embeddings

def _download(hub, paths, fn)->tuple:
    "(bytes sent, seconds) for downloading `paths` with `fn(path)`."
    sent, t = hub.bytes_sent(), time.perf_counter()
    for p in paths: fn(p)
    return hub.bytes_sent() - sent, time.perf_counter() - t

@call_parse
def main(
    world:str='worlds/embs_bench', # folder of the full-shape world (hub layout; generated when missing, ~1 GB a block)
    blocks:int=2,                  # blocks of 20,000 rows
    real_blocks:int=60,            # blocks of the real dataset to extrapolate to
    real_block_gb:float=4.75,      # size of one real block (about 100k rows of 1024 + 10861 floats)
):
    "Print bytes and seconds for embeddings-only vs whole-file downloads, and the ratio."
    w = make_world(world, profile='full', samples=(), blocks=blocks, layout='hub')
    paths = [f'{w.tagger}/training_data_part{i}.npz' for i in range(blocks)]
    total = sum(w.block_file(i).stat().st_size for i in range(blocks))
    with serve_world(w) as hub, tempfile.TemporaryDirectory() as d:
        embs, t_embs = _download(hub, paths, lambda p: fetch_embeddings(DATASET_REPO, p, cache_dir=Path(d) / 'tea'))
        full, t_full = _download(hub, paths, lambda p: hf_hub_download(DATASET_REPO, p, repo_type='dataset',
                                                                       cache_dir=str(Path(d) / 'hf')))
    print(f"blocks: {blocks} x 20000 rows, {total / 1e9:.3f} GB on the server")
    print(f"embeddings_only_bytes: {embs:,} ({embs / total:.2%} of the files) in {t_embs:.1f} s")
    print(f"whole_files_bytes: {full:,} ({full / total:.2%}) in {t_full:.1f} s")
    print(f"ratio: {embs / full:.4f}")
    print(f"real dataset, {real_blocks} blocks of {real_block_gb} GB: {real_blocks * real_block_gb:.0f} GB whole, "
          f"{real_blocks * real_block_gb * embs / full:.1f} GB embeddings only")
