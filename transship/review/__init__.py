"""Analyst review: accounts and sessions, the flag queue, evidence, decisions and their log."""
