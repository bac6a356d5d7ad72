"""The house's measurements (issue 25's table) over the package and its notebooks, by ast and tokenize.

    python tools/house_measure.py [REPO]        # the table, as markdown
    python tools/house_measure.py --list [REPO] # also every style violation
    python tools/house_measure.py --allowance   # record the remaining long lines / `;` joins per module (may only go down)

The style rules (`tests/test_style.py` runs `style_violations`): in the package (tagger_embedding_aligner/*.py but the
generated _modidx.py), lines <= 120 characters (comments and docments included), no `;` joining statements, no
function with more than 6 parameters that are not keyword-only (`self`/`cls` not counted), no call with more than 6
positional arguments. The lines nbdev writes itself (the module docstring, from the notebook's description, and `__all__`) are not counted.
`tests/test_style.py` allows no parameter or call violation, and per module at most the long lines and `;` joins
recorded in `tools/style_allowance.json`."""
import ast, io, json, sys, tokenize
from pathlib import Path

MAX_LINE, MAX_POSITIONAL, MAX_CELL = 120, 6, 25
ALLOWANCE = 'tools/style_allowance.json'  # relative to the repository

def package_files(repo:Path)->list:
    "The package's source files, but the generated index."
    return sorted(p for p in (repo / 'tagger_embedding_aligner').glob('*.py') if p.name != '_modidx.py')

def _params(fn)->tuple:
    "`(all parameters, positional parameters)` of a function node, `self`/`cls` and `*args`/`**kwargs` not counted."
    a = fn.args
    pos = [p.arg for p in a.posonlyargs + a.args]
    if pos and pos[0] in ('self', 'cls'): pos = pos[1:]
    return len(pos) + len(a.kwonlyargs), len(pos)

def file_facts(path:Path)->dict:
    "Counts and violations of one source file."
    src = path.read_text()
    tree, lines = ast.parse(src), src.splitlines()
    fns = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    many = [(n, *_params(n)) for n in fns if _params(n)[0] > MAX_POSITIONAL]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and sum(not isinstance(a, ast.Starred) for a in n.args) > MAX_POSITIONAL]
    semis = [t for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.OP and t.string == ';']
    doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) \
        else None
    gen = [doc] if doc else []  # nbdev writes the module docstring and `__all__` (wrapped at its own width)
    gen += [n for n in tree.body if isinstance(n, ast.Assign) and [getattr(t, 'id', '') for t in n.targets] == ['__all__']]
    skip = {i for n in gen for i in range(n.lineno, n.end_lineno + 1)}
    long_lines = [i + 1 for i, l in enumerate(lines) if len(l) > MAX_LINE and i + 1 not in skip]
    v = [f"{path.name}:{i}: line of {len(lines[i - 1])} characters (> {MAX_LINE})" for i in long_lines]
    v += [f"{path.name}:{t.start[0]}: ';' joins statements" for t in semis]
    v += [f"{path.name}:{n.lineno}: {getattr(n, 'name', 'lambda')} has {pos} positional parameters (> {MAX_POSITIONAL}); "
          "make the rest keyword-only" for n, _, pos in many if pos > MAX_POSITIONAL]
    v += [f"{path.name}:{n.lineno}: call with {len(n.args)} positional arguments (> {MAX_POSITIONAL}); pass by keyword"
          for n in calls]
    return dict(functions=len(fns), many=len(many), many_kwonly=sum(pos <= MAX_POSITIONAL for _, _, pos in many),
                max_params=max([p for _, p, _ in many] or [0]), calls=len(calls), lines=len(lines),
                long_lines=len(long_lines), semis=len(semis), violations=v)

def style_violations(repo:Path)->list:
    "Every style violation in the package, as `file:line: what` strings."
    return [v for p in package_files(repo) for v in file_facts(p)['violations']]

def notebook_facts(repo:Path)->dict:
    "Exported cells over `MAX_CELL` lines, and code cells with stored outputs, over `nbs/*.ipynb`."
    exported = long_cells = code = with_out = 0
    nbs_with_out = set()
    for nb in sorted((repo / 'nbs').glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source']).splitlines()
            code += 1
            if c.get('outputs'): with_out, _ = with_out + 1, nbs_with_out.add(nb.name)
            if any(l.strip().startswith(('#| export', '#|export')) for l in src[:3]):
                exported += 1
                long_cells += len(src) > MAX_CELL
    return dict(exported=exported, long_cells=long_cells, code=code, with_out=with_out, nbs_with_out=len(nbs_with_out),
                notebooks=len(list((repo / 'nbs').glob('*.ipynb'))))

def table(repo:Path)->str:
    "The issue's table for `repo`, as markdown."
    fs = [file_facts(p) for p in package_files(repo)]
    tot = {k: sum(f[k] for f in fs) for k in ('functions', 'many', 'many_kwonly', 'calls', 'lines', 'long_lines', 'semis')}
    n = notebook_facts(repo)
    pct = lambda a, b: f"{100 * a / max(b, 1):.1f}%"
    rows = [('functions with > 6 parameters', f"{tot['many']} of {tot['functions']} ({pct(tot['many'], tot['functions'])}), "
             f"max {max(f['max_params'] for f in fs)}"),
            ('of those, keyword-only (<= 6 positional)', f"{tot['many_kwonly']} of {tot['many']}"),
            ('calls with > 6 positional arguments', str(tot['calls'])),
            ('lines > 120 chars / `;` joins', f"{tot['long_lines']} ({pct(tot['long_lines'], tot['lines'])}) / "
             f"{tot['semis']} ({pct(tot['semis'], tot['lines'])}) of {tot['lines']} lines"),
            ('exported cells > 25 lines', f"{n['long_cells']} of {n['exported']} ({pct(n['long_cells'], n['exported'])})"),
            ('code cells with stored outputs', f"{n['with_out']} of {n['code']} ({pct(n['with_out'], n['code'])}; "
             f"{n['nbs_with_out']} of {n['notebooks']} notebooks)")]
    return '\n'.join(['| | project |', '|---|---|', *[f'| {a} | {b} |' for a, b in rows]])

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    repo = Path(args[0] if args else '.')
    print(table(repo))
    if '--list' in sys.argv: print('\n'.join(style_violations(repo)))
    if '--allowance' in sys.argv:
        facts = {p.name: file_facts(p) for p in package_files(repo)}
        allow = {k: {m: f[m] for m in ('long_lines', 'semis') if f[m]} for k, f in facts.items()}
        (repo / ALLOWANCE).write_text(json.dumps({k: v for k, v in allow.items() if v}, indent=1, sort_keys=True) + '\n')
        print(f"wrote {repo / ALLOWANCE}")
