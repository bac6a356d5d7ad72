"The docs build (nbdev-docs) first runs nbdev's processors, which execute export and import cells; check that this works offline."
from pathlib import Path
import pytest
from nbdev.process import NBProcessor
from nbdev.processors import FilterDefaults
from fastcore.xtras import working_directory

NBS = sorted(p for p in (Path(__file__).parent.parent / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_docs_processing(nb):
    "Processing a notebook for the docs must not fail (e.g. a cell mixing imports with code that needs earlier cells)."
    with working_directory(nb.parent): NBProcessor(nb, FilterDefaults().procs(), process=True)
