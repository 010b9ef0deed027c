"""Figure poses: left and right named after the facing direction."""
import numpy as np

from hrnet_plugin.synthetic.keypoints import FLIP_INDICES, L_EAR, L_EYE, L_HIP, L_SHOULDER
from hrnet_plugin.synthetic.pose import place_pose, sample_pose


def test_left_right_follow_the_facing_direction():
    """Facing the camera, a person's left is on the image right; from behind, on the left."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        pose = place_pose(sample_pose(rng, 100.0), (0.0, 0.0), rng.uniform(-30.0, 30.0))
        sign = 1 if pose.front else -1
        for left in (L_EYE, L_EAR, L_SHOULDER, L_HIP):
            assert sign * (pose.points[left, 0] - pose.points[FLIP_INDICES[left], 0]) > 0
