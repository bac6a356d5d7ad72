"""The package's style, checked (`tools/house_measure.py`): no function with more than 6 parameters that are not
keyword-only and no call with more than 6 positional arguments, anywhere; lines <= 120 characters and no `;` joining
statements, in every module but the lines still listed in `tools/style_allowance.json` (per module, a count that may
only go down: fix lines in the notebooks, re-export, then `python tools/house_measure.py --allowance` to lower it).
nbdev writes the module docstring (from the notebook's description) and `__all__` itself: those lines are not counted."""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from house_measure import package_files, file_facts, ALLOWANCE

def test_signatures_and_calls():
    bad = [v for p in package_files(ROOT) for v in file_facts(p)['violations'] if 'positional' in v]
    assert not bad, 'fix these in the notebooks, then nbdev-export:\n' + '\n'.join(bad)

def test_lines_and_joins():
    allowed = json.loads((ROOT / ALLOWANCE).read_text())
    over = []
    for p in package_files(ROOT):
        f = file_facts(p)
        for k in ('long_lines', 'semis'):
            if f[k] > allowed.get(p.name, {}).get(k, 0):
                over.append(f"{p.name}: {f[k]} {k} (allowed {allowed.get(p.name, {}).get(k, 0)}):\n  " +
                            '\n  '.join(v for v in f['violations'] if ('line of' in v) == (k == 'long_lines')
                                        and 'positional' not in v))
    assert not over, 'new style violations (fix them in the notebooks, then nbdev-export):\n' + '\n'.join(over)
