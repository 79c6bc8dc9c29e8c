"""claimsctl: custom claims in Amazon Cognito tokens for fine-grained authorization."""

__version__ = "0.1.0"
