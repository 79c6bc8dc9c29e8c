"""CloudFront and S3 bucket policies on the emulator, through boto3 and HTTP as a user's code would reach them.

A stack of a private bucket, an origin access control and a distribution is created with CloudFormation;
what its viewer answers depends on the bucket policy, evaluated with its conditions as S3 does.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique

TEMPLATE = {
    "Resources": {
        "Site": {"Type": "AWS::S3::Bucket", "Properties": {
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True}}},
        "Access": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {"OriginAccessControlConfig": {
            "Name": "NAME", "OriginAccessControlOriginType": "s3", "SigningBehavior": "always",
            "SigningProtocol": "sigv4"}}},
        "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "DefaultRootObject": "index.html",
            "Origins": [{"Id": "site", "DomainName": {"Fn::GetAtt": ["Site", "RegionalDomainName"]},
                         "OriginAccessControlId": {"Fn::GetAtt": ["Access", "Id"]},
                         "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}}},
    },
    "Outputs": {
        "Bucket": {"Value": {"Ref": "Site"}},
        "Id": {"Value": {"Ref": "Cdn"}},
        "Url": {"Value": {"Fn::Sub": "https://${Cdn.DomainName}/"}},
    },
}


def policy(bucket: str, source_arn: str, list_bucket: bool = False) -> str:
    actions = ["s3:GetObject", "s3:ListBucket"] if list_bucket else ["s3:GetObject"]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": actions,
         "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
         "Condition": {"StringEquals": {"AWS:SourceArn": source_arn}}}]})


def settled(cfn: Any, name: str) -> dict[str, Any]:
    """The stack once no operation is in progress; {} once it is deleted."""
    for _ in range(300):  # bounded: 30 s
        try:
            stack: dict[str, Any] = cfn.describe_stacks(StackName=name)["Stacks"][0]
        except ClientError:
            return {}
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.1)
    raise AssertionError(f"stack {name} is still in progress")


@pytest.fixture
def site(clients: Any) -> dict[str, str]:
    cfn = clients("cloudformation")
    name = unique("cdn")
    template = json.loads(json.dumps(TEMPLATE).replace('"NAME"', json.dumps(name)))
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settled(cfn, name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    clients("s3").put_object(Bucket=outputs["Bucket"], Key="index.html", Body=b"<p>home</p>", ContentType="text/html")
    return {**outputs, "stack": name}


def get(url: str, path: str = "/") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    connection.request("GET", path, headers={"Host": parts.netloc})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_viewer_reads_the_bucket_only_as_the_bucket_policy_allows_this_distribution(
        clients: Any, site: dict[str, str]) -> None:
    s3, cloudfront = clients("s3"), clients("cloudfront")
    distribution = cloudfront.get_distribution(Id=site["Id"])["Distribution"]
    arn = distribution["ARN"]
    assert arn.startswith("arn:aws:cloudfront::") and arn.endswith(f":distribution/{site['Id']}")
    url = site["Url"]
    assert url.startswith("http://") and ".cloudfront.localhost:" in url  # the emulator's address for it

    assert get(url).status == 403  # no bucket policy: CloudFront may not read the private bucket
    s3.put_bucket_policy(Bucket=site["Bucket"], Policy=policy(site["Bucket"], arn.replace(site["Id"], "EOTHER")))
    assert get(url).status == 403  # a policy for another distribution
    s3.put_bucket_policy(Bucket=site["Bucket"], Policy=policy(site["Bucket"], arn))
    assert get(url).status == 200 and get(url, "/index.html").status == 200
    assert get(url, "/missing.js").status == 403  # without s3:ListBucket S3 does not say what is missing
    s3.put_bucket_policy(Bucket=site["Bucket"], Policy=policy(site["Bucket"], arn, list_bucket=True))
    assert get(url, "/missing.js").status == 404

    cfn = clients("cloudformation")
    cfn.delete_stack(StackName=site["stack"])  # CloudFormation deletes only an empty bucket
    assert settled(cfn, site["stack"])["StackStatus"] == "DELETE_FAILED"
    assert site["Bucket"] in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.delete_object(Bucket=site["Bucket"], Key="index.html")
    cfn.delete_stack(StackName=site["stack"])
    assert settled(cfn, site["stack"]) == {}
    assert site["Bucket"] not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_bucket_policy_conditions_are_evaluated_not_ignored(clients: Any) -> None:
    s3 = clients("s3")
    bucket = unique("conditions")
    s3.create_bucket(Bucket=bucket)

    def deny_when_secure(value: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"Bool": {"aws:SecureTransport": value}}}]})

    s3.put_bucket_policy(Bucket=bucket, Policy=deny_when_secure("false"))  # the usual TLS-only statement
    s3.put_object(Bucket=bucket, Key="allowed", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_when_secure("true"))  # requests here stand for HTTPS ones
    with pytest.raises(ClientError, match=r"AccessDenied|Forbidden|403"):
        s3.put_object(Bucket=bucket, Key="denied", Body=b"x")
    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="allowed")
    s3.delete_bucket(Bucket=bucket)


def test_a_registered_cloudfront_callback_url_matches_its_emulator_address_only(
        clients: Any, endpoint: str, site: dict[str, str]) -> None:
    idp = clients("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("cdn-pool"))["UserPool"]["Id"]
    label = urlsplit(site["Url"]).hostname.split(".")[0]
    registered = f"https://{label}.cloudfront.net/"
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=[registered], SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    domain = unique("cdn-domain")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)

    def authorize(redirect_uri: str) -> int:
        params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid"}
        return requests.get(f"{endpoint}/hosted-ui/{domain}/oauth2/authorize", params=params,
                            allow_redirects=False, timeout=10).status_code

    assert authorize(site["Url"]) in (200, 302)  # the distribution's address on this emulator
    assert authorize(registered) in (200, 302)
    other = site["Url"].replace(label, "d0ther0000000")
    assert authorize(other) == 400
