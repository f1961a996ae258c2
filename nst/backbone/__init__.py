"""The network: backbones and their layer tables (networks, layers), their weights' sources (weights; the
offline packages: packaged, hed) and building (model), the features a run compares (features) and the
arithmetic they compute in (precision)."""
