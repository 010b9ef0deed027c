"""Configs given to tools/train.py and tools/test.py with one mistake: refused with one line
naming the config, the field and the values (a misspelled type: the registry and the closest
registered names), before a Runner is built where the check can be made up front."""
from pathlib import Path

import mmpose
import pytest
from mmengine.config import Config

from ..tools.runs import TINY_CONFIG, write_tiny_config
from .helpers import assert_refused, run_cli

MMPOSE_COCO_METAINFO = Path(mmpose.__file__).parent / '.mim/configs/_base_/datasets/coco.py'


@pytest.fixture(scope='module')
def tiny_coco(tmp_path_factory):
    return write_tiny_config(tmp_path_factory.mktemp('config'), 'coco')


def _metainfo_file(tmp_path, edit):
    """COCO's metainfo with ``edit`` applied, as a config file."""
    metainfo = Config.fromfile(str(MMPOSE_COCO_METAINFO)).to_dict()['dataset_info']
    edit(metainfo)
    path = tmp_path / 'metainfo.py'
    path.write_text(f'dataset_info = {metainfo!r}\n')
    return path


CASES = {
    'misspelled backbone type': (
        ['model.backbone.type=hrnet_plugin.HRNett'],
        ["type 'hrnet_plugin.HRNett' is not in the mmpose::model registry",
         "did you mean 'hrnet_plugin.HRNet'"]),
    'misspelled loss type': (
        ['model.head.loss.type=KeypointMSELos'],
        ["type 'KeypointMSELos' is not in the", "did you mean 'KeypointMSELoss'"]),
    'head out_channels 16 for a 17-keypoint dataset': (
        ['model.head.out_channels=16'],
        ['model.head.out_channels is 16 but train_dataloader.dataset',
         '(hrnet_plugin.ValidatedCocoDataset) has 17 keypoints']),
    'MPII metainfo (16 keypoints) for a 17-channel head': (
        ['train_dataloader.dataset.metainfo.from_file=configs/_base_/datasets/mpii.py'],
        ['model.head.out_channels is 17 but train_dataloader.dataset', 'has 16 keypoints']),
}


@pytest.mark.parametrize('case', [
    pytest.param(case, marks=pytest.mark.bad_input(f'config: {case}', 'refused'), id=case)
    for case in CASES])
def test_config_mistake_is_refused(tiny_coco, tmp_path, capsys, case):
    options, words = CASES[case]
    status, _, err = run_cli('train', [tiny_coco, '--work-dir', tmp_path, '--cfg-options',
                                       *options], capsys)
    assert_refused(status, err, 'train.py', *words)
    assert not list(tmp_path.rglob('*.pth'))


@pytest.mark.parametrize('edit, words', [
    pytest.param(lambda info: info['sigmas'].pop(), ['sigmas has 16 values for 17 keypoints'],
                 marks=pytest.mark.bad_input('metainfo: sigmas of 16 values for 17 keypoints',
                                             'refused'), id='sigmas'),
    # left_eye (1) swaps with right_ear (4), which still swaps with left_ear (3)
    pytest.param(lambda info: info['keypoint_info'][1].update(swap='right_ear'),
                 ['flip_indices [0, 4, 1, 4, 3,', 'do not pair up the keypoints'],
                 marks=pytest.mark.bad_input('metainfo: flip pairs that do not pair up',
                                             'refused'), id='flip_indices'),
])
def test_metainfo_mistake_is_refused_before_the_runner(tiny_coco, tmp_path, capsys, edit,
                                                      words):
    metainfo = _metainfo_file(tmp_path, edit)
    status, _, err = run_cli('test', [tiny_coco, 'any.pth', '--work-dir', tmp_path / 'work',
                                      '--cfg-options',
                                      f'test_dataloader.dataset.metainfo.from_file={metainfo}'],
                             capsys)
    assert_refused(status, err, 'test.py', f'config {tiny_coco}: test_dataloader.dataset.metainfo '
                   f"({metainfo}): metainfo of dataset 'coco'", *words)
    assert not (tmp_path / 'work').exists()  # before the Runner


@pytest.mark.bad_input('config: input size 60 x 60, not a multiple of 32', 'refused')
def test_input_size_not_a_multiple_of_32_is_refused(tiny_coco, tmp_path, capsys):
    codec = {'type': 'hrnet_plugin.MSRAHeatmap', 'input_size': (60, 60),
             'heatmap_size': (15, 15), 'sigma': 2}
    config = tmp_path / 'odd_size.py'
    config.write_text(TINY_CONFIG.format(base=str(tiny_coco), codec=codec))
    status, _, err = run_cli('train', [config, '--work-dir', tmp_path / 'work'], capsys)
    assert_refused(status, err, 'train.py', f'config {config}',
                   'train_dataloader.dataset TopdownAffine input_size (60, 60) must be '
                   'multiples of 32')
    assert not (tmp_path / 'work').exists()


@pytest.mark.bad_input('config file that does not exist', 'refused')
def test_missing_config_is_refused(tmp_path, capsys):
    status, _, err = run_cli('train', [tmp_path / 'nope.py'], capsys)
    assert_refused(status, err, 'train.py', f'config file {tmp_path / "nope.py"} does not exist')


@pytest.mark.bad_input('config with a Python syntax error', 'refused')
def test_config_with_a_syntax_error_is_refused(tmp_path, capsys):
    config = tmp_path / 'broken.py'
    config.write_text('model = dict(type="X"\n')
    status, _, err = run_cli('test', [config, 'any.pth'], capsys)
    assert_refused(status, err, 'test.py', f'config file {config} is not valid Python',
                   'was never closed (line 1)')
