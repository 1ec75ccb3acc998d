"""The verification flow's message, as the original platform's registration published it to the
mail service: {"email", "template": "userVerification", "data": {"name", "token"}}."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any, Optional, Union

EMAIL = re.compile(r"^[^\s@]+@[^\s@]+$")


def parse_verification_request(body: Any) -> Union[dict, str]:
    """Validates a POST /verifications body: {"email", "name"}, or an error message for a 400."""
    if not isinstance(body, dict):
        return "expected a JSON object {email, name}"
    email, name = body.get("email"), body.get("name")
    if not isinstance(email, str) or not EMAIL.match(email):
        return "'email' must be an email address"
    if not isinstance(name, str) or not name.strip():
        return "'name' must be a non-empty string"
    return {"email": email, "name": name.strip()}


def new_token() -> str:
    return secrets.token_hex(16)


def verification_message(request: dict, token: str) -> dict:
    return {"email": request["email"], "template": "userVerification", "data": {"name": request["name"], "token": token}}


def parse_verification_message(text: str) -> Optional[dict]:
    """Reads a consumed message back; None for anything else (the consumer drops it)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("email"), str):
        return None
    data = value.get("data")
    if value.get("template") != "userVerification" or not isinstance(data, dict):
        return None
    if not isinstance(data.get("name"), str) or not isinstance(data.get("token"), str):
        return None
    return {"email": value["email"], "template": "userVerification", "data": {"name": data["name"], "token": data["token"]}}
