"""Issue 16 benchmark: `tag_file` (the `tea-tag` command) on the full-shape synthetic world (width 1024, 10,861 tags).

Builds (or reuses) a full-shape world of `--family` (one block of 8,000 rows and samples_2000), fits what `--model`
gives on the block and exports it, writes a `.npy` of N raw embeddings (the samples' rows, repeated and scaled), and
tags it in chunks to JSON lines. The default is what users of a WD tagger get: `auto` on a LayerNorm ending
(`token_ln`: the probe finds the plane and `robust` is fitted, whose forward is a float64 posterior over its grid);
`--family features --model num2` is the earlier row (one epoch of `num2`, a throwaway aligner: the speed does not
depend on its quality). Prints rows/s, tags per row and the growth of the peak RSS while tagging (Linux: writing 5 to
/proc/self/clear_refs restarts the peak from the current RSS).

    .venv/bin/python -m bench.tag_throughput --world worlds/bench_tag --rows 60000 --record
    .venv/bin/python -m bench.tag_throughput --world worlds/bench_tag --rows 60000 --family features --model num2
    .venv/bin/python -m bench.tag_throughput --world /tmp/tiny_tag --profile tiny --rows 3000   # a quick check
"""
import time
from pathlib import Path
import numpy as np
from fastcore.script import call_parse
from bench.common import RESULTS, write_record, changed, proc_status
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.split import dataset_split
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.export import export_to_directory
from tagger_embedding_aligner.tag import tag_file, load_aligner

def mb(key):
    "A `/proc/self/status` figure in MB."
    return proc_status((key,))[key]

def reset_peak():
    "Restart the peak RSS from the current RSS; the current RSS in MB."
    with open('/proc/self/clear_refs', 'w') as f: f.write('5')
    return mb('VmRSS')

def aligner_export(root:Path, profile:str='full', family:str='token_ln', model:str='auto')->tuple:
    "`(world, export folder)`: a `family` world and a `model` export fitted on its block (made once each)."
    world = make_world(root / family / 'hub', profile=profile, family=family, samples=(2000,), blocks=1,
                       block_size=8000)
    export = root / family / f'export_{model}'
    if not export.exists():
        tr, te = dataset_split(EmbeddingDataset([world.block_file(0)]), [0.8, 0.2], seed=0)
        run = root / family / f'run_{model}'
        train_model(tr, te, 'SwinV2_v3', model, workdir=run, max_epochs=1, quiet=True)
        export_to_directory(run, export, name=f'SwinV2_v3_m{model}_bench')
    return world, export

@call_parse
def main(
    world:str='worlds/bench_tag',  # folder of the world, the throwaway aligner and the files tagged
    rows:int=50000,                # rows of the file tagged
    bs:int=1024,                   # rows a chunk
    profile:str='full',            # world profile (`tiny`: a quick check of the script)
    family:str='token_ln',         # world family (`token_ln`: a WD tagger's ending (a))
    model:str='auto',              # converter (`auto`: what `tea-train` fits by default; on `token_ln`, `robust`)
    record:bool=False,             # write the headline figures to `<results>/<script>.json` (the README's table)
    results:str=str(RESULTS),      # folder of the records
):
    "Tag a `.npy` of `rows` raw embeddings with `tag_file` (JSON lines): speed, tags a row, growth of the peak RSS."
    root = Path(world)
    world, export = aligner_export(root, profile, family, model)
    al = load_aligner(export, hub_kwargs=world.hub_kwargs)
    conv = al.options.get('model_name') or type(al.model.converter).__name__  # the registered name
    e = EmbeddingDataset([world.samples_file(2000)]).embeddings(np.arange(2000))
    emb = np.lib.format.open_memmap(root / 'embs.npy', mode='w+', dtype=np.float32, shape=(rows, e.shape[1]))
    for i in range(0, rows, 2000): emb[i:i + 2000] = e[:min(2000, rows - i)] * np.float32(1 + (i // 2000) % 5)
    emb.flush()
    del emb
    np.save(root / 'warm.npy', e[:3 * bs])
    tag_file(root / 'warm.npy', al, root / 'warm.jsonl', batch_size=bs, progress=False, overwrite=True)  # first calls
    base, cpu = reset_peak(), time.process_time()
    rep = tag_file(root / 'embs.npy', al, root / 'tags.jsonl', batch_size=bs, progress=False, overwrite=True)
    growth, cpu = mb('VmHWM') - base, time.process_time() - cpu
    size = (root / 'embs.npy').stat().st_size / 2**20
    with open(root / 'tags.jsonl') as f: n_tags = sum(line.count('": ') - 3 for line in f)  # minus the 3 category keys
    print(f"rows: {rep['rows']} (width {al.width}, {len(al.labels)} tags), file {size:.0f} MB, batch {bs}; "
          f"{family} world, {model} -> {conv}")
    print(f"tag_s: {rep['seconds']:.1f} wall, {cpu:.1f} CPU, all threads ({rep['rows'] / rep['seconds']:.0f} rows/s; "
          "row check and writing included)")
    print(f"tags_per_row: {n_tags / rep['rows']:.1f} (4 ratings + general and character above 0.35 / 0.85)")
    print(f"peak_rss_growth_mb: {growth:.1f} (RSS before: {base:.0f} MB)")

    if not record: return
    shape = '' if profile == 'full' else f" ({profile} world: width {al.width}, {len(al.labels)} tags)"
    write_record('tag_throughput',
        what=f"`tea-tag` on {rep['rows']:,} rows ({size:.0f} MB `.npy`), chunks of {bs}, JSON lines out; `{model}` "
             f"(-> `{conv}`) on the `{family}` world{shape}",
        figure=f"{cpu:.1f} s of CPU time (about {rep['rows'] / cpu:,.0f} rows/s; {rep['seconds']:.0f} s wall), "
               f"{n_tags / rep['rows']:.1f} tags a row; peak RSS +{growth:.0f} MB",
        figures=dict(rows=rep['rows'], file_mb=size, cpu_s=cpu, wall_s=rep['seconds'], bs=bs, converter=conv,
                     tags_per_row=n_tags / rep['rows'], peak_rss_growth_mb=growth),
        args=changed(main, world=str(root), rows=rows, bs=bs, profile=profile, family=family, model=model),
        results=results)
