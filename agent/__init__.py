"""caredove-agent: keeps a Caredove Referral Inbox free of integration errors, in a real browser."""

__version__ = "0.1.0"
