"""Run every notebook in `nbs/` as one pytest test, with nbdev's own `test_nb`.

Cells flagged with a `tst_flags` flag from pyproject's `[tool.nbdev]` (`notest slow`) are skipped; set
`TEA_TEST_FLAGS` to run some of them anyway, e.g. `TEA_TEST_FLAGS=slow .venv/bin/python -m pytest -n 2`.
A notebook is left out if its name starts with `_` or `.`, if it sits in a folder holding a `.notest` file
(as `nbdev-test` does), or if it is `index.ipynb` with no code to run.
"""
import io, os, sys
from pathlib import Path

import pytest
from nbdev.config import get_config
import nbdev.test as nbt  # not `from nbdev.test import test_nb`: pytest would collect it as a test

CFG = get_config(Path(__file__).resolve().parent)
ROOT, NBS = CFG.config_path, CFG.nbs_path
SKIP_FLAGS = CFG.tst_flags.split() if isinstance(CFG.tst_flags, str) else list(CFG.tst_flags or [])
FORCE_FLAGS = os.environ.get('TEA_TEST_FLAGS', '').split()

def _hidden(p): return any(part[0] in '_.' for part in p.relative_to(NBS).parts)

def notebooks():
    "Notebooks under `nbs/` to test, in name order"
    fns = [p for p in sorted(NBS.rglob('*.ipynb')) if not _hidden(p) and not (p.parent/'.notest').exists()]
    return [p for p in fns if p.name != 'index.ipynb' or nbt.nb_test_cells(p, SKIP_FLAGS, FORCE_FLAGS)]

@pytest.mark.parametrize('fn', notebooks(), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(fn):
    "Execute `fn` like `nbdev-test` does; on failure, report nbdev's traceback as the failure message"
    err, prev = io.StringIO(), sys.__stderr__
    sys.__stderr__ = err  # `test_nb` writes its traceback to `sys.__stderr__`, which pytest would not show with -n
    try: ok, _ = nbt.test_nb(fn, skip_flags=SKIP_FLAGS, force_flags=FORCE_FLAGS, basepath=ROOT,
                             cell_timeout=CFG.cell_timeout or None)
    finally: sys.__stderr__ = prev
    if not ok: pytest.fail(f'{fn.name} failed:\n{err.getvalue()}', pytrace=False)
