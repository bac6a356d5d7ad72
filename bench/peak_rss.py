"""Issues 7, 30: peak memory of the default (`auto`: probe, then on this `features` world `lowrank` trained) and of
`num2` (variant `num2`, the earlier rows) over 1, 2 and 4 full-shape blocks (20k rows each), each in a fresh process.

RSS counts the pages of memory-mapped files that the process touched (file-backed, shared, clean: the kernel can drop
them at any time), so it grows with the data read even when the process's own memory does not. Each child therefore
reports: the kernel's high-water mark of its RSS (`VmHWM`, under the key `ru_maxrss_mb`: `ru_maxrss` itself is kept
across `execve`, so a child reported its parent's peak when that was larger), the peaks of RssAnon (heap, arrays, tensors) and RssFile
(mapped files, shared libraries) sampled every 50 ms from /proc/self/status, and USS at the end (psutil).
Variants: `default` is `train_model` as it runs by default (`auto`; curvature objective; `ReleasePages` every 16 batches:
madvise(MADV_DONTNEED) on the maps, which keeps mapped data out of RSS, and malloc_trim(0)); `num2` the same with `num2`;
`fast` uses `num2` with the exact fast objective (a [batch, tags] tensor every step) with the same release; `fast_norelease` turns the release off
(`release_every=0`): the state before this was the default.

    .venv/bin/python -m bench.peak_rss                       # default variant
    .venv/bin/python -m bench.peak_rss --variants default,fast,fast_norelease
    .venv/bin/python -m bench.peak_rss --variants default,fast --record   # the README's row
    .venv/bin/python -m bench.peak_rss --world /tmp/tiny --profile tiny --blocks 1,2   # a quick check
"""
import json, subprocess, sys, tempfile, threading, time
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed, proc_status, peak_rss_mb

def _status()->dict: return proc_status(('VmRSS', 'RssAnon', 'RssFile', 'RssShmem'))

VARIANTS = dict(default=dict(), num2=dict(model_name='num2'), fast=dict(model_name='num2', objective='fast'),
                fast_norelease=dict(model_name='num2', objective='fast', release_every=0))

def run_child(n_blocks, variant, world, profile='full', block_size=None):
    peaks, stop = {}, threading.Event()
    def poll():
        while not stop.is_set():
            for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
            time.sleep(0.05)
    th = threading.Thread(target=poll, daemon=True); th.start()
    import psutil
    from bench.common import full_world, split
    from tagger_embedding_aligner.train import train_model
    w = full_world(world, blocks=4, profile=profile, block_size=block_size)
    ds, tr, te = split(w, n_blocks)
    t = time.time()
    with tempfile.TemporaryDirectory() as d:
        train_model(tr, te, 'SwinV2_v3', workdir=d, max_epochs=1, quiet=True, **VARIANTS[variant])
    stop.set(); th.join()
    for k, v in _status().items(): peaks[k] = max(peaks.get(k, 0), v)
    print(json.dumps(dict(blocks=n_blocks, rows=len(ds), secs=time.time() - t, ru_maxrss_mb=peak_rss_mb(),  # VmHWM under the old key
                         
                          peak_anon_mb=peaks['RssAnon'], peak_file_mb=peaks['RssFile'], peak_rss_polled_mb=peaks['VmRSS'],
                          uss_end_mb=psutil.Process().memory_full_info().uss / 2**20)))

def rss_text(peaks:dict, blocks:str, block_rows:int, profile:str)->dict:
    "The record's `what`, `figure` and `figures` from each variant's children (`ru_maxrss_mb` is the headline)."
    def row(res):
        v = [r['ru_maxrss_mb'] for r in res]
        return ' / '.join(f'{x:.0f}' for x in v), max(v) / min(v)
    first, *others = peaks
    (vals, ratio), shape = row(peaks[first]), '' if profile == 'full' else f" ({profile} world)"
    notes = [f"max/min {ratio:.2f}"] + [f"the exact `fast` objective: {row(peaks[o])[0]}" if o == 'fast' else
                                        f"variant `{o}`: {row(peaks[o])[0]}" for o in others]
    what = f"peak RSS training over {blocks.replace(',', ' / ')} blocks of {block_rows / 1000:g}k{shape}"
    what += ", the default (`auto`)" if first == 'default' else f", variant `{first}`"
    return dict(what=what, figure=f"**{vals} MB** ({'; '.join(notes)})", figures=dict(blocks=blocks, variants=peaks))

@call_parse
def main(
    world:str='worlds/full',    # full-shape world folder (generated on first use)
    blocks:str='1,2,4',         # comma-separated block counts, one child process each
    child:int=None,             # (internal) run one child over this many blocks
    variant:str='default',      # (internal) the child's variant
    variants:str='default,num2', # comma-separated, of: default, num2, fast, fast_norelease
    profile:str='full',         # world profile (`tiny`: a quick check of the script)
    block_size:int=None,        # rows per block of a new world (default: the profile's)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "Peak memory of one-epoch `train_model` runs over more and more blocks, each in a fresh process."
    if child: return run_child(child, variant, world, profile, block_size)
    peaks = {}
    for variant in variants.split(','):
        res = []
        for k in map(int, blocks.split(',')):
            cmd = [sys.executable, '-m', 'bench.peak_rss', '--world', world, '--child', str(k), '--variant', variant,
                   '--profile', profile, *(['--block-size', str(block_size)] if block_size else [])]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            res.append(json.loads(out.strip().splitlines()[-1]))
        sfx = '' if variant == 'default' else f'_{variant}'
        peaks[variant] = res
        for key, name in [('ru_maxrss_mb', 'peak_rss_mb'), ('peak_anon_mb', 'peak_anon_mb'), ('peak_file_mb', 'peak_file_mb'), ('uss_end_mb', 'uss_end_mb')]:
            vals = [r[key] for r in res]
            print(f"{name}{sfx}: " + ' '.join(f'{v:.0f}' for v in vals) + f"   (blocks {blocks}; max/min {max(vals) / min(vals):.2f})")
        print(f"train_secs{sfx}: " + ' '.join(f"{r['secs']:.0f}" for r in res))
    if record: write_record('peak_rss', **rss_text(peaks, blocks, res[0]['rows'] // int(blocks.split(',')[0]), profile),
                            results=results, args=changed(main, world=world, blocks=blocks, variants=variants,
                                                          profile=profile, block_size=block_size))
