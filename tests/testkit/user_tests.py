"""Tests a user of the kit writes (copied into a scratch project made by `claimsctl init` and run there)."""

STALENESS = '''
"""The staleness window of both designs, shown with the emulator's clock in milliseconds of wall time."""
import json
from pathlib import Path

INPUTS = json.loads((Path(__file__).parents[1] / "stackInputs.json").read_text())
VALIDITY = INPUTS.get("idTokenValidityMinutes", 60) * 60
CACHE = INPUTS.get("authorizerCacheTtl", 300)


def test_a_revoked_project_works_in_the_optimized_design_until_the_token_expires(claims_stack):
    rita = claims_stack.user(projects=["p1"])
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 200  # the authorizer's answer is cached
    claims_stack.set_projects(rita, [])  # revoked at T
    assert claims_stack.call("GET", "/standard/projects/p1/items", rita).status == 403  # standard: at once
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 200  # optimized: the token says p1
    claims_stack.advance(CACHE + 1)  # the cached answer is gone; the token still carries p1
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == (200 if VALIDITY > CACHE + 1 else 401)
    claims_stack.advance(max(VALIDITY - CACHE, 0) + 1)  # past the token's exp (and the cache's TTL)
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 401
    rita.refresh()  # a refresh runs the trigger on the row as it is now
    assert "p1" not in str(rita.claims.get("projects"))
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 403


def test_a_token_minted_while_the_clock_ran_ahead_is_refused_after_the_reset(claims_stack):
    claims_stack.advance(3600)
    early = claims_stack.user(projects=["p1"])  # iat an hour ahead of the machine's time
    assert claims_stack.call("GET", "/projects/p1/items", early).status == 200
    claims_stack.reset()  # the clock is back: the token's iat lies in the future
    assert claims_stack.call("GET", "/projects/p1/items", early).status == 401
    try:
        claims_stack.verify(early.token)
    except Exception as refused:
        assert "iat" in str(refused)
    else:
        raise AssertionError("a token issued in the future was accepted")


def test_the_clock_is_back_at_the_machines_time_for_the_next_test(claims_stack):
    fresh = claims_stack.user(projects=["p1"])
    assert claims_stack.call("GET", "/projects/p1/items", fresh).status == 200
'''

MACHINES = '''
"""A machine client's token carries its projects (the project is switched to triggerVersion V3_0)."""


def test_a_machine_client_reads_its_project_only(claims_stack):
    bot = claims_stack.client(projects=["p1"])
    assert bot.claims["projects"] == ["p1"] and bot.claims["client_id"] == bot.client_id
    assert claims_stack.call("GET", "/projects/p1/items", bot).status == 200
    assert claims_stack.call("GET", "/projects/p2/items", bot).status == 403
    assert claims_stack.call("GET", "/standard/projects/p1/items", bot).status == 200


def test_users_and_clients_of_one_test_are_gone_in_the_next(claims_stack):
    listed = claims_stack.aws.client("cognito-idp").list_users(UserPoolId=claims_stack.outputs["UserPoolId"])
    assert listed["Users"] == []
    rows = claims_stack.aws.client("dynamodb").scan(TableName=claims_stack.outputs["UsersTableName"])
    assert rows["Items"] == []
'''

ROTATION = '''
"""With "refreshTokenRotation" on: a refresh ends the staleness window as before, through
GetTokensFromRefreshToken, and keeps the new refresh token; the one it replaced stops after the grace period."""
import json
from pathlib import Path

import pytest

GRACE = json.loads((Path(__file__).parents[1] / "stackInputs.json").read_text())["refreshTokenRotation"][
    "retryGracePeriodSeconds"]


def test_a_rotating_refresh_ends_the_window_and_retires_the_old_token(claims_stack):
    rita = claims_stack.user(projects=["p1"])
    first = rita.refresh_token
    claims_stack.set_projects(rita, [])  # revoked at T: the token in hand still says p1
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 200
    rita.refresh()  # the trigger runs on the row as it is now, and a new refresh token comes back
    assert rita.refresh_token != first
    assert "p1" not in str(rita.claims.get("projects"))
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 403
    idp, client_id = claims_stack.aws.client("cognito-idp"), claims_stack.outputs["UserPoolClientId"]
    claims_stack.advance(GRACE + 1)
    with pytest.raises(Exception, match="Invalid Refresh Token"):  # the kit's clients name the AWS error
        idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=first)
    second = rita.refresh_token
    rita.refresh()  # the kept token still refreshes, and rotates in turn
    assert rita.refresh_token not in (first, second)
'''
