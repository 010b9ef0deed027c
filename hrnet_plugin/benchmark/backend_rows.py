"""The backend rows of the benchmark: every runtime and precision asked for, timed against
mmpose's PyTorch float32 model in one interleaved group (model only, then end to end), with
the keypoint agreement with our PyTorch float32 model and, on request, the COCO AP."""
import copy
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import torch.nn as nn
from mmpose.apis import inference_topdown as mmpose_inference_topdown

from hrnet_plugin.apis import estimate_poses, init_pose_model
from hrnet_plugin.deploy import cpu_has_native_bf16, resolve_precision

from .accuracy import coco_ap
from .coco_samples import ANNOTATIONS, coco_detections
from .rows import keypoint_agreement, per_unit, predicted_keypoints, row

MMPOSE = 'mmpose'
REFERENCE = 'our PyTorch fp32'


def unavailable(backend: str, precision: str, device: str = 'cpu') -> Optional[str]:
    """Why ``precision`` of ``backend`` is not measured on this machine (None: it is): a
    combination that does not exist, or bf16 where the CPU would emulate it."""
    try:
        resolve_precision(backend, precision, device)
    except ValueError as error:
        return str(error)
    if precision == 'bf16' and device == 'cpu' and not cpu_has_native_bf16():
        return 'this CPU has no native bfloat16 (AVX512-BF16 or AMX): bf16 would be emulated'
    return None


def calibration_dataset(cfg: dict, data_root: Path) -> dict:
    """The int8 calibration persons: the config's training set where its annotation file is
    found, else the COCO sample persons of ``data_root``."""
    train = cfg['train_dataloader']['dataset']
    if (Path(train.get('data_root', '')) / train['ann_file']).is_file():
        return dict(train)
    return dict(type='CocoDataset', data_root=str(data_root), ann_file=ANNOTATIONS,
                data_prefix=dict(img=''))


def _note(ours_s: float, mmpose_s: float, ap: Optional[float], ap_fp32: Optional[float]) -> str:
    note = f'{1 / ours_s:.2f} vs {1 / mmpose_s:.2f} images/s: {mmpose_s / ours_s:.2f}x'
    if ap is not None:
        note += f'; AP {ap:.4f} ({REFERENCE} {ap_fp32:.4f})'
    return note


class BackendRows:
    """The models of the backend rows, built once, and the two timed groups.

    Args:
        bench: the run's ``Comparison`` (config, checkpoint, sample batch and images, timer).
        combinations: (backend, precision) pairs.
        calibration: int8 calibration dataset config (``init_pose_model``'s).
        calibration_size: int8 calibration crops.
    """

    def __init__(self, bench, combinations: Sequence, calibration: Optional[dict] = None,
                 calibration_size: int = 300) -> None:
        self.bench = bench
        device = str(bench.device)
        self.missing = {f'{b}_{p}': unavailable(b, p, device) for b, p in combinations}
        self.models: Dict[str, nn.Module] = {
            f'{b}_{p}': init_pose_model(bench.ours_cfg, bench.checkpoint, device=device,
                                        backend=b, precision=p, fuse_bn=True,
                                        channels_last=True, calibration=calibration,
                                        calibration_size=calibration_size)
            for b, p in combinations if self.missing[f'{b}_{p}'] is None}
        self.reference = init_pose_model(bench.ours_cfg, bench.checkpoint, device=device)
        self.mmpose = bench.build(bench.mmpose_cfg)
        self.images = coco_detections(bench.data_root)

    def _e2e(self, model: nn.Module) -> Callable[[], np.ndarray]:
        paths, boxes = [p for p, _ in self.images], [b for _, b in self.images]
        return lambda: predicted_keypoints(
            estimate_poses(model, paths, boxes, batch_size=self.bench.batch_size))

    def _mmpose_e2e(self) -> np.ndarray:
        return np.concatenate([predicted_keypoints(mmpose_inference_topdown(self.mmpose, p, b))
                               for p, b in self.images])

    def rows(self, val_ap: bool = False) -> Dict[str, dict]:
        """Rows ``<backend>_<precision>_model`` (``test_step`` with flip test on the sample
        batch, per crop) and ``..._e2e`` (``estimate_poses`` on the sample images with their
        detections, per image), against mmpose's ``test_step`` / ``inference_topdown``."""
        batch = self.bench.val_batch
        size = len(batch['inputs'])
        models = {**self.models, MMPOSE: self.mmpose}
        batches = {name: copy.deepcopy(batch) for name in models}
        model_s, model_out = self.bench.timed({name: lambda m=m, b=batches[name]: m.test_step(b)
                                               for name, m in models.items()})
        e2e_fns = {name: self._e2e(model) for name, model in self.models.items()}
        e2e_s, e2e_out = self.bench.timed({**e2e_fns, MMPOSE: self._mmpose_e2e})
        reference_model = predicted_keypoints(self.reference.test_step(copy.deepcopy(batch)))
        reference_e2e = self._e2e(self.reference)()
        ap_fp32 = coco_ap(self.reference) if val_ap else None
        count, boxes = len(self.images), sum(len(b) for _, b in self.images)
        rows = {}
        for name, missing in self.missing.items():
            model_unit = f'test_step (flip), batch of {size}, per crop'
            e2e_unit = 'estimate_poses, per image'
            if missing:
                rows[f'{name}_model'] = dict(row(None, None, model_unit), note=f'n/a: {missing}')
                rows[f'{name}_e2e'] = dict(row(None, None, e2e_unit), note=f'n/a: {missing}')
                continue
            ap = coco_ap(self.models[name]) if val_ap else None
            agree = dict(keypoint_agreement(predicted_keypoints(model_out[name]),
                                            reference_model), agreement_with=REFERENCE)
            ours, base = per_unit(model_s[name], size), per_unit(model_s[MMPOSE], size)
            rows[f'{name}_model'] = dict(row(ours, base, model_unit, 'mmpose fp32', **agree),
                                         note=_note(ours, base, ap, ap_fp32), ap=ap,
                                         ap_fp32=ap_fp32)
            agree = dict(keypoint_agreement(e2e_out[name], reference_e2e),
                         agreement_with=REFERENCE)
            ours, base = per_unit(e2e_s[name], count), per_unit(e2e_s[MMPOSE], count)
            rows[f'{name}_e2e'] = dict(
                row(ours, base, e2e_unit, 'mmpose fp32 inference_topdown', **agree),
                note=f'{_note(ours, base, None, None)}; {boxes} boxes in {count} images')
        return rows
