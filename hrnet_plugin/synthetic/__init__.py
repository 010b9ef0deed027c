"""Synthetic people: a built-in, deterministic person-keypoint dataset (COCO format).

Every image holds 1 to ``max_figures`` articulated cartoon figures over a cluttered background,
labelled with the 17 COCO keypoints. A figure shows either its front (skin-coloured face with
eyes, nose and mouth under a hair cap, a V-neck collar, sometimes a chest emblem) or its back (the
head is all hair, plain shirt). Left and right are labelled as on real people: a figure facing the
camera has its left side on the image right, a figure seen from behind has it on the image left.
Clothes are the same on both sides, so the only left/right cue is the facing direction, which
survives a horizontal flip (the flip swaps the labels and the image together and the figure still
faces the same way).

Annotation conventions: v=2 visible; v=1 labelled but hidden (under a figure drawn later, or the
nose and eyes of a figure seen from behind); v=0 outside the image, at (0, 0). ``bbox`` and
``area`` cover all the figure's drawn pixels inside the image, hidden ones included. Each
annotation carries one extra field, ``facing`` ('front' or 'back'), which COCO tools ignore.

Modules, from the bottom up: ``keypoints`` (COCO's keypoints from mmpose's metainfo), ``pose``
(figure geometry), ``appearance`` (clothes and colours), ``background``, ``render`` (drawing
figures), ``scene`` (placing, drawing and annotating the figures of one image), ``detections``
(a simulated person detector), ``files`` (atomic writes, COCO records, the manifest),
``coco`` (the dataset) and ``video`` (PoseTrack18-format videos of people walking across a
scene, entering, leaving, crossing and hiding each other, with true track ids). The package is
not imported by ``import hrnet_plugin``.

Example::

    from hrnet_plugin.synthetic import generate_synthetic_coco

    info = generate_synthetic_coco('data/synth', num_train=2000, num_val=200)
    info['val_ann']  # 'data/synth/annotations/person_keypoints_val.json'

    from hrnet_plugin.synthetic import generate_synthetic_videos

    info = generate_synthetic_videos('data/synth_videos', num_videos=3, num_frames=24)
    info['ann_dir']  # 'data/synth_videos/annotations/val', one PoseTrack18 json per video

Command line::

    python -m hrnet_plugin.synthetic --out-dir data/synth --num-train 2000 --num-val 200
    python -m hrnet_plugin.synthetic --videos 3 --out-dir data/synth_videos --num-frames 24
"""
from .coco import generate_synthetic_coco
from .video import generate_synthetic_videos

__all__ = ['generate_synthetic_coco', 'generate_synthetic_videos']
