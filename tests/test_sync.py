"""The notebooks are the source: `nbdev-export` and `nbdev-clean` must leave the repository as it is (nbdev's own CI
checks the same with `git diff`). Run on a copy, so the working tree is never touched."""
import filecmp, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

def _copy(dst:Path):
    "The files nbdev reads and writes, copied to `dst`."
    for f in ('pyproject.toml', 'README.md'): shutil.copy(ROOT / f, dst / f)
    for d in ('nbs', 'tagger_embedding_aligner'):
        shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns('__pycache__', '_proc', '.ipynb_checkpoints', '_scratch'))

def _differences(a:Path, b:Path, pattern:str)->list:
    "Files matching `pattern` that differ or exist on one side only."
    fa, fb = ({p.relative_to(r) for p in r.glob(pattern)} for r in (a, b))
    return sorted(str(p) for p in fa ^ fb) + sorted(str(p) for p in fa & fb if not filecmp.cmp(a / p, b / p, shallow=False))

def test_export_and_clean_change_nothing(tmp_path):
    _copy(tmp_path)
    for cmd in ('nbdev-export', 'nbdev-clean'):
        p = subprocess.run([str(BIN / cmd)], cwd=tmp_path, capture_output=True, text=True)
        assert p.returncode == 0, f'{cmd} failed:\n{p.stderr[-2000:]}'
    diff = _differences(ROOT, tmp_path, 'tagger_embedding_aligner/*.py') + _differences(ROOT, tmp_path, 'nbs/*.ipynb')
    assert not diff, f'nbdev-export / nbdev-clean would change: {diff}; run them and commit the result'
