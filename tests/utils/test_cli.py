"""One-line errors of the command-line tools: input errors are printed, bugs keep their
traceback, and a misspelled type gets the closest registered names."""
import pytest
from mmpose.registry import MODELS

from hrnet_plugin.utils import error_line, run_tool
from hrnet_plugin.utils.cli import DEBUG_VARIABLE, is_input_error


def _raise(error: BaseException) -> None:
    raise error


def test_input_errors_are_one_line_and_exit_1(capsys):
    assert run_tool('x.py', _raise, ValueError('file a.json:\n  entry [3] is wrong')) == 1
    assert capsys.readouterr().err == 'x.py: error: file a.json: entry [3] is wrong\n'
    assert run_tool('x.py', lambda: None) == 0


def test_os_errors_name_their_file():
    error = FileNotFoundError(2, 'No such file or directory', '/data/a.jpg')
    assert error_line(error) == '[Errno 2] No such file or directory: \'/data/a.jpg\''
    assert error_line(OSError(27, 'File too large')).endswith('File too large')


def test_bugs_keep_their_traceback():
    for bug in (KeyError('state_dict'), TypeError('bad'), IndexError(3)):
        assert not is_input_error(bug)
        with pytest.raises(type(bug)):
            run_tool('x.py', _raise, bug)


def test_debug_variable_shows_the_traceback_of_input_errors(monkeypatch):
    monkeypatch.setenv(DEBUG_VARIABLE, '1')
    with pytest.raises(ValueError):
        run_tool('x.py', _raise, ValueError('bad file'))


def test_misspelled_type_gets_the_closest_registered_names():
    with pytest.raises(KeyError) as error:
        MODELS.build({'type': 'hrnet_plugin.HeatmapHaed'})
    assert is_input_error(error.value)
    line = error_line(error.value)
    assert line.startswith("type 'hrnet_plugin.HeatmapHaed' is not in the mmpose::model "
                           'registry; did you mean ')
    assert "'hrnet_plugin.HeatmapHead'" in line
