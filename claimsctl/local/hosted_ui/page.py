"""The hosted UI's HTML: a plain sign-in form and a message page (Jinja2, autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

LOGIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font-family:system-ui,sans-serif;background:#f2f3f3;display:flex;justify-content:center;padding-top:8vh}
 main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:20rem}
 label{display:block;margin-top:1rem;font-size:.9rem} input{width:100%;padding:.5rem;box-sizing:border-box}
 button{margin-top:1.5rem;width:100%;padding:.6rem;background:#ec7211;color:#fff;border:0;border-radius:4px;font-size:1rem}
 .error{background:#fde8e8;color:#8a1f1f;padding:.6rem;border-radius:4px;margin-top:1rem}
 .note{color:#687078;font-size:.8rem;margin-top:1rem}
</style></head>
<body><main>
<h1>Sign in</h1>
<p>to <strong>{{ client_name }}</strong></p>
{% if error %}<p class="error" role="alert" id="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
{% for name, value in params.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{ username }}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="signInSubmitButton">Sign in</button>
</form>
<p class="note">claimsctl local emulator: hosted UI</p>
</main></body></html>
"""

MESSAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family:system-ui,sans-serif;padding:2rem"><h1>{{ title }}</h1><p id="message">{{ message }}</p></body></html>
"""


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def login(action: str, params: dict[str, str], client_name: str, error: str | None, username: str) -> str:
    template = _environment().from_string(LOGIN)
    return str(template.render(action=action, params=params, client_name=client_name, error=error, username=username))


def message(title: str, text: str) -> str:
    return str(_environment().from_string(MESSAGE).render(title=title, message=text))
