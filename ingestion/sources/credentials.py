"""Named sets of secrets for sources, from the environment or a secrets file outside the repository.

A source says `credentials: trafford_portal`; the values come from

    SVW_SECRET_TRAFFORD_PORTAL_USERNAME, ..._PASSWORD, ..._TOKEN (an HTTP bearer token),
    ..._KEY_FILE (an SSH private key), ..._KNOWN_HOSTS (an SSH known_hosts file)

or from the YAML file named by SVW_SECRETS_FILE (`trafford_portal: {username: ..., password: ...}`),
which must lie outside the project folder so it can never be committed. The environment wins.
Values are never logged: every message about a source passes through `redact`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from ingestion.settings import PROJECT_ROOT

ENV_PREFIX = "SVW_SECRET_"
FIELDS = ("username", "password", "token", "key_file", "known_hosts")
# storage credentials (fsspec's storage options, e.g. s3 key/secret) come from the secrets file only


class CredentialsError(RuntimeError):
    """Credentials that are named but cannot be found or read; says where to put them."""


def _env_name(name: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") + "_"


def _secrets_file(environ: Mapping[str, str], project_root: Path) -> dict:
    value = environ.get("SVW_SECRETS_FILE", "").strip()
    if not value:
        return {}
    path = Path(value).expanduser().resolve()
    if path.is_relative_to(project_root.resolve()):
        raise CredentialsError(
            f"SVW_SECRETS_FILE points inside the project ({path}); move it outside the repository "
            "(e.g. ~/.config/svw/secrets.yml) so it can never be committed"
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise CredentialsError(f"cannot read the secrets file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise CredentialsError(f"the secrets file {path} is not valid YAML: {error}") from None
    if not isinstance(loaded, dict):
        raise CredentialsError(f"the secrets file {path} must map credential names to their values")
    return loaded


def credentials_for(
    name: str | None, environ: Mapping[str, str] | None = None, project_root: Path = PROJECT_ROOT
) -> dict[str, object]:
    """The named set's values ({} when the source names none)."""
    if name is None:
        return {}
    environ = os.environ if environ is None else environ
    prefix = _env_name(name)
    from_env = {key[len(prefix) :].lower(): value for key, value in environ.items() if key.startswith(prefix)}
    from_file = _secrets_file(environ, project_root).get(name) or {}
    if not isinstance(from_file, dict):
        raise CredentialsError(f"credentials '{name}' in the secrets file must be a mapping of field: value")
    found = {**from_file, **from_env}
    if not found:
        raise CredentialsError(
            f"credentials '{name}' are not set: export {prefix}USERNAME and {prefix}PASSWORD (or {prefix}TOKEN, "
            f"{prefix}KEY_FILE), or add '{name}:' to the YAML file named by SVW_SECRETS_FILE"
        )
    return found


def redact(text: str, secrets: Mapping[str, object]) -> str:
    """The message with every secret value replaced, for logs, run reports and the UI."""
    for key, value in secrets.items():
        if key in ("username", "key_file", "known_hosts"):
            continue
        if isinstance(value, str) and value:
            text = text.replace(value, "***")
    return text
