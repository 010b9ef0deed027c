"""Rows of the benchmark report: seconds of ours and of a baseline, and how far apart their
outputs are; and the printed table."""
from typing import Optional, Sequence

import numpy as np
import torch


def row(ours_s: Optional[float], baseline_s: Optional[float], unit: str,
        baseline: str = 'mmpose', agreement: Optional[float] = None, metric: str = '',
        within_1px: Optional[float] = None, median: Optional[float] = None,
        agreement_with: Optional[str] = None) -> dict:
    """One table row: seconds per unit of ours and of the baseline, and the agreement of our
    outputs with ``agreement_with``'s (default: the baseline's); ``agreement`` is the maximum
    difference, ``median`` the median, where given."""
    ratio = ours_s / baseline_s if ours_s is not None and baseline_s else None
    return dict(ours_s=ours_s, baseline_s=baseline_s, baseline=baseline, unit=unit,
                ratio=ratio, agreement=agreement, agreement_metric=metric,
                within_1px=within_1px, median=median, agreement_with=agreement_with or baseline)


def per_unit(seconds: Optional[float], count: int) -> Optional[float]:
    """``seconds / count``, None stays None (a side that was not measured)."""
    return None if seconds is None else seconds / count


def keypoint_agreement(ours: np.ndarray, ref: np.ndarray) -> dict:
    """Max and median distance (px) between keypoints (..., 2) and the share within 1 px, as
    ``row`` keyword arguments."""
    ours, ref = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    if ours.shape != ref.shape:
        raise ValueError(f'keypoint shapes differ: {ours.shape} vs {ref.shape}')
    dist = np.linalg.norm(ours - ref, axis=-1)
    return dict(agreement=float(dist.max()), metric='max keypoint diff (px)',
                within_1px=float((dist <= 1).mean()), median=float(np.median(dist)))


def decoded(decoder, heatmaps: torch.Tensor) -> np.ndarray:
    """(B, K, 2) keypoints (crop pixels) of (B, K, H, W) heatmaps, by ``batch_decode``."""
    return np.concatenate(decoder.batch_decode(heatmaps.float())[0])


def predicted_keypoints(samples: Sequence) -> np.ndarray:
    """(N, K, 2) predicted keypoints of all instances of mmpose data samples."""
    return np.concatenate([s.pred_instances.keypoints for s in samples])


def _fmt(seconds: Optional[float]) -> str:
    if seconds is None:
        return 'n/a'
    return f'{seconds * 1e3:.2f} ms' if seconds < 1 else f'{seconds:.3f} s'


def print_table(report: dict) -> None:
    """The report as a table on stdout (settings, machine, model size, then one line a row)."""
    model, env = report['model'], report['env']
    print(f"\n{report['config']}  precision={report['precision']}  batch={report['batch_size']}"
          f"  repeats={report['repeats']}  weights: {report['checkpoint']}\n"
          f"device={env['device']} ({env['cpu']}, {env['cores']} cores, {env['threads']} "
          f"threads; flags {' '.join(env['flags'])}; native bf16: {env['native_bf16']}; "
          f"OpenVINO {'/'.join(env['openvino'])}; load {env['load_before']:.1f} -> "
          f"{env['load']:.1f})  torch {env['torch']}  {env['date']}")
    other = model['mmengine_flops_per_image'] - model['conv_macs_per_image']
    print(f"params {model['params'] / 1e6:.2f} M | mmengine flops (multiply-adds) "
          f"{model['mmengine_flops_per_image'] / 1e9:.3f} G/image = convolutions "
          f"{model['conv_macs_per_image'] / 1e9:.3f} G + BatchNorm and upsampling "
          f"{other / 1e9:.3f} G | input {model['input_shape']}")
    header = f"{'row':<24}{'unit':<42}{'ours':>12}{'baseline':>12}{'ours/base':>10}  agreement"
    print(header + '\n' + '-' * len(header))
    for name, r in report['rows'].items():
        ratio = f"{r['ratio']:.3f}" if r['ratio'] is not None else 'n/a'
        agree = ''
        if r['agreement'] is not None:
            agree = f"{r['agreement_metric']} {r['agreement']:.3g}"
            if r.get('median') is not None:
                agree += f" (median {r['median']:.3g})"
            if r['within_1px'] is not None:
                agree += f", {r['within_1px']:.1%} <= 1 px"
            agree += f" (vs {r['agreement_with']})"
        agree += f"  [{r['note']}]" if r.get('note') else ''
        print(f"{name:<24}{r['unit']:<42}{_fmt(r['ours_s']):>12}{_fmt(r['baseline_s']):>12}"
              f"{ratio:>10}  {agree}")
