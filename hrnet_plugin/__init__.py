"""HRNet human pose estimation as an OpenMMLab (mmpose 1.x) plugin.

Importing the package registers its components in the ``hrnet_plugin`` scope (children of
mmpose's registries) and allowlists the types that mmengine/mmpose checkpoints contain, so
``torch.load(weights_only=True)`` (the default since torch 2.6) can load them safely.
"""
from .utils.safe_checkpoint import allow_openmmlab_checkpoints

allow_openmmlab_checkpoints()

from . import codecs, datasets, evaluation, models  # noqa: E402,F401  (registration)

__version__ = '0.1.0'
