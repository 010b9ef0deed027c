"""Figure poses: an upright person sampled in the image plane, then placed into an image.

A pose is an array of P points: the K COCO keypoints in mmpose's order, then anchors that only
the drawing needs (NECK, HEAD, HEAD_TOP and the TORSO quadrilateral). Coordinates are pixels,
y pointing down.
"""
import math
from dataclasses import dataclass
from typing import Dict, Sequence

import numpy as np

from .keypoints import ARMS, L_EAR, L_EYE, LEGS, NOSE, NUM_KEYPOINTS, R_EAR, R_EYE, UPPER_BODY

# Indices of the drawing anchors, after the keypoints.
NECK, HEAD, HEAD_TOP = range(NUM_KEYPOINTS, NUM_KEYPOINTS + 3)  # head: centre, top (tilt, size)
TORSO = slice(NUM_KEYPOINTS + 3, NUM_KEYPOINTS + 7)  # convex torso quadrilateral
NUM_POINTS = NUM_KEYPOINTS + 7


@dataclass(frozen=True)
class Pose:
    """A figure's geometry.

    Attributes:
        points: (P, 2) float64 xy: keypoints in COCO order, then the NECK, HEAD, HEAD_TOP and
            TORSO anchors.
        front: True when the figure faces the camera (its left side is on the image right).
        height: Body height in pixels (top of the head to the ankles when standing straight).
        widths: Limb thicknesses in pixels, by part name.
    """

    points: np.ndarray
    front: bool
    height: float
    widths: Dict[str, float]


def _direction(angle_deg: float, side: float) -> np.ndarray:
    """(2,) unit vector ``angle_deg`` away from straight down, turned towards ``side`` (+1: +x)."""
    angle = math.radians(angle_deg)
    return np.array([side * math.sin(angle), math.cos(angle)])


def _rotation(angle_deg: float) -> np.ndarray:
    """(2, 2) matrix rotating xy (y down) by ``angle_deg``, clockwise on screen."""
    c, s = np.cos(np.deg2rad(angle_deg)), np.sin(np.deg2rad(angle_deg))
    return np.array([[c, -s], [s, c]])


def _foreshortening(rng: np.random.Generator, prob: float) -> float:
    """Length factor of a segment pointing partly towards the camera (1 when it does not)."""
    return float(rng.uniform(0.55, 1.0)) if rng.random() < prob else 1.0


def sample_pose(rng: np.random.Generator, height: float) -> Pose:
    """Samples an upright figure around the origin (the hip midpoint), y pointing down.

    Proportions follow an adult of ``height`` pixels from the top of the head to the ankles. Joint
    angles are drawn in the image plane within ranges a person's limbs can project to: arms from
    hanging down to raised overhead with the elbow bent either way (the projection of a 3-D bend),
    legs from slightly crossed to spread, knees bent moderately; segments are sometimes shortened
    as if pointing towards the camera.

    Args:
        rng: Random generator, the only source of randomness.
        height: Figure height in pixels.

    Returns:
        The pose in figure coordinates; see :func:`place_pose` to put it into an image.
    """
    h = height
    front = bool(rng.random() < 0.5)
    widths = {'upper_arm': h * rng.uniform(0.055, 0.07), 'thigh': h * rng.uniform(0.075, 0.095),
              'neck': h * 0.045}
    widths['forearm'] = widths['upper_arm'] * rng.uniform(0.75, 0.9)
    widths['shin'] = widths['thigh'] * rng.uniform(0.7, 0.85)
    shoulder_half, hip_half = h * rng.uniform(0.095, 0.125), h * rng.uniform(0.06, 0.08)
    torso, head_r = h * rng.uniform(0.28, 0.32), h * rng.uniform(0.06, 0.07)
    arm_scale, leg_scale = rng.uniform(0.92, 1.08), rng.uniform(0.94, 1.05)
    upper_arm, forearm = h * 0.17 * arm_scale, h * 0.15 * arm_scale
    thigh, shin = h * 0.245 * leg_scale, h * 0.235 * leg_scale

    # Sides are sampled physically (+1: towards +x) and named afterwards: facing the camera, the
    # person's left arm is the one on +x, seen from behind it is the one on -x.
    left_side = 1.0 if front else -1.0
    pts = np.zeros((NUM_POINTS, 2))
    for arm, leg, side in zip(ARMS, LEGS, (left_side, -left_side)):
        shoulder = np.array([side * shoulder_half, -torso])
        abduction = rng.uniform(-15.0, 170.0)  # 0: hanging down, 90: horizontal, 170: overhead
        elbow_bend = rng.triangular(-150.0, 0.0, 150.0)
        elbow = shoulder + upper_arm * _foreshortening(rng, 0.4) * _direction(abduction, side)
        wrist = elbow + forearm * _foreshortening(rng, 0.4) * _direction(
            abduction + elbow_bend, side)
        hip = np.array([side * hip_half, 0.0])
        spread = rng.triangular(-12.0, 4.0, 45.0)
        knee_bend = rng.triangular(-45.0, 0.0, 35.0)
        knee = hip + thigh * _foreshortening(rng, 0.3) * _direction(spread, side)
        ankle = knee + shin * _foreshortening(rng, 0.2) * _direction(spread + knee_bend, side)
        pts[[*arm, *leg]] = (shoulder, elbow, wrist, hip, knee, ankle)
    pts[NECK] = (0.0, -torso)
    pts[TORSO] = [
        (-(shoulder_half + 0.35 * widths['upper_arm']), -torso - 0.02 * h),
        (shoulder_half + 0.35 * widths['upper_arm'], -torso - 0.02 * h),
        (hip_half + 0.45 * widths['thigh'], 0.03 * h),
        (-(hip_half + 0.45 * widths['thigh']), 0.03 * h)]

    # Head in its own frame (x across the face, y down the face), tilted on the neck. The face
    # may turn a little, which moves eyes and nose sideways but leaves the ears at the edges.
    tilt = _rotation(rng.uniform(-20.0, 20.0))
    yaw = head_r * rng.uniform(-0.18, 0.18)
    head_local = {
        HEAD: (0.0, -(h * rng.uniform(0.035, 0.05) + head_r)), HEAD_TOP: (0.0, -head_r),
        NOSE: (1.3 * yaw, 0.28 * head_r), L_EYE: (left_side * 0.33 * head_r + yaw, -0.08 * head_r),
        R_EYE: (-left_side * 0.33 * head_r + yaw, -0.08 * head_r),
        L_EAR: (left_side * 0.86 * head_r, 0.02 * head_r),
        R_EAR: (-left_side * 0.86 * head_r, 0.02 * head_r)}
    pts[HEAD] = pts[NECK] + tilt @ head_local[HEAD]
    for index in (HEAD_TOP, NOSE, L_EYE, R_EYE, L_EAR, R_EAR):
        pts[index] = pts[HEAD] + tilt @ head_local[index]

    # The upper body leans on the hips; every point above the hips turns with it.
    upper = [*UPPER_BODY, NECK, HEAD, HEAD_TOP, TORSO.start, TORSO.start + 1]
    pts[upper] = pts[upper] @ _rotation(rng.uniform(-12.0, 12.0)).T
    return Pose(points=pts, front=front, height=h, widths=widths)


def place_pose(pose: Pose, center: Sequence[float], angle_deg: float) -> Pose:
    """Rotates a figure about its hip midpoint by ``angle_deg`` and moves that point to ``center``.

    Returns:
        The pose in image coordinates.
    """
    points = pose.points @ _rotation(angle_deg).T + np.asarray(center, dtype=np.float64)
    return Pose(points=points, front=pose.front, height=pose.height, widths=pose.widths)
