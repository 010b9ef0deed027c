"""COCO's keypoints as the generator reads them from mmpose's installed metainfo."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hrnet_plugin.synthetic.keypoints import FLIP_INDICES, KEYPOINT_NAMES, SKELETON

REPO_ROOT = Path(__file__).resolve().parents[2]


def _swap_side(name: str) -> str:
    for a, b in (('left_', 'right_'), ('right_', 'left_')):
        if name.startswith(a):
            return b + name[len(a):]
    return name


def test_flip_twins_swap_left_and_right():
    assert len(FLIP_INDICES) == len(KEYPOINT_NAMES) == 17
    for index, twin in enumerate(FLIP_INDICES):
        assert KEYPOINT_NAMES[twin] == _swap_side(KEYPOINT_NAMES[index])


def test_names_and_skeleton_match_the_coco_sample(data_root):
    (category,) = json.loads((data_root / 'coco' / 'test_coco.json').read_text())['categories']
    assert list(KEYPOINT_NAMES) == category['keypoints']
    assert [list(link) for link in SKELETON] == category['skeleton']


def test_read_from_mmpose_whatever_the_current_directory(tmp_path):
    """A project's configs/_base_/datasets/coco.py in the current directory is not read, though
    mmpose's own relative lookup of CocoDataset.METAINFO would read it."""
    decoy = tmp_path / 'configs' / '_base_' / 'datasets' / 'coco.py'
    decoy.parent.mkdir(parents=True)
    decoy.write_text(textwrap.dedent("""\
        dataset_info = dict(
            dataset_name='decoy',
            keypoint_info={0: dict(name='a', id=0, color=[0, 0, 0], type='upper', swap='')},
            skeleton_info={},
            joint_weights=[1.0],
            sigmas=[0.1])
        """))
    script = textwrap.dedent("""\
        import json
        from mmpose.datasets import CocoDataset
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        from hrnet_plugin.synthetic.keypoints import KEYPOINT_NAMES
        relative = parse_pose_metainfo(dict(CocoDataset.METAINFO))['keypoint_id2name']
        print(json.dumps([list(KEYPOINT_NAMES), list(relative.values())]))
        """)
    run = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)}, timeout=300)
    assert run.returncode == 0, run.stderr
    ours, relative = json.loads(run.stdout.splitlines()[-1])
    assert relative == ['a']  # the decoy is what a relative lookup finds
    assert ours == list(KEYPOINT_NAMES)
