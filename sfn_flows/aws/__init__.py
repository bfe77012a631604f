"""Where AWS calls go: a real account (profile/region) or a local stack (endpoint URL).

Standard library and boto3 only, so the Lambda runtime may import it; boto3 itself loads
when the first client is made.
"""

from sfn_flows.aws.target import Target

__all__ = ["Target"]
