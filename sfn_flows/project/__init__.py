"""The project on disk: discovering workflows, reading definition files, writing the build."""
