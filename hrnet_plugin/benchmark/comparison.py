"""The benchmark's rows: the plugin timed side by side with mmpose (or with PyTorch, for the
exported model), on the same weights and inputs, with the agreement of their outputs."""
import copy
from pathlib import Path
from typing import Callable, Dict, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpose.apis import inference_topdown as mmpose_inference_topdown
from mmpose.apis import init_model
from mmpose.registry import KEYPOINT_CODECS, MODELS

from hrnet_plugin.apis import estimate_poses, init_pose_model, optimize_for_inference
from hrnet_plugin.deploy import OnnxRuntimeSession, export_heatmap_onnx, relative_max_error

from .coco_samples import batch_of, coco_dataset, coco_detections, coco_keypoints
from .mmpose_configs import OUR_ESTIMATOR, mmpose_types, with_model
from .random_weights import randomize_weights_
from .rows import decoded, keypoint_agreement, per_unit, predicted_keypoints, row
from .timer import time_interleaved

DECODE_INSTANCES = 64
CHEAP_REPEATS = 5
TRAIN_AMP = {'fp32': None, 'bf16': 'bfloat16', 'fp16': None}  # fp16 training needs a scaler
RANDOM_WEIGHTS_SEED = 0


def calibrated_checkpoint(config: Config, inputs: torch.Tensor, path: str) -> str:
    """Seeded random weights (``randomize_weights_``) with BatchNorm statistics measured on
    ``inputs`` (N, 3, H, W), saved as a checkpoint at ``path``."""
    model = init_model(copy.deepcopy(config), device='cpu')
    randomize_weights_(model, RANDOM_WEIGHTS_SEED, lambda: model(inputs, None, mode='tensor'))
    torch.save({'state_dict': model.state_dict()}, path)
    return path


class Comparison:
    """The shared state of one run (config, weights, sample data) and its rows.

    ``ours_cfg``/``mmpose_cfg`` differ only in the component types (``MMPOSE_TYPES``); ours
    always uses the plugin's estimator (one-pass flip test). Without ``compare_mmpose`` only
    our side is timed and the baseline columns are None.

    Args:
        config: config file.
        workdir: folder for the random-weight checkpoint and the exported model.
        checkpoint: weights; None: ``calibrated_checkpoint`` on the sample crops.
        device, batch_size, precision, repeats: as ``run_benchmark``.
        data_root: folder of the COCO samples (``coco_samples``).
    """

    def __init__(self, config: str, workdir: str, data_root: Path,
                 checkpoint: Optional[str] = None, device: str = 'cpu', batch_size: int = 8,
                 precision: str = 'fp32', compare_mmpose: bool = False,
                 repeats: int = 3) -> None:
        self.workdir, self.data_root = workdir, Path(data_root)
        self.precision, self.repeats, self.batch_size = precision, repeats, batch_size
        self.cfg = Config.fromfile(config).to_dict()
        self.device = torch.device(device)
        self.compare = compare_mmpose
        self.val = coco_dataset(self.cfg, self.data_root, train=False)
        self.train = coco_dataset(self.cfg, self.data_root, train=True)
        self.val_batch = batch_of(self.val, batch_size)
        self.ours_cfg = with_model(self.cfg, type=OUR_ESTIMATOR)
        self.mmpose_cfg = Config(mmpose_types(self.cfg))
        preprocess = MODELS.build(self.cfg['model']['data_preprocessor'])
        self.inputs = preprocess(self.val_batch)['inputs'].to(self.device)    # (N, 3, H, W)
        self.checkpoint = checkpoint or calibrated_checkpoint(
            self.ours_cfg, preprocess(batch_of(self.val, len(self.val)))['inputs'],
            f'{workdir}/random_calibrated.pth')
        self.decoder = KEYPOINT_CODECS.build(self.cfg['model']['head']['decoder'])

    def build(self, config: Config, optimize: bool = False) -> nn.Module:
        model = init_model(config, self.checkpoint, device=str(self.device))
        if optimize:
            optimize_for_inference(model, precision=self.precision)
        return model

    def timed(self, fns: Dict[str, Callable[[], object]], cheap: bool = False):
        """(median seconds, last outputs) of each side. ``cheap`` rows (milliseconds per
        call) take CHEAP_REPEATS x more repeats: short calls are the most exposed to the other
        processes of a shared machine."""
        repeats = self.repeats * (CHEAP_REPEATS if cheap else 1)
        return time_interleaved(fns, repeats, device=self.device)

    def sides(self, ours, mmpose: Callable[[], object]) -> dict:
        """{'ours': ours[, 'mmpose': mmpose()]}: mmpose's side is built only when compared."""
        return dict(ours=ours, **({'mmpose': mmpose()} if self.compare else {}))

    @torch.no_grad()
    def model_rows(self) -> Dict[str, dict]:
        models = self.sides(self.build(self.ours_cfg, optimize=True),
                            lambda: self.build(self.mmpose_cfg))
        rows = {}
        for inputs in (self.inputs[:1], self.inputs):
            times, heatmaps = self.timed({name: lambda m=m, x=inputs: m(x, None, mode='tensor')
                                          for name, m in models.items()})
            agree = {}
            if self.compare:
                agree = keypoint_agreement(decoded(self.decoder, heatmaps['ours']),
                                           decoded(self.decoder, heatmaps['mmpose']))
            rows[f'forward_b{len(inputs)}'] = row(times['ours'], times.get('mmpose'),
                                                  f'forward, batch of {len(inputs)}', **agree)
        # Each model gets its own copy of the batch: test_step writes into the data samples.
        batches = {name: copy.deepcopy(self.val_batch) for name in models}
        times, results = self.timed({name: lambda m=m, b=batches[name]: m.test_step(b)
                                     for name, m in models.items()})
        agree = {}
        if self.compare:
            agree = keypoint_agreement(predicted_keypoints(results['ours']),
                                       predicted_keypoints(results['mmpose']))
        rows[f'flip_b{len(self.inputs)}'] = row(
            times['ours'], times.get('mmpose'),
            f'flip test_step, batch of {len(self.inputs)}', **agree)
        return rows

    def codec_rows(self) -> Dict[str, dict]:
        decoder = self.cfg['model']['head']['decoder']
        sizes = dict(input_size=tuple(decoder['input_size']),
                     heatmap_size=tuple(decoder['heatmap_size']))
        sigma = decoder.get('sigma', 2)
        codecs = dict(msra=dict(type='MSRAHeatmap', sigma=sigma, **sizes),
                      dark=dict(type='MSRAHeatmap', sigma=sigma, unbiased=True, **sizes),
                      udp=dict(type='UDPHeatmap', sigma=sigma, **sizes))
        keypoints, visible = coco_keypoints(self.data_root, sizes['input_size'])
        rng = np.random.default_rng(0)
        rows = {}
        for name, codec in codecs.items():
            ours = KEYPOINT_CODECS.build(dict(codec, type=f'hrnet_plugin.{codec["type"]}'))
            built = self.sides(ours, lambda c=codec: KEYPOINT_CODECS.build(c))
            # Decoding: the (noisy) target heatmaps of 64 random instances; ours decodes the
            # batch as one tensor, mmpose's codec one instance at a time.
            points = rng.uniform(0.05, 0.95, (DECODE_INSTANCES, keypoints.shape[1], 2))
            maps = np.stack([built['ours'].encode(p[None] * sizes['input_size'])['heatmaps']
                             for p in points])
            maps += rng.normal(0, 0.01, maps.shape).astype(np.float32)
            fns = {'ours': lambda c=built['ours'], t=torch.from_numpy(maps).to(self.device):
                   np.concatenate(c.batch_decode(t)[0])}
            if self.compare:
                fns['mmpose'] = lambda c=built['mmpose'], m=maps: np.concatenate(
                    [c.decode(h)[0] for h in m])
            times, out = self.timed(fns, cheap=True)
            agree = keypoint_agreement(out['ours'], out['mmpose']) if self.compare else {}
            rows[f'decode64_{name}'] = row(times['ours'], times.get('mmpose'),
                                           f'decode {DECODE_INSTANCES} instances', **agree)
            # Target generation: one instance per call, as the top-down pipeline does.
            times, out = self.timed({
                side: lambda c=c: [c.encode(k[None], v[None])['heatmaps']
                                   for k, v in zip(keypoints, visible, strict=True)]
                for side, c in built.items()}, cheap=True)
            diff = None
            if self.compare:
                diff = max(float(np.abs(a - b).max())
                           for a, b in zip(out['ours'], out['mmpose'], strict=True))
            rows[f'encode_{name}'] = row(
                per_unit(times['ours'], len(keypoints)),
                per_unit(times.get('mmpose'), len(keypoints)),
                'encode, per instance', agreement=diff, metric='max heatmap diff')
        return rows

    def pipeline_row(self) -> dict:
        datasets = self.sides(self.train, lambda: coco_dataset(
            mmpose_types(self.cfg), self.data_root, train=True))
        times, _ = self.timed({name: lambda d=d: [d[i] for i in range(len(d))]
                               for name, d in datasets.items()}, cheap=True)
        count = len(self.train)
        return row(per_unit(times['ours'], count), per_unit(times.get('mmpose'), count),
                   'train pipeline, per sample')

    def e2e_row(self) -> dict:
        images = coco_detections(self.data_root)
        paths, boxes = [p for p, _ in images], [b for _, b in images]
        ours = init_pose_model(self.ours_cfg, self.checkpoint, device=str(self.device),
                               precision=self.precision, fuse_bn=True, channels_last=True)
        # Ours takes all images at once and batches their crops; mmpose's API takes one image.
        fns = {'ours': lambda: predicted_keypoints(estimate_poses(ours, paths, boxes))}
        if self.compare:
            mmpose = self.build(self.mmpose_cfg)
            fns['mmpose'] = lambda: np.concatenate([
                predicted_keypoints(mmpose_inference_topdown(mmpose, p, b)) for p, b in images])
        times, out = self.timed(fns)
        agree = keypoint_agreement(out['ours'], out['mmpose']) if self.compare else {}
        count = len(images)
        return dict(row(per_unit(times['ours'], count), per_unit(times.get('mmpose'), count),
                        'pose estimation, per image', **agree),
                    note=f'{sum(map(len, boxes))} boxes in {count} images')

    def train_row(self) -> dict:
        batch = batch_of(self.train, self.batch_size)
        ours = with_model(self.cfg, type=OUR_ESTIMATOR, channels_last=True,
                          amp_dtype=TRAIN_AMP[self.precision])
        models = self.sides(self.build(ours), lambda: self.build(self.mmpose_cfg))
        steps = {}
        for name, model in models.items():
            wrapper = build_optim_wrapper(model.train(), copy.deepcopy(self.cfg['optim_wrapper']))
            steps[name] = lambda m=model, w=wrapper: m.train_step(batch, w)
        times, _ = self.timed(steps)
        return row(times['ours'], times.get('mmpose'), f'train_step, batch of {self.batch_size}')

    @torch.no_grad()
    def onnx_rows(self) -> Dict[str, dict]:
        """onnxruntime vs our PyTorch model, both float32 on CPU (no mmpose side)."""
        path = f'{self.workdir}/model.onnx'
        export_heatmap_onnx(init_model(self.ours_cfg, self.checkpoint, device='cpu'), path)
        session = OnnxRuntimeSession(path)
        torch_model = init_model(self.ours_cfg, self.checkpoint, device='cpu')
        optimize_for_inference(torch_model, precision='fp32')
        rows = {}
        for inputs in (self.inputs[:1].cpu(), self.inputs.cpu()):
            times, out = time_interleaved(
                {'ours': lambda x=inputs: session(x),
                 'pytorch': lambda x=inputs: torch_model(x, None, mode='tensor')},
                self.repeats)
            rows[f'onnx_b{len(inputs)}'] = row(
                times['ours'], times['pytorch'], f'onnxruntime, batch of {len(inputs)}',
                baseline='pytorch fp32 (ours, CPU)',
                agreement=relative_max_error(out['ours'], out['pytorch']),
                metric='max error / heatmap range')
        return rows
