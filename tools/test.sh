#!/usr/bin/env bash
# The one test command (README and .ci/run): install everything on a fresh machine, then run every test.
# - .venv: the library with its dev extra (nbdev, pytest, pytest-xdist, hypothesis, ...).
# - .venv-imgutils: dghs-imgutils, the consumer of our ONNX exports. It pins numpy<2, so it lives in its own venv;
#   07_imgutils runs it in a subprocess through IMGUTILS_PYTHON.
# - Chromium and chromedriver (Debian's), for tests/test_browser.py: apt-installed when missing and we are root
#   (as in CI); otherwise that test fails and says what to install.
# Existing venvs are reused. Extra arguments go to pytest (e.g. `bash tools/test.sh -k 05_train`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null </dev/null
  else echo "tools/test.sh: tests/test_browser.py needs Chromium: sudo apt-get install chromium chromium-driver" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e ".[dev]" </dev/null
[ -x .venv-imgutils/bin/python ] || python3 -m venv .venv-imgutils
.venv-imgutils/bin/python -c "import imgutils.tagging, onnxruntime" 2>/dev/null || .venv-imgutils/bin/pip install -q "dghs-imgutils>=0.17" onnxruntime </dev/null  # imgutils pip-installs onnxruntime at import otherwise
export IMGUTILS_PYTHON="$PWD/.venv-imgutils/bin/python"
export TEA_TEST_FLAGS="imgutils ${TEA_TEST_FLAGS:-}"  # cells flagged `imgutils` need IMGUTILS_PYTHON; plain nbdev-test skips them
exec .venv/bin/python -m pytest -n 2 "$@" </dev/null
