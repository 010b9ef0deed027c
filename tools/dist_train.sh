#!/usr/bin/env bash
# Distributed training: one process per GPU, or per CPU process group over gloo without CUDA.
# Usage: bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py options...]
# Several machines: set NNODES, NODE_RANK, MASTER_ADDR (and PORT) on each.
# PYTHON picks the interpreter (default: python).
set -euo pipefail

CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}

PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" \
    --master_port="$PORT" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
