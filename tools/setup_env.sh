#!/usr/bin/env bash
# Builds the pinned OpenMMLab stack in .venv/ (idempotent: every step is skipped when already satisfied).
#
# Why each step looks the way it does (all measured on Python 3.11, torch 2.14.1):
#  * mmcv 2.1.0 ships no wheel for torch 2.14: it is compiled from the sdist with its ops
#    (--no-build-isolation, so it builds against the torch installed here). The wheel is kept in our
#    own cache keyed by torch version and CPU/CUDA flavour: pip's wheel cache keys by sdist only and
#    would silently hand back a wheel compiled against another torch.
#  * mmcv's setup.py and mmengine import pkg_resources, so setuptools stays < 81.
#  * mmpose's requirements list chumpy, which does not build and is never imported: mmpose is
#    installed with --no-deps and its real runtime requirements are listed in requirements/runtime.txt.
#  * the xtcocotools wheel is compiled against numpy 1.x and crashes on numpy 2: built from source.
#  * openmim's chain (opendatalab -> openxlab) pins old setuptools; those only serve `mim download`,
#    so openmim is installed with --no-deps plus the packages `mim train/test/run` need.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }
have() { "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; }

# xtcocotools works when its C mask functions run under numpy 2.
XTCOCO_CHECK='import numpy as np; from xtcocotools import mask; mask.area(mask.encode(np.asfortranarray(np.ones((2, 2), np.uint8))))'

echo "[setup] build tools, torch, runtime requirements"
pip install 'setuptools>=70,<81' wheel 'Cython>=3' ninja
pip install -r requirements/torch.txt
pip install -r requirements/runtime.txt -r requirements/tests.txt

if ! have mmcv 2.1.0 || ! "$VENV/bin/python" -c 'import mmcv.ops' 2>/dev/null; then
  torch_ver=$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')
  if "$VENV/bin/python" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' && command -v nvcc >/dev/null; then
    flavour=cuda; export FORCE_CUDA=1
  else
    flavour=cpu
  fi
  cache="${HRNET_PLUGIN_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hrnet_plugin/wheels}/torch-$torch_ver-$flavour"
  mkdir -p "$cache"
  if ! ls "$cache"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    echo "[setup] compiling mmcv 2.1.0 with ops against torch $torch_ver ($flavour); about 9 minutes on 2 cores"
    # torch >= 2.10 headers need C++20, while mmcv 2.1.0's setup.py pins -std=c++14/17 (which
    # would win over torch's own flag): build from the sdist with that one flag raised.
    src=$(mktemp -d)
    pip download --no-deps --no-binary :all: --no-build-isolation -d "$src" mmcv==2.1.0
    tar xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
    sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g' "$src"/mmcv-2.1.0/setup.py
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} pip wheel --no-deps --no-build-isolation \
      --no-cache-dir -w "$cache" "$src"/mmcv-2.1.0
    rm -rf "$src"
  fi
  pip install --no-deps "$cache"/mmcv-2.1.0-*.whl
fi

if ! have xtcocotools 1.14.3 || ! "$VENV/bin/python" -c "$XTCOCO_CHECK" 2>/dev/null; then
  echo "[setup] building xtcocotools 1.14.3 against numpy 2"
  # numpy 2 renamed NPY_OWNDATA to NPY_ARRAY_OWNDATA; without the rename the mask (RLE)
  # functions fail at run time with "module 'numpy' has no attribute 'NPY_OWNDATA'".
  src=$(mktemp -d)
  pip download --no-deps --no-binary :all: --no-build-isolation -d "$src" xtcocotools==1.14.3
  tar xzf "$src"/xtcocotools-1.14.3.tar.gz -C "$src"
  sed -i 's/np\.NPY_OWNDATA/np.NPY_ARRAY_OWNDATA/g' "$src"/xtcocotools-1.14.3/xtcocotools/_mask.pyx
  pip install --no-deps --no-build-isolation --no-cache-dir "$src"/xtcocotools-1.14.3
  rm -rf "$src"
fi
pip install --no-deps -r requirements/openmmlab.txt

# The plugin itself: a regular (non-editable) install, because `mim train hrnet_plugin` runs the
# tools from <site-packages>/hrnet_plugin/.mim/, which an editable install does not provide.
echo "[setup] installing hrnet_plugin"
pip install --no-deps --no-build-isolation --force-reinstall .
"$VENV/bin/python" -m hrnet_plugin doctor
