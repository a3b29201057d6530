"""The review app's pages, one router per part: sign-in and accounts, the queue, a flag and
its evidence, the early warnings, the decision log, and user admin."""
