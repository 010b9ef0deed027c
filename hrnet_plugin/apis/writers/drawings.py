"""Drawn predictions: each image under its own file name, or an annotated video."""
from pathlib import Path
from typing import List, Optional

import cv2
from mmpose.structures import PoseDataSample

from hrnet_plugin.utils import atomic_write_bytes

from ..io import Frame, InputSource
from ..visualization import draw_pose
from .base import ResultWriter


class DrawingWriter(ResultWriter):
    """Draws the predicted poses (``draw_pose``) onto each frame: images are written under
    their own file names, a video as ``<video stem>.mp4`` (mp4v), frame by frame. An image file
    is encoded in memory and renamed into place (never truncated); the video is finalised on
    ``close`` and on ``abort``, so the frames drawn before a failure stay playable.

    Args:
        kpt_thr: minimum score of a drawn keypoint.

    Raises:
        ValueError: a drawing would overwrite an input file (``out_dir`` is the input folder).
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 kpt_thr: float = 0.3) -> None:
        super().__init__(out_dir, source, dataset_meta)
        self.kpt_thr = kpt_thr
        self._video: Optional[cv2.VideoWriter] = None
        self._written: List[Path] = []
        if source.kind == 'video':
            self.video_path = self.out_dir / f'{source.path.stem}.mp4'
            pairs = [(source.path, self.video_path)]
        else:
            pairs = [(path, self.out_dir / path.name) for path in source.files]
        if any(src.resolve() == dst.resolve() for src, dst in pairs):
            raise ValueError(f'out_dir {self.out_dir} holds the input: the drawings would '
                             'overwrite it')

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        canvas = draw_pose(frame.image, result, self.dataset_meta, self.kpt_thr)
        if self.source.kind != 'video':
            path = self.out_dir / frame.name
            ok, encoded = cv2.imencode(path.suffix, canvas)
            if not ok:
                raise OSError(f'cannot encode an image as {path.suffix} for {path}')
            self._written.append(atomic_write_bytes(path, encoded.tobytes()))
            return
        if self._video is None:
            height, width = canvas.shape[:2]
            self._video = cv2.VideoWriter(str(self.video_path), cv2.VideoWriter_fourcc(*'mp4v'),
                                          self.source.fps, (width, height))
            if not self._video.isOpened():
                raise OSError(f'cannot write video {self.video_path} (no mp4v encoder?)')
            self._written.append(self.video_path)
        self._video.write(canvas)

    def close(self) -> List[Path]:
        self.abort()
        return self._written

    def abort(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None
