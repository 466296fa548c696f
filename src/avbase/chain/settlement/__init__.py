"""Revenue sharing: revenue models (pure), statements, settlement runs, reconciliation and claims."""
