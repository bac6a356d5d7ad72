"""Write README.md from nbs/index.ipynb offline, with nbdev's own notebook processors and no Quarto.

    .venv/bin/python tools/make_readme.py          # rewrite README.md
    .venv/bin/python tools/make_readme.py --check  # exit 1 if README.md is out of date

The notebook goes through `nbdev.processors.FilterDefaults`, the processors `nbdev-readme` and `nbdev-docs`
apply before Quarto renders (frontmatter from the `# Title` / `> summary` cell, hidden and exported cells
dropped, directives removed). The remaining cells are written as GitHub markdown: markdown cells as they are,
code cells as fenced python followed by their text outputs (`text/markdown` as markdown, `text/plain` and
streams fenced); images and errors are left out. Quarto options that survive (`#| echo: false`,
`#| output: false`, `#| include: false`) are honoured. Relative image links in markdown cells (`![](images/x.png)`,
which Quarto resolves from the notebook's folder) are rewritten relative to the repo root (`nbs/images/x.png`), where
README.md lives; nbdev's own `nbdev-readme` leaves them broken (AnswerDotAI/nbdev#1243).
"""
import os, re, sys
from pathlib import Path

import yaml
from fastcore.foundation import working_directory
from fastcore.nbio import read_nb
from nbdev.config import get_config
from nbdev.processors import FilterDefaults

ROOT = Path(__file__).resolve().parent.parent
_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')

def _opts(src):
    "Split the leading `#| key: value` lines off `src`: (options dict, remaining source)"
    lines, opts = src.splitlines(), {}
    while lines and (m := _re_opt.match(lines[0])): opts[m[1]] = m[2].lower(); lines.pop(0)
    return opts, '\n'.join(lines).strip('\n')

def _fence(text, lang=''): return f'```{lang}\n{text.rstrip()}\n```' if text.strip() else ''
def _text(x): return ''.join(x) if isinstance(x, list) else (x or '')

def _output_md(o):
    "GitHub markdown for one cell output: text only"
    if o.get('output_type') == 'stream': return _fence(_text(o.get('text')))
    data = o.get('data', {})
    if 'text/markdown' in data: return _text(data['text/markdown']).strip()
    if 'text/plain' in data and not any(k.startswith('image/') for k in data): return _fence(_text(data['text/plain']))
    return ''

_re_img = re.compile(r'(!\[[^\]]*\]\()([^)\s]+)')

def _rebase_images(md, prefix):
    "Prefix relative image targets in `md` with `prefix` (the notebook folder, relative to the README)"
    if prefix in ('', '.'): return md
    def _sub(m):
        t = m[2]
        if re.match(r'^([a-z][a-z0-9+.-]*:|/|#)', t, re.I): return m[0]  # URL, absolute path or anchor
        return m[1] + f'{prefix}/{t}'
    return _re_img.sub(_sub, md)

def _cell_md(cell, img_prefix=''):
    "GitHub markdown for one processed cell"
    if cell.cell_type == 'markdown': return _rebase_images(cell.source.strip(), img_prefix)
    if cell.cell_type == 'raw':
        fm = yaml.safe_load(cell.source.strip().strip('-')) or {}
        return '\n\n'.join(s for s in [f"# {fm['title']}" if fm.get('title') else '',
                                       f"> {fm['description']}" if fm.get('description') else ''] if s)
    opts, src = _opts(cell.source)
    if opts.get('include') == 'false': return ''
    parts = [] if opts.get('echo') == 'false' else [_fence(src, 'python')]
    if opts.get('output') != 'false': parts += [_output_md(o) for o in cell.get('outputs', [])]
    return '\n\n'.join(p for p in parts if p)

def nb2md(nb_path, root=ROOT):
    "README markdown for the notebook at `nb_path`, processed as `nbdev-readme` would before rendering"
    nb = read_nb(nb_path)
    with working_directory(root): FilterDefaults()(nb)  # processors read the project config from the cwd
    prefix = Path(os.path.relpath(Path(nb_path).resolve().parent, Path(root).resolve())).as_posix()
    return '\n\n'.join(s for s in (_cell_md(c, prefix) for c in nb.cells) if s) + '\n'

def main(check=False):
    cfg = get_config(ROOT)
    md, dest = nb2md(cfg.nbs_path/cfg.readme_nb), cfg.config_path/'README.md'
    if check:
        ok = dest.exists() and dest.read_text(encoding='utf-8') == md
        print(f'{dest.name} is {"up to date" if ok else "out of date: run .venv/bin/python tools/make_readme.py"}')
        return 0 if ok else 1
    tmp = dest.with_name(dest.name + '.tmp')
    tmp.write_text(md, encoding='utf-8')
    tmp.replace(dest)
    print(f'wrote {dest} from {cfg.readme_nb}')
    return 0

if __name__ == '__main__': sys.exit(main(check='--check' in sys.argv[1:]))
