"""claimsctl's code shared by the CLI and the Lambda handlers, under one name in both.

The packager ships this package in every function's zip; the CLI imports it from the installed claimsctl.
Standard library and boto3 only (what Lambda's Python runtime has), and nothing from `claimsctl`:
- projects: the project-id rule, and a principal's role in each project (grants);
- tokens: the Cognito JWT verifier (the authorizer's, the CLI's, the emulator's);
- routes: the routes a token allows, and their policy ARNs;
- claiming: the generic trigger (reserved names, encoding per version, the size budget);
- reserved: the claim names Cognito reserves;
- rows: a users-table item as plain values.
"""
