"""The hosted UI's HTML: a plain sign-in form and a message page (Jinja2, autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# The head both forms share: the page title comes after.
_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font-family:system-ui,sans-serif;background:#f2f3f3;display:flex;justify-content:center;padding-top:8vh}
 main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:20rem}
 label{display:block;margin-top:1rem;font-size:.9rem} input{width:100%;padding:.5rem;box-sizing:border-box}
 button{margin-top:1.5rem;width:100%;padding:.6rem;background:#ec7211;color:#fff;border:0;border-radius:4px;font-size:1rem}
 .error{background:#fde8e8;color:#8a1f1f;padding:.6rem;border-radius:4px;margin-top:1rem}
 .note{color:#687078;font-size:.8rem;margin-top:1rem}
 code{word-break:break-all}
</style>"""

LOGIN = _HEAD + """<title>Sign in</title></head>
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

MFA = _HEAD + """<title>Verify</title></head>
<body><main>
{% if setup %}<h1>Set up an authenticator</h1>
<p>Scan this code with your authenticator app, or enter the key by hand.</p>
<div id="qr">{{ qr_svg }}</div>
<p>Key: <code id="totp-key">{{ key }}</code></p>
{% else %}<h1>Verify it's you</h1>
<p>Enter the 6-digit code from your authenticator app.</p>{% endif %}
{% if error %}<p class="error" role="alert" id="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
{% for name, value in params.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus>
<button type="submit" name="mfaSubmitButton">Verify</button>
</form>
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


def mfa(action: str, params: dict[str, str], key: str | None, error: str | None) -> str:
    """The TOTP step: a code field, and for a user setting up, the key as a QR code (segno's SVG) and as text."""
    from markupsafe import Markup

    qr_svg = ""
    if key is not None:
        import segno

        uri = f"otpauth://totp/claimsctl:{params.get('username', '')}?secret={key}&issuer=claimsctl"
        qr_svg = Markup(segno.make(uri, error="m").svg_inline(scale=4))  # noqa: S704 - segno's own SVG, no user text
    template = _environment().from_string(MFA)
    return str(template.render(action=action, params=params, setup=key is not None, qr_svg=qr_svg, key=key or "",
                               error=error))


def message(title: str, text: str) -> str:
    return str(_environment().from_string(MESSAGE).render(title=title, message=text))
