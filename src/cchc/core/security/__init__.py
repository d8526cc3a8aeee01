"""Login throttling, two-factor verification, download headers, API token scopes and the
optional OpenID Connect sign-in (issue 8)."""
