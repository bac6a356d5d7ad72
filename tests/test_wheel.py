"""A wheel built from the repository installs into a clean virtual environment (not the editable dev install), and
its console commands run the main workflow there: `tea-world`, `tea-train --profile tiny`, `tea-export`, `tea-tag`.

The venv (`.venv-wheel`, git-ignored) is created on first use with the wheel's declared dependencies only, and kept:
later runs reinstall just the freshly built wheel (its dependencies are then already satisfied)."""
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / '.venv-wheel'

def _run(args, cwd=None, env=None)->str:
    p = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{' '.join(map(str, args))} exited {p.returncode}:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p.stdout

def _clean_venv()->Path:
    "The clean venv's bin folder (created from the base interpreter, so no dev packages leak in)."
    if not (VENV / 'bin' / 'python').exists(): _run([getattr(sys, '_base_executable', sys.executable), '-m', 'venv', VENV])
    return VENV / 'bin'

def test_wheel_installs_and_runs(tmp_path):
    _run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', tmp_path / 'dist', ROOT])
    wheel, = (tmp_path / 'dist').glob('tagger_embedding_aligner-*.whl')
    bin_ = _clean_venv()
    _run([bin_ / 'pip', 'install', '-q', '--force-reinstall', '--no-deps', wheel])
    _run([bin_ / 'pip', 'install', '-q', wheel])  # its declared dependencies (already there after the first run)
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV') and not k.startswith('HF_')}
    env.update(HF_HOME=str(tmp_path / 'hf'), TEA_CACHE=str(tmp_path / 'tea'))
    where = _run([bin_ / 'python', '-c', 'import tagger_embedding_aligner as t; print(t.__file__)'], tmp_path, env)
    assert str(VENV) in where and str(ROOT / 'tagger_embedding_aligner') not in where, where
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
