"""The catalogue of bad inputs and faults in docs/reliability.md, read from the
``@pytest.mark.bad_input(case, behaviour)`` markers of the test suite, so that the table and
the tests cannot drift apart (tests/reliability/test_catalogue.py compares them).

    python -m tests.reliability.catalogue            # rewrite the table in docs/reliability.md
    python -m tests.reliability.catalogue --check    # exit 1 if the table is out of date

The markers are read by pytest's own collection (``--collect-only`` with this module as a
plugin) in a subprocess, from the repository root, of the test files that mention
``bad_input`` (a file that does not cannot mark a test).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / 'docs' / 'reliability.md'
START, END = '<!-- catalogue: start -->', '<!-- catalogue: end -->'
#: Where the collecting plugin writes the markers it finds (set only in that subprocess).
OUTPUT_VARIABLE = 'HRNET_PLUGIN_CATALOGUE_OUTPUT'


def pytest_collection_modifyitems(session, config, items) -> None:
    """Plugin hook: write every collected ``bad_input`` marker, with its test, as json."""
    output = os.environ.get(OUTPUT_VARIABLE)
    if not output:
        return
    rows = []
    for item in items:
        marker = item.get_closest_marker('bad_input')
        if marker is not None:
            case, behaviour = marker.args
            rows.append({'case': case, 'behaviour': behaviour, 'test': item.nodeid})
    Path(output).write_text(json.dumps(rows))


def collect() -> List[Dict[str, str]]:
    """The ``bad_input`` markers of the test suite: case, behaviour and test id, in the suite's
    order."""
    files = sorted(str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / 'tests').rglob(
        'test_*.py') if 'bad_input' in path.read_text())
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / 'markers.json'
        run = subprocess.run(
            [sys.executable, '-m', 'pytest', '--collect-only', '-q', '-p',
             'tests.reliability.catalogue', *files], cwd=REPO_ROOT, capture_output=True,
            text=True, env={**os.environ, OUTPUT_VARIABLE: str(output),
                            'PYTHONPATH': str(REPO_ROOT)})
        if not output.is_file():
            raise RuntimeError(f'test collection failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}')
        return json.loads(output.read_text())


def cases(rows: List[Dict[str, str]]) -> Dict[str, Dict[str, object]]:
    """The markers grouped by case, in order of first appearance: ``{case: {'behaviours':
    set, 'tests': [test ids]}}`` (a parametrized test may mark several tests with one case)."""
    grouped: Dict[str, Dict[str, object]] = {}
    for row in rows:
        entry = grouped.setdefault(row['case'], {'behaviours': set(), 'tests': []})
        entry['behaviours'].add(row['behaviour'])
        entry['tests'].append(row['test'])
    return grouped


def render(rows: List[Dict[str, str]]) -> str:
    """The markdown table of the catalogue, one row per case."""
    lines = ['| case | behaviour | tests |', '|---|---|---|']
    lines += [f'| {case} | {", ".join(sorted(entry["behaviours"]))} | '
              + '<br>'.join(f'`{test}`' for test in entry['tests']) + ' |'
              for case, entry in cases(rows).items()]
    return '\n'.join(lines)


def with_table(text: str, table: str) -> str:
    """``text`` with the part between the START and END comments replaced by ``table``."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f'{head}{START}\n{table}\n{END}{tail}'


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true', help='only compare, exit 1 if stale')
    args = parser.parse_args(argv)
    text = DOC.read_text()
    updated = with_table(text, render(collect()))
    if args.check:
        return int(updated != text)
    DOC.write_text(updated)
    return 0


if __name__ == '__main__':
    sys.exit(main())
