"""The settings of a top-down heatmap config that follow from its codec, for config files.

mmengine's classic configs are evaluated once per file: a leaf that changes ``codec`` does not
change the pipelines and the head its bases built from the old one. :func:`codec_settings`
rebuilds them from the new codec, so that a leaf states only what differs::

    _base_ = ['./td-hm_hrnet-w32_8xb64-210e_coco-256x192.py']
    from hrnet_plugin.datasets import codec_settings  # noqa: E402

    codec = dict(_base_.codec, unbiased=True)
    model, train_dataloader, val_dataloader, test_dataloader = codec_settings(_base_, codec)

The import follows the ``_base_`` assignment, which keeps mmengine in its classic config mode
(an import before it would switch to the lazy, ``read_base`` mode); mmengine leaves imported
functions and modules out of the loaded config.
"""
import copy
from typing import Any, Mapping, NamedTuple

# Heatmap codecs by class name (hrnet_plugin's or mmpose's) -> whether they use UDP's unbiased
# crop and flip, with image and heatmap coordinates related by (size - 1) ratios.
USES_UDP = {'MSRAHeatmap': False, 'UDPHeatmap': True}
# Fields of the merged base config (set by configs/_base_/dataloaders/*.py) that the settings use.
BASE_FIELDS = ('num_keypoints', 'train_before_crop', 'val_before_crop')


class CodecSettings(NamedTuple):
    """Partial config fields, merged by mmengine into those of the bases."""

    model: dict
    train_dataloader: dict
    val_dataloader: dict
    test_dataloader: dict


def codec_settings(base: Mapping[str, Any], codec: Mapping[str, Any]) -> CodecSettings:
    """The model and pipeline settings of a top-down heatmap config with ``codec``.

    - ``model``: the head predicts ``base['num_keypoints']`` heatmaps and decodes them with
      ``codec``; the flip test shifts flipped heatmaps by one pixel except with UDP, whose flip
      is already aligned.
    - pipelines: ``base['train_before_crop']`` / ``base['val_before_crop']`` (loading and
      augmentation, from the dataset base), then the affine crop to the codec's input size
      (UDP's unbiased crop with a UDP codec), the heatmap targets of ``codec`` (training only)
      and packing. The test pipeline is the validation one.

    Args:
        base: the merged base config (``_base_`` in a config file) with ``num_keypoints``,
            ``train_before_crop`` and ``val_before_crop``.
        codec: config of an ``MSRAHeatmap`` or ``UDPHeatmap`` codec (the plugin's or
            mmpose's), with ``type`` and ``input_size`` (w, h).

    Returns:
        (model, train_dataloader, val_dataloader, test_dataloader), each a partial config
        that mmengine merges into the bases' field of the same name.

    Raises:
        KeyError: ``base`` or ``codec`` lacks a field, named in the message.
        ValueError: the codec type is not a heatmap codec these settings know.
    """
    missing = [name for name in BASE_FIELDS if name not in base]
    if missing:
        raise KeyError(f'codec_settings: the base config lacks {missing}; the dataset bases '
                       'in configs/_base_/dataloaders/ define them')
    missing = [name for name in ('type', 'input_size') if name not in codec]
    if missing:
        raise KeyError(f'codec_settings: codec {dict(codec)} lacks {missing}')
    # 'hrnet_plugin.UDPHeatmap', 'mmpose.UDPHeatmap' or 'UDPHeatmap'
    name = str(codec['type']).rsplit('.', 1)[-1]
    if name not in USES_UDP:
        raise ValueError(f'codec_settings: codec type {codec["type"]!r} is not one of the '
                         f'heatmap codecs {sorted(USES_UDP)}')
    use_udp = USES_UDP[name]

    def crop_and_pack(before_crop, with_targets: bool) -> list:
        affine = dict(type='TopdownAffine', input_size=codec['input_size'])
        if use_udp:
            affine['use_udp'] = True
        targets = [dict(type='GenerateTarget', encoder=dict(codec))] if with_targets else []
        return copy.deepcopy([*before_crop, affine, *targets, dict(type='PackPoseInputs')])

    val_pipeline = crop_and_pack(base['val_before_crop'], with_targets=False)
    return CodecSettings(
        model=dict(head=dict(out_channels=base['num_keypoints'], decoder=dict(codec)),
                   test_cfg=dict(shift_heatmap=not use_udp)),
        train_dataloader=dict(dataset=dict(
            pipeline=crop_and_pack(base['train_before_crop'], with_targets=True))),
        val_dataloader=dict(dataset=dict(pipeline=val_pipeline)),
        test_dataloader=dict(dataset=dict(pipeline=copy.deepcopy(val_pipeline))))
