import os

def pytest_addoption(parser):
    "Accept `-n N` without pytest-xdist installed, so the README's test command still runs (serially)"
    try: import xdist  # noqa: F401
    except ImportError:
        # pytest reserves lowercase short options for plugins; `_addoption` is how xdist itself registers `-n`
        parser.getgroup('xdist')._addoption('-n', '--numprocesses', default=None, metavar='N',
            help='ignored: pytest-xdist is not installed (`pip install -e ".[dev]"`), so tests run serially')

def pytest_configure(config):
    "With N xdist workers, give each worker's torch/BLAS an equal share of the cores instead of all of them"
    n = os.environ.get('PYTEST_XDIST_WORKER_COUNT')
    if n and 'OMP_NUM_THREADS' not in os.environ:
        os.environ['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1) // int(n)))
