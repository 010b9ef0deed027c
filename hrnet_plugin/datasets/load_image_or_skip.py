"""Image loading for training that skips unreadable images instead of stopping the run."""
import logging
from typing import Any, Optional

import cv2
from mmengine.logging import print_log
from mmpose.datasets.transforms import LoadImage

from hrnet_plugin.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageOrSkip(LoadImage):
    """mmpose's ``LoadImage`` that returns ``None`` for an image it cannot read or decode.

    In training, mmengine's ``BaseDataset`` answers ``None`` by drawing another random sample
    (at most ``max_refetch`` times per item), so one corrupt file out of many costs a sample,
    not the run. Every skip is logged as a warning with the file, the reason and the number of
    images this process has skipped so far (each data-loader worker counts its own). Use
    ``LoadImage`` for evaluation, where a skipped sample would change the metric. Missing files
    are reported before training by the validated datasets.

    Takes the arguments of ``LoadImage``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_skipped = 0

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']`` as ``LoadImage`` does; ``None`` if it is unreadable."""
        try:
            return super().transform(results)
        # What mmcv/mmpose raise for unreadable files: OSError (missing, permissions),
        # cv2.error (undecodable bytes) and AssertionError (cv2 decoded nothing).
        except (OSError, cv2.error, AssertionError) as error:
            self.num_skipped += 1
            print_log(f'Skipped training image {results.get("img_path")}: {error} '
                      f'({self.num_skipped} skipped so far by this process)',
                      logger='current', level=logging.WARNING)
            return None
