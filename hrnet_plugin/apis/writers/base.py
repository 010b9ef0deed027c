"""The interface of result writers: what ``run_topdown`` hands each frame's predictions to."""
from abc import ABC, abstractmethod
from pathlib import Path
from typing import List

from mmpose.structures import PoseDataSample

from ..io import Frame, InputSource


class ResultWriter(ABC):
    """Writes the predictions of a run frame by frame, as they come.

    ``write`` gets the frames in input order. As a context manager a writer is closed after a
    run that succeeded and aborted after one that failed; ``abort`` keeps what was written so
    far (a resumable stream, the frames of a video) and releases files.

    A writer of predictions that can continue an interrupted run keeps the frame records it
    already holds in ``done`` (see ``JsonLinesWriter``).

    Args:
        out_dir: the output folder (it exists).
        source: the input being processed.
        dataset_meta: the pose model's ``dataset_meta`` (keypoint names, skeleton, colours).
        resume: continue the outputs of an interrupted run with the same input.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 resume: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.source = source
        self.dataset_meta = dataset_meta
        self.resume = resume

    @abstractmethod
    def write(self, frame: Frame, result: PoseDataSample) -> None:
        """Add one frame's result (``frame.image`` is the decoded image)."""

    @abstractmethod
    def close(self) -> List[Path]:
        """Finish the outputs; returns the files written."""

    @abstractmethod
    def abort(self) -> None:
        """Stop after a failure, keeping what was written; release open files."""

    def __enter__(self) -> 'ResultWriter':
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
