"""Build inputs of the engine's container image: the dependencies' layer (Dockerfile, pinned
requirements) and the layer that adds sfn_flows itself (sfn_flows.Dockerfile)."""
