"""Checkpoints from elsewhere: conversion of the original HRNet code's checkpoints."""
from .original_hrnet import convert_original_hrnet

__all__ = ['convert_original_hrnet']
