"""Ship workflows and Lambdas to AWS or the local stack through CloudFormation."""
