"""time_interleaved: candidates in turns, warm-up untimed, medians of the timed calls."""
import time

import pytest

from hrnet_plugin.benchmark import time_interleaved


def test_calls_alternate_and_last_outputs_are_returned():
    calls = []

    def candidate(name):
        def call():
            calls.append(name)
            return len(calls)
        return call

    times, outputs = time_interleaved({'a': candidate('a'), 'b': candidate('b')}, repeats=3,
                                      warmup=1)
    assert calls == ['a', 'b'] * 4        # one warm-up round, then three timed rounds
    assert outputs == {'a': 7, 'b': 8}    # the values of the last round
    assert sorted(times) == ['a', 'b']


def test_median_of_the_timed_calls():
    durations = iter([0.5, 0.0, 0.02, 0.04])   # warm-up (untimed), then three timed calls

    def sleep():
        time.sleep(next(durations))

    times, _ = time_interleaved({'sleep': sleep}, repeats=3)
    assert 0.02 <= times['sleep'] < 0.5


def test_repeats_must_be_positive():
    with pytest.raises(ValueError, match='repeats must be >= 1, got 0'):
        time_interleaved({'a': lambda: None}, repeats=0)
