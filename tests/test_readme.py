"README.md is generated from nbs/index.ipynb by tools/make_readme.py; these tests keep the two from drifting."
import importlib.util, json
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
