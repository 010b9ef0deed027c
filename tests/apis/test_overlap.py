"""ordered_map: results in order, exceptions where the sequential map raises them, a bounded
number of items in flight, nothing started after a failure or an early stop; estimate_poses and
TopDownPipeline with images read and cropped in the background equal the sequential path;
prefetch: a source read ahead in order by one background thread, bounded, closed on an early
stop."""
import threading
import time

import numpy as np
import pytest

from hrnet_plugin.apis import TopDownPipeline, estimate_poses, init_pose_model
from hrnet_plugin.apis.overlap import ordered_map, prefetch

from ..models.tiny_topdown import single_thread
from .helpers import COCO_IMAGES, coco_detections, tiny_pose_config, write_pose_files

pytestmark = pytest.mark.usefixtures(single_thread.__name__)


def _slow_square(value: int) -> int:
    # Later items finish first, so an ordering bug would show.
    time.sleep(0.002 * (5 - value % 5))
    return value * value


@pytest.mark.parametrize('workers', [0, 1, 3])
def test_results_in_input_order(workers):
    assert list(ordered_map(_slow_square, range(20), workers)) == [v * v for v in range(20)]


def test_work_runs_in_background_threads():
    names = list(ordered_map(lambda _: threading.current_thread().name, range(4), workers=2))
    assert all(name.startswith('prepare') for name in names)
    caller = threading.current_thread().name
    assert list(ordered_map(lambda _: threading.current_thread().name, range(2), 0)) == \
        [caller, caller]


@pytest.mark.bad_input('an item fails while others are prepared in the background', 'refused')
def test_exception_raised_at_its_turn_and_later_items_not_started():
    started = []

    def work(value: int) -> int:
        started.append(value)
        if value == 3:
            raise ValueError(f'cannot read image {value}')
        time.sleep(0.01)
        return value

    got = []
    with pytest.raises(ValueError, match='cannot read image 3'):
        for value in ordered_map(work, range(100), workers=2, window=4):
            got.append(value)
    assert got == [0, 1, 2]          # the items before the failing one, as sequentially
    assert max(started) <= 3 + 4     # at most one window beyond the failing item


def test_in_flight_items_are_bounded():
    lock = threading.Lock()
    state = {'running': 0, 'most': 0, 'produced': 0}

    def work(value: int) -> int:
        with lock:
            state['produced'] += 1
        return value

    consumed = 0
    for _ in ordered_map(work, range(50), workers=3, window=5):
        time.sleep(0.002)   # a slow consumer: the workers must wait for it
        consumed += 1
        with lock:
            state['most'] = max(state['most'], state['produced'] - consumed)
    assert consumed == 50
    assert state['most'] <= 5


def test_early_stop_cancels_the_rest():
    started = []

    def work(value: int) -> int:
        started.append(value)
        return value

    iterator = ordered_map(work, range(1000), workers=2, window=3)
    assert [next(iterator) for _ in range(2)] == [0, 1]
    iterator.close()
    assert len(started) <= 2 + 3 + 1


@pytest.mark.bad_input('ordered_map with a negative worker count or an empty window', 'refused')
@pytest.mark.parametrize('workers,window', [(-1, None), (2, 0)])
def test_bad_arguments_are_refused(workers, window):
    with pytest.raises(ValueError, match='workers must be >= 0 and window >= 1'):
        list(ordered_map(abs, [1], workers, window))


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory):
    return init_pose_model(*write_pose_files(tiny_pose_config(), tmp_path_factory.mktemp('t')))


def _assert_identical(got, expected):
    assert len(got) == len(expected)
    for ours, ref in zip(got, expected):
        assert ours.img_path == ref.img_path
        for field in ('keypoints', 'keypoint_scores', 'bboxes', 'bbox_scores'):
            np.testing.assert_array_equal(ours.pred_instances.get(field),
                                          ref.pred_instances.get(field))


def test_overlapped_estimate_poses_equals_sequential(tiny_model):
    detections = coco_detections(0.3)
    images = COCO_IMAGES              # 33 boxes in 4 images: batches of 5 span images
    boxes = [detections[path.name] for path in images]
    sequential = estimate_poses(tiny_model, images, boxes, batch_size=5, num_workers=0)
    overlapped = estimate_poses(tiny_model, images, boxes, batch_size=5, num_workers=3)
    assert sum(len(r.pred_instances) for r in sequential) == sum(map(len, boxes)) == 33
    _assert_identical(overlapped, sequential)
    pipeline = TopDownPipeline(tiny_model, batch_size=5, num_workers=2)
    _assert_identical(pipeline(images, boxes), sequential)


@pytest.mark.bad_input('estimate_poses: a missing image among images read in the background',
                       'refused')
def test_overlapped_estimate_poses_raises_the_read_error(tiny_model, tmp_path):
    images = [COCO_IMAGES[0], tmp_path / 'missing.jpg', COCO_IMAGES[1]]
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        estimate_poses(tiny_model, images, num_workers=2)


def test_prefetch_yields_every_item_in_order_read_by_another_thread():
    readers = []

    def source():
        for index in range(20):
            readers.append(threading.current_thread().name)
            yield index

    assert list(prefetch(source(), ahead=3)) == list(range(20))
    assert threading.current_thread().name not in readers


def test_prefetch_reads_at_most_ahead_items_beyond_the_callers():
    read = []

    def source():
        for index in range(100):
            read.append(index)
            yield index

    items = prefetch(source(), ahead=4)
    assert next(items) == 0
    time.sleep(0.2)  # time for the reader to run as far as it may
    # The item handed over, the ones submitted ahead, and at most one being read.
    assert 1 + 4 <= len(read) <= 1 + 4 + 1
    items.close()


def test_prefetch_raises_a_read_error_at_its_turn():
    def source():
        yield 0
        yield 1
        raise OSError('frame 2: cannot decode')

    items = prefetch(source(), ahead=8)
    assert [next(items), next(items)] == [0, 1]
    with pytest.raises(OSError, match='frame 2: cannot decode'):
        next(items)


def test_prefetch_closes_its_source_when_the_caller_stops_early():
    closed = threading.Event()

    def source():
        try:
            yield from range(1000)
        finally:
            closed.set()

    items = prefetch(source(), ahead=2)
    assert next(items) == 0
    items.close()
    assert closed.is_set()


@pytest.mark.bad_input('prefetch with nothing read ahead', 'refused')
def test_prefetch_needs_a_positive_read_ahead():
    with pytest.raises(ValueError, match='ahead must be >= 1, got 0'):
        next(prefetch(range(3), ahead=0))
