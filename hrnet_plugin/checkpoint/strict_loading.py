"""Load weights into a model only when they fit it.

torch's and mmengine's loaders either fail on the first mis-shaped tensor (torch, strict) or
load what fits and log the rest (mmengine's default ``strict=False``), which lets a W48
checkpoint run half-random in a W32 model. Here weights load when every key of the model is in
the checkpoint with its shape and the checkpoint has nothing else; otherwise the error lists the
first missing, unexpected and mis-shaped keys. Loading the fitting part only is possible when
asked for (``strict=False``), e.g. to fine-tune a COCO model on a dataset with other keypoints.

mmpose 0.x checkpoints (``keypoint_head.*``, the data preprocessor's constants saved) are read
as mmpose 1.x's pose estimators read them: head weights renamed ``head.*``, constants dropped.
"""
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import List, Mapping, Tuple

import torch.nn as nn
from torch import Tensor

from .reading import CheckpointError

logger = logging.getLogger(__name__)

#: How many keys of each kind an error lists.
SHOWN_KEYS = 10
# DataParallel / DistributedDataParallel prefix, stripped as mmengine's loader strips it.
WRAPPER_PREFIX = re.compile(r'^module\.')
MMPOSE0_HEAD, MMPOSE1_HEAD = 'keypoint_head.', 'head.'
# Saved by mmpose 0.x; mmpose 1.x's data preprocessor keeps them out of its state dict.
MMPOSE0_CONSTANTS = ('data_preprocessor.mean', 'data_preprocessor.std')
# BatchNorm's batch counter: missing from checkpoints of old torch versions (torch then fills it
# in) and only used with momentum=None, so its absence is not a mismatch.
OPTIONAL_SUFFIX = '.num_batches_tracked'
PARTIAL_HINT = ('To load only the fitting weights on purpose (e.g. fine-tuning on other '
                'keypoints): init_pose_model(..., strict=False), or in a training config '
                'default_hooks.strict_load.strict=False')

Shape = Tuple[int, ...]


@dataclass(frozen=True)
class WeightsMismatch:
    """How a checkpoint's weights differ from a model's state dict.

    Attributes:
        missing: keys of the model that the checkpoint lacks.
        unexpected: keys of the checkpoint that the model lacks.
        wrong_shape: (key, shape in the checkpoint, shape in the model) of the common keys
            whose shapes differ.
    """

    missing: List[str]
    unexpected: List[str]
    wrong_shape: List[Tuple[str, Shape, Shape]]

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.wrong_shape)

    def describe(self, limit: int = SHOWN_KEYS) -> str:
        """The first ``limit`` keys of each kind, with both shapes of the mis-shaped ones."""
        parts = []
        for title, items in (
                ('missing (in the model, not in the checkpoint)', self.missing),
                ('unexpected (in the checkpoint, not in the model)', self.unexpected),
                ('with another shape', [f'{key}: checkpoint {tuple(ours)}, model {tuple(model)}'
                                        for key, ours, model in self.wrong_shape])):
            if items:
                more = f', ... ({len(items) - limit} more)' if len(items) > limit else ''
                parts.append(f'{len(items)} {title}: {", ".join(items[:limit])}{more}')
        return '; '.join(parts)


def _with_metadata(weights: 'OrderedDict[str, Tensor]', source: Mapping
                   ) -> 'OrderedDict[str, Tensor]':
    """``weights`` with the per-module ``_metadata`` (versions) of ``source``, which torch's
    modules read when loading (e.g. BatchNorm, for checkpoints without its batch counter)."""
    metadata = getattr(source, '_metadata', None)
    if metadata is not None:
        weights._metadata = metadata
    return weights


def state_dict_of(checkpoint: Mapping) -> 'OrderedDict[str, Tensor]':
    """The weights of a checkpoint (its ``state_dict``, or the dict itself), without the
    ``module.`` prefix of model wrappers; torch's per-module ``_metadata`` is kept."""
    weights = checkpoint.get('state_dict', checkpoint)
    return _with_metadata(
        OrderedDict((WRAPPER_PREFIX.sub('', key), value) for key, value in weights.items()),
        weights)


def upgrade_mmpose0(weights: 'OrderedDict[str, Tensor]',
                    model_keys: Mapping[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """mmpose 0.x names in mmpose 1.x's layout, for a model that has none of the old names:
    ``keypoint_head.*`` -> ``head.*``; the saved normalisation constants dropped."""
    if any(key.startswith(MMPOSE0_HEAD) for key in model_keys):
        return weights
    return _with_metadata(OrderedDict(
        (MMPOSE1_HEAD + key[len(MMPOSE0_HEAD):] if key.startswith(MMPOSE0_HEAD) else key, value)
        for key, value in weights.items()
        if key in model_keys or key not in MMPOSE0_CONSTANTS), weights)


def compare_weights(expected: Mapping[str, Tensor], weights: Mapping[str, Tensor]
                    ) -> WeightsMismatch:
    """How ``weights`` differ from a model's state dict ``expected`` (keys in their order)."""
    missing = [key for key in expected
               if key not in weights and not key.endswith(OPTIONAL_SUFFIX)]
    unexpected = [key for key in weights if key not in expected]
    wrong_shape = [(key, tuple(value.shape), tuple(expected[key].shape))
                   for key, value in weights.items()
                   if key in expected and tuple(value.shape) != tuple(expected[key].shape)]
    return WeightsMismatch(missing, unexpected, wrong_shape)


def fit_checkpoint(model: nn.Module, checkpoint: Mapping, source: str,
                   strict: bool = True) -> 'OrderedDict[str, Tensor]':
    """The weights of ``checkpoint`` to load into ``model``, in its layout.

    Args:
        model: the model (unwrapped).
        checkpoint: a loaded checkpoint (``read_checkpoint``).
        source: the checkpoint's file or URL, for messages.
        strict: refuse weights that do not fit; False: keep the fitting ones and log the rest.

    Returns:
        All the weights when they fit; with ``strict=False`` those whose keys and shapes fit.

    Raises:
        CheckpointError: ``strict`` and the weights do not fit, listing the differences.
    """
    expected = model.state_dict()
    weights = upgrade_mmpose0(state_dict_of(checkpoint), expected)
    mismatch = compare_weights(expected, weights)
    if not mismatch:
        return weights
    if strict:
        raise CheckpointError(f'checkpoint {source} does not fit the model '
                              f'({type(model).__name__}): {mismatch.describe()}. {PARTIAL_HINT}')
    logger.warning('checkpoint %s loaded partially, as asked (strict=False): %s', source,
                   mismatch.describe())
    skipped = set(mismatch.unexpected) | {key for key, _, _ in mismatch.wrong_shape}
    return _with_metadata(
        OrderedDict((key, value) for key, value in weights.items() if key not in skipped), weights)


def load_weights(model: nn.Module, checkpoint: Mapping, source: str,
                 strict: bool = True) -> None:
    """Load the weights of ``checkpoint`` into ``model`` (see ``fit_checkpoint``)."""
    model.load_state_dict(fit_checkpoint(model, checkpoint, source, strict), strict=False)
