"""CloudFront on the emulator: the CloudFormation types moto lacks, and the distributions served over HTTP.

moto has CloudFront's API (distributions, origin access controls, invalidations) but no CloudFormation
models for it and nothing that answers a viewer. `cfn` adds the models; `viewer` serves each
distribution at http://{id}.cloudfront.localhost:{port}/ from its S3 origin, as CloudFront would.
"""
