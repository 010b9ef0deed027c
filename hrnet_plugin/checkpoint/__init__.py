"""Checkpoints: published models by name (the model index), downloads into the cache, reading
with clear errors, strict loading, and conversion of the original HRNet code's checkpoints."""
from .download import DownloadError, cached_file, download_checkpoint, hash_prefix, is_url
from .mmengine_loaders import register_checkpoint_loaders
from .model_index import PublishedModel, find_model, index_file, is_model_name, load_model_index
from .original_hrnet import convert_original_hrnet, infer_architecture
from .reading import CheckpointError, UnsafeCheckpointError, read_checkpoint, resolve_checkpoint
from .strict_load_hook import StrictLoadHook
from .strict_loading import WeightsMismatch, compare_weights, fit_checkpoint, load_weights

__all__ = [
    'CheckpointError', 'DownloadError', 'PublishedModel', 'StrictLoadHook',
    'UnsafeCheckpointError', 'WeightsMismatch', 'cached_file', 'compare_weights',
    'convert_original_hrnet', 'download_checkpoint', 'find_model', 'fit_checkpoint',
    'hash_prefix', 'index_file', 'infer_architecture', 'is_model_name', 'is_url',
    'load_model_index', 'load_weights', 'read_checkpoint', 'register_checkpoint_loaders',
    'resolve_checkpoint',
]
