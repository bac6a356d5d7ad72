"""Execute notebooks and keep their outputs (the tables and plots the prose refers to) in the committed files.

Cells run as `nbdev-test` runs them (`notest` and `slow` cells skipped, in the notebook's folder); stderr streams
(warnings naming local paths) are dropped, then `nbdev-clean` tidies the metadata. Outputs are kept by nbdev-clean
(`clear_all` is off in `[tool.nbdev]`), so the docs site and GitHub show them.

    .venv/bin/python tools/run_nb.py nbs/04a_evaluation.ipynb nbs/05a_train_walkthrough.ipynb
"""
import json, subprocess, sys
from pathlib import Path
import nbdev.test as nbt

def run(fn:Path):
    "Execute `fn` in place; raise if a cell fails."
    ok, secs = nbt.test_nb(fn.resolve(), skip_flags=['notest', 'slow'], save=True)
    if not ok: raise SystemExit(f'{fn}: a cell failed; outputs not saved')
    nb = json.loads(fn.read_text())
    for c in nb['cells']:
        if c['cell_type'] == 'code':
            c['outputs'] = [o for o in c.get('outputs', []) if not (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
    fn.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    subprocess.run([str(Path(sys.executable).parent / 'nbdev-clean'), '--fname', str(fn)], check=True)
    print(f'{fn}: {secs:.0f}s')

if __name__ == '__main__':
    for f in sys.argv[1:]: run(Path(f))
