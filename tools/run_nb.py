"""Run a story notebook and keep its outputs (the tables and plots the prose refers to), with a record of what ran.

    .venv/bin/python tools/run_nb.py nbs/05a_train_walkthrough.ipynb [nbs/11_explorer.ipynb ...]  # run, keep, record
    .venv/bin/python tools/run_nb.py --check [NOTEBOOK ...]  # which recorded notebooks are stale (exit 1 if any)

Cells run as `nbdev-test` runs them (`notest` and `slow` cells skipped, in the notebook's folder, `IN_TEST` set); stderr
streams (warnings naming local paths) are dropped and terminal control codes taken out of the rest, then `nbdev-clean`
tidies the metadata. Outputs are kept by
nbdev-clean (`clear_all` is off in `[tool.nbdev]`), so the docs site and GitHub show them; `nbdev-test` ignores them.

Each run records, in `nbs/story_hashes.json`, one line per code cell of the notebook: its id, a hash of its source and
how many outputs it keeps. `tests/test_story.py` (no execution) fails when a recorded notebook's code cells no longer
match: a cell edited, added, removed or moved, or its outputs cleared, after the outputs were recorded. The fix is to
rerun this command on that notebook and commit the notebook together with `nbs/story_hashes.json`. Only the notebook's
own cells are tracked: a change in the library that changes a stored number is not detected.
"""
import hashlib, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORY_HASHES = 'nbs/story_hashes.json'  # relative to the repository
RERUN = '.venv/bin/python tools/run_nb.py'

def cell_records(fn:Path)->list:
    "`'<cell id> <source hash> <outputs>'` for each code cell of notebook `fn`, in order."
    cells = json.loads(Path(fn).read_text())['cells']
    h = lambda c: hashlib.sha256(''.join(c['source']).encode()).hexdigest()[:16]
    return [f"{c.get('id', '?')} {h(c)} {len(c.get('outputs', []))}" for c in cells if c['cell_type'] == 'code']

def _cell_names(fn:Path)->dict:
    "Cell id -> `'code cell <n> (\"<first line>\")'` for messages."
    code = [c for c in json.loads(Path(fn).read_text())['cells'] if c['cell_type'] == 'code']
    first = lambda c: next((l.strip() for l in ''.join(c['source']).splitlines() if l.strip()), '')[:60]
    return {c.get('id', '?'): f'code cell {i} ("{first(c)}")' for i, c in enumerate(code, 1)}

def stale_cells(fn:Path, recorded:list)->list:
    "What changed in notebook `fn` since `recorded` (its `cell_records` at the last run), as sentences; [] if nothing."
    now, names = cell_records(fn), _cell_names(fn)
    old = {r.split()[0]: r.split()[1:] for r in recorded}
    out = []
    for r in now:
        cid, h, n = r.split()
        if cid not in old: out.append(f"{names[cid]} (id {cid}) is new: it has no recorded output")
        elif old[cid][0] != h: out.append(f"{names[cid]} (id {cid}) changed after its outputs were recorded")
        elif int(n) < int(old[cid][1]): out.append(f"{names[cid]} (id {cid}) lost its outputs ({old[cid][1]} -> {n})")
    gone = [cid for cid in old if cid not in {r.split()[0] for r in now}]
    out += [f"the code cell with id {cid} was removed after the outputs were recorded" for cid in gone]
    if not out and [r.split()[0] for r in now] != [r.split()[0] for r in recorded]:
        out.append("its code cells were reordered after the outputs were recorded")
    return out

def _load(root:Path=ROOT)->dict:
    p = root / STORY_HASHES
    return json.loads(p.read_text()) if p.exists() else {}

def record(fn:Path, root:Path=ROOT):
    "Write `fn`'s `cell_records` into `nbs/story_hashes.json`."
    rec = _load(root)
    rec[Path(fn).name] = cell_records(fn)
    (root / STORY_HASHES).write_text(json.dumps(dict(sorted(rec.items())), indent=1) + '\n')

def check(names:list|None=None, root:Path=ROOT)->list:
    "Messages for every recorded notebook (or those in `names`) whose cells changed since its outputs were recorded."
    rec = _load(root)
    out = []
    for name in names or sorted(rec):
        name = Path(name).name
        if name not in rec:
            out.append(f"nbs/{name}: no recorded run; run `{RERUN} nbs/{name}`")
            continue
        msgs = stale_cells(root / 'nbs' / name, rec[name])
        out += [f"nbs/{name}: {m}; rerun `{RERUN} nbs/{name}` and commit it with {STORY_HASHES}" for m in msgs]
    return out

def tidy_outputs(fn:Path):
    "Drop the stderr streams of notebook `fn` and the terminal control codes (`ESC[2K`, colours) in its other streams."
    nb = json.loads(fn.read_text())
    ansi = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        c['outputs'] = [o for o in c.get('outputs', []) if not (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
        for o in c['outputs']:
            if o.get('output_type') == 'stream': o['text'] = [ansi.sub('', t) for t in o['text']]
    fn.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

def run(fn:Path):
    "Execute `fn` in place, keep its outputs, record its cells; raise if a cell fails."
    import nbdev.test as nbt
    ok, secs = nbt.test_nb(fn.resolve(), skip_flags=['notest', 'slow'], save=True)
    if not ok: raise SystemExit(f'{fn}: a cell failed; outputs not saved')
    tidy_outputs(fn)
    subprocess.run([str(Path(sys.executable).parent / 'nbdev-clean'), '--fname', str(fn)], check=True)
    record(fn)
    print(f'{fn}: {secs:.0f}s; outputs kept, cells recorded in {STORY_HASHES}')

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if '--check' in sys.argv:
        msgs = check(args)
        print('\n'.join(msgs) or 'every recorded story notebook is current')
        sys.exit(1 if msgs else 0)
    for f in args: run(Path(f))
