"""HRNet human pose estimation as an OpenMMLab (mmpose 1.x) plugin.

Importing the package registers every component in the ``hrnet_plugin`` scope (children of
mmpose's registries: codecs, models, datasets and transforms, metrics, hooks, the CPU model
wrapper), allowlists the types that mmengine/mmpose checkpoints contain, so
``torch.load(weights_only=True)`` (the default since torch 2.6) can load them safely, and makes
mmengine read checkpoints with ``hrnet_plugin.checkpoint`` (URLs downloaded once into the cache
and verified, unreadable files named in the error). The inference APIs (``hrnet_plugin.apis``),
deployment, benchmark and synthetic-data subpackages are imported on demand.
"""
from .utils import allow_openmmlab_checkpoints

allow_openmmlab_checkpoints()

from . import checkpoint, codecs, datasets, engine, evaluation, models  # noqa: E402,F401

checkpoint.register_checkpoint_loaders()

__version__ = '0.1.0'
