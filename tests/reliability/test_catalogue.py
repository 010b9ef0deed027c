"""docs/reliability.md lists exactly the bad inputs and faults that the test suite marks, and
the catalogue is as broad as promised."""
from collections import Counter

from .catalogue import DOC, cases, collect, render, with_table
from .helpers import BEHAVIOURS


def test_markers_make_the_table_of_the_docs():
    rows = collect()
    assert all(row['behaviour'] in BEHAVIOURS and row['case'].strip() for row in rows), rows
    grouped = cases(rows)
    # One behaviour per case, however many tests mark it.
    assert all(len(entry['behaviours']) == 1 for entry in grouped.values()), grouped
    # At least 40 distinct refused or skipped cases besides those of checkpoint files.
    counts = Counter(next(iter(entry['behaviours'])) for entry in grouped.values()
                     if not all(test.startswith('tests/checkpoint/') for test in entry['tests']))
    assert counts['refused'] + counts['skipped'] >= 40, counts
    text = DOC.read_text()
    assert with_table(text, render(rows)) == text, (
        'docs/reliability.md is out of date: python -m tests.reliability.catalogue')
