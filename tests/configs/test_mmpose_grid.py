"""Our configs against mmpose's published top-down HRNet models (its metafiles) and its configs of
the same names: every published model of the grid has a config here, and each config matches
mmpose's in what the published weights depend on, so that they load and reproduce."""
import pytest

from .mmpose_grid import SKIPPED, mmpose_config, our_config_path, published_models, skip_reason
from .test_config_contract import load

GRID = sorted(name for name in published_models() if not skip_reason(name))


def short(type_name: str) -> str:
    """'hrnet_plugin.HRNet' -> 'HRNet': the plugin registers its own versions of mmpose's
    components (the same arguments) under its prefix."""
    return type_name.rsplit('.', 1)[-1]


def crops_and_targets(pipeline) -> list:
    """The pipeline steps that follow from the codec, with the plugin's prefixes dropped."""
    steps = []
    for step in pipeline:
        if step.type == 'TopdownAffine':
            steps.append(('TopdownAffine', tuple(step.input_size), step.get('use_udp', False)))
        elif step.type == 'GenerateTarget':
            steps.append(('GenerateTarget', dict(step.encoder, type=short(step.encoder.type))))
    return steps


def augmentation(pipeline) -> list:
    """The steps before the crop; skipping unreadable training images is loading all the same."""
    before_crop = pipeline[:[step.type for step in pipeline].index('TopdownAffine')]
    return [dict(step, type=short(step.type).replace('LoadImageOrSkip', 'LoadImage'))
            for step in before_crop]


def weight_fields(cfg) -> dict:
    """What the weights of a config depend on: architecture, input and heatmap sizes, codec,
    flip test, input normalisation, augmentation, schedule, and the starting weights."""
    model = cfg.model
    backbone, head = model.backbone, model.head
    return {
        'estimator': short(model.type),
        'data_preprocessor': model.data_preprocessor.to_dict(),
        'backbone': (short(backbone.type), backbone.in_channels, backbone.extra.to_dict()),
        'head': (short(head.type), head.in_channels, head.out_channels,
                 head.deconv_out_channels, head.loss.to_dict()),
        'codec': dict(cfg.codec, type=short(cfg.codec.type)),
        'decoder': dict(head.decoder, type=short(head.decoder.type)),
        'test_cfg': model.test_cfg.to_dict(),
        'train_crop': crops_and_targets(cfg.train_dataloader.dataset.pipeline),
        'val_crop': crops_and_targets(cfg.val_dataloader.dataset.pipeline),
        'augmentation': augmentation(cfg.train_dataloader.dataset.pipeline),
        'schedule': (cfg.train_cfg.max_epochs, cfg.optim_wrapper.optimizer.to_dict(),
                     [scheduler.to_dict() for scheduler in cfg.param_scheduler]),
        'load_from': cfg.load_from,
    }


def test_every_published_model_has_a_config():
    published = published_models()
    skipped = {name for name in published if skip_reason(name)}
    ours = {path.stem for path in our_config_path(GRID[0]).parents[1].glob('*/td-hm_*.py')
            if path.parent.name != 'quickstart'}
    assert ours == set(published) - skipped
    assert len(ours) == 20  # COCO 12 (W32/W48 x 256x192/384x288 x MSRA/DARK/UDP), MPII 4, ...
    # ... PoseTrack18 4; the skipped ones are the variants named in SKIPPED, one word each.
    assert {word for name in skipped for word in SKIPPED if word in name} == set(SKIPPED)


@pytest.mark.parametrize('name', GRID)
def test_weight_fields_match_mmpose(name):
    _, ours = load(our_config_path(name))
    theirs = mmpose_config(name)
    expected = weight_fields(theirs)
    if published_models()[name]['Config'].split('/')[-2] == 'posetrack18':
        # Fine-tuned from mmpose's COCO model (`load_from`, compared); mmpose also initialises
        # the backbone from ImageNet first, which that checkpoint overwrites.
        assert ours.model.backbone.init_cfg is None
    else:
        assert ours.model.backbone.init_cfg == theirs.model.backbone.init_cfg
    assert weight_fields(ours) == expected
