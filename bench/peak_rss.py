"""Issue 7: peak memory of training num2 over 1, 2 and 4 full-shape blocks (20k rows each), each in a fresh process.

RSS counts the pages of memory-mapped files that the process touched (file-backed, shared, clean: the kernel can drop
them at any time), so it grows with the data read even when the process's own memory does not. Each child therefore
reports: ru_maxrss (the kernel's high-water mark of RSS), the peaks of RssAnon (heap, arrays, tensors) and RssFile
(mapped files, shared libraries) sampled every 50 ms from /proc/self/status, and USS at the end (psutil). With
--release the run uses `ReleasePages` (madvise(MADV_DONTNEED) on the maps every 16 batches and after the scan), which
keeps mapped data out of RSS, and malloc_trim(0) every 16 steps (returns the heap that glibc otherwise keeps after
freeing the per-step [batch, tags] tensors: without it anonymous memory grows by ~6 MB per step).

    PYTHONPATH=$PWD .venv/bin/python bench/peak_rss.py            # both variants
"""
import argparse, json, resource, subprocess, sys, tempfile, threading, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))

def _status():
    d = {}
    for line in open('/proc/self/status'):
        k, _, v = line.partition(':')
        if k in ('VmRSS', 'RssAnon', 'RssFile', 'RssShmem'): d[k] = int(v.split()[0]) / 1024
    return d

def child(n_blocks, release, world):
    peaks, stop = {}, threading.Event()
    def poll():
        while not stop.is_set():
            for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
            time.sleep(0.05)
    th = threading.Thread(target=poll, daemon=True); th.start()
    import psutil
    from common import full_world, split
    from tagger_embedding_aligner.train import train_model
    from tagger_embedding_aligner.scale import ReleasePages, release_pages, fix_mmap_threshold
    w = full_world(world, blocks=4)
    ds, tr, te = split(w, n_blocks)
    if release: release_pages(ds)
    t = time.time()
    with tempfile.TemporaryDirectory() as d:
        train_model(tr, te, 'SwinV2_v3', 'num2', workdir=d, max_epochs=1, quiet=True, cbs=[ReleasePages()] if release else [])
    stop.set(); th.join()
    for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
    print(json.dumps(dict(blocks=n_blocks, rows=len(ds), secs=time.time() - t, ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          peak_anon_mb=peaks['RssAnon'], peak_file_mb=peaks['RssFile'], peak_rss_polled_mb=peaks['VmRSS'],
                          uss_end_mb=psutil.Process().memory_full_info().uss / 2**20)))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--world', default='worlds/full'); ap.add_argument('--blocks', default='1,2,4')
    ap.add_argument('--child', type=int); ap.add_argument('--release', action='store_true')
    ap.add_argument('--variants', default='plain,release', help='plain: as train_model runs today; release: with the ReleasePages callback')
    a = ap.parse_args()
    if a.child: return child(a.child, a.release, a.world)
    for variant in a.variants.split(','):
        res = []
        for k in map(int, a.blocks.split(',')):
            cmd = [sys.executable, __file__, '--world', a.world, '--child', str(k)] + (['--release'] if variant == 'release' else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            res.append(json.loads(out.strip().splitlines()[-1]))
        sfx = '' if variant == 'plain' else '_release'
        for key, name in [('ru_maxrss_mb', 'peak_rss_mb'), ('peak_anon_mb', 'peak_anon_mb'), ('peak_file_mb', 'peak_file_mb'), ('uss_end_mb', 'uss_end_mb')]:
            vals = [r[key] for r in res]
            print(f"{name}{sfx}: " + ' '.join(f'{v:.0f}' for v in vals) + f"   (blocks {a.blocks}; max/min {max(vals) / min(vals):.2f})")
        print(f"train_secs{sfx}: " + ' '.join(f"{r['secs']:.0f}" for r in res))

if __name__ == '__main__': main()
