"""``predictions.json``: COCO keypoint results, as mmpose's ``CocoMetric`` and xtcocotools'
``loadRes`` read them."""
import json
import os
from pathlib import Path
from typing import List

from hrnet_plugin.utils import naming_write_errors

from ..io import InputSource
from .json_lines import read_frame_records
from .streamed import StreamedResultWriter


class CocoKeypointsWriter(StreamedResultWriter):
    """Streams each frame to ``predictions.partial.jsonl`` (a ``StreamedResultWriter``), then at
    ``close`` writes ``predictions.json`` (the persons' records as one json list, via a
    temporary file renamed into place) and deletes the stream, whose presence therefore marks an
    interrupted run, which ``resume`` continues. A ``predictions.json`` of an earlier run stays
    intact until then.

    Records: ``coco_keypoint_records`` with ``file_name`` for images, ``frame_index`` (and
    ``track_id``) for a video.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 resume: bool = False) -> None:
        super().__init__(out_dir, source, dataset_meta, 'predictions.partial.jsonl', resume)
        self.path = self.out_dir / 'predictions.json'

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
