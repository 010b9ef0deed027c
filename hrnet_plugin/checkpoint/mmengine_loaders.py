"""mmengine's checkpoint loaders for local files and ``http(s)://`` URLs, replaced by the
package's reading and downloading.

Every checkpoint that mmengine opens goes through its ``CheckpointLoader``: a Runner's
``load_from`` and ``resume``, ``init_cfg=dict(type='Pretrained')``, mmpose's ``init_model``,
mmdet's ``init_detector``, ``mim test``. With these loaders registered (``import
hrnet_plugin`` does it), a URL is downloaded once into ``cache_root()`` and verified against the
hash in its name, and a file that cannot be read fails with an error naming it
(``read_checkpoint``); valid files load as with mmengine's own loaders.
"""
from typing import Optional, Union

import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.runner.checkpoint import CheckpointLoader

from .download import URL_SCHEMES, download_checkpoint
from .reading import read_checkpoint

MapLocation = Optional[Union[str, torch.device]]


# Named as mmengine's loaders: its log line prints the name after `load_from_`.
def load_from_local(filename: str, map_location: MapLocation = None) -> dict:
    """A local checkpoint file (``read_checkpoint``)."""
    return read_checkpoint(filename, map_location)


def load_from_http(filename: str, map_location: MapLocation = None) -> dict:
    """The checkpoint at a URL: downloaded once into the cache (by the first process of a
    distributed run while the others wait, as mmengine does), then read from there."""
    rank, world_size = get_dist_info()
    if rank == 0:
        download_checkpoint(filename)
    if world_size > 1:
        barrier()
    return read_checkpoint(filename, map_location)


def register_checkpoint_loaders() -> None:
    """Make mmengine open local files and ``http(s)://`` URLs with the loaders above."""
    CheckpointLoader.register_scheme('', load_from_local, force=True)
    CheckpointLoader.register_scheme(URL_SCHEMES, load_from_http, force=True)
