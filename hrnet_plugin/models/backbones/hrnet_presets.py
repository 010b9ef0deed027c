"""The HRNet architectures of the paper as ``extra`` dicts (the configs' ``_base_/models`` hold
the same values; a test keeps them equal)."""


def hrnet_extra(width: int) -> dict:
    """``extra`` of HRNet-W{width} (32 or 48 in the paper): stage n has n branches whose block
    widths double as the resolution halves; 1, 1, 4 and 3 modules in stages 1-4."""
    widths = tuple(width * 2**i for i in range(4))
    return dict(
        stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                    num_channels=(64, )),
        stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4),
                    num_channels=widths[:2]),
        stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                    num_channels=widths[:3]),
        stage4=dict(num_modules=3, num_branches=4, block='BASIC', num_blocks=(4, 4, 4, 4),
                    num_channels=widths))
