"""``avbase resources …``: search the production resources database and book a resource."""

from __future__ import annotations

import typer

resources_app = typer.Typer(help="Production resources: search and book.", no_args_is_help=True)
