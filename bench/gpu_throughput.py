"""Issue 7: GPU training throughput of a converter (default `lowrank`) through `train_model` as a GPU user runs it:
recomputed targets, the training rows resident on the device (`ResidentDL`), bf16 autocast (`precision='auto'`;
losses and metrics in float32).

Two objectives: the default `curvature` (its terms computed once, in float32, on the device; then steps that never
touch the head) and the exact `fast` one (`u @ W` every step). `gpu_samples_per_s` is the curvature run's training
epochs alone; `gpu_samples_per_s_with_pass` counts everything from the call to the end of the fit except validation
(set-up, copying the rows to the device, the curvature pass). Exits 0 printing `gpu_samples_per_s: unavailable
(no CUDA)` where there is no GPU; `--cpu-dry-run` runs the same code on the CPU in float32 (checks the script only).

    .venv/bin/python -m bench.gpu_throughput [--blocks 4 --bs 4096 --epochs 10] --record
    .venv/bin/python -m bench.gpu_throughput --cpu-dry-run --world /tmp/tiny --profile tiny --blocks 1 --bs 256 \\
        --epochs 1

`--record` without a GPU writes nothing (the README keeps its row); with `--cpu-dry-run` it writes a dry-run record,
to check the record path (point `--results` elsewhere).
"""
import tempfile, time
import torch
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed

@call_parse
def main(
    world:str='worlds/full',    # full-shape world folder (generated on first use)
    bs:int=4096,                # batch size
    epochs:int=10,              # epochs
    blocks:int=4,               # blocks of the world
    model:str='lowrank',        # converter (the `train_model` default; `num2` for the seed's)
    cpu_dry_run:bool=False,     # run the same code on CPU in float32 (checks the script, not a figure)
    profile:str='full',         # world profile (`tiny`: a quick check of the script)
    block_size:int=None,        # rows per block of a new world (default: the profile's)
    record:bool=False,          # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),   # folder of the records
):
    "GPU training throughput of `train_model` (resident rows, bf16), curvature and fast objectives."
    if not torch.cuda.is_available() and not cpu_dry_run:
        print("gpu_samples_per_s: unavailable (no CUDA)" + ('; no record written' if record else ''))
        return
    from bench.common import full_world, split, TrainTimer
    from tagger_embedding_aligner.train import train_model
    dev = 'cpu' if cpu_dry_run else 'cuda'
    w = full_world(world, blocks=blocks, profile=profile, block_size=block_size)
    ds, tr, te = split(w, blocks)
    rates = {}
    for objective in ('curvature', 'fast'):
        timer = TrainTimer()
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            train_model(tr, te, 'SwinV2_v3', model, workdir=d, batch_size=bs, max_epochs=epochs, objective=objective,
                        device=dev, resident=True, quiet=True, cbs=[timer])
        rates[objective] = (timer.samples / timer.secs, timer.samples / (timer.fit_end - t0 - timer.valid_secs))
    kind = 'cpu_dry_run' if cpu_dry_run else 'gpu'
    print(f"device: {'cpu (dry run, float32)' if cpu_dry_run else torch.cuda.get_device_name()}")
    print(f"model: {model}  train_rows: {len(tr)}  batch: {bs}  epochs: {epochs}")
    print(f"{kind}_samples_per_s_fast_objective: {rates['fast'][0]:.0f} ({rates['fast'][1]:.0f} with set-up)")
    print(f"{kind}_samples_per_s_with_pass: {rates['curvature'][1]:.0f}")
    print(f"{kind}_samples_per_s: {rates['curvature'][0]:.0f}")
    if not record: return
    dev_name = 'CPU dry run, float32' if cpu_dry_run else torch.cuda.get_device_name()
    shape = '' if profile == 'full' else f", {profile} world"
    (c, c_all), (f, _) = rates['curvature'], rates['fast']
    write_record('gpu_throughput',
        what=f"GPU, bf16 ({dev_name}; {len(tr):,} rows resident, batch {bs}, {epochs} epochs{shape})",
        figure=f"{c:,.0f} samples/s (training epochs; {c_all:,.0f} with set-up and the curvature pass; "
               f"the exact `fast` objective {f:,.0f})",
        figures=dict(device=dev_name, train_rows=len(tr), bs=bs, epochs=epochs, samples_per_s=c,
                     samples_per_s_with_pass=c_all, fast_samples_per_s=f),
        args=changed(main, world=world, bs=bs, epochs=epochs, blocks=blocks, cpu_dry_run=cpu_dry_run, profile=profile,
                     block_size=block_size), results=results)
