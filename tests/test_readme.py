"README.md is generated from nbs/index.ipynb by tools/make_readme.py; these tests keep the two from drifting."
import importlib.util, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location('make_readme', ROOT/'tools'/'make_readme.py')
make_readme = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_readme)

def test_readme_matches_index():
    "The committed README.md is exactly what `tools/make_readme.py` makes from nbs/index.ipynb"
    want = make_readme.nb2md(ROOT/'nbs'/'index.ipynb')
    got = (ROOT/'README.md').read_text(encoding='utf-8')
    assert got == want, 'README.md is out of date: run `.venv/bin/python tools/make_readme.py` and commit it'

def _cell(kind, src, outputs=None):
    c = {'cell_type': kind, 'metadata': {}, 'source': src}
    if kind == 'code': c.update(execution_count=None, outputs=outputs or [])
    return c

def test_hidden_cells_and_directives(tmp_path):
    "Hidden cells vanish, exported ones show only their signature (as in nbdev docs), directives are stripped, text outputs are kept, images are not"
    cells = [_cell('markdown', '# Tiny\n> A tiny notebook'),
             _cell('code', '#| hide\nSECRET_SCAFFOLD = 1'),
             _cell('code', '#| export\ndef exported_fn(): pass'),
             _cell('markdown', 'Some *prose*.'),
             _cell('code', "print('visible output')", [{'output_type': 'stream', 'name': 'stdout', 'text': 'visible output\n'}]),
             _cell('code', '#| echo: false\n40 + 2', [{'output_type': 'execute_result', 'execution_count': 1, 'metadata': {},
                                                       'data': {'text/plain': '42'}}]),
             _cell('code', 'plot()', [{'output_type': 'display_data', 'metadata': {},
                                       'data': {'image/png': 'iVBORw0KGgo=', 'text/plain': '<Figure>'}}])]
    nb = {'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    fn = tmp_path/'tiny.ipynb'
    fn.write_text(json.dumps(nb))
    md = make_readme.nb2md(fn)
    assert md.startswith('# Tiny\n\n> A tiny notebook\n\n')
    for gone in ['SECRET_SCAFFOLD', 'def exported_fn(): pass', '#|', '40 + 2', 'iVBOR', '<Figure>']: assert gone not in md, gone
    assert "```python\nprint('visible output')\n```\n\n```\nvisible output\n```" in md
    assert '### exported_fn' in md
    assert '```\n42\n```' in md and 'Some *prose*.' in md and md.endswith('```python\nplot()\n```\n')

def test_relative_images_rebased(tmp_path):
    "A relative image link in the notebook (resolved by Quarto from the notebook's folder) points at the same file from README.md at the root"
    (tmp_path/'nbs').mkdir()
    md_src = '![plot](images/p.png) and ![web](https://example.org/w.png), ![abs](/x.png), [link](images/p.png)'
    nb = {'cells': [_cell('markdown', '# Tiny\n> A tiny notebook'), _cell('markdown', md_src)], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    fn = tmp_path/'nbs'/'index.ipynb'
    fn.write_text(json.dumps(nb))
    md = make_readme.nb2md(fn, root=tmp_path)
    assert '![plot](nbs/images/p.png) and ![web](https://example.org/w.png), ![abs](/x.png), [link](images/p.png)' in md

def test_readme_images_exist():
    "Every relative image the README shows is a committed file, found from the repo root"
    import re
    targets = re.findall(r'!\[[^\]]*\]\(([^)\s]+)', (ROOT/'README.md').read_text(encoding='utf-8'))
    local = [t for t in targets if not re.match(r'^[a-z][a-z0-9+.-]*:', t, re.I)]
    for t in local: assert (ROOT/t.lstrip('/')).is_file(), f'README.md shows {t}, which does not exist from the repo root'

def _records(d, **changes):
    "A results folder with a valid record per Performance row; `changes` replaces fields of the named scripts' records."
    d.mkdir(exist_ok=True)
    for s in make_readme.PERF_ROWS:
        rec = dict(script=s, what=f'{s} what', figure=f'**{len(s)}** x', command=f'`bench/{s}.py`', figures={'n': 1},
                   date='2026-01-02T03:04:05+00:00', machine={'cpu': 'CPU Z', 'cores': 2, 'gpu': None, 'torch': '2.9'},
                   source='transcribed from the README of commit 9c3f3ae')
        rec.update(changes.get(s, {}))
        (d/f'{s}.json').write_text(json.dumps(rec))
    return d

def _nb(path, *md):
    "A notebook at `path` with a title cell and markdown cells `md`."
    cells = [_cell('markdown', '# T\n> t')] + [_cell('markdown', m) for m in md]
    path.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    return path

def test_performance_table_from_records(tmp_path):
    "The Performance table is one row per record, in PERF_ROWS order; a measured record names its machine and date"
    gpu_box = {'cpu': 'CPU Z', 'cores': 16, 'gpu': 'H100', 'torch': '2.9'}
    d = _records(tmp_path/'results', peak_rss=dict(source='measured', machine=gpu_box))
    lines = make_readme.performance_table(d).splitlines()
    assert lines[:2] == ['| what | figure | command |', '|---|---|---|']
    assert len(lines) == 2 + len(make_readme.PERF_ROWS)
    assert lines[2] == '| dataset_load what | **12** x | `bench/dataset_load.py` |'
    assert lines[2 + make_readme.PERF_ROWS.index('peak_rss')] == ('| peak_rss what | **8** x (CPU Z, 16 cores, H100, torch 2.9; 2026-01-02) '
                        '| `bench/peak_rss.py` |')
    fn = _nb(tmp_path/'index.ipynb', 'before\n\n<!-- performance -->\nold\n<!-- /performance -->\n\nafter')
    assert make_readme.render_performance(fn, d) is False                  # was stale: rewritten
    assert make_readme.render_performance(fn, d, write=False) is True       # now up to date
    md = make_readme.nb2md(fn)
    assert 'before\n\n<!-- performance -->\n| what | figure | command |' in md
    assert '\n<!-- /performance -->\n\nafter' in md and 'old' not in md

def test_committed_table_matches_records():
    "nbs/index.ipynb's Performance block is what bench/results renders (so README.md, checked above, is too)"
    assert make_readme.render_performance(ROOT/'nbs'/'index.ipynb', write=False), \
        'the Performance table differs from bench/results: run `.venv/bin/python tools/make_readme.py`'

def test_malformed_record_fails_clearly(tmp_path):
    "A malformed record is refused with the file and what is wrong, before anything is written"
    import pytest
    def fails(d, msg):
        with pytest.raises(ValueError, match=re.escape(msg)): make_readme.performance_table(d)
    fails(_records(tmp_path/'r0', throughput=dict(figure=3)), "throughput.json: key 'figure' is int; expected str")
    fails(_records(tmp_path/'r1', peak_rss=dict(what='a | b')), "peak_rss.json: key 'what' = 'a | b'; expected one")
    fails(_records(tmp_path/'r2', tag_throughput=dict(script='x')), "tag_throughput.json: script 'x'; expected 'tag_")
    d = _records(tmp_path/'missing')
    rec = json.loads((d/'dataset_load.json').read_text())
    del rec['machine']
    (d/'dataset_load.json').write_text(json.dumps(rec))
    fails(d, "dataset_load.json: key 'machine' missing")
    (d/'dataset_load.json').write_text('{"script": "dataset_load", ')
    fails(d, "dataset_load.json: not a JSON record")
    (d/'dataset_load.json').unlink()
    fails(d, "dataset_load.json: no such record; run `python -m bench.dataset_load --record`")
    fn = _nb(tmp_path/'index.ipynb', 'no markers')
    before = fn.read_bytes()
    with pytest.raises(ValueError, match='expected one markdown cell with <!-- performance -->'):
        make_readme.render_performance(fn, _records(tmp_path/'ok'))
    assert fn.read_bytes() == before
