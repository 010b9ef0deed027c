"""The model index: the published models that the configs reproduce, by name.

OpenMMLab's format, read by ``mim search`` and ``mim download``: ``model-index.yml`` imports one
metafile per dataset folder (``configs/<dataset>/metafile.yml``), whose ``Models`` give each
model's ``Name``, ``Config`` (relative to the index), ``Weights`` URL and published
``Results``. In a source checkout the index is ``model-index.yml`` at the repository root; an
installed package carries it as ``hrnet_plugin/.mim/model-index.yml`` with the configs.
"""
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

from hrnet_plugin.utils import PathLike

INDEX_NAME = 'model-index.yml'
PACKAGE = Path(__file__).resolve().parents[1]
REQUIRED = ('Name', 'Config', 'Weights')


@dataclass(frozen=True)
class PublishedModel:
    """One model of the index.

    Attributes:
        name: the model's name (that of its config file, as mmpose names it).
        config: the config file.
        weights: URL of the published checkpoint.
        collection: the method it belongs to (``HRNet``, ``DarkPose``, ``UDP``).
        training_data: the dataset(s) it was trained on.
        results: the published results, ``{'Dataset', 'Task', 'Metrics'}`` dicts.
        metafile: the metafile that lists it.
    """

    name: str
    config: Path
    weights: str
    collection: str
    training_data: str
    results: Tuple[dict, ...]
    metafile: Path


def index_file() -> Path:
    """The model index of this package: the checkout's, else the installed one.

    Raises:
        FileNotFoundError: neither exists.
    """
    candidates = (PACKAGE.parent / INDEX_NAME, PACKAGE / '.mim' / INDEX_NAME)
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f'no model index at {" or ".join(map(str, candidates))}')


def _read_yaml(path: Path, what: str) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f'{what} {path} does not exist')
    try:
        content = yaml.safe_load(path.read_text(encoding='utf-8'))
    except yaml.YAMLError as error:
        raise ValueError(f'{what} {path} is not valid YAML: {error}') from None
    if not isinstance(content, dict):
        raise ValueError(f'{what} {path}: expected a mapping at the top level')
    return content


def load_model_index(path: Optional[PathLike] = None) -> Dict[str, PublishedModel]:
    """Every model of the index ``path`` (default ``index_file()``), by name.

    Raises:
        FileNotFoundError: the index or one of its metafiles is missing.
        ValueError: a file is not valid YAML, a model lacks ``Name``/``Config``/``Weights``, or
            a name is listed twice (naming the files and the field).
    """
    path = Path(path) if path is not None else index_file()
    root = path.parent
    models: Dict[str, PublishedModel] = {}
    for relative in _read_yaml(path, 'model index').get('Import', []):
        metafile = root / relative
        for position, entry in enumerate(_read_yaml(metafile, 'metafile').get('Models', [])):
            missing = [field for field in REQUIRED if not entry.get(field)]
            if missing:
                raise ValueError(f'metafile {metafile}: Models[{position}] lacks {missing}')
            name = entry['Name']
            if name in models:
                raise ValueError(f'metafile {metafile}: model {name!r} is also listed in '
                                 f'{models[name].metafile}')
            metadata = entry.get('Metadata', {})
            models[name] = PublishedModel(
                name=name, config=root / entry['Config'], weights=entry['Weights'],
                collection=entry.get('In Collection', ''),
                training_data=str(metadata.get('Training Data', '')),
                results=tuple(entry.get('Results', ())), metafile=metafile)
    return models


def is_model_name(text: str) -> bool:
    """Whether ``text`` can only be a model name: no existing file, no folder, no ``.py``."""
    return not (os.path.exists(text) or text.endswith('.py') or '/' in text or os.sep in text)


def find_model(name: str, path: Optional[PathLike] = None) -> PublishedModel:
    """The model ``name`` of the index ``path`` (default ``index_file()``).

    Raises:
        ValueError: no such model, naming the closest names.
    """
    models = load_model_index(path)
    if name not in models:
        close = difflib.get_close_matches(name, list(models), n=3, cutoff=0.6)
        hint = f'; did you mean {", ".join(close)}?' if close else ''
        raise ValueError(f'no model named {name!r} in the model index {path or index_file()} '
                         f'({len(models)} models, `mim search hrnet_plugin` lists them){hint}')
    return models[name]
