"""A feed's `source:` in config/partners.yml, validated when the registry loads.

    source:
      url: https://www.example.gov.uk/council/spending-over-500   # a page, a file, sftp://, or an fsspec URL
      link_pattern: 'spend-\\d{4}-\\d{2}\\.csv$'    # page: which links are files; sftp/storage: which names
      files: newest                                # newest (default) or all (a backfill)
      interval_minutes: 1440                       # how often to look (default once a day)
      credentials: example_portal                  # a named set of secrets (credentials.py), never the secret

Secrets never live here: a URL carrying a user name or password is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

KEYS = {
    "url",
    "link_pattern",
    "files",
    "interval_minutes",
    "timeout_seconds",
    "retries",
    "credentials",
    "save_as",
    "max_megabytes",
}
STORAGE_SCHEMES = {"file", "memory", "s3", "s3a", "gs", "gcs", "abfs", "az", "adl", "ftp", "hdfs", "webdav"}


class SourceConfigError(ValueError):
    """A source entry that cannot be used; the message says where and what to write instead."""


@dataclass(frozen=True)
class SourceSpec:
    url: str
    kind: str  # http_file | http_page | sftp | storage
    link_pattern: str | None = None
    files: str = "newest"
    interval_minutes: int = 1440
    timeout_seconds: float = 60.0
    retries: int = 3
    credentials: str | None = None
    save_as: str | None = None
    max_megabytes: int = 500

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.link_pattern, re.IGNORECASE) if self.link_pattern else None


def _kind(url: str, link_pattern: str | None, where: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return "http_page" if link_pattern else "http_file"
    if scheme == "sftp":
        if not link_pattern:
            raise SourceConfigError(f"{where}: an sftp source names a folder; add link_pattern for its files' names")
        return "sftp"
    if scheme in STORAGE_SCHEMES:
        if not link_pattern:
            raise SourceConfigError(f"{where}: a storage source names a folder; add link_pattern for its files' names")
        return "storage"
    raise SourceConfigError(
        f"{where}: url {url!r} has no scheme this project fetches; use https://, http://, sftp:// or one of "
        f"{', '.join(sorted(STORAGE_SCHEMES))}://"
    )


def parse_source(raw: object, where: str) -> SourceSpec | None:
    """None when the layout has no source (files are dropped in by hand)."""
    if raw is None:
        return None
    where = f"{where}, source"
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        raise SourceConfigError(f"{where}: write a mapping with at least 'url:' (got {type(raw).__name__})")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise SourceConfigError(f"{where}: unknown key(s) {unknown}; known: {sorted(KEYS)}")
    url = str(raw.get("url") or "").strip()
    if not url:
        raise SourceConfigError(f"{where}: 'url' is required")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise SourceConfigError(
            f"{where}: the url carries a user name or password; remove it and name a credentials set "
            "('credentials: <name>', see docs/onboarding-a-partner.md) so secrets stay out of config and logs"
        )
    link_pattern = raw.get("link_pattern")
    if link_pattern is not None:
        try:
            re.compile(str(link_pattern))
        except re.error as error:
            raise SourceConfigError(f"{where}: link_pattern is not a regular expression ({error})") from None
    files = str(raw.get("files", "newest"))
    if files not in ("newest", "all"):
        raise SourceConfigError(f"{where}: files must be 'newest' or 'all', not {files!r}")

    def positive(key: str, default, cast):
        value = raw.get(key, default)
        try:
            value = cast(value)
        except (TypeError, ValueError):
            raise SourceConfigError(f"{where}: {key} must be a number, not {raw.get(key)!r}") from None
        if value <= 0 and not (key == "retries" and value == 0):
            raise SourceConfigError(f"{where}: {key} must be more than 0")
        return value

    save_as = raw.get("save_as")
    if save_as is not None and (
        "/" in str(save_as) or "\\" in str(save_as) or str(save_as).startswith(".") or not str(save_as).strip()
    ):
        raise SourceConfigError(f"{where}: save_as is a file name (no folders, not hidden), e.g. 'spend_{{name}}'")
    return SourceSpec(
        url=url,
        kind=_kind(url, None if link_pattern is None else str(link_pattern), where),
        link_pattern=None if link_pattern is None else str(link_pattern),
        files=files,
        interval_minutes=positive("interval_minutes", 1440, int),
        timeout_seconds=positive("timeout_seconds", 60.0, float),
        retries=positive("retries", 3, int),
        credentials=None if raw.get("credentials") is None else str(raw["credentials"]),
        save_as=None if save_as is None else str(save_as),
        max_megabytes=positive("max_megabytes", 500, int),
    )
