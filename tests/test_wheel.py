"""A wheel built from the repository installs into a clean virtual environment (not the editable dev install), and
its console commands run the main workflow there: `tea-world`, `tea-train --profile tiny`, `tea-export`, `tea-tag`.

The clean venv gets the wheel alone (`--no-deps`); its third-party dependencies are borrowed from the dev venv
through a `.pth` line naming the dev venv's site-packages. A second copy of them is torch's CUDA build, 6.4 GB: CI
ran out of disk installing it. Borrowing cannot hide an undeclared dependency at run time, so
`test_wheel_declares_its_imports` checks that instead: every third-party module the package imports is provided by
a distribution the wheel requires, directly or through another requirement. A `.pth` path line is only appended to
`sys.path` (the `.pth` files *inside* that folder are not run), so the dev venv's editable finder stays out and the
clean venv's own copy of the package is the one imported: asserted below.

`TEA_WHEEL_FULL_DEPS=1` installs the declared dependencies from the package index into the clean venv instead
(needs about 7 GB of disk and the registry)."""
import ast, json, os, re, subprocess, sys, sysconfig, zipfile
from importlib import metadata
from pathlib import Path
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent

def _run(args, cwd=None, env=None)->str:
    p = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{' '.join(map(str, args))} exited {p.returncode}:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p.stdout

def _build_wheel(dest:Path)->Path:
    "Build the package's wheel (no dependencies) into `dest`; return its path."
    _run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', dest, ROOT])
    wheel, = dest.glob('tagger_embedding_aligner-*.whl')
    return wheel

def _clean_venv(where:Path)->Path:
    "A venv made from the base interpreter (no dev packages inside); return its bin folder."
    _run([getattr(sys, '_base_executable', sys.executable), '-m', 'venv', where])
    return where / 'bin'

def _borrow_site_packages(bin_:Path):
    "Append the dev venv's site-packages to the clean venv's `sys.path` (a path line; its own `.pth` files are not run)."
    venv_site = _run([bin_ / 'python', '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).strip()
    (Path(venv_site) / '_tea_dev_deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')

def _norm(name:str)->str: return re.sub(r'[-_.]+', '-', name).lower()

def _requires_closure(reqs)->set:
    "Normalized names of the distributions `reqs` pull in (markers evaluated without extras), read from this venv."
    seen, todo = set(), [Requirement(r) for r in reqs]
    while todo:
        r = todo.pop()
        if r.marker is not None and not r.marker.evaluate({'extra': ''}): continue
        if _norm(r.name) in seen: continue
        seen.add(_norm(r.name))
        todo += [Requirement(s) for s in (metadata.requires(r.name) or [])]
    return seen

def _optional(node:ast.Try)->bool:
    "A `try` whose handler catches ImportError: its imports are optional."
    names = {getattr(h.type, 'id', None) for h in node.handlers} | {getattr(e, 'id', None) for h in node.handlers
                                                                    if isinstance(h.type, ast.Tuple) for e in h.type.elts}
    return bool(names & {'ImportError', 'ModuleNotFoundError', 'Exception'})

def _imports(source:str)->set:
    "Top-level module names imported absolutely by `source`, leaving out imports guarded by `except ImportError`."
    found, skip = set(), set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _optional(node): skip |= {id(n) for b in node.body for n in ast.walk(b)}
    for node in ast.walk(tree):
        if id(node) in skip: continue
        if isinstance(node, ast.Import): found |= {a.name.split('.')[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0: found.add(node.module.split('.')[0])
    return found

def test_imports_finder():
    src = "import os, numpy.linalg\nfrom scipy import linalg\nfrom . import x\ntry: import httpx2\nexcept ImportError: pass"
    assert _imports(src) == {'os', 'numpy', 'scipy'}

def test_wheel_declares_its_imports(tmp_path):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))).decode()
        sources = [z.read(n).decode() for n in z.namelist() if n.endswith('.py')]
    declared = re.findall(r'^Requires-Dist: (.+)$', meta, re.M)
    assert any(_norm(Requirement(r).name) == 'torch' for r in declared), declared
    modules = set().union(*map(_imports, sources)) - set(sys.stdlib_module_names) - {'tagger_embedding_aligner'}
    provided_by = metadata.packages_distributions()
    closure = _requires_closure(declared)
    undeclared = {m: provided_by.get(m) for m in modules if not {_norm(d) for d in provided_by.get(m, [])} & closure}
    assert not undeclared, f'imported but not required by the wheel (module: distributions): {undeclared}'

def test_wheel_installs_and_runs(tmp_path):
    wheel = _build_wheel(tmp_path / 'dist')
    bin_ = _clean_venv(tmp_path / 'venv')
    if os.environ.get('TEA_WHEEL_FULL_DEPS') == '1': _run([bin_ / 'pip', 'install', '-q', wheel])
    else:
        _run([bin_ / 'pip', 'install', '-q', '--no-deps', wheel])
        _borrow_site_packages(bin_)
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV') and not k.startswith('HF_')}
    env.update(HF_HOME=str(tmp_path / 'hf'), TEA_CACHE=str(tmp_path / 'tea'))
    where = _run([bin_ / 'python', '-c', 'import tagger_embedding_aligner as t; print(t.__file__)'], tmp_path, env)
    assert str(tmp_path / 'venv') in where and str(ROOT / 'tagger_embedding_aligner') not in where, where
    _run([bin_ / 'tea-world', '--world', 'world', '--profile', 'tiny'], tmp_path, env)
    _run([bin_ / 'tea-train', '--world', 'world', '--profile', 'tiny', '--epochs', '1', '--workdir', 'run', '--quiet'],
         tmp_path, env)
    _run([bin_ / 'tea-export', 'run', 'export', '--name', 'SwinV2_v3_mwheel_test'], tmp_path, env)
    assert (tmp_path / 'export' / 'model.onnx').is_file() and (tmp_path / 'export' / 'model.json').is_file()
    info = json.loads((tmp_path / 'export' / 'model.json').read_text())
    assert info['name'] == 'SwinV2_v3_mwheel_test', info
    _run([bin_ / 'python', '-c', "import numpy as np; np.save('e.npy', np.random.default_rng(0).normal(size=(5, 128)).astype('f4'))"],
         tmp_path, env)
    offline = {**env, 'HF_HUB_CACHE': str(tmp_path / 'world'), 'HF_HUB_OFFLINE': '1'}  # head and labels from the world's cache
    _run([bin_ / 'tea-tag', 'e.npy', '--aligner', 'export', '--out', 'tags.json', '--quiet'], tmp_path, offline)
    tags = json.loads((tmp_path / 'tags.json').read_text())
    assert len(tags) == 5 and all(len(t['rating']) == 4 for t in tags), tags[:1]
