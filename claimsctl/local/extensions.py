"""Installs every claimsctl extension into moto, once, after checking the extension points still exist.

moto is pinned (setup.cfg) because these are internal hooks: if an upgrade
moves one, the emulator refuses to start with a message naming it, rather
than running with a silently missing feature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MOTO_VERSION = "5.2.1"
EXTENSION_POINTS = {
    "moto.cloudformation.models": ["Stack._create_resource_map", "Stack.update", "ChangeSet.diff",
                                   "CloudFormationBackend.create_stack", "CloudFormationBackend.create_change_set",
                                   "CloudFormationBackend.execute_change_set", "CloudFormationBackend.delete_stack",
                                   "Change", "Event"],
    "moto.cloudformation.parsing": ["ResourceMap._parsed_resources", "ResourceMap._resource_json_map",
                                    "ResourceMap._delete_resource", "clean_json", "get_model_map",
                                    "generate_resource_name", "resource_class_from_type"],
    "moto.awslambda.models": ["LambdaFunction.invoke",
                              "LambdaBackend.delete_function", "LambdaFunction.update_from_cloudformation_json",
                              "LambdaFunction._create_zipfile_from_plaintext_code", "Permission"],
    "moto.apigateway.models": ["Method.create_from_cloudformation_json", "Resource.get_path", "RestAPI",
                               "RestAPI.create_authorizer",
                               "Deployment", "APIGatewayBackend.put_method", "APIGatewayBackend.create_authorizer",
                               "APIGatewayBackend.put_integration", "APIGatewayBackend.delete_rest_api"],
    "moto.cognitoidp.models": ["CognitoIdpUserPool.create_tokens_from_refresh_token",
                               "CognitoIdpUserPool.create_access_token", "CognitoIdpUserPool.create_id_token",
                               "CognitoIdpUserPool._get_user", "CognitoIdpUserPool.sign_out",
                               "CognitoIdpUserPool.create_refresh_token",
                               "CognitoIdpBackend.admin_initiate_auth", "CognitoIdpBackend.initiate_auth",
                               "CognitoIdpBackend.respond_to_auth_challenge", "CognitoIdpBackend._validate_password",
                               "CognitoIdpBackend.create_user_pool", "CognitoIdpBackend.update_user_pool",
                               "CognitoIdpBackend.delete_user_pool", "CognitoIdpBackend.get_user",
                               "CognitoIdpUserPool.__init__", "CognitoIdpUserPoolClient.__init__"],
    "moto.settings": ["get_cognito_idp_user_pool_id_strategy", "get_cognito_idp_user_pool_client_id_strategy"],
    "moto.moto_server.werkzeug_app": ["DomainDispatcherApplication.get_backend_for_host", "create_backend_app"],
    "moto.core.responses": ["method_names_from_class", "BaseResponse.serialized", "BaseResponse.dispatch"],
    "moto.core.utils": ["get_service_model"],
    "moto.core.serialize": ["XFormedAttributePicker", "get_serializer_class"],
    "moto.dynamodb.responses": ["DynamoHandler.dispatch"],
    "moto.core.common_models": ["BaseModel.__new__"],
    "moto.moto_api._internal.models": ["moto_api_backend.reset"],
    "moto.logs.models": ["LogStream"],
    "moto.cognitoidp.responses": ["CognitoIdpResponse.dispatch", "CognitoIdpResponse.respond_to_auth_challenge",
                                  "CognitoIdpResponse.admin_respond_to_auth_challenge"],
    "moto.s3.models": ["FakeBucket.get_permission", "FakeBucket.create_from_cloudformation_json",
                       "FakeBucket.update_from_cloudformation_json", "FakeBucket.delete_from_cloudformation_json",
                       "S3Backend.put_bucket_policy",
                       "S3Backend.put_public_access_block", "S3Backend.put_bucket_ownership_controls"],
    "moto.cloudfront.models": ["CloudFrontBackend.create_distribution", "CloudFrontBackend.update_distribution",
                               "CloudFrontBackend.create_origin_access_control",
                               "CloudFrontBackend.update_origin_access_control"],
    "moto.cloudformation.responses": ["CloudFormationResponse.create_change_set",
                                      "CloudFormationResponse.list_change_sets"],
}

_installed = False


class ExtensionPointMissing(RuntimeError):
    """moto no longer has something the emulator patches."""


def check_extension_points() -> list[str]:
    """Names of the extension points that are missing (empty when all are present)."""
    import importlib

    import moto

    missing = [] if moto.__version__ == MOTO_VERSION else [f"moto=={MOTO_VERSION} (found {moto.__version__})"]
    for module_name, names in EXTENSION_POINTS.items():
        module = importlib.import_module(module_name)
        for dotted in names:
            target: Any = module
            for part in dotted.split("."):
                if part == "_parsed_resources" or part == "_resource_json_map":
                    break  # instance attributes, checked by the engine's tests
                target = getattr(target, part, None)
                if target is None:
                    missing.append(f"{module_name}.{dotted}")
                    break
    return missing


def install(endpoint_url: str, work_dir: Path) -> None:
    """Install the extensions (once per process) and start the Lambda runtime."""
    global _installed
    from claimsctl.local.lambda_runtime import service
    from claimsctl.local.lambda_runtime.pool import LambdaRuntime

    if not _installed:
        missing = check_extension_points()
        if missing:
            raise ExtensionPointMissing(
                "The local emulator cannot extend this moto: missing " + ", ".join(missing)
                + f". Install the pinned version: pip install 'moto=={MOTO_VERSION}'."
            )
        from claimsctl.local import dispatch, s3_cfn, s3_policy, untracked
        from claimsctl.local.apigateway import cfn as apigateway_cfn
        from claimsctl.local.cfn import install as cfn_install
        from claimsctl.local.cognito import install as cognito_install

        untracked.install()
        apigateway_cfn.install()
        # defining the models registers them with moto
        import claimsctl.local.cloudfront.cfn
        import claimsctl.local.cognito.cfn_models  # noqa: F401
        s3_cfn.install()
        s3_policy.install()

        cfn_install.install()  # after every service's models: it refreshes moto's model registry
        cognito_install.install()
        service.install()
        dispatch.install()  # last: it remembers the response classes' methods as the extensions left them
        _installed = True
    service.set_runtime(LambdaRuntime(endpoint_url, work_dir))


def shutdown() -> None:
    from claimsctl.local.lambda_runtime import service

    try:
        service.runtime().shutdown()
    except RuntimeError:
        return
    service.set_runtime(None)
