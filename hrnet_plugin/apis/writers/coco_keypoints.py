"""``predictions.json``: COCO keypoint results, as mmpose's ``CocoMetric`` and xtcocotools'
``loadRes`` read them."""
import json
import os
from pathlib import Path
from typing import List

from mmpose.structures import PoseDataSample

from hrnet_plugin.utils import naming_write_errors

from ..io import Frame, InputSource
from .base import ResultWriter
from .json_lines import JsonLinesWriter, read_frame_records


class CocoKeypointsWriter(ResultWriter):
    """Streams each frame to ``predictions.partial.jsonl`` (a ``JsonLinesWriter``), then at
    ``close`` writes ``predictions.json`` (the persons' records as one json list, via a
    temporary file renamed into place) and deletes the stream, whose presence therefore marks an
    interrupted run, which ``resume`` continues. A ``predictions.json`` of an earlier run stays
    intact until then.

    Records: ``coco_keypoint_records`` with ``file_name`` for images, ``frame_index`` (and
    ``track_id``) for a video.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 resume: bool = False) -> None:
        super().__init__(out_dir, source, dataset_meta, resume)
        self.path = self.out_dir / 'predictions.json'
        self._stream = JsonLinesWriter(out_dir, source, dataset_meta,
                                       file_name='predictions.partial.jsonl', resume=resume)

    @property
    def done(self) -> List[dict]:
        return self._stream.done

    def keep(self, count: int) -> None:
        self._stream.keep(count)

    def write(self, frame: Frame, result: PoseDataSample) -> None:
        self._stream.write(frame, result)

    def close(self) -> List[Path]:
        stream, = self._stream.close()
        tmp = self.path.with_name(f'.{self.path.name}.{os.getpid()}.tmp')
        try:
            # Record by record from the stream: memory stays flat however long the input.
            with naming_write_errors(self.path), open(tmp, 'w', encoding='utf-8') as file:
                file.write('[')
                separator = ''
                for frame in read_frame_records(stream):
                    for person in frame['persons']:
                        file.write(separator + json.dumps(person, allow_nan=False))
                        separator = ', '
                file.write(']')
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        stream.unlink()
        return [self.path]

    def abort(self) -> None:
        self._stream.abort()
