"""``<sequence>.json``: a tracked video or folder of frames as a PoseTrack18 result file, the
per-video file that poseval and ``tools/eval_posetrack.py`` score."""
import json
import re
from pathlib import Path
from typing import List, Tuple

import numpy as np

from hrnet_plugin.evaluation.functional.posetrack_map import POSETRACK18_KEYPOINTS
from hrnet_plugin.evaluation.posetrack18_files import posetrack18_json, posetrack18_person
from hrnet_plugin.utils import atomic_write_text

from ..io import InputSource
from .json_lines import read_frame_records
from .streamed import StreamedResultWriter

#: PoseTrack's video names: ``<6-digit number>_<source>``, e.g. ``003418_mpii_test``; its frame
#: ids are ``source code * 1e10 + number * 1e4 + frame``.
_POSETRACK_VIDEO = re.compile(r'^(\d{6})_(mpii|bonn|mpiinew)(_|$)')
_POSETRACK_SOURCES = {'mpii': 1, 'bonn': 2, 'mpiinew': 3}


def posetrack_frame_ids(sequence: str, frame_name: str, image_id: int) -> Tuple[int, str]:
    """``(frame_id, vid_id)`` of a frame as PoseTrack18 numbers it: for a PoseTrack video name
    and a numbered frame (``000012.jpg``), its 11-digit frame id and 6-digit video id;
    otherwise ``image_id`` and the sequence name."""
    match = _POSETRACK_VIDEO.match(sequence)
    frame = Path(frame_name).stem
    if match is None or not frame.isdigit():
        return image_id, sequence
    number, source = int(match.group(1)), _POSETRACK_SOURCES[match.group(2)]
    return source * 10 ** 10 + number * 10 ** 4 + int(frame), match.group(1)


class PoseTrackWriter(StreamedResultWriter):
    """Writes the frames of a tracked video, or of a folder of frames tracked as a sequence, as
    one PoseTrack18 result file ``<sequence>.json`` (the video's stem or the folder's name, as
    PoseTrack names its per-video files).

    Frames are streamed to ``<sequence>.partial.jsonl`` (a ``StreamedResultWriter``) as they
    come; ``close`` turns the stream into the json (one video's records in memory), writes it
    through a temporary file renamed into place and deletes the stream, whose presence
    therefore marks an interrupted run, which ``resume`` continues.

    The file: ``images`` (every processed frame in order: ``id`` = ``frame_id``, ``vid_id``,
    ``file_name`` = ``<sequence>/<frame file>``, a video's frames named ``000000.jpg``...,
    ``nframes``), ``annotations`` (per person ``track_id``, the 17 PoseTrack18 keypoints as
    ``[x, y, score]`` and their ``scores``, ``score``) and ``categories`` (PoseTrack18's
    keypoint names). Keypoints are matched by name: a model of another skeleton (COCO's eyes)
    leaves the joints it lacks (``head_bottom``, ``head_top``) out, stored as ``(0, 0, 0)``.

    Raises:
        ValueError: a single image, or a person without a track id.
    """

    def __init__(self, out_dir: Path, source: InputSource, dataset_meta: dict,
                 resume: bool = False) -> None:
        if source.kind == 'image':
            raise ValueError(f'the posetrack format writes sequences; {source.path} is one image')
        self.sequence = source.path.stem if source.kind == 'video' else source.path.name
        super().__init__(out_dir, source, dataset_meta, f'{self.sequence}.partial.jsonl',
                         resume)
        self.path = self.out_dir / f'{self.sequence}.json'
        names = [dataset_meta['keypoint_id2name'][i] for i in range(dataset_meta['num_keypoints'])]
        self._columns = np.array([names.index(name) if name in names else -1
                                  for name in POSETRACK18_KEYPOINTS])

    def _person(self, record: dict, image_id: int) -> dict:
        if 'track_id' not in record:
            raise ValueError(f'{self.path}: a person of image {image_id} has no track id')
        values = np.asarray(record['keypoints'], np.float64).reshape(-1, 3)
        known = self._columns >= 0
        keypoints = np.zeros((len(POSETRACK18_KEYPOINTS), 3))
        keypoints[known] = values[self._columns[known]]
        return posetrack18_person(image_id, record['track_id'], keypoints[:, :2],
                                  keypoints[:, 2], record['score'], present=known)

    def close(self) -> List[Path]:
        stream, = self._stream.close()
        records = list(read_frame_records(stream))
        images, annotations = [], []
        for record in records:
            name = record.get('file_name', f'{record.get("frame_index", 0):06d}.jpg')
            frame_id, vid_id = posetrack_frame_ids(self.sequence, name, record['image_id'])
            images.append({'id': frame_id, 'frame_id': frame_id, 'vid_id': vid_id,
                           'file_name': f'{self.sequence}/{name}', 'nframes': len(records)})
            annotations += [self._person(person, frame_id) for person in record['persons']]
        atomic_write_text(self.path, json.dumps(posetrack18_json(images, annotations)))
        stream.unlink()
        return [self.path]
