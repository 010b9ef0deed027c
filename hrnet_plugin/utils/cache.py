"""Where downloaded checkpoints and exported models are kept."""
import os
from pathlib import Path

import torch

#: Environment variable naming the plugin's cache folder.
HOME_VARIABLE = 'HRNET_PLUGIN_HOME'


def cache_root() -> Path:
    """The cache folder: ``$HRNET_PLUGIN_HOME`` when set, else torch hub's checkpoint folder
    (``$TORCH_HOME/hub/checkpoints``, by default ``~/.cache/torch/hub/checkpoints``), where
    mmengine and torch keep the checkpoints they download, so a file fetched by either is
    found by the other. Not created here."""
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser()
    return Path(torch.hub.get_dir()) / 'checkpoints'
