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

The Performance table is not typed by hand: its rows are rendered from the benchmarks' records
(`bench/results/<script>.json`, written by `python -m bench.<script> --record`) into the markdown cell of
nbs/index.ipynb between `<!-- performance -->` and `<!-- /performance -->`, before the README is made
(`--check` also fails when that block is out of date).
"""
import json, os, re, sys
from pathlib import Path

import yaml
from fastcore.foundation import working_directory
from fastcore.nbio import read_nb, nb2str
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

# The Performance table, from the benchmarks' records
PERF_ROWS = ('dataset_load', 'throughput', 'time_to_quality', 'ttq_families', 'time_to_limit', 'peak_rss',
             'tag_throughput', 'gpu_throughput', 'real_scale', 'distributed', 'compute_limit', 'train_ceiling')
RECORD_KEYS = dict(script=str, what=str, figure=str, command=str, figures=dict, date=str, machine=dict, source=str)
PERF_START, PERF_END = '<!-- performance -->', '<!-- /performance -->'

def read_record(path)->dict:
    "A benchmark record, checked: each key of `RECORD_KEYS` with its type, one-line cells; ValueError naming the file."
    path = Path(path)
    try: rec = json.loads(path.read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such record; run `python -m bench.{path.stem} --record`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not a JSON record ({e})") from None
    if not isinstance(rec, dict): raise ValueError(f"{path}: expected a JSON object, got {type(rec).__name__}")
    for k, t in RECORD_KEYS.items():
        if k not in rec: raise ValueError(f"{path}: key {k!r} missing; expected keys {sorted(RECORD_KEYS)}")
        if not isinstance(rec[k], t):
            raise ValueError(f"{path}: key {k!r} is {type(rec[k]).__name__}; expected {t.__name__}")
    for k in ('what', 'figure', 'command'):
        if not rec[k].strip() or '\n' in rec[k] or re.search(r'(?<!\\)\|', rec[k]):
            raise ValueError(f"{path}: key {k!r} = {rec[k]!r}; expected one non-empty line without an unescaped '|'")
    if rec['script'] != path.stem:
        raise ValueError(f"{path}: script {rec['script']!r}; expected {path.stem!r} (the file name)")
    return rec

def _provenance(rec)->str:
    "Where a measured record's figures come from (machine, date), shown after its figure; nothing for transcribed ones."
    if rec['source'].startswith('transcribed'): return ''
    m = rec['machine']
    gpu = f", {m['gpu']}" if m.get('gpu') else ''
    return f" ({m.get('cpu', '?')}, {m.get('cores', '?')} cores{gpu}, torch {m.get('torch', '?')}; {rec['date'][:10]})"

def performance_table(results=ROOT/'bench'/'results')->str:
    "The Performance table's markdown: one row per record of `PERF_ROWS`, in that order."
    rows = [read_record(Path(results)/f'{s}.json') for s in PERF_ROWS]
    return '\n'.join(['| what | figure | command |', '|---|---|---|'] +
                      [f"| {r['what']} | {r['figure']}{_provenance(r)} | {r['command']} |" for r in rows])

def with_performance(md:str, table:str, where='markdown')->str:
    "`md` with `table` between the performance markers (which must be there, once)."
    if md.count(PERF_START) != 1 or md.count(PERF_END) != 1 or md.index(PERF_START) > md.index(PERF_END):
        raise ValueError(f"{where}: expected one {PERF_START} ... {PERF_END} block")
    pre, rest = md.split(PERF_START)
    return pre + f'{PERF_START}\n{table}\n{PERF_END}' + rest.split(PERF_END)[1]

def render_performance(nb_path, results=ROOT/'bench'/'results', write=True)->bool:
    "Bring the performance block of the notebook at `nb_path` up to date with the records; True if it already was."
    nb, table = read_nb(nb_path), performance_table(results)
    cells = [c for c in nb.cells if c.cell_type == 'markdown' and PERF_START in c.source]
    if len(cells) != 1: raise ValueError(f"{nb_path}: expected one markdown cell with {PERF_START}, found {len(cells)}")
    new = with_performance(cells[0].source, table, nb_path)
    if new == cells[0].source: return True
    if write:
        cells[0].source = new
        tmp = Path(nb_path).with_name(Path(nb_path).name + '.tmp')
        tmp.write_text(nb2str(nb), encoding='utf-8')
        tmp.replace(nb_path)
    return False

def main(check=False):
    cfg = get_config(ROOT)
    nb_path, dest = cfg.nbs_path/cfg.readme_nb, cfg.config_path/'README.md'
    if check:
        fresh = render_performance(nb_path, write=False)
        ok = fresh and dest.exists() and dest.read_text(encoding='utf-8') == nb2md(nb_path)
        print(f'{dest.name} is {"up to date" if ok else "out of date: run .venv/bin/python tools/make_readme.py"}'
              + ('' if fresh else f' ({nb_path.name}: the Performance table differs from bench/results)'))
        return 0 if ok else 1
    if not render_performance(nb_path): print(f'rendered the Performance table of {nb_path.name} from bench/results')
    md = nb2md(nb_path)
    tmp = dest.with_name(dest.name + '.tmp')
    tmp.write_text(md, encoding='utf-8')
    tmp.replace(dest)
    print(f'wrote {dest} from {cfg.readme_nb}')
    return 0

if __name__ == '__main__': sys.exit(main(check='--check' in sys.argv[1:]))
