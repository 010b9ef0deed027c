"""What a pose model is built from: a config file and a checkpoint (a local file or a URL), or
the name of a published model of the index, which brings both."""
from pathlib import Path
from typing import Optional, Tuple, Union

from mmengine.config import Config

from hrnet_plugin.checkpoint import find_model, is_model_name

ConfigLike = Union[str, Path, Config]


def resolve_pose_model(config: ConfigLike, checkpoint: Optional[Union[str, Path]] = None
                       ) -> Tuple[ConfigLike, Optional[Union[str, Path]]]:
    """(config, checkpoint) to build: a model name of the index (``mim search hrnet_plugin``,
    configs/README.md) becomes its config file and, unless ``checkpoint`` is given, the URL of
    its published weights; anything else is returned as it is.

    Raises:
        ValueError: ``config`` is neither a file nor a model of the index (naming close names).
    """
    if isinstance(config, str) and is_model_name(config):
        model = find_model(config)
        return str(model.config), checkpoint if checkpoint is not None else model.weights
    return config, checkpoint
