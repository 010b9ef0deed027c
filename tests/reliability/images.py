"""Image files a user may meet, made from the COCO samples: unreadable ones and unusual but
valid ones (each with the plain image it must read as)."""
import struct
import zlib
from pathlib import Path
from typing import Dict

import cv2
import numpy as np
from PIL import Image

from ..apis.helpers import COCO_IMAGES

SOURCE = COCO_IMAGES[0]  # 000000000785.jpg, 640 x 425


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


def png_bomb(width: int = 70000, height: int = 70000) -> bytes:
    """A small PNG whose header announces ``width`` x ``height`` RGB pixels (4.9 G by default,
    beyond OpenCV's 2^30 limit)."""
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + _png_chunk(b'IHDR', header)
            + _png_chunk(b'IDAT', zlib.compress(bytes(1000))) + _png_chunk(b'IEND', b''))


def write_unreadable_images(folder: Path) -> Dict[str, str]:
    """Unreadable files of ``folder``: {file name: what is wrong}."""
    data = SOURCE.read_bytes()
    png = cv2.imencode('.png', cv2.imread(str(SOURCE)))[1].tobytes()
    files = {'empty.jpg': (b'', 'the file is empty'),
             'truncated.jpg': (data[:len(data) // 2], 'truncated JPEG'),
             'truncated.png': (png[:len(png) // 2], 'cannot decode image'),
             'text.jpg': (b'a text file named .jpg\n', 'cannot decode image'),
             'bomb.png': (png_bomb(), 'CV_IO_MAX_IMAGE_PIXELS')}
    for name, (content, _) in files.items():
        (folder / name).write_bytes(content)
    return {name: reason for name, (_, reason) in files.items()}


def write_unusual_images(folder: Path) -> Dict[str, str]:
    """Valid but unusual images in ``folder``, each with the plain image file it must read
    as: {unusual file name: plain file name}. The plain files are written too."""
    bgr = cv2.imread(str(SOURCE))
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(folder / 'plain.png'), bgr)
    cv2.imwrite(str(folder / 'plain_gray.png'), gray)
    # 8-bit values v stored as 257 v: OpenCV's conversion to 8 bits (v16 >> 8) gives v back.
    cv2.imwrite(str(folder / 'gray16.png'), gray.astype(np.uint16) * 257)
    cv2.imwrite(str(folder / 'bgr16.png'), bgr.astype(np.uint16) * 257)
    cv2.imwrite(str(folder / 'rgba.png'), cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(folder / 'one_pixel.png'), bgr[:1, :1])
    cv2.imwrite(str(folder / 'plain_one_pixel.png'), bgr[:1, :1])
    # CMYK and EXIF-rotated JPEGs are lossy: their plain twins are the JPEG they decode to,
    # compared with a tolerance by the tests.
    rgb = Image.open(SOURCE)
    rgb.convert('CMYK').save(folder / 'cmyk.jpg', quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter left: shown after a quarter turn right
    rgb.transpose(Image.Transpose.ROTATE_90).save(folder / 'exif_rotated.jpg', quality=95,
                                                  exif=exif.tobytes())
    return {'gray16.png': 'plain_gray.png', 'bgr16.png': 'plain.png', 'rgba.png': 'plain.png',
            'one_pixel.png': 'plain_one_pixel.png', 'cmyk.jpg': 'plain.png',
            'exif_rotated.jpg': 'plain.png'}
