"""Signing in from the CLI: login (and show the verified claims), request (call the API), verify a token."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from claimsctl.commands.clients import client_credentials
from claimsctl.commands.common import CONTEXT, OUTPUT, PASSWORD_STDIN, Run, common_options, password, second_factor

MAX_TOKEN_INPUT = 64 * 1024


@click.command(context_settings=CONTEXT)
@common_options
@click.argument("username")
@PASSWORD_STDIN
@OUTPUT
@click.option("--show-tokens", is_flag=True, help="Also print the raw tokens (they are secrets).")
@click.option("--totp-code-stdin", is_flag=True,
              help="Read each authenticator code from the next line of standard input (after the password).")
def login(run: Run, username: str, password_stdin: bool, output: str, show_tokens: bool, totp_code_stdin: bool) -> None:
    """Sign in, verify the tokens against the pool's JWKS, and show their claims.

    With MFA, it asks for the authenticator's 6-digit code; a user without one is enrolled first (the key is
    shown as an otpauth URI and a QR code to scan).

    \b
    Examples:
      claimsctl login alice
      echo "$PASSWORD" | claimsctl login alice --password-stdin --output json
      printf '%s\\n%s\\n' "$PASSWORD" "$CODE" | claimsctl login alice --password-stdin --totp-code-stdin
    """
    from claimsctl import display, header_limits
    from claimsctl import login as signing_in

    inputs = run.inputs()
    secret = password(password_stdin, "Password", confirm=False)
    aws, outputs = run.deployed(inputs)
    result = signing_in.login(aws, outputs, username, secret, second_factor(totp_code_stdin, inputs.stack_name),
                              inputs.user_password_auth)
    api_claims = result.access_claims if outputs.api_expects == "access" else result.id_claims
    carried = header_limits.summary(signing_in.api_token(outputs, result.tokens), api_claims)
    if output == "json":
        payload: dict[str, Any] = {"id_token": result.id_claims, "access_token": result.access_claims,
                                   "api_token": carried}
        if show_tokens:
            payload["tokens"] = {"id_token": result.tokens.id_token, "access_token": result.tokens.access_token}
        display.as_json(payload)
        return
    display.info(f"[green]Signed in as {username}; both tokens verified against the user pool's JWKS.[/]")
    display.claims("ID token", result.id_claims, outputs.claim_name)
    display.claims("Access token", result.access_claims, outputs.claim_name, signing_in.access_token_note(outputs))
    display.info(f"The API's token ({outputs.api_expects} token):")
    for line in header_limits.lines(carried):
        display.info(f"  {line}")
    if show_tokens:
        click.echo(f"ID token: {result.tokens.id_token}\nAccess token: {result.tokens.access_token}")


@click.command(context_settings=CONTEXT)
@common_options
@click.argument("method", type=click.Choice(["GET", "POST", "PUT", "DELETE"], case_sensitive=False))
@click.argument("path")
@click.option("--user", "username", help="Sign in as this user first.")
@click.option("--client", "client_name", help="Or get a machine client's token first (with --secret-file).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --client: the credentials file add-client wrote.")
@click.option("--token", help="Or reuse a token (the one the API takes); - reads it from standard input.")
@PASSWORD_STDIN
@click.option("--data", help="A JSON body to send, or @FILE to send a file's JSON (e.g. for POST).")
def request(run: Run, method: str, path: str, username: str | None, client_name: str | None, secret_file: Path | None,
            token: str | None, password_stdin: bool, data: str | None) -> None:
    """Sign in (or get a machine client's token, or reuse a token) and call the deployed API; print the status
    line, then the body.

    The token the API expects (ID token for V1_0, access token for V2_0 and V3_0, a machine client's
    access token) goes in the Authorization header. The status line (`HTTP 200  GET /path`) goes to standard
    error, the body to standard output. Exit 0 for a 2xx answer, 1 otherwise.

    \b
    Examples:
      claimsctl request GET /projects/p1/items --user alice
      claimsctl request POST /projects/p1/items --user alice --data '{"title": "x"}'
      claimsctl request DELETE /projects/p1/items/item-1 --user alice
      echo "$PASSWORD" | claimsctl request GET /standard/projects/p1/items --user alice --password-stdin
      claimsctl request GET /projects/p1/items --client reporting-bot --secret-file bot.json
      printf '%s' "$ID_TOKEN" | claimsctl request GET /projects/p1/items --token -
    """
    from claimsctl import apiclient, display
    from claimsctl.errors import ClaimsctlError

    given = [name for name in (username, client_name, token) if name is not None]
    if len(given) != 1 or (client_name is not None) != (secret_file is not None):
        raise click.UsageError("Name a --user, a --client with its --secret-file, or a --token.")
    apiclient.check_path(path)  # before anything is asked or sent
    body = apiclient.json_body(data) if data is not None else None
    reused = _token_given(token) if token is not None else None
    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    if outputs.api_url is None:
        raise ClaimsctlError('The stack has no API; set "api" in stackInputs.json and deploy.')
    answer = apiclient.call(outputs.api_url, method, path, reused or _token_for(run, aws, outputs, username, (
        client_name, secret_file), password_stdin), body=body)
    display.info(f"HTTP {answer.status}  {method.upper()} {path}")
    click.echo(answer.body)
    if not 200 <= answer.status < 300:
        sys.exit(1)


def _token_given(token: str) -> str:
    """--token: the token itself, or "-" for the first line of standard input (out of `ps` and the history)."""
    if token != "-":  # noqa: S105 - "read it from standard input", not a secret
        return token.strip()
    read = sys.stdin.read(MAX_TOKEN_INPUT).strip()
    if not read:
        raise click.UsageError("--token - was given but standard input was empty")
    return read


def _token_for(run: Run, aws: Any, outputs: Any, username: str | None, client: tuple[str | None, Path | None],
               password_stdin: bool) -> str:
    """A fresh token: the user's (asking for the password) or the machine client's."""
    from claimsctl import login as signing_in

    inputs = run.inputs()
    if username is not None:
        secret = password(password_stdin, "Password", confirm=False)
        issued = signing_in.login(aws, outputs, username, secret, password_auth=inputs.user_password_auth).tokens
        return signing_in.api_token(outputs, issued)
    found = client_credentials(aws, outputs, str(client[0]), client[1] or Path())
    return signing_in.machine_token(aws, outputs, *found).access_token


@click.command(context_settings=CONTEXT)
@common_options
@click.argument("token")
@click.option("--token-use", type=click.Choice(["id", "access"]), help="Require this kind of token.")
def verify(run: Run, token: str, token_use: str | None) -> None:
    """Verify a token against the deployed pool and print its claims (exit 1 with the reason if invalid).

    TOKEN "-" reads the token from standard input, so it stays out of `ps` and the shell history.

    \b
    Example:
      printf '%s' "$ID_TOKEN" | claimsctl verify - --token-use id
    """
    from claimsctl import display
    from claimsctl import login as signing_in

    if token == "-":  # noqa: S105 - "read it from standard input", not a secret
        token = sys.stdin.read(MAX_TOKEN_INPUT).strip()
        if not token:
            raise click.UsageError("TOKEN '-' was given but standard input was empty")
    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    display.as_json(signing_in.verifier(aws, outputs, token_use).verify(token))
