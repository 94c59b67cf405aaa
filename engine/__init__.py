"""GuardLoop engine: the domain, the workflow runtime and persistence. Knows nothing of HTTP."""
