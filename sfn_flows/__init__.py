"""sfn-flows: AWS Step Functions workflows as typed Python objects."""
