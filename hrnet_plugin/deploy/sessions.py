"""Runtime sessions of exported models: called like the PyTorch graph, tensor in, tensor out."""
from pathlib import Path
from typing import Optional, Union

import numpy as np
import onnxruntime as ort
import torch
from torch import Tensor


class OnnxRuntimeSession:
    """An exported model in onnxruntime on the CPU, one input and one output.

    Args:
        path: the .onnx file.
        num_threads: intra-op threads; default: torch's thread count, so that a comparison
            with PyTorch in the same process uses the same cores.
    """

    def __init__(self, path: Union[str, Path], num_threads: Optional[int] = None) -> None:
        if not Path(path).is_file():
            raise FileNotFoundError(f'ONNX model not found: {path}')
        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads or torch.get_num_threads()
        self.session = ort.InferenceSession(str(path), options,
                                            providers=['CPUExecutionProvider'])
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, inputs: Tensor) -> Tensor:
        """(N, 3, H, W) float32 images -> the model's first output (heatmaps) as a tensor."""
        feed = {self.input_name: np.ascontiguousarray(inputs.detach().cpu().numpy())}
        return torch.from_numpy(self.session.run(None, feed)[0])
