"""Build inputs of the local-stack container image (Dockerfile, pinned requirements)."""
