# Top-down heatmap model with an HRNet-W32 backbone (Sun et al., CVPR 2019): four stages whose
# branch widths are C, 2C, 4C, 8C with C = 32; the head reads the highest-resolution branch
# (1/4 of the input) through a 1x1 convolution, without deconvolutions.
#
# The backbone starts from ImageNet weights, as in the paper. `init_cfg` downloads them on first
# use (to ~/.cache/torch/hub/checkpoints/); offline, download the file elsewhere and point the
# config to it, e.g. `--cfg-options model.backbone.init_cfg.checkpoint=/data/hrnet_w32-36af842e.pth`.
# The leaf configs set `model.head.out_channels` (keypoints of the dataset) and
# `model.head.decoder` (their codec) through `hrnet_plugin.datasets.codec_settings`.
model = dict(
    # mmpose's estimator with the flip test in one backbone pass over [x; flip(x)]
    type='hrnet_plugin.TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        # ImageNet statistics of RGB pixel values, matching the pretrained weights.
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='hrnet_plugin.HRNet',
        in_channels=3,
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                        num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4),
                        num_channels=(32, 64)),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                        num_channels=(32, 64, 128)),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC', num_blocks=(4, 4, 4, 4),
                        num_channels=(32, 64, 128, 256))),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/pretrain_models/'
            'hrnet_w32-36af842e.pth'),
    ),
    head=dict(
        type='hrnet_plugin.HeatmapHead',
        in_channels=32,
        deconv_out_channels=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True)),
    # Average the heatmaps of the image and its mirror; the mirrored heatmap is shifted by one
    # pixel to undo the misalignment of flipping at 1/4 resolution (UDP configs turn this off).
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True),
)
