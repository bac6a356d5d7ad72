"""Story notebooks keep the outputs of a recorded run (`tools/run_nb.py`, which writes `nbs/story_hashes.json`); check,
without running anything, that none of their code cells changed after those outputs were recorded."""
import json, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from run_nb import STORY_HASHES, check, stale_cells, cell_records, record

RECORDED = sorted(json.loads((ROOT / STORY_HASHES).read_text()))

@pytest.mark.parametrize('name', RECORDED)
def test_story_outputs_current(name):
    stale = check([name])
    assert not stale, 'outputs older than the code beside them:\n' + '\n'.join(stale)

def test_stale_cells_named(tmp_path):
    "An edited, added or removed cell, or cleared outputs, is reported with the cell and what happened."
    code = lambda i, s, outs=(): dict(cell_type='code', id=i, metadata={}, execution_count=None, source=[s],
                                      outputs=list(outs))
    out = dict(output_type='stream', name='stdout', text=['1\n'])
    nb = dict(cells=[code('a', 'x = 1'), code('b', 'print(x)', [out])], metadata={}, nbformat=4, nbformat_minor=5)
    fn = tmp_path / 'nbs' / 'story.ipynb'
    fn.parent.mkdir()
    save = lambda: fn.write_text(json.dumps(nb))
    save()
    rec = cell_records(fn)
    assert stale_cells(fn, rec) == []
    nb['cells'][0]['source'] = ['x = 2']; save()
    assert stale_cells(fn, rec) == ['code cell 1 ("x = 2") (id a) changed after its outputs were recorded']
    nb['cells'][0]['source'] = ['x = 1']; nb['cells'][1]['outputs'] = []; save()
    assert stale_cells(fn, rec) == ['code cell 2 ("print(x)") (id b) lost its outputs (1 -> 0)']
    nb['cells'] = [code('a', 'x = 1'), code('c', 'y = 3')]; save()
    assert stale_cells(fn, rec) == ['code cell 2 ("y = 3") (id c) is new: it has no recorded output',
                                    'the code cell with id b was removed after the outputs were recorded']
    record(fn, root=tmp_path)
    assert check(root=tmp_path) == []
    nb['cells'][1]['source'] = ['y = 4']; save()
    assert check(root=tmp_path) == ['nbs/story.ipynb: code cell 2 ("y = 4") (id c) changed after its outputs were '
                                    'recorded; rerun `.venv/bin/python tools/run_nb.py nbs/story.ipynb` and commit '
                                    'it with nbs/story_hashes.json']
