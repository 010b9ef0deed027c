"""The base of the writers whose output is made at the end from a stream of frame records."""
from pathlib import Path
from typing import List

from mmpose.structures import PoseDataSample

from ..io import Frame, InputSource
from .base import ResultWriter
from .json_lines import JsonLinesWriter


class StreamedResultWriter(ResultWriter):
    """Streams each frame to ``stream_name`` in ``out_dir`` (a ``JsonLinesWriter``) as it comes;
    a subclass's ``close`` turns the stream into its output (``self._stream.close()`` returns
    it) and deletes it, so that a stream left behind marks an interrupted run, which
    ``resume`` continues (its records are in ``done``).

    Args:
        stream_name: the stream's file name.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 stream_name: str, resume: bool = False) -> None:
        super().__init__(out_dir, source, dataset_meta, resume)
        self._stream = JsonLinesWriter(out_dir, source, dataset_meta, file_name=stream_name,
                                       resume=resume)

    @property
    def done(self) -> List[dict]:
        """The frame records of the interrupted run that ``resume`` continues."""
        return self._stream.done

    def keep(self, count: int) -> None:
        """Continue after the first ``count`` records of ``done``."""
        self._stream.keep(count)

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        self._stream.write(frame, result)

    def abort(self) -> None:
        self._stream.abort()
