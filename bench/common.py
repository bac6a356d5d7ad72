"""Shared pieces of the benchmarks: the full-shape world, the split, a callback timing the phases of a fit, and the
records (`--record`) that the README's Performance table is rendered from (`tools/make_readme.py`)."""
import datetime, os, platform, sys, time
from pathlib import Path
from tagger_embedding_aligner.cli import import_fastai
import_fastai()  # fastai.layers without its deprecated import-time torch.jit.script calls (and their warning)
from fastai.callback.core import Callback
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split

from tagger_embedding_aligner.files import write_json

RESULTS = Path(__file__).resolve().parent / 'results'

def full_world(root='worlds/full', blocks=4, profile='full', block_size=None):
    "Full-shape synthetic world (1024 x 10861, blocks of 20k rows); generated on first use (~1 min/block, ~0.95 GB/block)."
    return make_world(root, profile=profile, blocks=blocks, samples=(), block_size=block_size)

def split(world, n_blocks, test_ratio=0.05, seed=0):
    ds = EmbeddingDataset([world.block_file(i) for i in range(n_blocks)])
    return ds, *dataset_split(ds, [1 - test_ratio, test_ratio], seed=seed)

class TrainTimer(Callback):
    "Wall time of the training and validation phases of a fit, training samples, and the end of the fit."
    order = 100
    def __init__(self): self.secs, self.valid_secs, self.samples, self.epoch_end = 0., 0., 0, []
    def before_train(self): self.t = time.perf_counter()
    def after_batch(self):
        if self.training: self.samples += len(self.xb[0])
    def after_train(self): self.secs += time.perf_counter() - self.t; self.epoch_end.append(self.secs)
    def before_validate(self): self.tv = time.perf_counter()
    def after_validate(self): self.valid_secs += time.perf_counter() - self.tv
    def after_fit(self): self.fit_end = time.perf_counter()

def valid_metrics(recorder)->dict:
    "The last epoch's validation metrics by bare name (fastai names them `valid_x` with train metrics, `x` without)."
    d = dict(zip(recorder.metric_names[1:-1], recorder.values[-1]))
    return {k[6:] if k.startswith('valid_') else k: v for k, v in d.items() if not k.startswith('train_')}


def machine()->dict:
    "What the figures were measured on: CPU model, cores (and those this process may use), GPU name, torch version."
    import torch
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), None) \
        if os.path.exists('/proc/cpuinfo') else None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return dict(cpu=cpu or platform.processor() or platform.machine(), cores=os.cpu_count(), usable_cores=usable,
                gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else None, torch=torch.__version__)

def write_record(
    script:str,         # the bench module's name, e.g. `throughput`: the record is `<results>/<script>.json`
    what:str,           # the Performance table's first column (markdown)
    figure:str,         # its second column: the headline figures, as text (markdown)
    figures:dict,       # the same figures as numbers (JSON-able), for anyone who reads the record
    args:dict,          # the run's options that differ from the defaults (`changed`): the command column
    results:str|Path=RESULTS, # folder of the records
)->Path:                # the record's path
    "Write a benchmark's headline figures as a JSON record (atomically), with the command, date and machine."
    shown = ' '.join(f"--{k.replace('_', '-')} {v}" if not isinstance(v, bool) else f"--{k.replace('_', '-')}"
                     for k, v in args.items() if v not in (None, False))
    rec = dict(script=script, what=what, figure=figure, command=f"`bench/{script}.py{' ' + shown if shown else ''}`",
               figures=figures, argv=[f'bench/{script}.py', *sys.argv[1:]], args=args,
               date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
               machine=machine(), source='measured')
    path = Path(results) / f'{script}.json'
    write_json(path, rec)
    print(f"record: {path}")
    return path

def changed(fn, **args)->dict:
    "The options in `args` whose values differ from `fn`'s defaults: what its command line had to say."
    import inspect
    params = inspect.signature(fn).parameters
    return {k: v for k, v in args.items() if k not in params or v != params[k].default}

def proc_status(keys=('VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'RssShmem'))->dict:
    "Memory figures of this process from /proc/self/status, in MB (Linux; empty elsewhere)."
    d = {}
    try:
        for line in open('/proc/self/status'):
            k, _, v = line.partition(':')
            if k in keys: d[k] = int(v.split()[0]) / 1024
    except OSError: pass
    return d

def peak_rss_mb()->float:
    ("This process's peak RSS in MB: `VmHWM` of /proc/self/status. Not `ru_maxrss`, which Linux keeps across `execve`: "
     "a child started from a large parent reports the parent's RSS (1.7 GB for a 0.9 GB probe).")
    hwm = proc_status(('VmHWM',)).get('VmHWM')
    if hwm is not None: return hwm
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def probe_default(name:str):
    "A default of `probe_structure` (`quad_rows`, `check_rows`): the benchmarks' counts follow the probe's own."
    import inspect
    from tagger_embedding_aligner.probe import probe_structure
    return inspect.signature(probe_structure).parameters[name].default

def probe_gram_flop(width:int, rows_fit:int, rows_held_out:int)->float:
    ("FLOPs of `probe_structure`'s float64 Gram updates (BLAS `dsyrk`, `k(k+1)` a row) with its defaults: up to "
     "`quad_rows` rows in all, every row (held-out too) carries the quadratic features (`k = 2C + 1`); above, every "
     "row the linear ones (`k = C + 1`) and a `quad_rows / rows` share of the fitted rows the quadratic ones too.")
    n, q = rows_fit + rows_held_out, probe_default('quad_rows')
    lin, quad = (width + 1) * (width + 2), (2 * width + 1) * (2 * width + 2)
    return n * quad if q is None or n <= q else n * lin + rows_fit * q / n * quad
