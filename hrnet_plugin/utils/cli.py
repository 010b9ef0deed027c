"""How the command-line tools report bad input: one line on stderr and exit status 1, no
traceback.

Input errors are the exceptions that the plugin raises for files, configs and arguments (with
the file, field and value in the message), OSError of files that cannot be read or written
(a full disk, a file-size limit), and mmengine's ``KeyError`` for a ``type`` that is in no
registry, which gets the registered names closest to the misspelled one. Any other exception
is a bug and keeps its traceback. ``HRNET_PLUGIN_DEBUG=1`` shows the traceback of input errors
too.
"""
import difflib
import os
import re
import sys
from typing import Any, Callable, Iterator, List, Optional

from mmengine import registry as mmengine_registry
from mmengine.registry import Registry

#: Set to 1 to get the traceback of input errors as well.
DEBUG_VARIABLE = 'HRNET_PLUGIN_DEBUG'
#: The exceptions that report an input error (besides mmengine's registry misses).
INPUT_ERRORS = (OSError, ValueError)
# mmengine's message for a `type` it cannot find, e.g. 'HRNett is not in the mmpose::model
# registry. Please check whether ...'.
_NOT_REGISTERED = re.compile(r'(\S+) is not in the (\S+)::(\S+) registry')


def _registries(root: Registry) -> Iterator[Registry]:
    yield root
    for child in root._children.values():
        yield from _registries(child)


def _find_registry(scope: str, name: str) -> Optional[Registry]:
    """The registry of ``scope`` named ``name`` among the children of mmengine's roots."""
    roots = [value for value in vars(mmengine_registry).values() if isinstance(value, Registry)]
    for root in roots:
        for registry in _registries(root):
            if registry.scope == scope and registry.name == name:
                return registry
    return None


def registered_names(registry: Registry) -> List[str]:
    """Every ``type`` name that ``registry`` resolves: its own and its ancestors' names, and
    those of every scope under its root as ``'<scope>.<name>'``."""
    names = []
    ancestor: Optional[Registry] = registry
    while ancestor is not None:
        names += list(ancestor.module_dict)
        root, ancestor = ancestor, ancestor.parent
    for other in _registries(root):
        names += [f'{other.scope}.{key}' for key in other.module_dict]
    return sorted(set(names))


def not_registered_hint(message: str) -> str:
    """For mmengine's "X is not in the S::N registry" message: the closest registered names
    (difflib), else an empty string."""
    match = _NOT_REGISTERED.search(message)
    registry = match and _find_registry(match.group(2), match.group(3))
    if not registry:
        return ''
    wanted = match.group(1)
    names = registered_names(registry)
    # Compare without the scope prefix too: `hrnet_plugin.HRNett` is close to `HRNet`.
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    close += difflib.get_close_matches(wanted.split('.')[-1], names, n=3, cutoff=0.6)
    close = list(dict.fromkeys(close))[:3]
    return f'; did you mean {" or ".join(map(repr, close))}?' if close else ''


def error_line(error: BaseException) -> str:
    """The message of ``error`` on one line (mmengine's registry misses get close names)."""
    if isinstance(error, KeyError) and error.args:
        match = _NOT_REGISTERED.search(str(error.args[0]))
        if match:
            return (f'type {match.group(1)!r} is not in the {match.group(2)}::'
                    f'{match.group(3)} registry{not_registered_hint(match.group(0))}')
        message = str(error.args[0])
    else:
        message = str(error)
    if isinstance(error, OSError) and error.filename and str(error.filename) not in message:
        message += f': {error.filename}'
    return ' '.join(message.split()) or type(error).__name__


def is_input_error(error: BaseException) -> bool:
    """Whether ``error`` reports bad input rather than a bug: see the module docstring."""
    if isinstance(error, KeyError):
        return bool(error.args and _NOT_REGISTERED.search(str(error.args[0])))
    return isinstance(error, INPUT_ERRORS)


def run_tool(prog: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Call ``func(*args, **kwargs)``; return 0, or 1 after printing an input error as
    ``<prog>: error: <message>`` on stderr. Other exceptions propagate.

    Args:
        prog: the tool's name, e.g. ``'train.py'``.
        func: the tool's work.
    """
    try:
        func(*args, **kwargs)
    except Exception as error:
        if not is_input_error(error) or os.environ.get(DEBUG_VARIABLE) == '1':
            raise
        print(f'{prog}: error: {error_line(error)}', file=sys.stderr)
        return 1
    return 0
