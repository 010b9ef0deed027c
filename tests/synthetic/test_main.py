"""``python -m hrnet_plugin.synthetic``, and the package staying out of ``import hrnet_plugin``."""
import json
import os
import subprocess
import sys
from pathlib import Path

from hrnet_plugin.synthetic.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)}, timeout=300)


def test_cli(tmp_path, capsys):
    main(['--out-dir', str(tmp_path / 'cli'), '--num-train', '2', '--num-val', '1',
          '--seed', '5', '--width', '96', '--height', '128'])
    info = json.loads(capsys.readouterr().out)
    assert info['num_train_images'] == 2 and info['num_val_images'] == 1
    assert json.loads(Path(info['train_ann']).read_text())['images'][0]['height'] == 128


def test_run_as_module(tmp_path):
    run = _run(['-m', 'hrnet_plugin.synthetic', '--out-dir', 'data', '--num-train', '1',
                '--num-val', '2', '--width', '64', '--height', '64', '--max-figures', '2'],
               tmp_path)
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info['num_val_images'] == 2 and info['reused'] is False
    assert sorted(p.name for p in (tmp_path / 'data' / 'images' / 'val').iterdir()) == [
        '000001.jpg', '000002.jpg']
    bad = _run(['-m', 'hrnet_plugin.synthetic', '--out-dir', 'data', '--num-val', '0'], tmp_path)
    assert bad.returncode != 0 and 'num_val must be an integer >= 1, got 0' in bad.stderr


def test_not_imported_with_the_package(tmp_path):
    run = _run(['-c', 'import sys, hrnet_plugin; '
                'print(sorted(m for m in sys.modules if m.startswith("hrnet_plugin.synthetic")))'],
               tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ['[]']
