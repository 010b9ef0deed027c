"""docs/reliability.md lists exactly the bad inputs and faults that the test suite marks, and
the catalogue is as broad as promised."""
from collections import Counter

from .catalogue import DOC, collect, render, with_table
from .helpers import BEHAVIOURS


def test_markers_make_the_table_of_the_docs():
    rows = collect()
    assert all(row['behaviour'] in BEHAVIOURS and row['case'].strip() for row in rows), rows
    repeated = [case for case, count in Counter(row['case'] for row in rows).items()
                if count > 1]
    assert repeated == []
    counts = Counter(row['behaviour'] for row in rows)
    assert counts['refused'] + counts['skipped'] >= 40, counts
    text = DOC.read_text()
    assert with_table(text, render(rows)) == text, (
        'docs/reliability.md is out of date: python -m tests.reliability.catalogue')
