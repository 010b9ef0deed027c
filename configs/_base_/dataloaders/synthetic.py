# The synthetic people of `hrnet_plugin.synthetic` (COCO format, 17 keypoints) as
# tools/quickstart.py generates them under `data_root`:
#   annotations/person_keypoints_{train,val}.json   annotations/val_detections.json
#   images/{train,val}/*.jpg
_base_ = ['./coco.py']

data_root = 'work_dirs/quickstart/data/'

# Milder augmentation than COCO's: a few minutes of training cannot absorb rotations and half
# bodies (600 iterations with rotations up to 30 degrees, and lr 2e-3, ended 0.06 AP lower), and
# the generator already poses its figures at random. Flips keep left and right right.
train_before_crop = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', scale_factor=(0.75, 1.25), rotate_factor=0),
]
val_data = dict(data_root=data_root, ann_file='annotations/person_keypoints_val.json',
                data_prefix=dict(img='images/val/'))

# One worker process: loading overlaps the model's step. tools/quickstart.py makes OpenMP threads
# wait passively, so torch's two threads do not starve it (nor get starved by other programs).
train_dataloader = dict(
    batch_size=32, num_workers=1,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(data_root=data_root, ann_file='annotations/person_keypoints_train.json',
                 data_prefix=dict(img='images/train/')))
# Validation on the annotated boxes (the AP of the keypoints alone), test on the detections.
val_dataloader = dict(batch_size=64, num_workers=1, dataset=dict(**val_data, bbox_file=None))
test_dataloader = dict(
    batch_size=64, num_workers=1,
    dataset=dict(**val_data, bbox_file=data_root + 'annotations/val_detections.json'))
