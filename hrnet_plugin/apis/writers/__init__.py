"""Result writers of ``run_topdown`` / ``tools/infer.py``: one class per output, chosen by name.

A new output format is a ``ResultWriter`` subclass in its own module of this folder, added to
``OUTPUT_FORMATS`` under the name ``tools/infer.py --format`` takes.
"""
from .base import ResultWriter
from .coco_keypoints import CocoKeypointsWriter
from .drawings import DrawingWriter
from .json_lines import JsonLinesWriter, coco_keypoint_records, frame_record, read_frame_records
from .posetrack import PoseTrackWriter
from .streamed import StreamedResultWriter

#: ``--format`` names of the prediction writers.
OUTPUT_FORMATS = {'coco': CocoKeypointsWriter, 'jsonl': JsonLinesWriter,
                  'posetrack': PoseTrackWriter}

__all__ = ['OUTPUT_FORMATS', 'CocoKeypointsWriter', 'DrawingWriter', 'JsonLinesWriter',
           'PoseTrackWriter', 'ResultWriter', 'StreamedResultWriter', 'coco_keypoint_records',
           'frame_record', 'read_frame_records']
