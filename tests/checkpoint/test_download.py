"""Checkpoints by URL, against a real HTTP server on localhost: downloaded once into the cache
and loaded, verified against the hash in the name, never left half-written, and failing
promptly with the URL and the cache path named when the server cannot deliver."""
import hashlib
import io
import time

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint
from mmpose.apis import init_model as mmpose_init_model

from hrnet_plugin.apis import init_detector, init_pose_model
from hrnet_plugin.checkpoint import (
    CheckpointError,
    DownloadError,
    download_checkpoint,
    hash_prefix,
)
from hrnet_plugin.utils import HOME_VARIABLE

from ..apis.helpers import RTMDET_CONFIG
from .http_server import CheckpointServer, closed_port, hashed_name, silent_port

# Far above the few milliseconds a refused or answered request takes here, far below a hang.
PROMPT_SECONDS = 5


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder for the test; localhost is never sent through a proxy."""
    folder = tmp_path / 'cache'
    monkeypatch.setenv(HOME_VARIABLE, str(folder))
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')
    return folder


@pytest.fixture(scope='module')
def tiny(tiny_files):
    """(config file, checkpoint bytes) of the tiny test model."""
    return tiny_files[0], tiny_files[1].read_bytes()


def _assert_nothing_cached(cache):
    assert not cache.exists() or list(cache.iterdir()) == []


def test_hash_prefix_of_published_names():
    mmpose = 'td-hm_hrnet-w32_8xb64-210e_coco-256x192-81c58e40_20220909.pth'
    assert hash_prefix(mmpose) == '81c58e40'
    assert hash_prefix('hrnet_w32_mpii_256x256_dark-f1601c5b_20200927.pth') == 'f1601c5b'
    assert hash_prefix('hrnet_w32-36af842e.pth') == '36af842e'  # torch hub's convention
    assert hash_prefix('rtmdet_m_8xb32-300e_coco_20220719_112220-229f527c.pth') == '229f527c'
    assert hash_prefix('td-hm_hrnet-w32_8xb64-210e_coco-256x192.pth') is None
    assert hash_prefix('hrnet_w32_coco_256x192.pth') is None


def test_download_once_then_every_loader_uses_the_cache(tiny, cache):
    config, data = tiny
    name = hashed_name('td-hm_tiny', data)
    saved = torch.load(io.BytesIO(data), weights_only=True)['state_dict']
    with CheckpointServer() as server:
        server.files[name] = data
        url = server.url(name)
        models = [init_pose_model(config, url)]
        assert server.requests == [f'/{name}']
        assert [path.name for path in cache.iterdir()] == [name]
        assert (cache / name).read_bytes() == data
        # The second time, and through mmengine's loader (Runner, mmpose's init_model): no
        # request, the cached file.
        models.append(init_pose_model(config, url))
        models.append(mmpose_init_model(str(config), url, device='cpu'))
        assert torch.equal(_load_checkpoint(url)['state_dict']['head.final_layer.weight'],
                           saved['head.final_layer.weight'])
        assert server.requests == [f'/{name}']
    for model in models:
        state = model.state_dict()
        for key, tensor in saved.items():
            assert torch.equal(state[key], tensor), key


@pytest.mark.bad_input('checkpoint URL whose content does not match the SHA-256 in its name',
                       'refused')
def test_wrong_hash_is_refused_and_nothing_stays_in_the_cache(tiny, cache):
    data = tiny[1]
    name = 'td-hm_tiny-0123abcd_20240101.pth'
    with CheckpointServer() as server:
        server.files[name] = data
        with pytest.raises(DownloadError) as error:
            download_checkpoint(server.url(name))
    message = str(error.value)
    assert hashlib.sha256(data).hexdigest() in message and 'starts with 0123abcd' in message
    assert server.url(name) in message
    _assert_nothing_cached(cache)


@pytest.mark.bad_input('checkpoint download cut half way by the server', 'refused')
@pytest.mark.parametrize('hashed', [True, False], ids=['hash-in-name', 'no-hash'])
def test_cut_transfer_leaves_nothing_complete_looking(tiny, cache, hashed):
    """The size check catches the cut even when the name carries no hash to verify."""
    data = tiny[1]
    name = hashed_name('td-hm_tiny', data) if hashed else 'td-hm_tiny.pth'
    with CheckpointServer() as server:
        server.files[name] = data
        with pytest.raises(DownloadError, match=f'stopped after {len(data) // 2} of {len(data)} '
                                                'bytes') as error:
            download_checkpoint(server.url(name, cut=True))
    assert str(cache / name) in str(error.value)  # where a manual download would go
    _assert_nothing_cached(cache)


def _refused_promptly(url, cache, match):
    start = time.monotonic()
    with pytest.raises(DownloadError, match=match) as error:
        download_checkpoint(url, timeout=1)
    elapsed = time.monotonic() - start
    message = str(error.value)
    assert url in message and str(cache / url.rsplit('/', 1)[1]) in message
    _assert_nothing_cached(cache)
    return elapsed


@pytest.mark.bad_input('checkpoint URL answering 404', 'refused')
def test_404_names_the_url_and_the_cache_path(cache):
    with CheckpointServer() as server:
        elapsed = _refused_promptly(server.url('missing-81c58e40.pth'), cache, 'HTTP 404')
    assert elapsed < PROMPT_SECONDS


@pytest.mark.bad_input('checkpoint URL of a closed port (no server)', 'refused')
def test_closed_port_names_the_url_and_the_cache_path(cache):
    url = f'http://127.0.0.1:{closed_port()}/w32-81c58e40.pth'
    assert _refused_promptly(url, cache, 'Connection refused') < PROMPT_SECONDS


@pytest.mark.bad_input('checkpoint URL of a server that never answers', 'refused')
def test_silent_server_fails_after_the_timeout(cache):
    with silent_port() as port:
        elapsed = _refused_promptly(f'http://127.0.0.1:{port}/w32-81c58e40.pth', cache,
                                    'timed out')
    assert 1 <= elapsed < 1 + PROMPT_SECONDS


@pytest.fixture(scope='module')
def rtmdet(tmp_path_factory):
    """(mmdet's RTMDet-tiny config, a checkpoint of its constructor's weights)."""
    torch.manual_seed(0)
    checkpoint = tmp_path_factory.mktemp('rtmdet') / 'rtmdet_tiny.pth'
    torch.save({'state_dict': init_detector(RTMDET_CONFIG).state_dict(),
                'meta': {'dataset_meta': {'CLASSES': ('person', )}}}, checkpoint)
    return RTMDET_CONFIG, checkpoint


def test_detector_takes_checkpoint_urls(rtmdet, cache):
    """mmdet weights by URL, as mmdet publishes them (tools/infer.py --det-checkpoint passes
    its value to init_detector): downloaded once, loaded strictly, class names from the
    checkpoint."""
    config, checkpoint = rtmdet
    data = checkpoint.read_bytes()
    name = hashed_name('rtmdet_tiny_8xb32-300e_coco', data, suffix='.pth')
    with CheckpointServer() as server:
        server.files[name] = data
        detectors = [init_detector(config, server.url(name)) for _ in range(2)]
        assert server.requests == [f'/{name}']
    saved = torch.load(checkpoint, weights_only=True)['state_dict']
    for detector in detectors:
        state = detector.state_dict()
        assert state.keys() == saved.keys()
        assert all(torch.equal(state[key], saved[key]) for key in saved)
        assert detector.dataset_meta['classes'] == ('person', )


@pytest.mark.bad_input('pose checkpoint given as the detector checkpoint', 'refused')
def test_detector_refuses_weights_that_do_not_fit(tiny, rtmdet, tmp_path):
    pose_checkpoint = tmp_path / 'pose.pth'
    pose_checkpoint.write_bytes(tiny[1])
    with pytest.raises(CheckpointError, match=f'checkpoint {pose_checkpoint} does not fit the '
                                              'model \\(RTMDet\\): .* missing'):
        init_detector(rtmdet[0], pose_checkpoint)
