"""The explorer in a real JupyterLab driven by headless Chromium: its sample slider moved, the tag table seen to change.

JupyterLab (the `dev` extra) runs on 127.0.0.1 with a random free port and a random token, in a temporary root
folder with its own HOME, config, data, settings and runtime folders, so nothing is read from or written to $HOME.
Debian's Chromium is driven by Debian's chromedriver through selenium. `tools/test.sh` installs both; when they are
missing the test fails and says how to install them (it is never skipped).

The notebook it opens builds a tiny world, trains an aligner for one epoch, writes `explore_view`'s tag lists of
samples 0 and 1 to `expected.json` and sample 1's chart to `expected_1.png`, and calls `explorer`. The test reads
the table JupyterLab shows, moves the `sample` slider one step with the keyboard, and checks that the table becomes
sample 1's and the chart shown has sample 1's pixels.

    TEA_BROWSER_SCREENSHOT=nbs/images/explorer_jupyterlab.png .venv/bin/python -m pytest tests/test_browser.py

rewrites the docs' screenshot (the run also trains a little longer, so the chart shows a trained aligner).
"""
import base64, io, json, os, secrets, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOT = os.environ.get('TEA_BROWSER_SCREENSHOT')
SETUP = '''\
import json, warnings
from pathlib import Path
import matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure  # as the inline backend draws a figure
warnings.simplefilter('ignore', FutureWarning)  # torch.jit's deprecation notice, on screen otherwise
from tagger_embedding_aligner.synthetic import make_world
from tagger_embedding_aligner.dataset import EmbeddingDataset
from tagger_embedding_aligner.train import train_model
from tagger_embedding_aligner.inference import Aligner
from tagger_embedding_aligner.explorer import explorer, explore_view
world = make_world(Path('hub'), profile='tiny', samples=({n},), blocks=0)
ds = EmbeddingDataset([world.samples_file({n})])
_ = train_model(ds, ds, 'SwinV2_v3', 'num2', workdir='run', batch_size=64, learning_rate={lr}, max_epochs={epochs},
                quiet=True)
al = Aligner.from_pretrained('run', labels=str(world.labels_path))
_ = Path('expected.json').write_text(json.dumps([explore_view(al, ds, i)[0].index.tolist() for i in (0, 1)]))
_ = Path('expected_1.png').write_bytes(print_figure(explore_view(al, ds, 1)[1], 'png', bbox_inches='tight'))
plt.close('all')'''

def _browser():
    "Paths of Debian's Chromium and chromedriver, or a failure saying how to install them"
    paths = shutil.which('chromium'), shutil.which('chromedriver')
    if not all(paths): pytest.fail('the browser test needs Chromium and its driver: `apt-get install chromium '
                                   'chromium-driver` (tools/test.sh installs them)', pytrace=False)
    return paths

def _free_port()->int:
    "A TCP port free on 127.0.0.1 right now"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def _write_notebook(root:Path):
    "The notebook the browser opens: set-up cell, then `explorer(al, ds)`"
    n, epochs, lr = (2000, 8, 3e-2) if SHOT else (200, 1, 3e-3)
    cells = [nbformat.v4.new_code_cell(SETUP.format(n=n, epochs=epochs, lr=lr)),
             nbformat.v4.new_code_cell('explorer(al, ds)')]
    kernel = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}}  # else Lab asks
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=kernel), root/'explorer.ipynb')

def _private_env(tmp:Path)->dict:
    "This process's environment with HOME and the XDG folders under `tmp`: a program started with it leaves $HOME alone"
    return dict(os.environ, HOME=str(tmp/'home'), XDG_CONFIG_HOME=str(tmp/'home'/'.config'),
                XDG_CACHE_HOME=str(tmp/'home'/'.cache'), XDG_DATA_HOME=str(tmp/'home'/'.local'/'share'))

def _start_lab(tmp:Path, port:int, token:str)->subprocess.Popen:
    "JupyterLab serving `tmp/root` on 127.0.0.1:`port`, writing only under `tmp`; its log in `tmp/lab.log`"
    env = dict(_private_env(tmp), JUPYTER_CONFIG_DIR=str(tmp/'config'), JUPYTER_DATA_DIR=str(tmp/'data'),
               JUPYTER_RUNTIME_DIR=str(tmp/'runtime'), JUPYTERLAB_SETTINGS_DIR=str(tmp/'settings'),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp/'workspaces'), IPYTHONDIR=str(tmp/'ipython'),
               MPLCONFIGDIR=str(tmp/'mpl'))
    args = ['--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
            '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={tmp/"root"}',
            '--LabApp.expose_app_in_browser=True',  # window.jupyterapp: run the notebook's cells by command
            '--LabApp.extension_manager=readonly', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
            '--LabApp.news_url=None']
    news = tmp/'settings'/'@jupyterlab'/'apputils-extension'/'notification.jupyterlab-settings'
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({'fetchNews': 'false'}))  # no "get notified about news?" pop-up over the page
    with open(tmp/'lab.log', 'wb') as out:
        return subprocess.Popen([sys.executable, '-m', 'jupyterlab', *args], env=env, cwd=tmp/'root',
                                start_new_session=True, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

def _wait(cond, what:str, timeout:float, log:Path|None=None):
    "Poll `cond()` until it returns something truthy; after `timeout` seconds fail naming `what`, with the server log"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if r := cond(): return r
        time.sleep(0.25)
    tail = f'\n--- JupyterLab log:\n{log.read_text()[-3000:]}' if log else ''
    pytest.fail(f'timed out after {timeout} s waiting for {what}{tail}', pytrace=False)

def _up(url:str, proc:subprocess.Popen, log:Path):
    "True once the server answers `url`; a failure with its log if it exited"
    if proc.poll() is not None:
        pytest.fail(f'JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}', pytrace=False)
    try: return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError: return False

def _chrome(chromium:str, driver:str, tmp:Path):
    "Headless Chromium (a throwaway profile in `tmp`) driven by chromedriver"
    os.environ.setdefault('SE_AVOID_STATS', 'true')  # selenium: no usage statistics over the network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--no-first-run',
              f'--window-size=1280,{1400 if SHOT else 1000}', f'--user-data-dir={tmp/"chrome"}'): opts.add_argument(a)
    return webdriver.Chrome(service=Service(driver, env=_private_env(tmp)), options=opts)

TAGS = '''return Array.from(document.querySelectorAll('.widget-output table.dataframe tbody th'),
  e => e.textContent.trim())'''
KERNEL_IDLE = '''const w = window.jupyterapp && window.jupyterapp.shell.currentWidget, k = w && w.sessionContext
  && w.sessionContext.session && w.sessionContext.session.kernel; return !!(k && k.status === 'idle')'''
CHART_SRC = "return document.querySelector('.widget-output img').src"
CHART = '''const i = document.querySelectorAll('.widget-output img');
return i.length === 1 && i[0].complete && i[0].naturalWidth > 0'''
ERRORS = '''return Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type*="stderr"]'),
  e => e.textContent).join('\\n').slice(-3000)'''
RUN_ALL = '''const app = window.jupyterapp;
if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area');
app.commands.execute('notebook:run-all-cells');'''

def _move_sample_slider(drv):
    "Focus the handle of the slider labelled `sample` and press the right arrow once"
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    xpath = "//div[contains(@class,'widget-hslider')][.//label[normalize-space()='sample']]"
    slider = drv.find_element(By.XPATH, xpath)
    handle = slider.find_element(By.CSS_SELECTOR, '.noUi-handle')
    drv.execute_script('arguments[0].scrollIntoView({block: "center"}); arguments[0].focus()', handle)
    ActionChains(drv).send_keys(Keys.ARROW_RIGHT).perform()
    return slider

def _same_image(src:str, want:Path):
    "The PNG in data URL `src` has `want`'s pixels (a chart drawn half-blank once slipped through)"
    import numpy as np
    from PIL import Image
    got = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(',', 1)[1]))).convert('L'), np.int16)
    ref = np.asarray(Image.open(want).convert('L'), np.int16)
    assert got.shape == ref.shape, f'chart shown is {got.shape[::-1]} px; expected {ref.shape[::-1]}'
    differ = (np.abs(got - ref) > 32).mean()
    assert differ < 0.01, f'{differ:.1%} of the chart shown differs from explore_view\'s chart'

def test_explorer_in_jupyterlab(tmp_path):
    "JupyterLab shows the explorer widget; moving the sample slider one step shows sample 1's tag table and chart"
    chromium, driver = _browser()
    t0 = time.monotonic()
    for d in ('root', 'home'): (tmp_path/d).mkdir()
    _write_notebook(tmp_path/'root')
    port, token, log = _free_port(), secrets.token_hex(16), tmp_path/'lab.log'
    lab, drv = _start_lab(tmp_path, port, token), None
    try:
        base = f'http://127.0.0.1:{port}'
        _wait(lambda: _up(f'{base}/api/status?token={token}', lab, log), 'JupyterLab to start', 60, log)
        drv = _chrome(chromium, driver, tmp_path)
        drv.get(f'{base}/lab/tree/explorer.ipynb?reset&token={token}')
        _wait(lambda: drv.execute_script(KERNEL_IDLE), 'the notebook and its kernel', 60, log)
        drv.execute_script(RUN_ALL)
        before = _wait(lambda: drv.execute_script(TAGS), 'the tag table in the widget', 60, log)
        expected = json.loads((tmp_path/'root'/'expected.json').read_text())  # written by the cell before `explorer`
        assert expected[0] != expected[1], 'samples 0 and 1 have the same tags: the test could not see a change'
        assert before == expected[0]
        slider = _move_sample_slider(drv)
        after = _wait(lambda: (t := drv.execute_script(TAGS)) != before and t, 'the tag table to change', 30, log)
        assert after == expected[1]
        _wait(lambda: drv.execute_script(KERNEL_IDLE) and drv.execute_script(CHART), 'the chart of sample 1', 30, log)
        _same_image(drv.execute_script(CHART_SRC), tmp_path/'root'/'expected_1.png')
        assert slider.find_element('css selector', '.widget-readout').text.strip() == '1'
        if SHOT:
            drv.execute_script("document.querySelector('.jupyter-widgets.widget-vbox').scrollIntoView()")
            time.sleep(1)  # let the page paint the scrolled-to chart
            drv.save_screenshot(str(ROOT/SHOT))
        print(f'browser test: {time.monotonic() - t0:.1f} s')
    except BaseException:  # pytest.fail raises a BaseException
        if drv is not None:
            drv.save_screenshot(str(tmp_path/'failure.png'))
            print(f"the page at the failure: {tmp_path/'failure.png'}")
            print(f'errors in the notebook:\n{drv.execute_script(ERRORS)}')
        raise
    finally:
        if drv is not None: drv.quit()
        lab.terminate()
        try: lab.wait(15)
        except subprocess.TimeoutExpired: pass
        try: os.killpg(lab.pid, signal.SIGKILL)  # the kernel it started, if still there (its own session)
        except ProcessLookupError: pass
