"""claimsctl's command line: parse options, call one core function, show its result.

Core modules do the work; this file and claimsctl/display.py are the only ones
that talk to the terminal. The checkout's top-level cli.py runs this.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click

from claimsctl import __version__
from claimsctl.errors import ClaimsctlError

MAX_TOKEN_INPUT = 64 * 1024
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Run(NamedTuple):
    """What one invocation was told: where the inputs are and which AWS to talk to."""

    inputs_path: Path
    profile: str | None
    region: str | None
    endpoint_url: str | None
    debug: bool

    def inputs(self) -> Any:
        from claimsctl import inputs

        loaded = inputs.load(self.inputs_path)
        return loaded.with_changes(region=self.region) if self.region else loaded

    def project(self, web_config: Path | None = None) -> Any:
        from claimsctl.deployer import ProjectFolder

        return ProjectFolder.from_inputs(self.inputs_path, web_config)

    def aws(self, region: str) -> Any:
        from claimsctl.aws import Aws

        return Aws(region=region, profile=self.profile, endpoint_url=self.endpoint_url)

    def deployed(self, inputs: Any) -> tuple[Any, Any]:
        """(aws, outputs) of the deployed stack; a clear error saying to deploy when it is not."""
        from claimsctl import deployer

        aws = self.aws(inputs.region)
        return aws, deployer.outputs(aws, inputs)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--inputs, --profile, --region, --endpoint-url, --debug on every command; errors become messages."""

    @click.option("--inputs", "inputs_path", type=click.Path(path_type=Path), default="stackInputs.json",
                  show_default=True, help="The deployment's parameters.")
    @click.option("--profile", help="AWS profile (default: boto3's chain, e.g. AWS_PROFILE).")
    @click.option("--region", help="AWS region (default: stackInputs.json's region).")
    @click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="AWS endpoint, e.g. the local emulator's URL.")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(command)
    def wrapper(inputs_path: Path, profile: str | None, region: str | None, endpoint_url: str | None,
                debug: bool, **kwargs: Any) -> Any:
        run = Run(inputs_path, profile, region, endpoint_url, debug)
        try:
            return command(run, **kwargs)
        except ClaimsctlError as exc:
            if debug:
                raise
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.secho("Interrupted. Anything already started in AWS (such as a stack operation) carries on "
                        "there; run the command again to wait for it and continue.", fg="yellow", err=True)
            sys.exit(130)
        except Exception as exc:
            from claimsctl.aws import as_claimsctl_error

            wrapped = as_claimsctl_error(exc)
            if debug or wrapped is None:
                raise
            click.secho(f"Error: {wrapped}", fg="red", err=True)
            sys.exit(wrapped.exit_code)

    return wrapper


def _waiter(aws: Any) -> Any:
    """Poll the emulator often (it answers in milliseconds) and AWS gently."""
    from claimsctl.stack import Waiter

    return Waiter(poll_seconds=0.2 if aws.local else 3.0)


def _second_factor(from_stdin: bool, issuer: str) -> Any:
    from claimsctl import display, signin

    def code() -> str:
        if from_stdin:
            line = sys.stdin.readline().strip()
            if not line:
                raise click.UsageError("--totp-code-stdin was given but standard input had no code line")
            return line
        return str(click.prompt("Authenticator code (6 digits)", err=True)).strip()

    return signin.SecondFactor(code=code, enrol=display.totp_enrolment, issuer=issuer)


def _password(from_stdin: bool, prompt: str, confirm: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin was given but standard input had no password line")
        return password
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="claimsctl")
def main() -> None:
    """Fine-grained authorization with custom claims in Amazon Cognito tokens.

    \b
    Quick start on the local emulator:
      claimsctl local start &                # serves http://127.0.0.1:4566
      export AWS_ENDPOINT_URL=http://127.0.0.1:4566
      claimsctl deploy --yes
      claimsctl add-user --username alice --email alice@example.com --projects p1,p2
      claimsctl login alice
      claimsctl teardown --yes
    """


@main.command(context_settings=CONTEXT)
@common_options
@click.option("--yes", "-y", is_flag=True, help="Apply an update without asking.")
@click.option("--artifact-bucket", help="Existing S3 bucket for the Lambda code (default: one claimsctl creates).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--allow-data-loss", is_flag=True,
              help="Allow an update that replaces or removes a table holding rows (refused otherwise, even with --yes).")
@click.option("--web-config", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the web demo's config (default: in the project folder).")
def deploy(run: Run, yes: bool, artifact_bucket: str | None, output: str, allow_data_loss: bool,
           web_config: Path | None) -> None:
    """Render templates/, package lambda_src/, create or update the stack, write the web constants.

    \b
    Examples:
      claimsctl deploy
      claimsctl deploy --yes --output json
      claimsctl deploy --endpoint-url http://127.0.0.1:4566 --artifact-bucket my-bucket
    """
    from claimsctl import deployer, display

    inputs = run.inputs()

    printer = display.EventPrinter()

    def confirm(changes: list[Any]) -> bool:
        printer.close()
        display.change_set(changes)
        return yes or click.confirm("Apply these changes?", default=False, err=True)

    display.info(f"Deploying stack [bold]{inputs.stack_name}[/] to {inputs.region}"
                 + (f" at {run.endpoint_url}" if run.endpoint_url else ""))
    aws = run.aws(inputs.region)
    for warning in deployer.production_warnings(inputs, run.endpoint_url):
        display.info(f"[yellow]Warning:[/] {warning}")
    project = run.project(web_config)
    display.info(project.describe_sources())
    if inputs.hosted_web:
        display.info(f"Building the web app in {project.web_app.root} (skipped when its sources are unchanged)")
    with printer, contextlib.ExitStack() as bars:

        def web_progress(total: int) -> Callable[[str], None]:
            printer.close()  # one live display at a time: the stack's events are over by now
            advance = bars.enter_context(display.progress(total, "Uploading the web app"))
            return lambda key: advance()

        outcome = deployer.deploy(aws, project, inputs, artifact_bucket, confirm, printer, _waiter(aws),
                                  allow_data_loss, web_progress)
    result = outcome.result
    if result.recreated:
        display.info("The stack was left in ROLLBACK_COMPLETE by an earlier failed create; "
                     "it was deleted and created again.")
    message = {"up-to-date": "Stack is up to date: no changes.", "created": "Stack created.", "updated": "Stack updated."}
    display.info(f"[green]{message[result.status]}[/]")
    if outcome.web_config:
        display.info(f"Web demo configuration written to {outcome.web_config}")
    if outcome.web is not None:
        _report_web(outcome.web)
    if output == "json":
        display.as_json({"status": result.status, "outputs": result.outputs})
    else:
        display.key_values("Outputs", result.outputs)


@main.command(context_settings=CONTEXT)
@common_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--keep-data", is_flag=True, help="Keep the DynamoDB tables (and their rows); delete everything else.")
@click.option("--artifact-bucket", help="The bucket given to deploy --artifact-bucket, if any.")
@click.option("--web-config", type=click.Path(dir_okay=False, path_type=Path),
              help="The web config deploy --web-config wrote, if any.")
def teardown(run: Run, yes: bool, keep_data: bool, artifact_bucket: str | None, web_config: Path | None) -> None:
    """Delete the stack, its tables (unless --keep-data), the published web app, its artifacts and the web config.

    \b
    Examples:
      claimsctl teardown
      claimsctl teardown --keep-data --yes
    """
    from claimsctl import deployer, display

    inputs = run.inputs()
    aws = run.aws(inputs.region)
    deployer.check_deletable(aws, inputs)
    found = deployer.stack_tables(aws, inputs)
    if not yes:
        question = _teardown_question(inputs.stack_name, found, keep_data, deployer.web_bucket_of(aws, inputs.stack_name))
        click.confirm(question, abort=True, err=True)
    with display.EventPrinter() as printer:
        outcome = deployer.teardown(aws, run.project(web_config), inputs, artifact_bucket, printer, _waiter(aws),
                                    keep_data, found)
    _report_teardown(inputs.stack_name, outcome)


def _report_web(web: Any) -> None:
    from claimsctl import display

    built = "built" if web.built else "build reused (its sources are unchanged)"
    display.info(f"Web app {built}; {len(web.uploaded)} file(s) uploaded, {web.unchanged} unchanged, "
                 f"{len(web.deleted)} no longer built removed; invalidation {web.invalidation_id} started.")
    display.info(f"[bold green]Web app: {web.url}[/]")


def _teardown_question(stack_name: str, found: list[Any], keep_data: bool, web_bucket: str | None) -> str:
    rows = sum(table.rows for table in found)
    listing = ", ".join(table.describe() for table in found) or "none"
    web = f" The web app's bucket {web_bucket} is emptied first (deploy publishes it again)." if web_bucket else ""
    if keep_data:
        return f"Delete stack {stack_name} and its users, keeping its tables ({listing})?{web}"
    return f"Delete stack {stack_name}, its users, and {rows} row(s) in its tables ({listing})?{web}"


def _report_teardown(stack_name: str, outcome: Any) -> None:
    from claimsctl import display

    if not outcome.existed:
        display.info(f"Stack {stack_name} does not exist; nothing to delete.")
    else:
        display.info(f"[green]Stack {stack_name} deleted.[/]")
    for name in outcome.tables_deleted:
        display.info(f"Deleted table {name}.")
    for table in outcome.tables_kept:
        display.info(f"[yellow]Kept table {table.describe()} (--keep-data).[/]")
    if outcome.retained:
        display.info(f"[yellow]Retained by their DeletionPolicy: {', '.join(outcome.retained)}[/]")
    if outcome.web_objects_removed:
        display.info(f"Emptied the web bucket ({outcome.web_objects_removed} file(s) of the built app).")
    if outcome.artifacts_removed:
        display.info(f"Removed {outcome.artifacts_removed} artifact(s).")
    if outcome.bucket_removed:
        display.info(f"Removed artifact bucket {outcome.bucket_removed}.")
    if outcome.web_config_removed:
        display.info(f"Removed {outcome.web_config_removed}.")


@main.command(context_settings=CONTEXT)
@common_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(run: Run, output: str) -> None:
    """Show the stack's state and outputs.

    \b
    Example:
      claimsctl status --output json
    """
    from claimsctl import deployer, display, stack

    inputs = run.inputs()
    found = deployer.status(run.aws(inputs.region), inputs)
    summary = {"stack": inputs.stack_name, "status": found["StackStatus"] if found else "NOT_DEPLOYED",
               "outputs": stack.outputs_of(found) if found else {}}
    if output == "json":
        display.as_json(summary)
        return
    display.key_values(f"Stack {inputs.stack_name}: {summary['status']}", summary["outputs"])


@main.command(context_settings=CONTEXT)
@common_options
def render(run: Run) -> None:
    """Print the rendered CloudFormation template (no AWS access needed).

    \b
    Example:
      claimsctl render > stack.yaml && cfn-lint stack.yaml
    """
    from claimsctl import deployer

    inputs = run.inputs()
    click.echo(deployer.render_for(run.project(), inputs), nl=False)


@main.command("add-user", context_settings=CONTEXT)
@common_options
@click.option("--username", help="User name (prompted when absent).")
@click.option("--email", help="Email address (verified; prompted for a new user).")
@click.option("--projects", help="Comma-separated project ids, e.g. p1,p2 (replaces the user's list).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--seed-items", type=click.IntRange(0, 100), default=0, show_default=True,
              help="Also write this many sample items into each of the user's projects (needs the API).")
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Add or update many users from a CSV or JSON file (username, email, projects[, password]).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="With --from-file: users written at once.")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path),
              help="With --from-file: CSV (mode 600) receiving the passwords generated for records without one.")
def add_user(run: Run, username: str | None, email: str | None, projects: str | None, password_stdin: bool,
             seed_items: int, from_file: Path | None, concurrency: int, passwords_out: Path | None) -> None:
    """Add a user and the DynamoDB row of its projects, or update an existing one.

    With no options it asks for everything; the password is hidden and confirmed.
    For an existing user only what you pass changes (the password only with --password-stdin).

    \b
    Examples:
      claimsctl add-user
      echo "$PASSWORD" | claimsctl add-user --username alice --email alice@example.com --projects p1,p2 --password-stdin
      claimsctl add-user --username alice --projects p1,p3
      claimsctl add-user --from-file users.csv --passwords-out passwords.csv
    """
    from claimsctl import display, users

    if from_file is not None:
        if username or email or projects or password_stdin:
            raise click.UsageError("--from-file cannot be combined with --username, --email, --projects or --password-stdin")
        _add_users_from_file(run, from_file, concurrency, passwords_out)
        return

    interactive = username is None
    inputs = run.inputs()
    if interactive:
        username = click.prompt("User name")
        email = email or click.prompt("Email")
        projects = projects if projects is not None else click.prompt("Projects (comma-separated)", default="")
    project_ids = users.parse_projects(projects) if projects is not None else None
    password = _password(password_stdin, "Password", confirm=True) if (interactive or password_stdin) else None
    aws, outputs = run.deployed(inputs)
    if seed_items and project_ids and outputs.items_table is None:  # refused before the user is touched
        raise ClaimsctlError('--seed-items needs the API in the stack: set "api" in stackInputs.json and deploy.')
    target = users.Target.of(outputs)
    spec = users.UserSpec(str(username), email, project_ids, password)
    result = users.add_or_update(aws.client("cognito-idp"), aws.client("dynamodb"), target, spec)
    shown = ", ".join(project_ids) if project_ids is not None else "unchanged"
    display.info(f"[green]User {username} {result}[/] (projects: {shown or 'none'}).")
    if seed_items and project_ids and outputs.items_table is not None:
        count = users.seed_items(aws.client("dynamodb"), outputs.items_table, project_ids, seed_items)
        display.info(f"Wrote {count} sample item(s).")


def _add_users_from_file(run: Run, path: Path, concurrency: int, passwords_out: Path | None) -> None:
    from claimsctl import bulk, display, users

    inputs = run.inputs()
    specs = bulk.read(path)
    if passwords_out is None and any(spec.password is None for spec in specs):
        raise click.UsageError("Some records have no password: pass --passwords-out FILE to receive generated ones")
    aws, outputs = run.deployed(inputs)
    target = users.Target.of(outputs)
    passwords = bulk.PasswordsFile(passwords_out, path) if passwords_out is not None else None
    try:
        with display.progress(len(specs), "Adding users") as advance:
            report = bulk.seed(aws.client("cognito-idp"), aws.client("dynamodb"), target, specs, concurrency,
                               lambda outcome: advance(), passwords)
    finally:
        if passwords is not None:
            passwords.close()
            if passwords.written:
                display.info(f"{passwords.written} generated password(s) written to {passwords.path} "
                             "(readable by you only).")
    counts = ", ".join(f"{report.count(a)} {a}" for a in ("created", "updated", "unchanged", "failed"))
    display.info(f"Users from {path}: {counts}.")
    for failure in report.failures:
        display.info(f"[red]  {failure.username}: {failure.reason}[/]")
    if report.failures:
        sys.exit(1)


@main.command("remove-user", context_settings=CONTEXT)
@common_options
@click.argument("username")
def remove_user(run: Run, username: str) -> None:
    """Sign a user out everywhere (refresh tokens revoked), then remove it and its row of projects.

    \b
    Example:
      claimsctl remove-user alice
    """
    from claimsctl import display, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    target = users.Target.of(outputs)
    stored = users.remove(aws.client("cognito-idp"), aws.client("dynamodb"), target, username)
    display.info(f"[green]User {stored} signed out everywhere and removed, with its row of projects.[/]")
    minutes = inputs.id_token_validity_minutes
    display.info(f"Tokens issued before now stay valid until they expire (at most {minutes} minutes: "
                 "idTokenValidityMinutes); no new token can be issued.")


@main.command("list-users", context_settings=CONTEXT)
@common_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_users(run: Run, output: str) -> None:
    """List users with their status and projects.

    \b
    Example:
      claimsctl list-users --output json
    """
    from claimsctl import display, users

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    target = users.Target.of(outputs)
    records = users.list_all(aws.client("cognito-idp"), aws.client("dynamodb"), target)
    if output == "json":
        display.as_json([r.__dict__ for r in records])
    else:
        display.users(records)


@main.command(context_settings=CONTEXT)
@common_options
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
      printf '%s\n%s\n' "$PASSWORD" "$CODE" | claimsctl login alice --password-stdin --totp-code-stdin
    """
    from claimsctl import display, session

    inputs = run.inputs()
    password = _password(password_stdin, "Password", confirm=False)
    aws, outputs = run.deployed(inputs)
    result = session.login(aws, outputs, username, password, _second_factor(totp_code_stdin, inputs.stack_name),
                           inputs.user_password_auth)
    claim = outputs.claim_name
    if output == "json":
        payload: dict[str, Any] = {"id_token": result.id_claims, "access_token": result.access_claims}
        if show_tokens:
            payload["tokens"] = {"id_token": result.tokens.id_token, "access_token": result.tokens.access_token}
        display.as_json(payload)
        return
    display.info(f"[green]Signed in as {username}; both tokens verified against the user pool's JWKS.[/]")
    display.claims("ID token", result.id_claims, claim)
    from claimsctl import versions

    trigger = versions.VERSIONS.get(outputs.trigger_version)
    id_only = f"a {trigger.name} trigger changes the ID token only; use triggerVersion V2_0 for access tokens" \
        if trigger and not trigger.changes_access_token else "absent from this token"
    display.claims("Access token", result.access_claims, claim, id_only)
    if show_tokens:
        click.echo(f"ID token: {result.tokens.id_token}\nAccess token: {result.tokens.access_token}")


@main.command(context_settings=CONTEXT)
@common_options
@click.argument("method", type=click.Choice(["GET", "POST", "PUT", "DELETE"], case_sensitive=False))
@click.argument("path")
@click.option("--user", "username", required=True, help="Sign in as this user first.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def request(run: Run, method: str, path: str, username: str, password_stdin: bool) -> None:
    """Sign in and call the deployed API; print the status and the body.

    The token the API expects (ID token for V1_0, access token for V2_0) goes
    in the Authorization header. Exit 0 for a 2xx answer, 1 otherwise.

    \b
    Examples:
      claimsctl request GET /projects/p1/items --user alice
      echo "$PASSWORD" | claimsctl request GET /standard/projects/p1/items --user alice --password-stdin
    """
    from claimsctl import apiclient, display, session

    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    if outputs.api_url is None:
        raise ClaimsctlError('The stack has no API; set "api" in stackInputs.json and deploy.')
    password = _password(password_stdin, "Password", confirm=False)
    signed_in = session.login(aws, outputs, username, password, password_auth=inputs.user_password_auth).tokens
    token = signed_in.access_token if outputs.api_expects == "access" else signed_in.id_token
    answer = apiclient.call(outputs.api_url, method, path, token)
    display.info(f"HTTP {answer.status}")
    click.echo(answer.body)
    if not 200 <= answer.status < 300:
        sys.exit(1)


@main.command(context_settings=CONTEXT)
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
    from claimsctl import display, session

    if token == "-":  # noqa: S105 - "read it from standard input", not a secret
        token = sys.stdin.read(MAX_TOKEN_INPUT).strip()
        if not token:
            raise click.UsageError("TOKEN '-' was given but standard input was empty")
    inputs = run.inputs()
    aws, outputs = run.deployed(inputs)
    claims = session.verifier(aws, outputs, token_use).verify(token)
    display.as_json(claims)


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region for the new stackInputs.json.")
@click.option("--with-source", is_flag=True, help="Also copy templates/ and lambda_src/ into FOLDER, to customise.")
def init(folder: Path, region: str, with_source: bool) -> None:
    """Start a project folder: a stackInputs.json (and, with --with-source, the templates and Lambda code).

    A project folder's own templates/ and lambda_src/ take precedence over the ones claimsctl ships.

    \b
    Examples:
      claimsctl init my-app && cd my-app && claimsctl deploy
      claimsctl init my-app --with-source
    """
    from claimsctl import display, scaffold

    try:
        written = scaffold.init(folder, region, with_source)
    except ClaimsctlError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        display.info(f"Wrote {path}")
    display.info(f"Next: cd {folder} && claimsctl deploy (add --endpoint-url for the local emulator)")


@main.group(context_settings=CONTEXT)
def local() -> None:
    """The local AWS emulator (moto, extended by claimsctl)."""


@local.command("start", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=4566, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
def local_start(host: str, port: int) -> None:
    """Run the emulator in the foreground until Ctrl-C (or SIGTERM); prints its endpoint URL.

    \b
    Example:
      claimsctl local start --port 4566 &
      export AWS_ENDPOINT_URL=http://127.0.0.1:4566
    """
    import signal
    import threading

    try:
        from claimsctl.local.guard import LOOPBACK_NAMES
        from claimsctl.local.server import Emulator
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"The local emulator needs the 'local' extra ({exc.name} is missing): "
                                   "pip install 'claimsctl[local]'") from None

    if host.strip("[]").lower() not in LOOPBACK_NAMES:
        click.secho(f"WARNING: listening on {host}, not loopback. Anyone who can reach this address can create "
                    "stacks whose Lambda code runs on this machine as you, and read every table. Use it only on a "
                    "network you trust.", fg="red", bold=True, err=True)
    emulator = Emulator(host, port)
    try:
        url = emulator.start()
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror}; pass --port 0 for a free port") from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(url)
    sys.stdout.flush()
    emulator.serve_until(stop)
    click.echo("Emulator stopped.", err=True)


if __name__ == "__main__":
    main()
