"""The configured COCO evaluation scores what it should.

Predictions are fed to the CocoMetric of the COCO config exactly as the Runner does (one data
sample per person box from the configured validation pipeline): the ground truth itself scores
AP 1, and seeded noisy predictions score what xtcocotools' COCOeval gives on the results file
the metric wrote, with the COCO keypoint sigmas typed in from the COCO evaluation page.
"""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmpose.registry import DATASETS, METRICS
from xtcocotools.coco import COCO
from xtcocotools.cocoeval import COCOeval

from .samples import SAMPLES, load_config, sample_dataset_cfg

# https://cocodataset.org/#keypoints-eval, nose to right ankle.
COCO_SIGMAS = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87,
                        .87, .89, .89]) / 10.0


@pytest.fixture(scope='module')
def samples() -> tuple:
    """(val dataset on the 4 COCO sample images with ground-truth boxes, its data samples)."""
    init_default_scope('mmpose')
    dataset = DATASETS.build(sample_dataset_cfg('coco', 'val'))
    return dataset, [dataset[i]['data_samples'] for i in range(len(dataset))]


def evaluate(dataset, data_samples, keypoints, scores, outfile_prefix) -> dict:
    """Run the configured CocoMetric on (N, K, 2) predicted ``keypoints`` and (N, K) scores."""
    metric = METRICS.build(dict(load_config('coco').val_evaluator, outfile_prefix=outfile_prefix))
    metric.dataset_meta = dataset.metainfo  # as the Runner does; loads the dataset's ann_file
    for sample, kpts, kpt_scores in zip(data_samples, keypoints, scores):
        sample = sample.clone()
        sample.pred_instances = InstanceData(keypoints=kpts[None], keypoint_scores=kpt_scores[None])
        metric.process([], [sample.to_dict()])
    return metric.evaluate(len(data_samples))


def ground_truth(dataset) -> tuple:
    """(N, K, 2) annotated keypoints of the samples and (N, K) visibility."""
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return (np.concatenate([info['keypoints'] for info in infos]),
            np.concatenate([info['keypoints_visible'] for info in infos]))


def test_ground_truth_scores_ap_1(samples, tmp_path):
    dataset, data_samples = samples
    keypoints, visible = ground_truth(dataset)
    metrics = evaluate(dataset, data_samples, keypoints, np.where(visible > 0, 0.9, 0.1),
                       str(tmp_path / 'gt'))
    assert metrics['coco/AP'] == pytest.approx(1.0)
    assert metrics['coco/AR'] == pytest.approx(1.0)


def test_noisy_predictions_score_as_cocoeval_on_the_written_results(samples, tmp_path):
    dataset, data_samples = samples
    keypoints, visible = ground_truth(dataset)
    rng = np.random.default_rng(0)
    # Noise of 2-12 px: some keypoints stay within their OKS tolerance, others do not.
    noisy = keypoints + rng.normal(0, rng.uniform(2, 12, (len(keypoints), 1, 1)), keypoints.shape)
    scores = rng.uniform(0.3, 1.0, visible.shape)
    metrics = evaluate(dataset, data_samples, noisy, scores, str(tmp_path / 'noisy'))
    assert 0.05 < metrics['coco/AP'] < 0.95

    coco = COCO(str(SAMPLES / 'coco' / 'test_coco.json'))
    results = coco.loadRes(str(tmp_path / 'noisy.keypoints.json'))
    assert sorted(results.getImgIds()) == sorted(coco.getImgIds())
    evaluation = COCOeval(coco, results, 'keypoints', COCO_SIGMAS, use_area=True)
    evaluation.params.useSegm = None
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    assert metrics['coco/AP'] == pytest.approx(evaluation.stats[0])
    assert metrics['coco/AR'] == pytest.approx(evaluation.stats[5])
