"""Speed of the plugin side by side with mmpose, on the same weights and inputs.

    python tools/benchmark.py CONFIG [--checkpoint C] [--device cpu|cuda] [--batch-size N]
        [--precision fp32|bf16|fp16] [--compare-mmpose] [--json OUT] [--repeats R]

Rows (each a median over R repeats after one warm-up call; with ``--compare-mmpose`` ours and
mmpose's are called in turns, A B A B, in this process, so machine noise hits both alike):

* forward_b1 / forward_bN: ``model(inputs, mode='tensor')``; ours = the config's model (as
  ``hrnet_plugin.TopdownPoseEstimator``) passed through ``optimize_for_inference(precision)``
  (BatchNorm folding, channels_last, autocast);
  mmpose = mmpose's own ``HRNet``/``HeatmapHead`` in float32, loaded with the same weights.
* flip_bN: ``test_step`` with flip test: ours one backbone pass over 2N images
  (``hrnet_plugin.TopdownPoseEstimator``, optimised), mmpose two passes of N.
* decode64_{msra,dark,udp}: heatmaps of 64 instances; ours ``batch_decode`` on one tensor,
  mmpose's codec ``decode`` called per instance (what mmpose's heads do without batch support).
* encode_{msra,dark,udp}: target generation per instance, on the COCO sample annotations.
* pipeline: the config's train pipeline over the COCO samples, with our codec vs mmpose's.
* e2e: ``inference_topdown`` over the COCO sample images with the detections json
  (score >= 0.3), ours ``hrnet_plugin.apis`` vs ``mmpose.apis``, per image.
* train_bN: ``train_step`` (forward, backward, optimiser step) of the config's optimiser;
  ours ``channels_last`` (+ bfloat16 autocast with ``--precision bf16``), mmpose float32.
* onnx_b1 / onnx_bN: onnxruntime (CPU) on the exported float32 graph vs our PyTorch model
  optimised in float32 (always on CPU).

Agreement columns: keypoint rows give the max keypoint difference in pixels (crop pixels for
model rows, image pixels for flip/e2e) and the share of keypoints within 1 px; target rows
the max heatmap difference; ONNX rows the max error relative to the heatmap range.

Without ``--checkpoint`` the weights are random: mmengine's initialisation with BatchNorm
statistics calibrated on the sample crops (so activations keep a realistic scale). Random
heatmaps have no clear maximum, so their keypoint agreement is a worst case; reduced precision
is accurate on a trained model's peaked heatmaps.
"""
import argparse
import copy
import datetime
import json
import logging
import math
import platform
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpose.apis import inference_topdown as mmpose_inference_topdown
from mmpose.apis import init_model
from mmpose.registry import DATASETS, KEYPOINT_CODECS, MODELS

import hrnet_plugin  # noqa: F401  (registers the plugin; allowlists checkpoint types)
from hrnet_plugin.apis.fast_inference import (
    cpu_has_native_bf16,
    export_onnx,
    heatmap_model,
    onnx_session,
    optimize_for_inference,
    relative_max_error,
    time_interleaved,
)

DATA_ROOT = Path(__file__).resolve().parents[1].parent / 'shared' / 'data' / 'coco'
ANNOTATIONS = 'test_coco.json'
DETECTIONS = 'test_coco_det_AP_H_56.json'
BBOX_THR = 0.3                     # mmpose's demo default for detector boxes
DECODE_INSTANCES = 64
CHEAP_REPEATS = 5
OUR_ESTIMATOR = 'hrnet_plugin.TopdownPoseEstimator'
# The plugin's components and mmpose's counterparts, which take the same arguments (our
# estimator's extra options dropped). Other types are shared by both sides.
MMPOSE_TYPES = {'hrnet_plugin.HRNet': 'HRNet', 'hrnet_plugin.HeatmapHead': 'HeatmapHead',
                'hrnet_plugin.MSRAHeatmap': 'MSRAHeatmap', 'hrnet_plugin.UDPHeatmap': 'UDPHeatmap',
                OUR_ESTIMATOR: 'TopdownPoseEstimator',
                'hrnet_plugin.LoadImageOrSkip': 'LoadImage'}
OUR_ONLY_ARGS = {OUR_ESTIMATOR: ('channels_last', 'amp_dtype')}
TRAIN_AMP = {'fp32': None, 'bf16': 'bfloat16', 'fp16': None}  # fp16 training needs a scaler


# --- configs ---------------------------------------------------------------------------
def mmpose_types(node):
    """The config with the plugin's components replaced by mmpose's (``MMPOSE_TYPES``)."""
    if isinstance(node, dict):
        drop = OUR_ONLY_ARGS.get(node.get('type'), ())
        out = {k: mmpose_types(v) for k, v in node.items() if k not in drop}
        if isinstance(out.get('type'), str):
            out['type'] = MMPOSE_TYPES.get(out['type'], out['type'])
        return out
    if isinstance(node, (list, tuple)):
        return type(node)(mmpose_types(v) for v in node)
    return node


def with_model(cfg: dict, **changes) -> Config:
    """A Config whose model dict is updated by ``changes`` (others untouched)."""
    cfg = copy.deepcopy(cfg)
    cfg['model'].update(changes)
    return Config(cfg)


def coco_dataset(cfg: dict, data_root: Path, train: bool):
    """The COCO samples (14 person instances) through the config's train or val pipeline."""
    loader = cfg['train_dataloader' if train else 'val_dataloader']
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    return DATASETS.build(dict(type='CocoDataset', data_root=str(data_root),
                               ann_file=ANNOTATIONS, data_prefix=dict(img=''),
                               pipeline=loader['dataset']['pipeline'], test_mode=not train))


def batch_of(dataset, size: int) -> dict:
    """The first ``size`` samples (cycling), collated like mmengine's dataloader does."""
    return pseudo_collate([dataset[i % len(dataset)] for i in range(size)])


# --- weights ---------------------------------------------------------------------------
@torch.no_grad()
def calibrated_checkpoint(config: Config, inputs: torch.Tensor, path: str) -> str:
    """Random weights (mmengine's initialisation of the config) with BatchNorm statistics
    measured on ``inputs`` (N, 3, H, W), saved as a checkpoint."""
    model = init_model(copy.deepcopy(config), device='cpu')
    model.init_weights()
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # cumulative average: one pass sets the statistics
    model.train()
    model(inputs, None, mode='tensor')
    torch.save({'state_dict': model.state_dict()}, path)
    return path


# --- measurement helpers ---------------------------------------------------------------
def row(ours_s: Optional[float], baseline_s: Optional[float], unit: str,
        baseline: str = 'mmpose', agreement: Optional[float] = None, metric: str = '',
        within_1px: Optional[float] = None) -> dict:
    """One table row: seconds per unit of ours and of the baseline, and their agreement."""
    ratio = ours_s / baseline_s if ours_s is not None and baseline_s else None
    return dict(ours_s=ours_s, baseline_s=baseline_s, baseline=baseline, unit=unit,
                ratio=ratio, agreement=agreement, agreement_metric=metric,
                within_1px=within_1px)


def keypoint_agreement(ours: np.ndarray, ref: np.ndarray) -> dict:
    """Max distance (px) between keypoints (..., 2) and the share within 1 px."""
    dist = np.linalg.norm(np.asarray(ours, np.float64) - np.asarray(ref, np.float64), axis=-1)
    return dict(agreement=float(dist.max()), metric='max keypoint diff (px)',
                within_1px=float((dist <= 1).mean()))


def decoded(decoder, heatmaps: torch.Tensor) -> np.ndarray:
    """(B, K, 2) keypoints (crop pixels) of (B, K, H, W) heatmaps."""
    return np.concatenate(decoder.batch_decode(heatmaps.float())[0])


def predicted_keypoints(samples: Sequence) -> np.ndarray:
    return np.concatenate([s.pred_instances.keypoints for s in samples])


def conv_macs(model: nn.Module, inputs: torch.Tensor) -> int:
    """Multiply-adds of the convolutions in ``model(inputs, mode='tensor')`` per image,
    counted by forward hooks: a Conv2d output element costs C_in/groups * kh * kw, and a
    ConvTranspose2d input element scatters into C_out/groups * kh * kw outputs."""
    total = 0

    def count(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        nonlocal total
        kernel = math.prod(module.kernel_size)
        if isinstance(module, nn.ConvTranspose2d):
            total += args[0].numel() * module.out_channels // module.groups * kernel
        else:
            total += output.numel() * module.in_channels // module.groups * kernel

    handles = [m.register_forward_hook(count) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        model(inputs, mode='tensor')
    for handle in handles:
        handle.remove()
    return total // inputs.shape[0]


class TensorForward(nn.Module):
    """``model._forward`` as a plain module, the form mmengine's FLOP counter traces."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor):
        return self.model._forward(inputs)


# --- benchmark sections ----------------------------------------------------------------
class Bench:
    """The shared state of one run (config, weights, sample data) and its measurements.

    ``ours_*``/``mmpose_*`` configs differ only in the component types (``MMPOSE_TYPES``);
    ours always uses the plugin's estimator (one-pass flip test).
    """

    def __init__(self, args: argparse.Namespace, workdir: str) -> None:
        self.args, self.workdir = args, workdir
        self.cfg = Config.fromfile(args.config).to_dict()
        self.device = torch.device(args.device)
        self.compare = args.compare_mmpose
        self.val = coco_dataset(self.cfg, args.data_root, train=False)
        self.train = coco_dataset(self.cfg, args.data_root, train=True)
        self.val_batch = batch_of(self.val, args.batch_size)
        self.ours_cfg = with_model(self.cfg, type=OUR_ESTIMATOR)
        self.mmpose_cfg = Config(mmpose_types(self.cfg))
        preprocess = MODELS.build(self.cfg['model']['data_preprocessor'])
        self.inputs = preprocess(self.val_batch)['inputs'].to(self.device)    # (N, 3, H, W)
        self.checkpoint = args.checkpoint or calibrated_checkpoint(
            self.ours_cfg, preprocess(batch_of(self.val, len(self.val)))['inputs'],
            f'{workdir}/random_calibrated.pth')
        self.decoder = KEYPOINT_CODECS.build(self.cfg['model']['head']['decoder'])

    def build(self, config: Config, optimize: bool = False) -> nn.Module:
        model = init_model(config, self.checkpoint, device=str(self.device))
        if optimize:
            optimize_for_inference(model, precision=self.args.precision)
        return model

    def timed(self, fns: Dict[str, Callable[[], object]], cheap: bool = False):
        """(median seconds, last outputs) of ours and, with --compare-mmpose, mmpose.
        ``cheap`` rows (milliseconds per call) take CHEAP_REPEATS x more repeats: short calls
        are the most exposed to the other processes of a shared machine."""
        repeats = self.args.repeats * (CHEAP_REPEATS if cheap else 1)
        return time_interleaved(fns, repeats, device=self.device)

    def complexity(self) -> dict:
        model = init_model(self.ours_cfg, self.checkpoint, device='cpu')
        one = self.inputs[:1].cpu()
        flops = get_model_complexity_info(TensorForward(model), inputs=(one, ),
                                          show_table=False, show_arch=False)['flops']
        return dict(params=sum(p.numel() for p in model.parameters()),
                    conv_macs_per_image=conv_macs(model, one),
                    mmengine_flops_per_image=int(flops), input_shape=list(one.shape[1:]))

    @torch.no_grad()
    def model_rows(self) -> Dict[str, dict]:
        models = {'ours': self.build(self.ours_cfg, optimize=True)}
        if self.compare:
            models['mmpose'] = self.build(self.mmpose_cfg)
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
        keypoints, visible = coco_keypoints(self.args.data_root, sizes['input_size'])
        rng = np.random.default_rng(0)
        rows = {}
        for name, codec in codecs.items():
            ours = dict(codec, type=f'hrnet_plugin.{codec["type"]}')
            built = {'ours': KEYPOINT_CODECS.build(ours)}
            if self.compare:
                built['mmpose'] = KEYPOINT_CODECS.build(codec)
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
                                   for k, v in zip(keypoints, visible)]
                for side, c in built.items()}, cheap=True)
            count = len(keypoints)
            diff = None
            if self.compare:
                diff = max(float(np.abs(a - b).max()) for a, b in zip(out['ours'], out['mmpose']))
            rows[f'encode_{name}'] = row(
                times['ours'] / count, times['mmpose'] / count if self.compare else None,
                'encode, per instance', agreement=diff, metric='max heatmap diff')
        return rows

    def pipeline_row(self) -> dict:
        datasets = {'ours': self.train}
        if self.compare:
            datasets['mmpose'] = coco_dataset(mmpose_types(self.cfg), self.args.data_root,
                                              train=True)
        times, _ = self.timed({name: lambda d=d: [d[i] for i in range(len(d))]
                               for name, d in datasets.items()}, cheap=True)
        count = len(self.train)
        return row(times['ours'] / count, times['mmpose'] / count if self.compare else None,
                   'train pipeline, per sample')

    def e2e_row(self) -> dict:
        try:
            from hrnet_plugin.apis import inference_topdown, init_pose_model
        except ImportError as error:  # the inference APIs are optional for this benchmark
            return dict(row(None, None, 'inference_topdown, per image'), note=f'n/a: {error}')
        images = coco_detections(self.args.data_root)
        paths, boxes = [p for p, _ in images], [b for _, b in images]
        ours = init_pose_model(self.ours_cfg, self.checkpoint, device=str(self.device),
                               precision=self.args.precision, fuse_bn=True, channels_last=True)
        # Ours takes all images at once and batches their crops; mmpose's API takes one image.
        fns = {'ours': lambda: predicted_keypoints(inference_topdown(ours, paths, boxes))}
        if self.compare:
            mmpose = self.build(self.mmpose_cfg)
            fns['mmpose'] = lambda: np.concatenate([
                predicted_keypoints(mmpose_inference_topdown(mmpose, p, b)) for p, b in images])
        times, out = self.timed(fns)
        agree = keypoint_agreement(out['ours'], out['mmpose']) if self.compare else {}
        count = len(images)
        return dict(row(times['ours'] / count, times['mmpose'] / count if self.compare else None,
                        'inference_topdown, per image', **agree),
                    note=f'{sum(map(len, boxes))} boxes in {count} images')

    def train_row(self) -> dict:
        batch = batch_of(self.train, self.args.batch_size)
        models = {'ours': self.build(with_model(self.cfg, type=OUR_ESTIMATOR, channels_last=True,
                                                amp_dtype=TRAIN_AMP[self.args.precision]))}
        if self.compare:
            models['mmpose'] = self.build(self.mmpose_cfg)
        steps = {}
        for name, model in models.items():
            wrapper = build_optim_wrapper(model.train(), copy.deepcopy(self.cfg['optim_wrapper']))
            steps[name] = lambda m=model, w=wrapper: m.train_step(batch, w)
        times, _ = self.timed(steps)
        return row(times['ours'], times.get('mmpose'),
                   f'train_step, batch of {self.args.batch_size}')

    @torch.no_grad()
    def onnx_rows(self) -> Dict[str, dict]:
        """onnxruntime vs our PyTorch model, both float32 on CPU (no mmpose side)."""
        exported = init_model(self.ours_cfg, self.checkpoint, device='cpu')
        optimize_for_inference(exported, precision='fp32', channels_last=False)
        path = f'{self.workdir}/model.onnx'
        export_onnx(heatmap_model(exported, flip=False), path, self.inputs[:2].cpu(),
                    dynamic_batch=True)
        session = onnx_session(path)
        torch_model = init_model(self.ours_cfg, self.checkpoint, device='cpu')
        optimize_for_inference(torch_model, precision='fp32')
        rows = {}
        for inputs in (self.inputs[:1].cpu(), self.inputs.cpu()):
            feed = {'input': inputs.numpy()}
            times, out = time_interleaved(
                {'ours': lambda f=feed: torch.from_numpy(session.run(None, f)[0]),
                 'pytorch': lambda x=inputs: torch_model(x, None, mode='tensor')},
                self.args.repeats)
            rows[f'onnx_b{len(inputs)}'] = row(
                times['ours'], times['pytorch'], f'onnxruntime, batch of {len(inputs)}',
                baseline='pytorch fp32 (ours, CPU)',
                agreement=relative_max_error(out['ours'], out['pytorch']),
                metric='max error / heatmap range')
        return rows


def coco_keypoints(data_root: Path, input_size: Sequence[int]):
    """Keypoints of the annotated persons mapped from their boxes to the input crop:
    (N, K, 2) float32 and visibility (N, K)."""
    annotations = json.loads((data_root / ANNOTATIONS).read_text())['annotations']
    keypoints, visible = [], []
    for ann in annotations:
        if ann['num_keypoints'] == 0:
            continue
        points = np.array(ann['keypoints'], np.float32).reshape(-1, 3)
        x, y, w, h = ann['bbox']
        keypoints.append((points[:, :2] - (x, y)) / (w, h) * np.asarray(input_size))
        visible.append((points[:, 2] > 0).astype(np.float32))
    return np.stack(keypoints).astype(np.float32), np.stack(visible)


def coco_detections(data_root: Path) -> List[tuple]:
    """[(image path, (M, 4) xyxy person boxes with score >= BBOX_THR)] per sample image."""
    images = json.loads((data_root / ANNOTATIONS).read_text())['images']
    detections = json.loads((data_root / DETECTIONS).read_text())
    out = []
    for image in images:
        boxes = np.array([d['bbox'] for d in detections
                          if d['image_id'] == image['id'] and d['score'] >= BBOX_THR],
                         np.float32).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]
        out.append((str(data_root / image['file_name']), boxes))
    return out


# --- report ----------------------------------------------------------------------------
def _fmt(seconds: Optional[float]) -> str:
    if seconds is None:
        return 'n/a'
    return f'{seconds * 1e3:.2f} ms' if seconds < 1 else f'{seconds:.3f} s'


def print_table(report: dict) -> None:
    model = report['model']
    env = report['env']
    print(f"\n{report['config']}  precision={report['precision']}  batch={report['batch_size']}"
          f"  repeats={report['repeats']}  weights: {report['checkpoint']}\n"
          f"device={env['device']} ({env['cpu']}, {env['threads']} threads, native bf16: "
          f"{env['cpu_native_bf16']})  torch {env['torch']}  {env['date']}")
    print(f"params {model['params'] / 1e6:.2f} M | conv multiply-adds (forward hooks) "
          f"{model['conv_macs_per_image'] / 1e9:.3f} G/image | mmengine "
          f"get_model_complexity_info 'flops' {model['mmengine_flops_per_image'] / 1e9:.3f} G/image"
          f" | input {model['input_shape']}")
    header = f"{'row':<16}{'unit':<32}{'ours':>12}{'baseline':>12}{'ours/base':>10}  agreement"
    print(header + '\n' + '-' * len(header))
    for name, r in report['rows'].items():
        ratio = f"{r['ratio']:.3f}" if r['ratio'] is not None else 'n/a'
        agree = ''
        if r['agreement'] is not None:
            agree = f"{r['agreement_metric']} {r['agreement']:.3g}"
            if r['within_1px'] is not None:
                agree += f", {r['within_1px']:.1%} <= 1 px"
        agree += f"  [{r['note']}]" if r.get('note') else ''
        print(f"{name:<16}{r['unit']:<32}{_fmt(r['ours_s']):>12}{_fmt(r['baseline_s']):>12}"
              f"{ratio:>10}  {agree} (vs {r['baseline']})")


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='weights; default: calibrated random weights')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--precision', default='fp32', choices=['fp32', 'bf16', 'fp16'])
    parser.add_argument('--compare-mmpose', action='store_true',
                        help="time mmpose's modules on the same weights and inputs")
    parser.add_argument('--json', help='write the report here')
    parser.add_argument('--repeats', type=int, default=3, help='timed calls per row')
    parser.add_argument('--threads', type=int, help='torch threads (default: torch default)')
    parser.add_argument('--data-root', type=Path, default=DATA_ROOT,
                        help='folder with the COCO samples (test_coco.json, images, detections)')
    args = parser.parse_args(argv)
    if args.precision == 'fp16' and args.device != 'cuda':
        parser.error("--precision fp16 needs --device cuda; on CPU use bf16")
    if args.batch_size < 1 or args.repeats < 1:
        parser.error('--batch-size and --repeats must be >= 1')
    return args


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # mmengine logs every initialised parameter and loaded checkpoint; the table is the output.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as workdir:
        bench = Bench(args, workdir)
        rows = bench.model_rows()
        rows.update(bench.codec_rows())
        rows['pipeline'] = bench.pipeline_row()
        rows['e2e'] = bench.e2e_row()
        rows[f'train_b{args.batch_size}'] = bench.train_row()
        rows.update(bench.onnx_rows())
        report = dict(
            config=args.config, precision=args.precision, batch_size=args.batch_size,
            repeats=args.repeats, checkpoint=args.checkpoint or 'random (calibrated BN)',
            env=dict(device=str(bench.device), torch=torch.__version__,
                     threads=torch.get_num_threads(),
                     cpu=platform.processor() or platform.machine(),
                     cpu_native_bf16=cpu_has_native_bf16(),
                     date=datetime.date.today().isoformat()),
            model=bench.complexity(), rows=rows)
    print_table(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1))
    return report


if __name__ == '__main__':
    main()
