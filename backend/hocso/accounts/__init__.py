"""People: registration, sign-in, tokens, and their own data."""
