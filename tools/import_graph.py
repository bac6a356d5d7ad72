"""Check the package's import graph: no circle, and no private name (`_x`) imported from another module.

    .venv/bin/python tools/import_graph.py   # prints each module's imports; exit 1 on a circle or a private import
"""
import ast, sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / 'tagger_embedding_aligner'

def imports(path:Path, mods:set)->tuple:
    "(package modules imported by `path`, private names it imports from them)"
    deps, private = set(), []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom): continue
        mod = node.module or ''
        target = mod.split('.')[0] if node.level == 1 else mod.split('.')[1] if mod.startswith(f'{PKG.name}.') else None
        if target in mods:
            deps.add(target)
            private += [f'{path.stem} imports {target}.{a.name}' for a in node.names if a.name.startswith('_')]
    return deps, private

def cycles(graph:dict)->list:
    "Every import circle found by a depth-first walk, as a list of module names."
    found, done = [], set()
    def walk(n, stack):
        if n in stack: return found.append(stack[stack.index(n):] + [n])
        if n in done: return
        for d in sorted(graph[n]): walk(d, stack + [n])
        done.add(n)
    for n in sorted(graph): walk(n, [])
    return found

def main()->int:
    mods = {p.stem for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx')}
    graph, private = {}, []
    for m in sorted(mods):
        graph[m], p = imports(PKG / f'{m}.py', mods)
        private += p
        print(f"{m} -> {', '.join(sorted(graph[m])) or '-'}")
    circles = cycles(graph)
    print(f"circles: {circles or 'none'}; private cross-module imports: {private or 'none'}")
    return 1 if circles or private else 0

if __name__ == '__main__': sys.exit(main())
