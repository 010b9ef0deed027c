from .safe_checkpoint import allow_openmmlab_checkpoints, openmmlab_checkpoint_globals

__all__ = ['allow_openmmlab_checkpoints', 'openmmlab_checkpoint_globals']
