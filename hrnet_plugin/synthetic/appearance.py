"""How a figure looks: part labels, and the clothes, skin, hair and lighting that colour them."""
from dataclasses import dataclass
from typing import Tuple

import cv2
import numpy as np

# Part labels of the per-figure label map; each figure's palette gives one colour per label.
BACKGROUND, OUTLINE, TOP, BOTTOM, SKIN, HAIR, FEATURE, NOSE_TIP, EMBLEM, SHOE = range(10)
NUM_LABELS = 10


@dataclass(frozen=True)
class Appearance:
    """How a figure is dressed and coloured.

    Attributes:
        palette: (NUM_LABELS, 3) uint8 BGR colour of each part label.
        long_sleeves: Forearms drawn in the shirt colour instead of skin.
        shorts: Shins drawn in skin instead of the trousers colour.
        long_hair: Hair falls to the shoulders behind the head.
        emblem: Chest emblem on the front: 0 none, 1 disc, 2 square.
        textures: (2, 4) float64 cloth pattern of TOP and BOTTOM: kind (0 plain, 1 stripes,
            2 checks), period in pixels, angle in radians, contrast.
        shading: (3,) float64 light gradient across the figure: direction (radians), strength and
            overall brightness.
    """

    palette: np.ndarray
    long_sleeves: bool
    shorts: bool
    long_hair: bool
    emblem: int
    textures: np.ndarray
    shading: np.ndarray


def random_colors(rng: np.random.Generator, count: int, saturation: Tuple[float, float],
                  value: Tuple[float, float]) -> np.ndarray:
    """(count, 3) uint8 BGR colours of random hue within the given HSV saturation/value ranges."""
    hsv = np.stack([rng.uniform(0, 180, count), rng.uniform(*saturation, count) * 255,
                    rng.uniform(*value, count) * 255], axis=-1)
    return cv2.cvtColor(hsv.astype(np.uint8)[None], cv2.COLOR_HSV2BGR)[0]


_SKIN_TONES = np.array([  # BGR, light to dark
    (196, 214, 245), (160, 190, 234), (130, 170, 224), (100, 140, 198), (75, 110, 165),
    (60, 88, 135), (50, 72, 112)], np.float64)
_HAIR_COLORS = np.array([  # BGR: black, browns, auburn, blond, grey, and a dyed blue and red
    (20, 20, 25), (25, 40, 60), (40, 65, 100), (30, 50, 140), (90, 170, 215), (160, 160, 165),
    (150, 60, 30), (40, 30, 170)], np.float64)


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Samples clothes, skin, hair and cloth patterns of one figure.

    The hair colour is re-drawn until it differs clearly from the skin, and eyes and nose
    contrast with the skin (light eyes on dark skin): the face is what tells the front from the
    back, hence left from right, so it must stay visible.
    """
    palette = np.zeros((NUM_LABELS, 3), np.float64)
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] * rng.uniform(0.9, 1.1)
    hair = _HAIR_COLORS[rng.integers(len(_HAIR_COLORS))]
    while np.linalg.norm(hair - skin) < 100:
        hair = _HAIR_COLORS[rng.integers(len(_HAIR_COLORS))]
    palette[[TOP, BOTTOM, EMBLEM]] = random_colors(rng, 3, (0.35, 1.0), (0.35, 1.0))
    palette[SHOE] = random_colors(rng, 1, (0.0, 0.6), (0.1, 0.5))[0]
    palette[OUTLINE] = rng.uniform(5, 50, 3)
    dark_skin = skin.mean() < 110
    palette[SKIN], palette[HAIR] = skin, hair
    palette[NOSE_TIP] = skin * (1.5 if dark_skin else 0.7)
    palette[FEATURE] = (225, 225, 230) if dark_skin else (15, 15, 20)
    kinds = rng.choice(3, size=2, p=(0.5, 0.3, 0.2))
    textures = np.stack([kinds, rng.uniform(3.0, 9.0, 2), rng.uniform(0, np.pi, 2),
                         rng.uniform(0.12, 0.3, 2)], axis=-1)
    return Appearance(
        palette=np.clip(palette, 0, 255).astype(np.uint8), long_sleeves=bool(rng.random() < 0.5),
        shorts=bool(rng.random() < 0.3), long_hair=bool(rng.random() < 0.3),
        emblem=int(rng.choice(3, p=(0.4, 0.3, 0.3))), textures=textures,
        shading=np.array([rng.uniform(0, 2 * np.pi), rng.uniform(0.0, 0.35),
                          rng.uniform(0.85, 1.15)]))
