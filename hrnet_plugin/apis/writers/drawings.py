"""Drawn predictions: each image under its own file name, or an annotated video."""
import os
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
    is encoded in memory and renamed into place (never truncated). The video is written as
    ``<video stem>.partial.mp4``, finalised on ``close`` and on ``abort`` (so the frames drawn
    before a failure stay playable there); ``close`` checks that it reads back with every frame
    and renames it to ``<video stem>.mp4``: a video of an earlier run stays intact until then.
    Nothing is kept in memory from frame to frame.

    Args:
        kpt_thr: minimum score of a drawn keypoint.

    Raises:
        ValueError: a drawing would overwrite an input file (``out_dir`` is the input folder).
        OSError: from ``write``/``close``, an image or the video cannot be written (a full
            disk, a file-size limit), naming the file.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 kpt_thr: float = 0.3, resume: bool = False) -> None:
        super().__init__(out_dir, source, dataset_meta, resume)
        self.kpt_thr = kpt_thr
        self._video: Optional[cv2.VideoWriter] = None
        self._frames = 0
        self._written: List[Path] = []
        if source.kind == 'video':
            self.video_path = self.out_dir / f'{source.path.stem}.mp4'
            self.partial_path = self.video_path.with_suffix('.partial.mp4')
            pairs = [(source.path, self.video_path), (source.path, self.partial_path)]
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
            self._size = canvas.shape[1::-1]
            self._video = cv2.VideoWriter(str(self.partial_path), cv2.VideoWriter_fourcc(*'mp4v'),
                                          self.source.fps, self._size)
            if not self._video.isOpened():
                raise OSError(f'cannot write video {self.partial_path} (no mp4v encoder?)')
        if canvas.shape[1::-1] != self._size:
            # The encoder drops frames of another size without a word.
            canvas = cv2.resize(canvas, self._size)
        self._video.write(canvas)
        self._frames += 1

    def close(self) -> List[Path]:
        self.abort()
        if self._frames:
            # OpenCV's writer does not report failed writes: read the file back.
            capture = cv2.VideoCapture(str(self.partial_path))
            frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
            capture.release()
            if frames != self._frames:
                raise OSError(f'cannot write video {self.partial_path}: it reads back with '
                              f'{frames} of {self._frames} frames (a full disk or a file-size '
                              'limit?)')
            os.replace(self.partial_path, self.video_path)
            self._written.append(self.video_path)
        return self._written

    def abort(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None
