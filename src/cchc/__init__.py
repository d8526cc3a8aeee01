"""cchc — administrative reform planning and tracking for Vietnamese public agencies."""
