# COCO 2017 person keypoints (17 keypoints), top-down. Layout under `data_root` (mmpose's):
#   annotations/person_keypoints_{train,val}2017.json
#   person_detection_results/COCO_val2017_detections_AP_H_56_person.json
#   train2017/*.jpg  val2017/*.jpg
_base_ = ['./topdown.py']

# mmpose's CocoDataset plus up-front checks of annotations, boxes and images.
dataset_type = 'hrnet_plugin.ValidatedCocoDataset'
data_root = 'data/coco/'

train_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root, data_prefix=dict(img='train2017/'),
    ann_file='annotations/person_keypoints_train2017.json'))
val_dataloader = dict(dataset=dict(
    type=dataset_type, data_root=data_root, data_prefix=dict(img='val2017/'),
    ann_file='annotations/person_keypoints_val2017.json',
    # Person boxes of the detector used by HRNet (person AP 56.4 on val2017); set
    # `bbox_file=None` to evaluate on the ground-truth boxes instead.
    bbox_file=data_root + 'person_detection_results/COCO_val2017_detections_AP_H_56_person.json'))
test_dataloader = val_dataloader

# Without `ann_file`, CocoMetric loads the ground truth of the evaluated dataset (mmpose's
# datasets publish their annotation file), so overriding the dataset's paths is enough.
val_evaluator = dict(type='CocoMetric')
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='coco/AP'))
