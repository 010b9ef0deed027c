"""Shared plumbing of the heatmap codecs: argument checks and the numpy/torch boundary."""
from abc import abstractmethod
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmpose.codecs.base import BaseKeypointCodec
from torch import Tensor


def empty_non_finite(heatmaps: Tensor) -> Tensor:
    """(B, C, H, W) heatmaps with every map that holds a NaN or an infinity set to zeros, which
    decode to the empty map's sentinel location with score 0 (mmpose's decoders would spread
    the NaN into the keypoints). Finite maps are returned as they are."""
    finite = torch.isfinite(heatmaps).flatten(2).all(dim=-1)            # (B, C)
    if bool(finite.all()):
        return heatmaps
    return heatmaps.masked_fill(~finite[..., None, None], 0)


def check_size(name: str, size: Sequence[int]) -> Tuple[int, int]:
    """Validate a [W, H] pair of positive integers."""
    if len(size) != 2 or any(int(v) != v or v <= 0 for v in size):
        raise ValueError(f'{name} must be [W, H] of two positive integers, got {size!r}')
    return int(size[0]), int(size[1])


def check_positive(name: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f'{name} must be > 0, got {value!r}')
    return float(value)


def check_odd_kernel(name: str, value: int) -> int:
    if int(value) != value or value < 1 or value % 2 != 1:
        raise ValueError(f'{name} must be a positive odd integer, got {value!r}')
    return int(value)


class HeatmapCodecBase(BaseKeypointCodec):
    """Top-down heatmap codec: encode in numpy, decode a whole batch at once, in torch on the
    heatmaps' device (DARK's blur and Newton step in numpy on the CPU). Heatmaps are decoded
    in float32, the dtype of network outputs (mmpose's decoders would keep float64 maps).

    Subclasses provide (abstract, so a subclass missing one cannot be instantiated):

    * ``scale_factor``: [sx, sy] float32, input-image pixels per heatmap pixel; ``encode``
      divides keypoints by it;
    * ``_encode_heatmaps``: keypoints in heatmap coordinates -> heatmaps and weights (numpy);
    * ``_decode_batch``: (B, C, H, W) tensor -> keypoints in input-image coordinates (B, K, 2)
      and scores (B, K), on the tensor's device.

    Args:
        input_size: [W, H] of the network input.
        heatmap_size: [W, H] of the heatmaps.
    """

    label_mapping_table = dict(keypoint_weights='keypoint_weights')
    field_mapping_table = dict(heatmaps='heatmaps')

    def __init__(self, input_size: Sequence[int], heatmap_size: Sequence[int]) -> None:
        super().__init__()
        self.input_size = check_size('input_size', input_size)
        self.heatmap_size = check_size('heatmap_size', heatmap_size)

    @property
    @abstractmethod
    def scale_factor(self) -> np.ndarray:
        """[sx, sy] float32: input-image pixels per heatmap pixel used by ``encode``."""

    # --- encoding -------------------------------------------------------------------------
    def encode(self, keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints in input-image coordinates.

        Args:
            keypoints: (N, K, D), D >= 2.
            keypoints_visible: (N, K); all visible when omitted.
        Returns:
            dict with ``heatmaps`` (C, H, W) and ``keypoint_weights`` (N, K).
        """
        keypoints = np.asarray(keypoints)
        if keypoints.ndim != 3 or keypoints.shape[-1] < 2:
            raise ValueError(f'{type(self).__name__}.encode: keypoints must have shape '
                             f'(N, K, 2), got {keypoints.shape}')
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        heatmaps, weights = self._encode_heatmaps(keypoints[..., :2] / self.scale_factor,
                                                  np.asarray(keypoints_visible))
        return dict(heatmaps=heatmaps, keypoint_weights=weights)

    @abstractmethod
    def _encode_heatmaps(self, keypoints: np.ndarray,
                         keypoints_visible: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Heatmaps (C, H, W) and keypoint weights (N, K) of keypoints (N, K, 2) given in
        heatmap coordinates, with visibility (N, K)."""

    # --- decoding -------------------------------------------------------------------------
    @abstractmethod
    def _decode_batch(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """Keypoints (B, K, 2) in input-image coordinates and scores (B, K) of heatmaps
        (B, C, H, W), on their device."""

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode one instance's heatmaps (C, H, W) into keypoints (1, K, 2) in input-image
        coordinates and scores (1, K). A map holding a non-finite value decodes as an empty
        one (``empty_non_finite``)."""
        keypoints, scores = self._decode_batch(
            empty_non_finite(torch.as_tensor(np.asarray(encoded))[None]))
        return keypoints.cpu().numpy(), scores.cpu().numpy()

    @torch.no_grad()
    def batch_decode(self, batch_heatmaps: Tensor) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """Decode B instances at once, on the heatmaps' device.

        Args:
            batch_heatmaps: (B, C, H, W) tensor (or array).
        Returns:
            B keypoint arrays (1, K, 2) and B score arrays (1, K), as mmpose's heads expect.
        """
        keypoints, scores = self._decode_batch(
            empty_non_finite(torch.as_tensor(batch_heatmaps).detach()))
        keypoints, scores = keypoints.cpu().numpy(), scores.cpu().numpy()
        return list(keypoints[:, None]), list(scores[:, None])
