"""Periodic work of notifications: warnings for claims about to expire unanswered."""
