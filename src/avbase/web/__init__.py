"""Web plumbing shared by every domain's pages and API routes."""
