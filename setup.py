"""Installs ``hrnet_plugin``; ships ``configs/`` (with their metafiles), ``tools/`` and the model
index ``model-index.yml`` as ``hrnet_plugin/.mim/`` package data, where ``mim train/test/search/
download hrnet_plugin`` look for them (as OpenMMLab packages do)."""
import shutil
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent
MIM_DIRS = ('configs', 'tools')
MIM_FILES = ('model-index.yml', )


def copy_mim_files() -> None:
    """Refresh ``hrnet_plugin/.mim/{configs,tools,model-index.yml}`` from the repository's
    top-level folders and files."""
    mim = ROOT / 'hrnet_plugin' / '.mim'
    mim.mkdir(exist_ok=True)
    for name in MIM_FILES:
        shutil.copyfile(ROOT / name, mim / name)
    for name in MIM_DIRS:
        target = mim / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns('__pycache__'))


def read_requirements(name: str) -> list:
    lines = (ROOT / 'requirements' / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith('#')]


if (ROOT / 'configs').is_dir():
    copy_mim_files()

setup(
    name='hrnet_plugin',
    version='0.1.0',
    description='HRNet human pose estimation as an OpenMMLab (mmpose 1.x) plugin',
    long_description=(ROOT / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(include=['hrnet_plugin', 'hrnet_plugin.*']),
    include_package_data=False,
    package_data={'hrnet_plugin': ['.mim/configs/**/*', '.mim/tools/**/*', '.mim/tools/*',
                                   '.mim/configs/*', '.mim/model-index.yml']},
    install_requires=read_requirements('openmmlab.txt'),
    zip_safe=False,
)
