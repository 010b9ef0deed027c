"""The model index (model-index.yml + configs/*/metafile.yml): the same names, weights and
numbers as mmpose's metafiles, one entry per config, the configs/README.md table in agreement;
a name runs end to end (API and tools/infer.py, from the cache); ``mim search`` and ``mim
download`` read it from the installed package."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from hrnet_plugin.apis import init_pose_model, resolve_pose_model
from hrnet_plugin.checkpoint import cached_file, find_model, hash_prefix, load_model_index
from hrnet_plugin.utils import HOME_VARIABLE

from ..apis.helpers import COCO_IMAGES, REPO_ROOT
from ..configs.mmpose_grid import published_models
from .helpers import load_tool
from .http_server import closed_port

INDEX = load_model_index(REPO_ROOT / 'model-index.yml')
W32 = 'td-hm_hrnet-w32_8xb64-210e_coco-256x192'
MIM = str(Path(sys.executable).parent / 'mim')
TABLE_ROW = re.compile(r'^\| \[(?P<name>[^\]]+)\]\((?P<config>[^)]+)\) \| (?P<data>[^|]+) \| '
                       r'(?P<results>[^|]+) \| \[(?P<hash>[0-9a-f]+)\]\((?P<url>[^)]+)\) \|$')


def test_index_matches_mmpose_metafiles():
    """Names, weights, results, training data and method as mmpose publishes them (for the
    names mmpose lists twice, PoseTrack18, its first entry: ground-truth boxes)."""
    theirs = published_models()
    assert len(INDEX) == 20
    for name, ours in INDEX.items():
        assert name in theirs, name
        entry = theirs[name]
        assert ours.weights == entry['Weights'], name
        assert [dict(r) for r in ours.results] == entry['Results'][:1], name
        assert ours.training_data == entry['Metadata']['Training Data'], name
        assert ours.collection == entry['In Collection'], name
        assert hash_prefix(ours.weights.rsplit('/', 1)[1]), name  # every download is verified


def test_every_config_is_indexed_once_under_its_name():
    configs = {path for path in (REPO_ROOT / 'configs').glob('*/td-hm_*.py')
               if path.parent.name != 'quickstart'}  # trained here on generated data only
    assert {model.config for model in INDEX.values()} == configs
    for name, model in INDEX.items():
        assert model.config.stem == name
        assert model.metafile == model.config.parent / 'metafile.yml'
    # Every one of them builds: tests/configs/test_config_contract.py builds every config.


def test_readme_table_agrees_with_the_index():
    readme = REPO_ROOT / 'configs' / 'README.md'
    rows = [match.groupdict() for line in readme.read_text().splitlines()
            if (match := TABLE_ROW.match(line))]
    assert [row['name'] for row in rows] == list(INDEX)
    for row in rows:
        model = INDEX[row['name']]
        result = model.results[0]
        metrics = ', '.join(f'{key} {value}' for key, value in result['Metrics'].items())
        assert readme.parent / row['config'] == model.config
        assert row['data'] == model.training_data
        assert row['results'] == f"{result['Dataset']}: {metrics}"
        assert row['url'] == model.weights
        assert row['hash'] == hash_prefix(model.weights.rsplit('/', 1)[1])


def test_name_resolves_to_its_config_and_weights():
    assert resolve_pose_model(W32) == (str(INDEX[W32].config), INDEX[W32].weights)
    assert resolve_pose_model(W32, 'mine.pth') == (str(INDEX[W32].config), 'mine.pth')
    config = str(INDEX[W32].config)
    assert resolve_pose_model(config, 'mine.pth') == (config, 'mine.pth')


@pytest.mark.bad_input('model name that is not in the index', 'refused')
def test_unknown_name_suggests_close_ones():
    with pytest.raises(ValueError, match=f"no model named 'td-hm_hrnet-w32_8xb64-210e_coco-256x19'"
                                         f'.*did you mean {W32}'):
        find_model('td-hm_hrnet-w32_8xb64-210e_coco-256x19')


def test_name_runs_end_to_end_from_the_cache(tmp_path, monkeypatch, capsys):
    """A name resolves to its config and published URL, whose file the cache holds (as after a
    download, or a copy put there offline): init_pose_model and tools/infer.py run on it with
    no request (a request would go to a closed proxy port and fail)."""
    monkeypatch.setenv(HOME_VARIABLE, str(tmp_path / 'cache'))
    for variable in ('http_proxy', 'https_proxy'):
        monkeypatch.setenv(variable, f'http://127.0.0.1:{closed_port()}')
    cached = cached_file(INDEX[W32].weights)
    assert cached.parent == tmp_path / 'cache'
    cached.parent.mkdir()
    torch.manual_seed(0)
    saved = init_pose_model(str(INDEX[W32].config)).state_dict()
    torch.save({'state_dict': saved}, cached)

    state = init_pose_model(W32).state_dict()
    assert state.keys() == saved.keys()
    assert all(torch.equal(state[key], saved[key]) for key in saved)
    out = tmp_path / 'out'
    assert load_tool('infer').main([W32, '--input', str(COCO_IMAGES[0]), '--no-vis',
                                    '--out-dir', str(out)]) == 0
    assert 'images: 1, persons: 1' in capsys.readouterr().out
    assert len(json.loads((out / 'predictions.json').read_text())) == 1


def _mim(args, tmp_path, **env):
    """``mim ARGS`` with the installed package (``make install``); requests to the internet go
    to a closed proxy port."""
    proxy = f'http://127.0.0.1:{closed_port()}'
    return subprocess.run([MIM, *args], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, 'https_proxy': proxy, 'HTTPS_PROXY': proxy, **env},
                          timeout=300)


@pytest.mark.slow
def test_mim_search_lists_every_indexed_model(tmp_path):
    listing = tmp_path / 'search.json'
    run = _mim(['search', 'hrnet_plugin', '--json', str(listing)], tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    fields = json.loads(listing.read_text())
    assert set(fields['weight']) == set(INDEX), 'the installed index differs: make install'
    for name, model in INDEX.items():
        assert fields['weight'][name] == model.weights
        assert fields['config'][name] == str(model.config.relative_to(REPO_ROOT))
        result = model.results[0]
        for metric, value in result['Metrics'].items():
            column = f"{result['Dataset'].lower()}/{metric.lower()}"
            assert fields[column][name] == value, (name, column)
    printed = _mim(['search', 'hrnet_plugin'], tmp_path).stdout
    assert all(f'config id: {name}\n' in printed for name in INDEX)


@pytest.mark.slow
@pytest.mark.bad_input('mim download without network access', 'refused')
def test_mim_download_writes_the_config_and_needs_network_for_weights(tmp_path):
    """Offline, mim fails on the weights (its own error) and leaves no file; with the weights
    already in the destination (a copy made elsewhere) it writes the config."""
    dest = tmp_path / 'checkpoints'
    args = ['download', 'hrnet_plugin', '--config', W32, '--dest', str(dest)]
    run = _mim(args, tmp_path)
    assert run.returncode != 0 and 'ProxyError' in run.stdout + run.stderr
    assert list(dest.iterdir()) == []
    weights = dest / INDEX[W32].weights.rsplit('/', 1)[1]
    weights.write_bytes(b'copied from elsewhere')
    run = _mim(args, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    dumped = Config.fromfile(str(dest / f'{W32}.py'))
    assert dumped.model.to_dict() == Config.fromfile(str(INDEX[W32].config)).model.to_dict()
