"""The Step Functions API over HTTP, served by the in-process engine: `sfn-flows engine serve`.

A drop-in for AWS's Step Functions Local that boto3 and the AWS CLI talk to unchanged (AWS JSON
1.0, `X-Amz-Target: AWSStepFunctions.<Action>`). `app.serve(config)` starts it in a thread;
`config.ServerConfig` reads Step Functions Local's environment variables. Importing this package
loads nothing else.
"""
