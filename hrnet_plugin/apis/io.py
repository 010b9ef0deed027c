"""Inputs of inference: images, folders of images and videos, read as BGR frames.

Images are decoded like mmpose's ``LoadImage`` (OpenCV, ``IMREAD_COLOR``): grayscale images
become 3 channels, an alpha channel is dropped, EXIF orientation is applied.
"""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Container, Iterator, List, Optional, Union

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.m4v', '.mpg', '.mpeg', '.webm')


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Return a 3-channel BGR view/copy of a grayscale (H, W) / (H, W, 1), BGR (H, W, 3) or
    BGRA (H, W, 4) image."""
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ValueError(f'expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), '
                     f'got {image.shape}')


def is_truncated_jpeg(data: bytes) -> bool:
    """Whether ``data`` is a JPEG cut short: its last scan (SOS marker ``FF DA``) is not
    followed by the end-of-image marker ``FF D9``, which cannot occur inside scan data. libjpeg
    decodes such a file anyway, the missing part grey, with only a warning on stderr."""
    return data[:2] == b'\xff\xd8' and data.find(b'\xff\xd9', data.rfind(b'\xff\xda')) < 0


def read_image(path: Union[str, Path]) -> np.ndarray:
    """Read an image file as (H, W, 3) BGR uint8 (EXIF orientation applied, 16-bit values
    scaled to 8 bits, grayscale repeated, alpha dropped).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is empty, not a decodable image, a truncated JPEG, or larger
            than OpenCV's limit (``CV_IO_MAX_IMAGE_PIXELS``, 2^30 pixels by default).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'image file not found: {path}')
    data = path.read_bytes()
    if not data:
        raise ValueError(f'cannot decode image {path}: the file is empty')
    if is_truncated_jpeg(data):
        raise ValueError(f'cannot decode image {path}: truncated JPEG (no end-of-image marker)')
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as error:  # e.g. more pixels than OpenCV accepts
        raise ValueError(f'cannot decode image {path}: OpenCV check failed: {error.err}') from None
    if image is None:
        raise ValueError(f'cannot decode image {path}')
    return image


def image_id_from_name(name: str, default: int) -> int:
    """COCO image id of a file name: its trailing number (``000000000785.jpg`` -> 785,
    ``COCO_val2014_000000000785.jpg`` -> 785), else ``default``."""
    match = re.search(r'(\d+)$', Path(name).stem)
    return int(match.group(1)) if match else default


@dataclass
class Frame:
    """One input image or video frame.

    Attributes:
        index: position in the input (the frame index of a video).
        image_id: COCO image id: ``image_id_from_name`` of the file name, the frame index for a
            video.
        name: file name of an image; None for a video frame.
        image: (H, W, 3) BGR, or None when the image/frame could not be read.
        error: why ``image`` is None.
    """

    index: int
    image_id: int
    name: Optional[str]
    image: Optional[np.ndarray]
    error: Optional[str] = None


class InputSource:
    """An image file, a folder of images (sorted by name) or a video file.

    A video is recognised by its extension (``VIDEO_EXTENSIONS``); any other file is read as
    an image. An unreadable image or a frame that does not decode is yielded with
    ``image=None`` (and ``error``), so that the caller can skip it and go on.

    Raises:
        FileNotFoundError: ``path`` does not exist, or a folder holds no image files.
        ValueError: a video that OpenCV cannot open.
    """

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)
        self.files: List[Path] = []
        self.fps = 0.0
        self.num_frames = 0
        if self.path.is_dir():
            self.kind = 'folder'
            self.files = sorted(p for p in self.path.iterdir()
                                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
            if not self.files:
                raise FileNotFoundError(f'no image files ({", ".join(IMAGE_EXTENSIONS)}) in '
                                        f'folder {self.path}')
        elif not self.path.is_file():
            raise FileNotFoundError(f'input not found: {self.path}')
        elif self.path.suffix.lower() in VIDEO_EXTENSIONS:
            self.kind = 'video'
            capture = self._open_video()
            self.fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
            self.num_frames = max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
            capture.release()
        else:
            self.kind = 'image'
            self.files = [self.path]

    def __len__(self) -> int:
        """Number of images, or the frame count the video container announces (0: unknown)."""
        return self.num_frames if self.kind == 'video' else len(self.files)

    def names(self) -> List[str]:
        """File names of the images (empty for a video)."""
        return [p.name for p in self.files]

    def image_ids(self) -> List[int]:
        """COCO image ids of the images, or the frame indices of the video."""
        if self.kind == 'video':
            return list(range(self.num_frames))
        return [image_id_from_name(p.name, i) for i, p in enumerate(self.files)]

    def frames(self, skip: Container = ()) -> Iterator[Frame]:
        """Yield every image / video frame, in order.

        Args:
            skip: frame indices of a video, or file names of images, not to decode: they are
                yielded with ``image=None`` and ``error=None``.
        """
        if self.kind == 'video':
            yield from self._video_frames(skip)
            return
        for index, (path, image_id) in enumerate(zip(self.files, self.image_ids())):
            if path.name in skip:
                yield Frame(index, image_id, path.name, None)
                continue
            try:
                yield Frame(index, image_id, path.name, read_image(path))
            except (OSError, ValueError) as error:
                yield Frame(index, image_id, path.name, None, str(error))

    def _open_video(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            raise ValueError(f'cannot open video {self.path} (corrupt, or a codec OpenCV lacks)')
        return capture

    def _video_frames(self, skip: Container) -> Iterator[Frame]:
        capture = self._open_video()
        try:
            index = 0
            while True:
                skipped = index in skip
                ok, image = (capture.grab(), None) if skipped else capture.read()
                if not ok and index >= self.num_frames:
                    break  # end of the stream (or of a stream of unknown length)
                # A failed read before the announced frame count is a frame that does not
                # decode; the decoder resumes at the next one.
                error = None if ok or skipped else f'frame {index} of {self.path} does not decode'
                yield Frame(index, index, None, image, error)
                index += 1
        finally:
            capture.release()
