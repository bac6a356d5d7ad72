"""Issue 30 item 5: the structure probe's pass over several processes. The probe that `auto` runs
(`probe_structure_distributed`, what `train_distributed`/`tea-train-ddp` use: each rank streams its share of the chunks,
the float64 sums are all-reduced, the held-out errors gathered) timed on 1 process and on N (`torchrun`, gloo on the CPU
or NCCL with one GPU per process), each in a fresh launch, the rows read from the page cache (read once beforehand).
Every configuration uses the machine's usable cores: `cores // N` threads per process (OMP/OpenBLAS), plus one
process on one thread for the per-core scaling. N processes must give the one-process probe: the same recommendation
and row counts, the mean and covariance to 1e-9 relative, the same plane; the record holds both and the speed-up.

    .venv/bin/python -m bench.distributed --record                         # 1 vs 2 CPU processes (this 2-core CPU)
    .venv/bin/python -m bench.distributed --world /tmp/dw --profile tiny --repeats 1 --chunk 300   # a quick check
    .venv/bin/python -m bench.distributed --procs 1,2,4,8 --device cuda    # one GPU per process (NCCL): not run yet

The machine's load (other jobs) is sampled before and after each launch and stated in the record.
"""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed

WORLD = '/work/worlds/token_ln_full'   # full-shape world of ending (a) (2 x 16,000 rows, width 1024), hf layout

def _block_files(world:str, profile:str, family:str, blocks:int)->list:
    "The world's training blocks (the world is generated when missing)."
    from tagger_embedding_aligner.synthetic import make_world
    return [str(f) for f in make_world(world, profile=profile, family=family, blocks=blocks, samples=()).block_files()]

def child(out:str, files:list, chunk:int):
    "One rank of a launch: the distributed probe over `files`; rank 0 writes its seconds and findings to `out`."
    import torch.distributed as dist
    from tagger_embedding_aligner.dataset import EmbeddingDataset
    from tagger_embedding_aligner.scale import probe_structure_distributed, _init_process_group
    rank, ws, _ = _init_process_group()
    ds = EmbeddingDataset(files)
    dist.barrier()
    t, phases = time.perf_counter(), {}
    p = probe_structure_distributed(ds, chunk=chunk, phases=phases)
    dist.barrier()
    secs = time.perf_counter() - t
    if rank == 0:
        np.savez(out, mean=p.stats.mean, cov=p.stats.cov, a=p.plane.a)
        Path(out).with_suffix('.json').write_text(json.dumps(dict(
            seconds=secs, phases=phases, world_size=ws, rows=len(ds), n_fit=p.n_fit, n_held_out=p.n_held_out,
            recommendation=p.recommendation, summary=p.summary())))
    dist.destroy_process_group()

def launch(n:int, threads:int, files:list, chunk:int, device:str, out:str)->dict:
    "One `torchrun` launch of `n` processes with `threads` each; rank 0's result, the load around it."
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent), os.environ.get('PYTHONPATH', '')]))
    if device == 'cpu': env['CUDA_VISIBLE_DEVICES'] = ''
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(n), '--master_addr', '127.0.0.1',
           '--master_port', str(_free_port()), '-m', 'bench.distributed', '--child', out, '--chunk', str(chunk),
           '--files', ','.join(files)]
    load0 = os.getloadavg()[0]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode: sys.exit(f"launch of {n} processes failed:\n{r.stderr[-3000:]}")
    res = json.loads(Path(out).with_suffix('.json').read_text())
    with np.load(out, allow_pickle=False) as z: res['arrays'] = {k: z[k] for k in z.files}
    return dict(res, procs=n, threads=threads, load_before=load0, load_after=os.getloadavg()[0])

def _free_port()->int:
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def agreement(a:dict, b:dict)->dict:
    "How far launch `a`'s probe is from `b`'s: relative max differences of mean and cov, plane alignment, same choice."
    x, y = a['arrays'], b['arrays']
    rel = lambda k: float(np.abs(x[k] - y[k]).max() / np.abs(y[k]).max())
    return dict(mean_rel=rel('mean'), cov_rel=rel('cov'), plane_cos=float(np.abs((x['a'] * y['a']).sum(1)).min()),
                same=(a['recommendation'], a['n_fit'], a['n_held_out']) == (b['recommendation'], b['n_fit'], b['n_held_out']))

def _warm(files:list)->float:
    "Read the blocks' `embs` once (into the page cache); MB read."
    from tagger_embedding_aligner.dataset import open_npz_member
    mb = 0.
    for f in files:
        e = open_npz_member(f, 'embs')
        for i in range(0, len(e), 8192): mb += np.asarray(e[i:i + 8192]).nbytes / 2**20
    return mb

@call_parse
def main(
    world:str=WORLD,          # world folder (generated when missing)
    profile:str='full',       # the world's profile (`tiny` for a quick check)
    family:str='token_ln',    # the world's family
    blocks:int=2,             # training blocks probed
    procs:str='1,2',          # process counts, comma-separated (the first is the reference)
    repeats:int=3,            # launches per configuration, interleaved (the best is kept)
    chunk:int=4096,           # rows per streamed chunk (the unit the ranks share)
    device:str='cpu',         # `cpu` (gloo) or `cuda` (NCCL, one GPU per process)
    record:bool=False,        # write the headline figures to `<results>/distributed.json`
    results:str=str(RESULTS), # folder of the records
    child:str=None,           # (internal) run one rank, writing rank 0's result here
    files:str=None,           # (internal) the child's block files, comma-separated
):
    "The distributed probe's wall time on 1 and N processes, the speed-up, and the check that N give 1's probe."
    if child: return globals()['child'](child, files.split(','), chunk)
    fs = _block_files(world, profile, family, blocks)
    cores = len(os.sched_getaffinity(0))
    print(f"{len(fs)} blocks of {world}; page cache warmed ({_warm(fs):.0f} MB of embs); {cores} usable cores")
    counts = [int(k) for k in procs.split(',')]
    configs = [(n, max(1, cores // n)) for n in counts] + ([(1, 1)] if cores > 1 and 1 in counts else [])
    runs = {}
    with tempfile.TemporaryDirectory() as d:
        for k in range(repeats):        # the configurations interleaved: a change of the machine's load hits each
            for n, th in configs:
                r = launch(n, th, fs, chunk, device, f'{d}/p{n}_{th}_{k}.npz')
                ph = ', '.join(f"{k} {v:.1f}s" for k, v in r['phases'].items())
                print(f"{n} process(es) x {th} thread(s): probe {r['seconds']:.1f}s ({r['rows'] / r['seconds']:,.0f} rows/s;"
                      f" rank 0: {ph}; load {r['load_before']:.1f} -> {r['load_after']:.1f})", flush=True)
                if (n, th) not in runs or r['seconds'] < runs[(n, th)]['seconds']: runs[(n, th)] = r
    ref = runs[configs[0]]
    best1 = min((r for (n, _), r in runs.items() if n == 1), key=lambda r: r['seconds'], default=ref)  # the fastest 1-process
    print(ref['summary'])
    out = []
    for (n, th), r in runs.items():
        agree = agreement(r, ref)
        out.append(dict({k: v for k, v in r.items() if k != 'arrays'}, speedup=best1['seconds'] / r['seconds'], **agree))
        print(f"{n} x {th}: {r['seconds']:.1f}s, speed-up {best1['seconds'] / r['seconds']:.2f}x over the fastest "
              f"1-process run ({best1['threads']} thread(s)); vs {configs[0][0]} x {configs[0][1]}: mean "
              f"{agree['mean_rel']:.1e}, cov {agree['cov_rel']:.1e} relative, plane |cos| {agree['plane_cos']:.12f}, same "
              f"choice and rows {agree['same']}")
        if not (agree['same'] and agree['mean_rel'] < 1e-9 and agree['cov_rel'] < 1e-9 and agree['plane_cos'] > 1 - 1e-9):
            sys.exit(f"{n} processes did not give the one-process probe: {agree}")
    load = os.getloadavg()
    print(f"load: {load}")
    if not record: return
    top = out[len(counts) - 1]
    loads = [o['load_before'] for o in out] + [o['load_after'] for o in out]
    ones = ', '.join(f"{o['seconds']:.1f} s on 1 x {o['threads']}" for o in out if o['procs'] == 1)
    ph = lambda o: ' + '.join(f"{v:.1f}" for v in o['phases'].values())
    write_record('distributed',
        what=f"the structure probe over {top['procs']} processes (torchrun, {'gloo' if device == 'cpu' else 'NCCL'}; "
             f"`probe_structure_distributed`, what `auto` runs under `tea-train-ddp`) vs 1, {top['rows']:,} rows of a "
             f"{profile}-profile {family} world",
        figure=f"**{top['speedup']:.2f}x** over the fastest 1-process run: {top['seconds']:.1f} s on {top['procs']} "
               f"processes x {top['threads']} thread(s) (sums + fit + held-out {ph(top)} s) vs {ones}; the same probe "
               f"(mean, cov within {max(o['cov_rel'] for o in out):.0e} relative); load {min(loads):.1f}-{max(loads):.1f}"
               f" on {cores} cores during the runs (other jobs: the cores were already busy)",
        figures=dict(runs=out, cores=cores, load_avg=load, world=world, blocks=blocks, device=device),
        args=changed(main, world=world, profile=profile, family=family, blocks=blocks, procs=procs, repeats=repeats,
                     chunk=chunk, device=device), results=results)
