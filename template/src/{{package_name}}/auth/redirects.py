"""Where to send the browser after signing in: only to paths on this site."""

DEFAULT_AFTER_SIGN_IN = "/dashboard"


def safe_next_path(value: str | None, default: str = DEFAULT_AFTER_SIGN_IN) -> str:
    """`value` if it is a path on this site, else `default`.

    A value starting with a single `/` can carry no scheme or host, except
    through what browsers rewrite before parsing: backslashes (read as `/`, so
    `/\\host` is `//host`) and control characters (stripped, so `/<tab>/host` is
    `//host`). Those are rejected too.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return default
    return value
