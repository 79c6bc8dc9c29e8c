"""What a token will say and allow: explain."""

from __future__ import annotations

import click

from claimsctl.commands.common import CONTEXT, OUTPUT, Run, common_options


@click.command(context_settings=CONTEXT)
@common_options
@click.argument("username", required=False)
@click.option("--client", "client_name", help="Explain this machine client's token (claimsctl add-client) instead.")
@click.option("--request", "wanted", help='A request to decide, "METHOD /path", e.g. "POST /projects/p1/items".')
@OUTPUT
def explain(run: Run, username: str | None, client_name: str | None, wanted: str | None, output: str) -> None:
    """Show, without signing in, what USERNAME's (or a --client's) token will say and which routes it allows.

    It reads the user's row, invokes the deployed trigger with the event Cognito would send (so the
    claims are the deployed code's), measures them against the size budget, and asks the project's
    lambda_src/claims.py which routes they allow. It needs lambda:InvokeFunction on the trigger function,
    dynamodb:GetItem on the users table and cognito-idp:AdminGetUser.

    \b
    Examples:
      claimsctl explain alice
      claimsctl explain alice --request "POST /projects/p1/items"
      claimsctl explain alice --output json
      claimsctl explain --client reporting-bot --request "GET /projects/p1/items"
    """
    from claimsctl import display
    from claimsctl import explain as explaining

    if (username is None) == (client_name is None):
        raise click.UsageError("Name a USERNAME or a --client, one of the two.")
    principal = str(username or client_name)
    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    found = explaining.explain(aws, run.project(), inputs, outputs, principal, wanted, client=client_name is not None)
    if output == "json":
        display.as_json(found.as_json())
        return
    display.explanation(principal, found)


@click.command(context_settings=CONTEXT)
@common_options
@OUTPUT
def routes(run: Run, output: str) -> None:
    """List the API's routes and the handler behind each, in lambda_src/.

    The routes are stackInputs.json's "routes" (without it, the shipped item routes). Both designs serve every
    route: the optimized one at its path, the standard one under /standard. No AWS access is needed.

    \b
    Examples:
      claimsctl routes
      claimsctl routes --output json
    """
    from claimsctl import apiroutes, display

    inputs = run.inputs()
    listed = apiroutes.listing(run.project().lambda_dir, inputs.api_routes, declared=inputs.routes is not None)
    if output == "json":
        display.as_json(listed)
        return
    display.route_listing(listed)
