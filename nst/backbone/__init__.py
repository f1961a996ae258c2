"""The network: backbones and their layer tables (networks, layers), their weights and loading (model),
the features a run compares (features) and the arithmetic they compute in (precision)."""
