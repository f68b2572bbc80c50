"""The basics every stage shares: the error types with their exit statuses, and the defaults
more than one stage relies on. Imports nothing of the package."""
