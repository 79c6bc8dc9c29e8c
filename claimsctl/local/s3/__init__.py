"""S3 as the emulator extends it: bucket policies with their conditions (policy.py), the bucket-owner
check (owner.py), and the CloudFormation pieces moto lacks (cfn.py)."""
