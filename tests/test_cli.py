"""The command lines agree (issue 16): every `tea-*` command answers `--help` and `--version`, required flags and
wrong choices are argparse errors (exit status 2, the valid values listed), the seed's flag names work without
rewriting `sys.argv`, `tea-train-ddp` has every flag of `tea-train`, and training through a pipe prints one line per
epoch. Each command runs in a subprocess, as a user runs it: the console script when it is installed next to this
Python, else `python -m tagger_embedding_aligner.<module>`."""
import json, os, re, subprocess, sys, tomllib
from pathlib import Path
import pytest
import tagger_embedding_aligner
from tagger_embedding_aligner.cli import cli_parser

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['scripts']
ENV = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}

def _argv(command:str)->list:
    "How to start `command`: its console script beside `sys.executable`, else `python -m` its module."
    script = Path(sys.executable).parent / command
    return [str(script)] if script.exists() else [sys.executable, '-m', SCRIPTS[command].split(':')[0]]

def _run(command:str, *args, cwd=None, module=False)->subprocess.CompletedProcess:
    "Run a command with `args`, output captured (a pipe, not a terminal)."
    argv = [sys.executable, '-m', SCRIPTS[command].split(':')[0]] if module else _argv(command)
    return subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True, env=ENV, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=600)

def _command(command:str):
    "The `command`-decorated function behind a console script."
    module, name = SCRIPTS[command].split(':')
    return getattr(__import__(module, fromlist=[name]), name)

def _parse(command:str, *args)->dict:
    "The arguments `command`'s parser gives `args` (in this process: quick)."
    f = _command(command)
    return {k: v for k, v in vars(cli_parser(f.__wrapped__, f.cli_names).parse_args(args)).items()
            if k not in ('pdb', 'xtra')}

@pytest.mark.parametrize('command', sorted(SCRIPTS))
def test_help_and_version(command):
    h = _run(command, '--help')
    assert h.returncode == 0 and h.stdout.startswith('usage: ') and '--version' in h.stdout, h.stdout + h.stderr
    v = _run(command, '--version', module=True)
    assert v.returncode == 0, v.stderr
    assert v.stdout.strip().endswith(f' {tagger_embedding_aligner.__version__}'), v.stdout

def test_every_command_is_listed():
    ("The commands (the seven of the issue, tea-probe and tea-data-cos), each built by `cli.command` (so each has "
     "`--version` and flag names).")
    assert sorted(SCRIPTS) == ['tea-data-cos', 'tea-export', 'tea-list', 'tea-probe', 'tea-publish', 'tea-tag',
                               'tea-train', 'tea-train-ddp', 'tea-world']
    for c in SCRIPTS: assert hasattr(_command(c), 'cli_names'), c

def test_aliases():
    seed = dict(repo='r', workdir='w', name='n', revision='dev', force=False)
    for args in (['-r', 'r', '-w', 'w', '-n', 'n', '-R', 'dev'],
                 ['--repo', 'r', '--workdir', 'w', '--name', 'n', '--revision', 'dev'],
                 ['--repository', 'r', '-w', 'w', '-n', 'n', '-R', 'dev']):
        assert _parse('tea-publish', *args) == seed, args
    assert _parse('tea-list', '--repository', 'r', '-R', 'dev') == dict(repo='r', revision='dev')
    assert _parse('tea-list', '-r', 'r') == dict(repo='r', revision=None)
    assert _parse('tea-export', 'run', 'out', '-n', 'SwinV2_v3_x')['name'] == 'SwinV2_v3_x'
    for old in (['--dest', 'w', '--seed', '3'], ['--world', 'w', '--world-seed', '3']):
        got = _parse('tea-world', *old)
        assert (got['world'], got['world_seed']) == ('w', 3), old
    assert _parse('tea-tag', 'e.npy', '--aligner', 'a', '--out', 'o.json', '--repository', 'me/al')['repo'] == 'me/al'

def test_sys_argv_untouched():
    "Importing a command's module leaves the importing program's arguments alone (the seed rewrote `-R`)."
    code = ("import sys; sys.argv[1:] = ['-R', 'x']; import tagger_embedding_aligner.publish, tagger_embedding_aligner.list; "
            "print(sys.argv[1:])")
    p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=ENV)
    assert p.returncode == 0 and p.stdout.strip() == "['-R', 'x']", p.stdout + p.stderr

@pytest.mark.parametrize('command,args,missing', [
    ('tea-publish', ['-w', 'w'], '-r/--repo/--repository'),
    ('tea-publish', ['-r', 'r'], '-w/--workdir'),
    ('tea-list', [], '-r/--repo/--repository'),
    ('tea-export', ['run'], 'dst'),
    ('tea-world', ['--profile', 'tiny'], '--world/--dest'),
    ('tea-tag', ['e.npy', '--out', 'o.json'], '--aligner'),
])
def test_required_flags(command, args, missing):
    p = _run(command, *args)
    assert p.returncode == 2 and f'the following arguments are required: {missing}' in p.stderr, p.stderr

@pytest.mark.parametrize('command,flag,valid', [
    ('tea-train', '--profile', ['tiny', 'small', 'full']),
    ('tea-train', '--objective', ['auto', 'full', 'fast', 'curvature']),
    ('tea-train', '--device', ['auto', 'cpu', 'cuda']),
    ('tea-train', '--model', ['num2', 'simple']),
    ('tea-train', '--tagger', ['SwinV2_v3', 'EVA02_Large']),
    ('tea-train-ddp', '--profile', ['tiny', 'small', 'full']),
    ('tea-world', '--profile', ['tiny', 'small', 'full']),
    ('tea-world', '--family', ['features', 'latent', 'anisotropic', 'token_ln', 'pooled_ln', 'pooled_ln_beta0']),
    ('tea-train', '--family', ['features', 'token_ln', 'pooled_ln_eps3']),
    ('tea-tag', '--device', ['auto', 'cpu', 'cuda']),
])
def test_wrong_choice_lists_valid(command, flag, valid):
    p = _run(command, flag, 'nonsense')
    m = re.search(r"invalid choice: 'nonsense' \(choose from (.*)\)", p.stderr)
    assert p.returncode == 2 and m, p.stderr
    assert all(re.search(rf"\b{v}\b", m[1]) for v in valid), m[1]

def test_ddp_has_every_train_flag():
    "`tea-train-ddp --help` lists every flag of `tea-train --help` (and its choices)."
    flags = lambda text: set(re.findall(r'(?<![\w-])(--[a-z][\w-]*)(?: \{([^}]*)\})?', text))
    train, ddp = flags(_run('tea-train', '--help').stdout), flags(_run('tea-train-ddp', '--help').stdout)
    assert train and train <= ddp, sorted(train - ddp)

def test_world_and_pipe(tmp_path):
    "`tea-world --world` makes a world; `tea-train` reads its profile from it and, through a pipe, prints epoch lines."
    p = _run('tea-world', '--world', 'w', '--profile', 'tiny', '--blocks', '0', cwd=tmp_path)
    assert p.returncode == 0 and 'profile tiny' in p.stdout, p.stdout + p.stderr
    assert json.loads(next((tmp_path / 'w').rglob('meta.json')).read_text())['profile'] == 'tiny'
    p = _run('tea-train', '--world', 'w', '--samples', '2000', '--epochs', '2', '--bs', '64', '--workdir', 'run',
             cwd=tmp_path)
    assert p.returncode in (0, 1), p.stderr[-3000:]  # 1: the aligner lost to the constant reference (2 epochs)
    epochs = [l for l in p.stdout.splitlines() if l.startswith('epoch ')]
    assert [l.split()[1] for l in epochs] == ['1/2', '2/2'] and all('pred_mse=' in l for l in epochs), p.stdout
    assert '\r' not in p.stdout + p.stderr, repr(p.stdout[-500:])
    assert json.loads((tmp_path / 'run' / 'ckpts' / 'last.json').read_text())['train_size'] == 1600
    p = _run('tea-train', '--world', 'w', '--profile', 'full', '--samples', '2000', cwd=tmp_path)
    assert p.returncode == 1 and '--profile full (it has tiny)' in p.stderr and 'Traceback' not in p.stderr, p.stderr

def test_seed_readme_forms(tmp_path):
    "The seed README's `python -m ...publish -r repo -w workdir -n name` and `python -m ...list -r repo`."
    from tagger_embedding_aligner.testing import fake_export
    export = fake_export(tmp_path, 'SwinV2_v3_mseed')
    p = _run('tea-publish', '-r', tmp_path / 'repo', '-w', export, '-n', 'SwinV2_v3_mseed', module=True)
    assert p.returncode == 0 and 'SwinV2_v3_mseed/' in p.stdout, p.stdout + p.stderr
    assert (tmp_path / 'repo' / 'SwinV2_v3_mseed' / 'model.json').is_file()
    p = _run('tea-list', '--repository', tmp_path / 'repo', module=True)
    assert p.returncode == 0 and p.stdout.startswith('1 models in'), p.stdout + p.stderr
    assert 'SwinV2_v3_mseed' in (tmp_path / 'repo' / 'README.md').read_text()
